// `status`: an HTTP status (400-599) instead of the answer; the client sees
// WU_E_PT_HTTP_STATUS_* (503: 0x80244022).

import { z } from 'zod';
import { hresultForStatus } from '../../../agent/wire/hresult.js';
import { defineFaultKind, instead } from './kind.js';

export const statusFault = defineFaultKind({
  kind: 'status',
  field: 'status',
  schema: () => z.number().int().min(400).max(599),
  resolve: (v) => ({ status: v }),
  inProcess: (e) => ({ processed: false, code: hresultForStatus(e.status) }),
  http: (e) => instead({ kind: 'status', status: e.status, message: `injected fault: HTTP ${e.status}` }),
});
