// agent/wire/wusp: the MS-WUSP SOAP codec against the hand-written golden fixtures
// (test/fixtures/wusp, shaped like real Windows 11 <-> WSUS 2025 traffic):
// decode to the typed message, encode byte for byte, round trip.

import { describe, expect, it } from 'vitest';
import {
  CONFIG_MAX_EXTENDED_UPDATES, PATH_CLIENT, PATH_REPORTING, SOAP_ACTION, configProperty, decodeRequest,
  decodeResponse, encodeRequest, encodeResponse, readCoreFragment, soapActionHeader, type GetConfigResponse,
  type SyncUpdatesRequest, type SyncUpdatesResponse,
} from '../agent/wire/wusp/codec.js';
import { fx, squash, COOKIE1, COOKIE2, UPD_INSTALL, REQUESTS, RESPONSES } from './helpers/wusp-fixtures.js';

// ---- fixtures ------------------------------------------------------------------

describe('WUSP requests: golden fixtures', () => {
  for (const c of REQUESTS) {
    describe(c.file, () => {
      const body = fx(c.file);
      it('decodes to the typed message', () => {
        expect(decodeRequest(soapActionHeader(c.msg.op), c.path, body)).toEqual(c.msg);
        expect(decodeRequest(soapActionHeader(c.msg.op), c.path, Buffer.from(body, 'utf8'))).toEqual(c.msg);
      });
      it('encodes to the fixture, with its path and quoted SOAPAction', () => {
        const enc = encodeRequest(c.msg);
        if (c.pretty === true) expect(enc.body).toBe(squash(body));
        else expect(enc.body).toBe(body);
        expect(enc.path).toBe(c.path);
        expect(enc.soapAction).toBe(`"${SOAP_ACTION[c.msg.op]}"`);
      });
      it('round-trips: decode(encode(x)) deep-equals x', () => {
        const enc = encodeRequest(c.msg);
        expect(decodeRequest(enc.soapAction, enc.path, enc.body)).toEqual(c.msg);
      });
    });
  }

  it('the fixtures hold the concrete values the agent and stub rely on', () => {
    const sync = decodeRequest(soapActionHeader('SyncUpdates'), PATH_CLIENT, fx('sync-updates.request.xml')) as SyncUpdatesRequest;
    expect(sync.parameters.installedNonLeafUpdateIds).toEqual([1001, 1002]);
    expect(sync.parameters.otherCachedUpdateIds).toEqual([2001, 2002, 2003]);
    expect(sync.parameters.skipSoftwareSync).toBe(false);
    expect(sync.parameters.productsParameters?.callerAttributes).toBe('Interactive=0;Id=<<PROCESS>>: CcmExec.exe;');
    const driver = decodeRequest(soapActionHeader('SyncUpdates'), PATH_CLIENT, fx('sync-updates-driver.request.xml')) as SyncUpdatesRequest;
    expect(driver.parameters.skipSoftwareSync).toBe(true);
    expect(driver.parameters.systemSpec?.[0]?.installedDriver?.driverVerVersion).toBe('28147927174637544'); // > 2^53: kept as text
    expect(driver.parameters.systemSpec?.[1]?.installedDriver?.matchingComputerHwid).toBeNull();
    const report = decodeRequest(soapActionHeader('ReportEventBatch'), PATH_REPORTING, fx('report-event-batch.request.xml'));
    expect(report.op === 'ReportEventBatch' && report.eventBatch.map((e) => e.basicData.eventId)).toEqual([147, 148, 161, 181, 182]);
    expect(report.op === 'ReportEventBatch' && report.eventBatch[1]!.basicData.win32HResult).toBe(-2145107943);
  });
});

describe('WUSP responses: golden fixtures', () => {
  for (const c of RESPONSES) {
    describe(c.file, () => {
      const body = fx(c.file);
      it('decodes to the typed message', () => {
        expect(decodeResponse(c.msg.op, body)).toEqual(c.msg);
      });
      it('encodes to the fixture', () => {
        expect(encodeResponse(c.msg)).toBe(body);
      });
      it('round-trips: decode(encode(x)) deep-equals x', () => {
        expect(decodeResponse(c.msg.op, encodeResponse(c.msg))).toEqual(c.msg);
      });
    });
  }

  it('GetConfig carries MaxExtendedUpdatesPerRequest = 50 and ProtocolVersion 3.2', () => {
    const r = decodeResponse('GetConfig', fx('get-config.response.xml')) as GetConfigResponse;
    expect(configProperty(r, CONFIG_MAX_EXTENDED_UPDATES)).toBe('50');
    expect(configProperty(r, 'ProtocolVersion')).toBe('3.2');
    expect(r.authInfo[0]!.plugInId).toBe('SimpleTargeting');
  });

  it('paging: a Truncated page keeps the cookie, the last page rotates it', () => {
    const p1 = decodeResponse('SyncUpdates', fx('sync-updates-truncated.response.xml')) as SyncUpdatesResponse;
    const p2 = decodeResponse('SyncUpdates', fx('sync-updates-new-cookie.response.xml')) as SyncUpdatesResponse;
    expect(p1.truncated).toBe(true);
    expect(p1.newUpdates!.filter((u) => !u.isLeaf).map((u) => u.id)).toEqual([1003]);
    expect(p1.newCookie).toEqual(COOKIE1);
    expect(p2.truncated).toBe(false);
    expect(p2.newCookie).toEqual(COOKIE2);
    expect(p2.newCookie.encryptedData).not.toBe(p1.newCookie.encryptedData);
    expect(p2.newUpdates![0]!.deployment).toMatchObject({ action: 'Install', deadline: '2026-03-09T18:00:00Z' });
    expect(readCoreFragment(p2.newUpdates![0]!.xml!)).toEqual({ updateId: UPD_INSTALL, revisionNumber: 200, updateType: 'Software' });
  });
});
