// `code`: the client sees this HRESULT. In-process it is the reply; over HTTP
// the stub sends the real failure that makes a real client report it: a
// WU_E_PT_HTTP_STATUS_* code its status, a connection error a reset, a
// timeout no answer, anything else a 500.

import { z } from 'zod';
import { HR } from '../../../agent/core/constants.js';
import { defineFaultKind, instead } from './kind.js';

/** WU_E_PT_HTTP_STATUS_* (0x80244016 .. 0x80244024) -> the status that produces it. */
const STATUS_OF_CODE: Record<number, number> = {
  0x80244016: 400, 0x80244017: 401, 0x80244018: 403, 0x80244019: 404, 0x8024401a: 405, 0x8024401b: 407,
  0x8024401c: 408, 0x8024401d: 409, 0x8024401e: 410, 0x8024401f: 500, 0x80244020: 501, 0x80244021: 502,
  0x80244022: 503, 0x80244023: 504, 0x80244024: 505,
};

export const hresultFault = defineFaultKind({
  kind: 'hresult',
  field: 'code',
  schema: (t): z.ZodType<string> => t.hresult,
  resolve: (v) => ({ code: parseInt(v, 16) >>> 0 }),
  inProcess: (e) => ({ processed: false, code: e.code }),
  http: (e) => {
    const code = e.code >>> 0;
    const message = `injected fault: ${code.toString(16)}`;
    if (code >= 0x80244016 && code <= 0x80244024) return instead({ kind: 'status', status: STATUS_OF_CODE[code] ?? 500, message });
    if (code === HR.WINHTTP_CANNOT_CONNECT || code === HR.WINHTTP_CONNECTION_ERROR) return instead({ kind: 'reset' });
    if (code === HR.WINHTTP_TIMEOUT) return instead({ kind: 'hold' });
    return instead({ kind: 'status', status: 500, message });
  },
});
