// Scenario faults as real HTTP effects (the HTTP twin of StubCore.exchange).

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultEffect } from '../core/config.js';
import { HR } from '../../agent/core/constants.js';
import { sendError } from './server.js';

/** How long a dropped answer keeps its socket before the stub closes it (the client gave up long before). */
const DROP_HOLD_MS = 5 * 60_000;

/**
 * Applies a fault effect to a response: an HTTP status, a reset connection,
 * an answer that never comes. `hresult` effects become the HTTP failure that
 * produces that HRESULT on a real client: a WU_E_PT_HTTP_STATUS_* code its
 * status, a connection error a reset, a timeout a dropped answer, anything
 * else a 500. (Delays are applied by the caller, which still answers.)
 */
export function applyHttpFault(req: IncomingMessage, res: ServerResponse, e: FaultEffect): void {
  switch (e.kind) {
    case 'status':
      return sendError(res, e.status, `injected fault: HTTP ${e.status}`);
    case 'reset':
      req.socket.destroy();
      return;
    case 'drop': {
      const timer = setTimeout(() => req.socket.destroy(), DROP_HOLD_MS);
      timer.unref();
      res.on('close', () => clearTimeout(timer));
      return;
    }
    case 'hresult': {
      const code = e.code >>> 0;
      if (code >= 0x80244016 && code <= 0x80244024) return sendError(res, statusOf(code), `injected fault: ${code.toString(16)}`);
      if (code === HR.WINHTTP_CANNOT_CONNECT || code === HR.WINHTTP_CONNECTION_ERROR) {
        req.socket.destroy();
        return;
      }
      if (code === HR.WINHTTP_TIMEOUT || code === HR.PT_WINHTTP_TIMEOUT) return applyHttpFault(req, res, { kind: 'drop' });
      return sendError(res, 500, `injected fault: ${code.toString(16)}`);
    }
    default:
      return sendError(res, 500, 'injected fault');
  }
}

const STATUS_OF_CODE: Record<number, number> = {
  0x80244016: 400, 0x80244017: 401, 0x80244018: 403, 0x80244019: 404, 0x8024401a: 405, 0x8024401b: 407,
  0x8024401c: 408, 0x8024401d: 409, 0x8024401e: 410, 0x8024401f: 500, 0x80244020: 501, 0x80244021: 502,
  0x80244022: 503, 0x80244023: 504, 0x80244024: 505,
};

function statusOf(code: number): number {
  return STATUS_OF_CODE[code] ?? 500;
}
