// agent/wire/wusp: the MS-WUSP SOAP codec: decode(encode(x)) for hand-built messages the
// fixtures do not cover, and encode refusals.

import { describe, expect, it } from 'vitest';
import { decodeRequest, decodeResponse, encodeFault, encodeRequest, encodeResponse, type WuspRequest, type WuspResponse } from '../agent/wire/wusp/codec.js';
import { expectWire, CLIENT_ID, DNS, AUTH_DATA, COOKIE1, COOKIE2, CAT_A, CAT_B, GET_CONFIG_RESPONSE, XD, EVENTS } from './helpers/wusp-fixtures.js';

// ---- hand-built messages ---------------------------------------------------------

describe('WUSP: decode(encode(x)) for messages the fixtures do not cover', () => {
  const requests: WuspRequest[] = [
    { op: 'GetAuthorizationCookie', clientId: CLIENT_ID, targetGroupName: '', dnsName: DNS },
    { op: 'GetCookie', authCookies: [{ plugInId: 'SimpleTargeting', cookieData: AUTH_DATA }], oldCookie: COOKIE1, lastChange: '2026-03-01T08:15:30Z', currentTime: '2026-03-02T09:00:00+01:00', protocolVersion: '1.8' },
    { op: 'StartCategoryScan', requestedCategories: [] },
    {
      op: 'SyncUpdates',
      cookie: COOKIE1,
      parameters: {
        expressQuery: false,
        installedNonLeafUpdateIds: [],
        otherCachedUpdateIds: [-1, 2147483647],
        systemSpec: [],
        cachedDriverIds: [7],
        skipSoftwareSync: false,
        filterCategoryIds: [CAT_A],
        needTwoGroupOutOfScopeUpdates: false,
        filterAppCategoryIds: [CAT_B],
        treatAppCategoryIdsAsInstalled: true,
        alsoPerformRegularSync: false,
        computerSpec: { hardwareIds: [] },
        extendedUpdateInfoParameters: { xmlUpdateFragmentTypes: ['Extended', 'Eula'], locales: ['en-US'] },
        clientPreferredLanguages: ['en-US'],
        productsParameters: { syncCurrentVersionOnly: true },
      },
    },
    { op: 'SyncUpdates', cookie: COOKIE2, parameters: { expressQuery: false, skipSoftwareSync: false, extendedUpdateInfoParameters: {} } },
    { op: 'GetExtendedUpdateInfo', cookie: COOKIE1, revisionIds: [], infoTypes: [] },
    {
      op: 'ReportEventBatch',
      cookie: COOKIE1,
      clientTime: '2026-03-02T09:00:00Z',
      eventBatch: [
        {
          basicData: { ...EVENTS[0]!.basicData },
          extendedData: { processorArchitecture: 'X86Compatible', osVersion: XD.osVersion, osLocaleId: 1031, deviceId: '' },
          privateData: { computerDnsName: '', userAccountName: '' },
        },
        { basicData: EVENTS[3]!.basicData },
      ],
    },
  ];
  for (const msg of requests) {
    it(`${msg.op} request`, () => {
      const enc = encodeRequest(msg);
      expect(decodeRequest(enc.soapAction, enc.path, enc.body)).toEqual(msg);
    });
  }

  const responses: WuspResponse[] = [
    { ...GET_CONFIG_RESPONSE, allowedEventIds: [147, 148], authInfo: [{ plugInId: 'SimpleTargeting', serviceUrl: 'SimpleAuthWebService/SimpleAuth.asmx' }] },
    { op: 'StartCategoryScan' },
    { op: 'StartCategoryScan', preferredCategoryIds: [] },
    {
      op: 'SyncUpdates',
      newUpdates: [],
      changedUpdates: [
        {
          id: 5,
          deployment: {
            id: 9,
            action: 'OptionalInstall',
            isAssigned: false,
            lastChangeTime: '2026-03-02',
            downloadPriority: '1',
            hardwareIds: ['PCI\\VEN_8086'],
            flagBitmask: '0',
            priority: '0',
            handlerSpecificAction: 'x',
          },
          isLeaf: true,
          isShared: false,
        },
        { id: 6, isLeaf: false },
      ],
      truncated: false,
      newCookie: COOKIE1,
      deployedOutOfScopeRevisionIds: [1, 2],
    },
    { op: 'GetExtendedUpdateInfo' },
    { op: 'GetExtendedUpdateInfo', updates: [], fileLocations: [], outOfScopeRevisionIds: [3] },
    { op: 'ReportEventBatch', result: false },
  ];
  for (const msg of responses) {
    it(`${msg.op} response`, () => {
      expect(decodeResponse(msg.op, encodeResponse(msg))).toEqual(msg);
    });
  }

  it('values with markup, quotes, CR, tabs and non-BMP characters survive', () => {
    const tricky = 'a<b>&c "q" \'s\' ]]> \r\n\ttab \u00e9 \u{1F4E6} &amp;';
    const msg: WuspRequest = { op: 'GetConfig', protocolVersion: tricky };
    const enc = encodeRequest(msg);
    expect(enc.body).toContain('a&lt;b&gt;&amp;c "q" \'s\' ]]&gt; &#xD;\n\ttab');
    expect(decodeRequest(enc.soapAction, enc.path, enc.body)).toEqual(msg);
  });

  it('refuses to encode what XML cannot carry, naming the element', () => {
    expectWire(() => encodeRequest({ op: 'GetAuthorizationCookie', clientId: CLIENT_ID, dnsName: 'bad\u0001name' }), 'SUCA_ERR_WIRE_FIELD', 'GetAuthorizationCookie/dnsName');
    expectWire(() => encodeRequest({ op: 'GetConfig', protocolVersion: '\uD800' }), 'SUCA_ERR_WIRE_FIELD', 'GetConfig/protocolVersion');
    expectWire(() => encodeResponse({ op: 'GetExtendedUpdateInfo', outOfScopeRevisionIds: [1.5] }), 'SUCA_ERR_WIRE_FIELD', 'GetExtendedUpdateInfoResponse/GetExtendedUpdateInfoResult/OutOfScopeRevisionIDs/int');
    expectWire(
      () => encodeRequest({ op: 'StartCategoryScan', requestedCategories: [{ indexOfAndGroup: 2 ** 31, categoryId: CAT_A }] }),
      'SUCA_ERR_WIRE_FIELD',
      'StartCategoryScan/requestedCategories/CategoryRelationship/IndexOfAndGroup',
    );
    expectWire(() => encodeFault({ op: 'Fault', faultCode: 'Client', faultString: 'x', message: 'nul\u0000' }), 'SUCA_ERR_WIRE_FIELD', 'detail/Message');
  });
});
