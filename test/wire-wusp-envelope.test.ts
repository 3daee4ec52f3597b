// agent/wire/wusp: the MS-WUSP SOAP codec: SOAPAction, endpoint path and operation checks.

import { describe, expect, it } from 'vitest';
import {
  PATH_CLIENT, PATH_REPORTING, PATH_REPORTING_ALT, PATH_SIMPLE_AUTH, SOAP_ACTION, decodeRequest, decodeResponse,
  serviceForPath, soapActionHeader,
} from '../agent/wire/wusp/codec.js';
import { fx, expectWire } from './helpers/wusp-fixtures.js';

// ---- SOAPAction, path, operation ---------------------------------------------------

describe('WUSP: SOAPAction, endpoint and operation checks', () => {
  const body = fx('get-config.request.xml');
  const action = soapActionHeader('GetConfig');

  it('a missing SOAPAction is refused', () => {
    expectWire(() => decodeRequest(undefined, PATH_CLIENT, body), 'SUCA_ERR_WIRE_SOAPACTION', 'SOAPAction');
  });

  it("a SOAPAction that names another operation than the body's is refused", () => {
    const e = expectWire(() => decodeRequest(soapActionHeader('SyncUpdates'), PATH_CLIENT, body), 'SUCA_ERR_WIRE_SOAPACTION', 'SOAPAction');
    expect(e.message).toContain('GetConfig');
    expectWire(() => decodeRequest('"http://example.invalid/GetConfig"', PATH_CLIENT, body), 'SUCA_ERR_WIRE_SOAPACTION');
  });

  it('empty, unbalanced or inner-quoted SOAPAction values are refused', () => {
    for (const h of ['""', '', '   ', '"http://www.microsoft.com/x', 'a"b']) {
      expectWire(() => decodeRequest(h, PATH_CLIENT, body), 'SUCA_ERR_WIRE_SOAPACTION', 'SOAPAction');
    }
  });

  it('an unquoted SOAPAction is accepted (as ASP.NET does) unless strictSoapAction', () => {
    expect(decodeRequest(SOAP_ACTION.GetConfig, PATH_CLIENT, body)).toEqual({ op: 'GetConfig', protocolVersion: '2.90' });
    expect(decodeRequest(` ${action} `, PATH_CLIENT, body).op).toBe('GetConfig');
    expectWire(() => decodeRequest(SOAP_ACTION.GetConfig, PATH_CLIENT, body, { strictSoapAction: true }), 'SUCA_ERR_WIRE_SOAPACTION', 'SOAPAction');
    expect(decodeRequest(action, PATH_CLIENT, body, { strictSoapAction: true }).op).toBe('GetConfig');
  });

  it('endpoint paths: case-insensitive, query ignored, both reporting paths; wrong service refused', () => {
    expect(decodeRequest(action, '/CLIENTWEBSERVICE/Client.asmx?x=1', body).op).toBe('GetConfig');
    expect(serviceForPath('/clientwebservice/client.asmx')).toBe('client');
    expect(serviceForPath(PATH_SIMPLE_AUTH.toUpperCase())).toBe('simpleAuth');
    expect(serviceForPath(PATH_REPORTING)).toBe('reporting');
    expect(serviceForPath(PATH_REPORTING_ALT)).toBe('reporting');
    expect(serviceForPath('/ClientWebService/client.asmx/')).toBeNull();
    const report = fx('report-event-batch.request.xml');
    expect(decodeRequest(soapActionHeader('ReportEventBatch'), PATH_REPORTING_ALT, report).op).toBe('ReportEventBatch');
    expectWire(() => decodeRequest(action, PATH_SIMPLE_AUTH, body), 'SUCA_ERR_WIRE_OPERATION', 'path');
    expectWire(() => decodeRequest(soapActionHeader('ReportEventBatch'), PATH_CLIENT, report), 'SUCA_ERR_WIRE_OPERATION', 'path');
    expectWire(() => decodeRequest(action, '/nope.asmx', body), 'SUCA_ERR_WIRE_OPERATION', 'path');
  });

  it('operations MS-WUSP does not define, or that do not exist, are refused', () => {
    // GetConfig2 is a name newer WSUS servers have; the spec gives no elements for it
    const gc2 = `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetConfig2 xmlns="http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService"/></s:Body></s:Envelope>`;
    const e = expectWire(() => decodeRequest(`"${SOAP_ACTION.GetConfig}2"`, PATH_CLIENT, gc2), 'SUCA_ERR_WIRE_OPERATION', 'Body/GetConfig2');
    expect(e.message).toContain('not implemented');
    expectWire(() => decodeRequest(action, PATH_CLIENT, gc2.replace(/GetConfig2/g, 'Frobnicate')), 'SUCA_ERR_WIRE_OPERATION', 'Body/Frobnicate');
  });

  it('SyncPrinterCatalog is the WSDL SOAPAction, not the SyncUpdates one section 2.2.2.2.9 prints', () => {
    const spc = `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><SyncPrinterCatalog xmlns="http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService"><cookie><Expiration>2026-03-02T10:00:00Z</Expiration><EncryptedData>AA==</EncryptedData></cookie></SyncPrinterCatalog></s:Body></s:Envelope>`;
    expect(decodeRequest('"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService/SyncPrinterCatalog"', PATH_CLIENT, spc).op).toBe('SyncPrinterCatalog');
    expectWire(() => decodeRequest('"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService/SyncUpdates"', PATH_CLIENT, spc), 'SUCA_ERR_WIRE_SOAPACTION', 'SOAPAction');
  });

  it('a response element for another operation is refused', () => {
    expectWire(() => decodeResponse('GetConfig', fx('get-cookie.response.xml')), 'SUCA_ERR_WIRE_OPERATION', 'Body/GetCookieResponse');
  });
});
