// The agent reads a GetConfig answer as leniently as the real client: a
// server with no AuthInfo (no plug-in at all) or one from before protocol 3.0
// (no Properties, so no MaxExtendedUpdatesPerRequest) is not a parse error.
// The answers are written here by hand, in the shape of the captured WSUS 2025
// GetConfig response with the elements taken out.

import { describe, expect, it } from 'vitest';
import { decodeResponse, isFault } from '../agent/wire/wusp/codec.js';
import { maxExtendedUpdates } from '../agent/runtime/http/wua.js';

const NS = 'http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService';
const envelope = (result: string): string =>
  '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">' +
  `<GetConfigResponse xmlns="${NS}"><GetConfigResult>${result}</GetConfigResult></GetConfigResponse></s:Body></s:Envelope>`;

describe('GetConfig read leniently by the agent', () => {
  it('no AuthInfo: no plug-in (the scan then makes no SimpleAuth call)', () => {
    const r = decodeResponse('GetConfig', envelope('<LastChange>2026-01-05T00:00:00Z</LastChange><IsRegistrationRequired>false</IsRegistrationRequired><Properties><ConfigurationProperty><Name>MaxExtendedUpdatesPerRequest</Name><Value>25</Value></ConfigurationProperty></Properties>'));
    expect(isFault(r)).toBe(false);
    if (isFault(r) || r.op !== 'GetConfig') throw new Error('unexpected');
    expect(r.authInfo).toEqual([]);
    expect(maxExtendedUpdates(r)).toBe(25);
  });

  it('a server before protocol 3.0: no Properties, MaxExtendedUpdatesPerRequest falls back to 50', () => {
    const r = decodeResponse('GetConfig', envelope('<LastChange>2026-01-05T00:00:00Z</LastChange><IsRegistrationRequired>true</IsRegistrationRequired><AuthInfo><AuthPlugInInfo><PlugInID>SimpleTargeting</PlugInID><ServiceUrl>SimpleAuthWebService/SimpleAuth.asmx</ServiceUrl></AuthPlugInInfo></AuthInfo>'));
    if (isFault(r) || r.op !== 'GetConfig') throw new Error('unexpected');
    expect(r.properties).toEqual([]);
    expect(r.authInfo.map((a) => a.plugInId)).toEqual(['SimpleTargeting']);
    expect(maxExtendedUpdates(r)).toBe(50);
  });
});
