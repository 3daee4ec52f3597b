// `soapFault`: a WSUS SOAP fault (MS-WUSP ErrorCode), target "wsus" only.
// The cookie faults are recovered by the client (GetConfig,
// GetAuthorizationCookie and GetCookie again, then the call repeated): over
// HTTP the real client does that itself; in-process the recovery always
// succeeds, so the request is processed and counted as a recovery. Any other
// code fails the scan with 0x8024400E.

import { z } from 'zod';
import { HR } from '../../../agent/core/constants.js';
import { defineFaultKind, instead } from './kind.js';

/** WSUS SOAP fault ErrorCode values a scenario may inject (MS-WUSP). */
export const WSUS_FAULT_CODES = [
  'InvalidCookie', 'ConfigChanged', 'CookieExpired', 'RegistrationRequired', 'ServerChanged',
  'InternalServerError', 'InvalidParameters', 'ServerBusy', 'FileLocationChanged',
] as const;
export type WsusFaultCode = (typeof WSUS_FAULT_CODES)[number];

// FileLocationChanged: the client asks GetFileLocations and repeats the call (agent/runtime/http/wua.ts)
const RECOVERABLE: ReadonlySet<WsusFaultCode> = new Set(['InvalidCookie', 'CookieExpired', 'ConfigChanged', 'ServerChanged', 'RegistrationRequired', 'FileLocationChanged']);

export const soapFaultFault = defineFaultKind({
  kind: 'soapFault',
  field: 'soapFault',
  schema: () => z.enum(WSUS_FAULT_CODES),
  resolve: (v, ctx) => {
    if (ctx.target !== 'wsus') ctx.where(`${ctx.path}.soapFault`, 'only applies to target "wsus"');
    return { code: v };
  },
  inProcess: (e) =>
    RECOVERABLE.has(e.code)
      ? // ConfigChanged drops the client's datastore; after ServerChanged it calls RefreshCache, which this
        // stub answers for all it serves the client, so what it holds stays held (agent/runtime/http/wua.ts)
        { processed: true, delayMs: 0, dropped: false, recovered: true, resync: e.code === 'ConfigChanged' }
      : { processed: false, code: HR.PT_SOAPCLIENT_SOAPFAULT },
  // resolve refuses it on other targets; a config built by hand gets the generic 500
  http: (e, target) => instead(target === 'wsus' ? { kind: 'soapFault', code: e.code } : { kind: 'status', status: 500, message: 'injected fault' }),
});
