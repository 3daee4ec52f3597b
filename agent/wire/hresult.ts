// What the real client reports when an HTTP exchange fails: HTTP statuses
// map to WU_E_PT_HTTP_STATUS_* (0x80244016 for 400 ... 0x80244024 for 505,
// 0x8024402B for the rest; WUA networking error codes), socket failures to
// the WinHTTP errors as HRESULTs (0x8007xxxx).
//
// A request that got no answer in time is WinHTTP's ERROR_WINHTTP_TIMEOUT,
// 0x80072EE2, whoever asked: the Windows Update Agent, ccmexec (MP) and BITS
// (DP) alike. It is not a scan retry code, the reason clients on a
// slow SUP never fail over (client-behaviour.md, "Easy to get wrong": "IIS
// 503s often surface as 2EE2 -> stuck on one SUP"). 0x8024401C, a retry
// code, is the HTTP status 408 (WUA networking error codes: "Same as HTTP
// status 408"), a status the server sent. Until 2026-12-07 a WUA timeout
// here was 0x8024401C, so over HTTP a fault asking for 0x80072EE2 (held, no
// answer) came back as a retry code and the client failed over, where
// in-process it stayed: the two transports disagreed.

import { HR } from '../core/constants.js';

/** HRESULT for an HTTP status that is not a success. */
export function hresultForStatus(status: number): number {
  if (status >= 400 && status <= 410 && status !== 406) {
    // 400 .. 410 in order, 406 has no code of its own
    const table: Record<number, number> = {
      400: 0x80244016, 401: 0x80244017, 403: 0x80244018, 404: 0x80244019, 405: 0x8024401a,
      407: 0x8024401b, 408: 0x8024401c, 409: 0x8024401d, 410: 0x8024401e,
    };
    if (table[status] !== undefined) return table[status]!;
  }
  switch (status) {
    case 500: return 0x8024401f;
    case 501: return 0x80244020;
    case 502: return 0x80244021;
    case 503: return HR.PT_HTTP_STATUS_SERVICE_UNAVAIL;
    case 504: return 0x80244023;
    case 505: return 0x80244024;
    default: return HR.PT_HTTP_STATUS_NOT_MAPPED;
  }
}

/** HRESULT for a transport failure (an error thrown by undici / node:net), or 0 when it is not one. */
export function hresultForError(err: unknown): number {
  const code = (err as { code?: string } | null)?.code ?? '';
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'ETIMEDOUT':
      return HR.WINHTTP_TIMEOUT;
    case 'ECONNREFUSED':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return HR.WINHTTP_CANNOT_CONNECT;
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return HR.WINHTTP_CONNECTION_ERROR;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return HR.WINHTTP_NAME_NOT_RESOLVED;
    default:
      if (/^ERR_TLS|CERT|SSL/.test(code)) return HR.WINHTTP_SECURE_FAILURE;
      return 0;
  }
}
