// agent/wire/wusp: the MS-WUSP SOAP codec: client headers and helpers (MS-CV, paths,
// date-times, core fragments, makeFault).

import { describe, expect, it } from 'vitest';
import {
  SOAP_ACTION, clientHeaders, correlationVector, carriesMsCv, encodeRequest, formatDateTime, makeFault, parseDateTime,
  readCoreFragment, soapActionHeader,
} from '../agent/wire/wusp/codec.js';
import { expectWire, COOKIE1, SYNC_SOFTWARE, SYNC_TRUNCATED } from './helpers/wusp-fixtures.js';

// ---- headers and helpers ----------------------------------------------------------------

describe('WUSP: client headers and helpers', () => {
  it('clientHeaders: the real client set, in its order, without Accept-Encoding: xpress', () => {
    const { soapAction, body } = encodeRequest({ op: 'SyncUpdates', cookie: COOKIE1, parameters: SYNC_SOFTWARE.parameters });
    const len = Buffer.byteLength(body);
    expect(clientHeaders(soapAction, len, { msCv: correlationVector('AbCdEfGhIjKlMnOp', 5) })).toEqual([
      ['Cache-Control', 'no-cache'],
      ['Connection', 'Keep-Alive'],
      ['Pragma', 'no-cache'],
      ['Content-Type', 'text/xml; charset=utf-8'],
      ['User-Agent', 'Windows-Update-Agent/1507.2601.30012.0 Client-Protocol/2.90'],
      ['SOAPAction', '"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService/SyncUpdates"'],
      ['MS-CV', 'AbCdEfGhIjKlMnOp.1.0.0.2.5'],
      ['Content-Length', String(len)],
    ]);
    const simple = clientHeaders(SOAP_ACTION.GetAuthorizationCookie, 310, { host: 'wsus.fleet.example:8530' });
    expect(simple.map(([k]) => k)).toEqual(['Cache-Control', 'Connection', 'Pragma', 'Content-Type', 'User-Agent', 'SOAPAction', 'Content-Length', 'Host']);
    expect(simple[5]![1]).toBe(soapActionHeader('GetAuthorizationCookie')); // quoted even when given bare
    for (const [k, v] of [...simple, ...clientHeaders('"x"', 1, { msCv: 'a' })]) {
      expect(k.toLowerCase()).not.toBe('accept-encoding');
      expect(v.toLowerCase()).not.toContain('xpress');
    }
  });

  it('MS-CV goes on ClientWebService requests only', () => {
    expect(carriesMsCv('GetConfig')).toBe(true);
    expect(carriesMsCv('SyncUpdates')).toBe(true);
    expect(carriesMsCv('GetAuthorizationCookie')).toBe(false);
    expect(carriesMsCv('ReportEventBatch')).toBe(false);
    expectWire(() => correlationVector('short', 1), 'SUCA_ERR_WIRE_FIELD', 'MS-CV');
  });

  it('date-times: .NET-style formatting, 7-digit fractions and offsets parsed', () => {
    expect(formatDateTime(Date.UTC(2026, 2, 2, 9, 0, 0))).toBe('2026-03-02T09:00:00Z');
    expect(formatDateTime(Date.UTC(2026, 2, 2, 9, 0, 0, 680))).toBe('2026-03-02T09:00:00.68Z');
    expect(formatDateTime(Date.UTC(2026, 2, 2, 9, 0, 0, 100))).toBe('2026-03-02T09:00:00.1Z');
    expect(parseDateTime('2026-03-02T10:00:00.1234567Z')).toBe(Date.UTC(2026, 2, 2, 10, 0, 0, 123));
    expect(parseDateTime('2026-03-02T10:00:00+01:00')).toBe(Date.UTC(2026, 2, 2, 9, 0, 0));
    expect(parseDateTime('2006-05-17T16:16:38.015')).toBe(Date.UTC(2006, 4, 17, 16, 16, 38, 15));
    expectWire(() => parseDateTime('2026-03-02', 'x'), 'SUCA_ERR_WIRE_FIELD', 'x');
    const t = Date.UTC(2026, 9, 4, 15, 20, 47, 397);
    expect(parseDateTime(formatDateTime(t))).toBe(t);
  });

  it('readCoreFragment picks the identity out of a core fragment', () => {
    expect(readCoreFragment(SYNC_TRUNCATED.newUpdates![0]!.xml!)).toEqual({ updateId: 'c0ffee00-1111-4222-8333-444455556666', revisionNumber: 101, updateType: 'Category' });
    expect(readCoreFragment('<Properties UpdateType="Software" />')).toBeNull();
    // attributes in any order, either quote, white space around '=' (XML allows each)
    const id = '0a1b2c3d-0000-4000-8000-00000000abcd';
    for (const f of [
      `<UpdateIdentity RevisionNumber="7" UpdateID="${id}" /><Properties UpdateType="Driver" />`,
      `<UpdateIdentity UpdateID='${id}' RevisionNumber='7'/><Properties IsPublic="true" UpdateType='Driver'/>`,
      `\n <UpdateIdentity\tUpdateID = "${id}"\n RevisionNumber= "7" /><Properties UpdateType="Driver" />`,
      `<UpdateIdentity UpdateID="${id}" RevisionNumber="7" /><Properties UpdateType='Driver' />`,
    ]) expect(readCoreFragment(f), f).toEqual({ updateId: id, revisionNumber: 7, updateType: 'Driver' });
    // an identity without both attributes, or a mismatched quote, is not one
    expect(readCoreFragment(`<UpdateIdentity UpdateID="${id}" />`)).toBeNull();
    expect(readCoreFragment(`<UpdateIdentity UpdateID="${id}' RevisionNumber="7" />`)).toBeNull();
    // an attribute whose name ends in UpdateID is not UpdateID
    expect(readCoreFragment(`<UpdateIdentity OldUpdateID="${id}" RevisionNumber="7" />`)).toBeNull();
  });

  it('makeFault fills Method with the quoted SOAPAction, as WSUS does', () => {
    expect(makeFault('ServerBusy', { operation: 'GetExtendedUpdateInfo' })).toEqual({
      op: 'Fault',
      faultCode: 'Client',
      faultString: 'Fault occurred',
      errorCode: 'ServerBusy',
      method: '"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService/GetExtendedUpdateInfo"',
    });
  });
});
