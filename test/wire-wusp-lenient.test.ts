// agent/wire/wusp: the MS-WUSP SOAP codec: lenient on what may be extra (prefixes,
// unknown elements, whitespace, nil).

import { describe, expect, it } from 'vitest';
import { PATH_CLIENT, PATH_REPORTING, decodeRequest, decodeResponse, soapActionHeader, type SyncUpdatesResponse } from '../agent/wire/wusp/codec.js';
import { fx } from './helpers/wusp-fixtures.js';

// ---- leniency --------------------------------------------------------------------

describe('WUSP: lenient on what may be extra', () => {
  const action = soapActionHeader('GetConfig');

  it('any envelope prefix, a default-namespace envelope, a declaration, a BOM, comments, a Header, unknown elements', () => {
    const variants = [
      `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><GetConfig xmlns="x"><protocolVersion>2.90</protocolVersion></GetConfig></soap:Body></soap:Envelope>`,
      `<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body><GetConfig xmlns="x"><protocolVersion>2.90</protocolVersion></GetConfig></Body></Envelope>`,
      `\uFEFF<?xml version="1.0" encoding="utf-8"?>\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">\n <!-- hi -->\n <s:Header><x:Trace xmlns:x="y">1</x:Trace></s:Header>\n <s:Body>\n  <q:GetConfig xmlns:q="z"><Unknown>1</Unknown><protocolVersion>2.90</protocolVersion></q:GetConfig>\n </s:Body>\n</s:Envelope>\n`,
    ];
    for (const v of variants) expect(decodeRequest(action, PATH_CLIENT, v)).toEqual({ op: 'GetConfig', protocolVersion: '2.90' });
  });

  it('spec-era SyncUpdates: xsi:nil arrays are absent, soapenc:arrayType ignored', () => {
    const body =
      `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/"><soap:Body>` +
      `<SyncUpdates xmlns="http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService"><cookie><Expiration>2006-05-23T04:06:32.9843746</Expiration><EncryptedData>QUJD\nREVG</EncryptedData></cookie>` +
      `<parameters><ExpressQuery>false</ExpressQuery><InstalledNonLeafUpdateIDs soapenc:arrayType="xsd:int[1]"><int> 109 </int></InstalledNonLeafUpdateIDs><OtherCachedUpdateIDs xsi:nil="1" /><SystemSpec xsi:nil="1" /><CachedDriverIDs xsi:nil="1" /><SkipSoftwareSync>0</SkipSoftwareSync></parameters></SyncUpdates></soap:Body></soap:Envelope>`;
    expect(decodeRequest(soapActionHeader('SyncUpdates'), PATH_CLIENT, body)).toEqual({
      op: 'SyncUpdates',
      cookie: { expiration: '2006-05-23T04:06:32.9843746', encryptedData: 'QUJD\nREVG' },
      parameters: { expressQuery: false, installedNonLeafUpdateIds: [109], skipSoftwareSync: false },
    });
  });

  it('ReportingEvent: the schema spelling Win32Hresult is read too', () => {
    const body = fx('report-event-batch.request.xml').replace(/Win32HResult/g, 'Win32Hresult');
    const r = decodeRequest(soapActionHeader('ReportEventBatch'), PATH_REPORTING, body);
    expect(r.op === 'ReportEventBatch' && r.eventBatch[4]!.basicData.win32HResult).toBe(-2147023293);
  });

  it('CDATA content is taken as is; DriverSyncNotNeeded "True" is read as true', () => {
    const body = fx('sync-updates-new-cookie.response.xml')
      .replace(/<Xml>.*<\/Xml>/, '<Xml><![CDATA[<UpdateIdentity UpdateID="c0ffee00-3333-4444-8555-666677778888" RevisionNumber="7" />&amp;]]></Xml>')
      .replace('<DriverSyncNotNeeded>true', '<DriverSyncNotNeeded>True');
    const r = decodeResponse('SyncUpdates', body) as SyncUpdatesResponse;
    expect(r.newUpdates![0]!.xml).toBe('<UpdateIdentity UpdateID="c0ffee00-3333-4444-8555-666677778888" RevisionNumber="7" />&amp;');
    expect(r.driverSyncNotNeeded).toBe(true);
  });
});
