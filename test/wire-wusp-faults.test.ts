// agent/wire/wusp: the MS-WUSP SOAP codec: SOAP faults as WSUS sends them.

import { describe, expect, it } from 'vitest';
import {
  WUSP_ERROR_CODES, decodeFault, decodeResponse, encodeFault, isFault, makeFault, type WuspFault, type WuspOperation,
} from '../agent/wire/wusp/codec.js';
import { fx, expectWire } from './helpers/wusp-fixtures.js';

// ---- faults ----------------------------------------------------------------------

describe('WUSP faults', () => {
  it('the captured WSUS 2025 shape: fixture <-> typed fault', () => {
    const f: WuspFault = {
      op: 'Fault',
      faultCode: 'Client',
      faultString: 'Fault occurred',
      errorCode: 'InvalidCookie',
      message: '',
      id: '9e8d7c6b-5a49-4382-b1f0-e9d8c7b6a594',
      method: '"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService/SyncUpdates"',
    };
    const body = fx('fault-invalid-cookie.response.xml');
    expect(decodeResponse('SyncUpdates', body)).toEqual(f);
    expect(decodeFault(body)).toEqual(f);
    expect(encodeFault(f)).toBe(body);
    expect(makeFault('InvalidCookie', { operation: 'SyncUpdates', message: '', id: f.id })).toEqual(f);
  });

  it('the spec-era ASMX shape (soap: prefix, declaration, faultactor, pretty-printed) decodes', () => {
    const f = decodeResponse('GetCookie', fx('fault-config-changed.asmx.response.xml'));
    expect(isFault(f)).toBe(true);
    expect(f).toEqual({
      op: 'Fault',
      faultCode: 'Client',
      faultString: 'System.Web.Services.Protocols.SoapException: Fault occurred',
      faultActor: 'http://wsus.fleet.example:8530/ClientWebService/client.asmx',
      errorCode: 'ConfigChanged',
      message: '',
      id: '1f2e3d4c-5b6a-4798-8a9b-0c1d2e3f4a5b',
      method: '"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService/GetCookie"',
    });
    expect(decodeFault(encodeFault(f as WuspFault))).toEqual(f);
  });

  for (const code of WUSP_ERROR_CODES) {
    it(`round-trips ErrorCode ${code}`, () => {
      const op: WuspOperation = code === 'InvalidAuthorizationCookie' ? 'GetCookie' : 'SyncUpdates';
      const f = makeFault(code, { operation: op, message: code === 'InvalidParameters' ? 'parameters.InstalledNonLeafUpdateIDs' : `msg ${code}`, id: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' });
      const body = encodeFault(f);
      expect(body).toContain(`<ErrorCode>${code}</ErrorCode>`);
      expect(body).toContain('<faultcode>s:Client</faultcode>');
      expect(decodeResponse(op, body)).toEqual(f);
      expect(decodeFault(body)).toEqual(f);
    });
  }

  it('a fault without WUSP detail (a generic server fault) has no errorCode', () => {
    const f: WuspFault = { op: 'Fault', faultCode: 'Server', faultString: 'Server was unable to process request.' };
    const body = encodeFault(f);
    expect(body).not.toContain('<detail>');
    expect(decodeResponse('GetConfig', body)).toEqual(f);
  });

  it('an unknown ErrorCode is a field error, not a silent default', () => {
    const body = fx('fault-invalid-cookie.response.xml').replace('InvalidCookie', 'CookieMonster');
    expectWire(() => decodeResponse('SyncUpdates', body), 'SUCA_ERR_WIRE_FIELD', 'Fault/detail/ErrorCode');
  });

  it('decodeFault refuses a non-fault body', () => {
    expectWire(() => decodeFault(fx('get-cookie.response.xml')), 'SUCA_ERR_WIRE_SOAP');
  });
});
