// `drop: true`: the server processes the request but the answer never reaches
// the client, which times out (and sends again: the server must not count twice).

import { z } from 'zod';
import { defineFaultKind } from './kind.js';

export const dropFault = defineFaultKind({
  kind: 'drop',
  field: 'drop',
  schema: () => z.literal(true),
  resolve: () => ({}),
  inProcess: () => ({ processed: true, delayMs: 0, dropped: true, recovered: false }),
  http: () => ({ processed: true, delayMs: 0, fail: { kind: 'hold' } }),
});
