// `reset: true`: the connection is reset (0x80072EFE); the request is not processed.

import { z } from 'zod';
import { HR } from '../../../agent/core/constants.js';
import { defineFaultKind, instead } from './kind.js';

export const resetFault = defineFaultKind({
  kind: 'reset',
  field: 'reset',
  schema: () => z.literal(true),
  resolve: () => ({}),
  inProcess: () => ({ processed: false, code: HR.WINHTTP_CONNECTION_ERROR }),
  http: () => instead({ kind: 'reset' }),
});
