// agent/wire/wusp: the MS-WUSP SOAP codec against hand-written golden
// fixtures (test/fixtures/wusp, shaped like real Windows 11 <-> WSUS 2025
// traffic), and its refusals: SOAPAction, DTD / entities, size, malformed
// XML, missing fields.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CONFIG_MAX_EXTENDED_UPDATES,
  PATH_CLIENT,
  PATH_REPORTING,
  PATH_REPORTING_ALT,
  PATH_SIMPLE_AUTH,
  SOAP_ACTION,
  WUSP_ERROR_CODES,
  WUSP_EVENT,
  ZERO_GUID,
  clientHeaders,
  configProperty,
  correlationVector,
  carriesMsCv,
  decodeFault,
  decodeRequest,
  decodeResponse,
  encodeFault,
  encodeRequest,
  encodeResponse,
  formatDateTime,
  isFault,
  makeFault,
  parseDateTime,
  readCoreFragment,
  serviceForPath,
  soapActionHeader,
  type Cookie,
  type GetConfigResponse,
  type ReportingEvent,
  type SyncUpdatesRequest,
  type SyncUpdatesResponse,
  type WuspFault,
  type WuspOperation,
  type WuspRequest,
  type WuspResponse,
} from '../agent/wire/wusp/codec.js';
import { MAX_PAYLOAD_BYTES, WireError, type WireErrorCode } from '../agent/wire/errors.js';

const fx = (name: string): string => readFileSync(new URL(`./fixtures/wusp/${name}`, import.meta.url), 'utf8').replace(/\n$/, '');
/** Whitespace between tags removed: for fixtures written pretty-printed. */
const squash = (s: string): string => s.replace(/>\s+</g, '><').trim();

function wireError(f: () => unknown): WireError {
  try {
    f();
  } catch (e) {
    if (e instanceof WireError) return e;
    throw new Error(`expected a WireError, got ${String(e)}`);
  }
  throw new Error('expected a WireError, nothing was thrown');
}

function expectWire(f: () => unknown, code: WireErrorCode, where?: string | RegExp): WireError {
  const e = wireError(f);
  expect(e.code).toBe(code);
  if (typeof where === 'string') expect(e.where).toBe(where);
  else if (where !== undefined) expect(e.where).toMatch(where);
  return e;
}

// ---- the fixtures' values ---------------------------------------------------------

const CLIENT_ID = '5b2e8c4a-91d7-4f3e-a6b0-2c9d7e1f4a83';
const DNS = 'ws-0001.fleet.example';
const AUTH_DATA = 'c3VjYS1mbGVldCBzaW1wbGUgdGFyZ2V0aW5nIDViMmU4YzRh';
const COOKIE1: Cookie = { expiration: '2026-03-02T10:00:00.1234567Z', encryptedData: 'c3VjYS1mbGVldCBzdHViIGNvb2tpZSAxIGNsaWVudCA1YjJlOGM0YQ==' };
const COOKIE2: Cookie = { expiration: '2026-03-02T11:00:00.5Z', encryptedData: 'c3VjYS1mbGVldCBzdHViIGNvb2tpZSAyIGNsaWVudCA1YjJlOGM0YQ==' };
const CAT_A = 'a1c3e5f7-0b2d-4f6a-8c9e-1b3d5f7a9c0e';
const CAT_B = 'b2d4f6a8-1c3e-4a5b-9d7f-2c4e6a8b0d1f';
const UPD_INSTALL = 'c0ffee00-3333-4444-8555-666677778888';
const TITLE = 'Fleet Cumulative Update KB5001002';
const DEP0 = { autoSelect: '0', autoDownload: '0', supersedenceBehavior: '0' } as const;

const GET_CONFIG_RESPONSE: GetConfigResponse = {
  op: 'GetConfig',
  lastChange: '2026-03-01T08:15:30.25Z',
  isRegistrationRequired: true,
  authInfo: [{ plugInId: 'SimpleTargeting', serviceUrl: 'SimpleAuthWebService/SimpleAuth.asmx', parameter: '' }],
  properties: [
    { name: 'MaxExtendedUpdatesPerRequest', value: '50' },
    { name: 'PackageServerShare', value: '\\\\wsus.fleet.example\\UpdateServicesPackages' },
    { name: 'ProtocolVersion', value: '3.2' },
    { name: 'IsInventoryRequired', value: '0' },
    { name: 'ClientReportingLevel', value: '2' },
  ],
};

const SYNC_SOFTWARE: SyncUpdatesRequest = {
  op: 'SyncUpdates',
  cookie: COOKIE1,
  parameters: {
    expressQuery: false,
    installedNonLeafUpdateIds: [1001, 1002],
    otherCachedUpdateIds: [2001, 2002, 2003],
    skipSoftwareSync: false,
    needTwoGroupOutOfScopeUpdates: true,
    alsoPerformRegularSync: true,
    computerSpec: {},
    productsParameters: {
      syncCurrentVersionOnly: false,
      deviceAttributes: 'App=WU_OS;AppVer=1507.2601.30012.0;OSArchitecture=AMD64;OSVersion=10.0.26100.1;UpdateServiceUrl=http://wsus.fleet.example:8530;',
      callerAttributes: 'Interactive=0;Id=<<PROCESS>>: CcmExec.exe;',
      products: 'PN=Client.OS.rs2.amd64&V=10.0.26100.1;',
    },
  },
};

const SYNC_DRIVER: SyncUpdatesRequest = {
  op: 'SyncUpdates',
  cookie: COOKIE1,
  parameters: {
    expressQuery: false,
    installedNonLeafUpdateIds: [1001, 1002],
    systemSpec: [
      {
        hardwareIds: ['PCI\\VEN_1AF4&DEV_1041&SUBSYS_11001AF4', 'PCI\\VEN_1AF4&DEV_1041'],
        compatibleIds: ['PCI\\CC_020000'],
        installedDriver: {
          matchingId: 'PCI\\VEN_1AF4&DEV_1041',
          driverVerDate: '2024-10-21T00:00:00Z',
          driverVerVersion: '28147927174637544',
          class: 'Net',
          manufacturer: 'Fleet Systems',
          provider: 'Fleet Systems',
          model: 'Fleet Virtual Ethernet',
          matchingComputerHwid: null,
          driverRank: 16711681,
        },
      },
      {
        hardwareIds: ['{0d6b1c2a-3e4f-4a5b-8c9d-0e1f2a3b4c5d}'],
        installedDriver: { driverVerDate: '2006-06-21T00:00:00Z', driverVerVersion: '2814751477604196', class: 'Printer', matchingComputerHwid: null, driverRank: -1 },
        deviceFlags: 1,
      },
    ],
    skipSoftwareSync: true,
    needTwoGroupOutOfScopeUpdates: true,
    alsoPerformRegularSync: false,
    computerSpec: { hardwareIds: ['3c1d5e7f-9a0b-4c2d-8e4f-6a8b0c2d4e6f', '4d2e6f80-ab1c-4d3e-9f50-7b9c1d3e5f70'] },
    featureScoreMatchingKey: 'AMD64.10.0',
    productsParameters: { syncCurrentVersionOnly: false, deviceAttributes: 'App=WU_OS;OSArchitecture=AMD64;', callerAttributes: 'Interactive=0;', products: '' },
  },
};

const SYNC_TRUNCATED: SyncUpdatesResponse = {
  op: 'SyncUpdates',
  newUpdates: [
    {
      id: 1003,
      deployment: { id: 301, action: 'Evaluate', isAssigned: true, lastChangeTime: '2026-03-01', ...DEP0 },
      isLeaf: false,
      xml: '<UpdateIdentity UpdateID="c0ffee00-1111-4222-8333-444455556666" RevisionNumber="101" /><Properties UpdateType="Category" /><ApplicabilityRules><IsInstalled><True /></IsInstalled></ApplicabilityRules>',
    },
    {
      id: 1004,
      deployment: { id: 302, action: 'Bundle', isAssigned: true, lastChangeTime: '2026-03-01', ...DEP0 },
      isLeaf: true,
      xml: '<UpdateIdentity UpdateID="c0ffee00-2222-4333-8444-555566667777" RevisionNumber="200" /><Properties UpdateType="Software" />',
    },
  ],
  truncated: true,
  newCookie: COOKIE1,
  driverSyncNotNeeded: false,
};

const SYNC_NEW_COOKIE: SyncUpdatesResponse = {
  op: 'SyncUpdates',
  newUpdates: [
    {
      id: 1005,
      deployment: { id: 303, action: 'Install', deadline: '2026-03-09T18:00:00Z', isAssigned: true, lastChangeTime: '2026-03-02', ...DEP0 },
      isLeaf: true,
      xml: `<UpdateIdentity UpdateID="${UPD_INSTALL}" RevisionNumber="200" /><Properties UpdateType="Software" ExplicitlyDeployable="true" />`,
    },
  ],
  outOfScopeRevisionIds: [2003],
  truncated: false,
  newCookie: COOKIE2,
  driverSyncNotNeeded: true,
};

const XD = {
  computerBrand: 'Fleet Systems',
  computerModel: 'Emulated Desktop',
  biosRevision: '1.4.2',
  processorArchitecture: 'Amd64Compatible',
  osVersion: { major: 10, minor: 0, build: 26100, revision: 65792, servicePackMajor: 0, servicePackMinor: 0 },
  osLocaleId: 1033,
} as const;

function event(n: string, at: string, eventId: number, updateId: string, rev: number, hr: number, rs: string[], misc: string[], appName?: string): ReportingEvent {
  return {
    basicData: {
      targetSid: CLIENT_ID,
      sequenceNumber: 0,
      timeAtTarget: at,
      eventInstanceId: `e000000${n}-0000-4000-8000-000000000${eventId}`,
      namespaceId: 1,
      eventId,
      sourceId: 101,
      updateId: { updateId, revisionNumber: rev },
      win32HResult: hr,
      ...(appName !== undefined ? { appName } : {}),
    },
    extendedData: { replacementStrings: rs, miscData: misc, ...XD },
    privateData: {},
  };
}

const EVENTS: ReportingEvent[] = [
  event('1', '2026-03-02T09:05:12.5Z', WUSP_EVENT.scanDone, ZERO_GUID, 0, 0, ['3'], ['C=1', 'G=1507.2601.30012.0', 'J=412', 'Q=1'], 'CcmExec'),
  event('2', '2026-03-02T09:05:12.5Z', WUSP_EVENT.scanFailed, ZERO_GUID, 0, 0x80244019 | 0, ['0x80244019'], ['G=1507.2601.30012.0', 'Q=1']),
  event('3', '2026-03-02T09:06:00Z', WUSP_EVENT.downloadFailed, UPD_INSTALL, 200, 0x80246008 | 0, [TITLE], ['Q=2']),
  event('4', '2026-03-09T18:01:00Z', WUSP_EVENT.installStarted, UPD_INSTALL, 200, 0, [TITLE], ['Q=2']),
  event('5', '2026-03-09T18:07:30.25Z', WUSP_EVENT.installFailed, UPD_INSTALL, 200, 0x80070643 | 0, ['0x80070643', TITLE], ['C=1', 'Q=2']),
];

interface RequestCase {
  readonly file: string;
  readonly path: string;
  readonly msg: WuspRequest;
  /** written pretty-printed: compare after removing whitespace between tags */
  readonly pretty?: boolean;
}

const REQUESTS: readonly RequestCase[] = [
  { file: 'get-config.request.xml', path: PATH_CLIENT, msg: { op: 'GetConfig', protocolVersion: '2.90' } },
  { file: 'get-authorization-cookie.request.xml', path: PATH_SIMPLE_AUTH, msg: { op: 'GetAuthorizationCookie', clientId: CLIENT_ID, dnsName: DNS } },
  {
    file: 'get-cookie.request.xml',
    path: PATH_CLIENT,
    msg: {
      op: 'GetCookie',
      authCookies: [{ plugInId: 'SimpleTargeting', cookieData: AUTH_DATA }],
      oldCookie: { expiration: '2026-03-02T09:00:00Z' },
      lastChange: '2026-03-01T08:15:30.25Z',
      currentTime: '2026-03-02T09:00:00Z',
      protocolVersion: '2.90',
    },
  },
  {
    file: 'register-computer.request.xml',
    path: PATH_CLIENT,
    msg: {
      op: 'RegisterComputer',
      cookie: COOKIE1,
      computerInfo: {
        dnsName: DNS,
        osMajorVersion: 10,
        osMinorVersion: 0,
        osBuildNumber: 26100,
        osServicePackMajorNumber: 0,
        osServicePackMinorNumber: 0,
        osLocale: 'en-US',
        computerManufacturer: 'Fleet Systems',
        computerModel: 'Emulated Desktop & Co. Model 7',
        biosVersion: '1.4.2',
        biosName: 'FLEETBIOS',
        biosReleaseDate: '2024-05-17T00:00:00Z',
        processorArchitecture: 'AMD64',
        suiteMask: 256,
        oldProductType: 1,
        newProductType: 4,
        systemMetrics: 0,
        clientVersionMajorNumber: 1507,
        clientVersionMinorNumber: 2601,
        clientVersionBuildNumber: 30012,
        clientVersionQfeNumber: 0,
        osDescription: 'Windows 10 Enterprise',
        oem: 'Fleet Systems',
        deviceType: 'Emulated Desktop',
        firmwareVersion: '1.4.2',
        mobileOperator: 'Not Present',
      },
    },
  },
  {
    file: 'start-category-scan.request.xml',
    path: PATH_CLIENT,
    msg: {
      op: 'StartCategoryScan',
      requestedCategories: [
        { indexOfAndGroup: 0, categoryId: CAT_A },
        { indexOfAndGroup: 1, categoryId: CAT_B },
      ],
    },
  },
  { file: 'sync-updates.request.xml', path: PATH_CLIENT, msg: SYNC_SOFTWARE },
  { file: 'sync-updates-driver.request.xml', path: PATH_CLIENT, msg: SYNC_DRIVER, pretty: true },
  {
    file: 'get-extended-update-info.request.xml',
    path: PATH_CLIENT,
    msg: {
      op: 'GetExtendedUpdateInfo',
      cookie: COOKIE2,
      revisionIds: [1004, 1005],
      infoTypes: ['Extended', 'LocalizedProperties'],
      locales: ['en-US', 'en'],
      deviceAttributes: 'App=WU_OS;OSArchitecture=AMD64;',
      geoId: 'USA',
      callerAttributes: 'Interactive=0;Id=<<PROCESS>>: CcmExec.exe;',
    },
  },
  { file: 'report-event-batch.request.xml', path: PATH_REPORTING, msg: { op: 'ReportEventBatch', cookie: COOKIE2, clientTime: '2026-03-09T18:07:31.004Z', eventBatch: EVENTS } },
];

const RESPONSES: readonly { readonly file: string; readonly msg: WuspResponse }[] = [
  { file: 'get-config.response.xml', msg: GET_CONFIG_RESPONSE },
  { file: 'get-authorization-cookie.response.xml', msg: { op: 'GetAuthorizationCookie', cookie: { plugInId: 'SimpleTargeting', cookieData: AUTH_DATA } } },
  { file: 'get-cookie.response.xml', msg: { op: 'GetCookie', cookie: COOKIE1 } },
  { file: 'register-computer.response.xml', msg: { op: 'RegisterComputer' } },
  { file: 'start-category-scan.response.xml', msg: { op: 'StartCategoryScan', preferredCategoryIds: [CAT_A], requestedCategoryIdsInError: [CAT_B] } },
  { file: 'sync-updates-truncated.response.xml', msg: SYNC_TRUNCATED },
  { file: 'sync-updates-new-cookie.response.xml', msg: SYNC_NEW_COOKIE },
  {
    file: 'get-extended-update-info.response.xml',
    msg: {
      op: 'GetExtendedUpdateInfo',
      updates: [
        {
          id: 1004,
          xml: '<ExtendedProperties DefaultPropertiesLanguage="en" MaxDownloadSize="1048576" /><Files><File Digest="V2S6az6a/POgB+mbPz9+9Rn/TxU=" FileName="kb5001001-x64.cab" Size="1048576" /></Files>',
        },
        { id: 1005, xml: `<LocalizedProperties><Language>en</Language><Title>${TITLE}</Title></LocalizedProperties>` },
      ],
      fileLocations: [
        { fileDigest: 'V2S6az6a/POgB+mbPz9+9Rn/TxU=', url: 'http://wsus.fleet.example:8530/Content/15/5764BA6B3E9AFCF3A007E99B3F3F7EF519FF4F15.cab' },
        { fileDigest: 'JQExAQ82k54GkBz/zF6xJ6LSXY8=', url: 'http://wsus.fleet.example:8530/Content/8F/250131010F36939E06901CFFCC5EB127A2D25D8F.cab' },
      ],
    },
  },
  { file: 'report-event-batch.response.xml', msg: { op: 'ReportEventBatch', result: true } },
];

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

  it('operations the codec does not implement, or that do not exist, are refused', () => {
    const gfl = `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetFileLocations xmlns="http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService"/></s:Body></s:Envelope>`;
    const e = expectWire(() => decodeRequest(`"${SOAP_ACTION.GetConfig.replace('GetConfig', 'GetFileLocations')}"`, PATH_CLIENT, gfl), 'SUCA_ERR_WIRE_OPERATION', 'Body/GetFileLocations');
    expect(e.message).toContain('not implemented');
    expectWire(() => decodeRequest(action, PATH_CLIENT, gfl.replace(/GetFileLocations/g, 'Frobnicate')), 'SUCA_ERR_WIRE_OPERATION', 'Body/Frobnicate');
  });

  it('a response element for another operation is refused', () => {
    expectWire(() => decodeResponse('GetConfig', fx('get-cookie.response.xml')), 'SUCA_ERR_WIRE_OPERATION', 'Body/GetCookieResponse');
  });
});

// ---- XML refusals ---------------------------------------------------------------------

describe('WUSP: hostile and malformed XML', () => {
  const action = soapActionHeader('GetConfig');
  const envelope = (inner: string) =>
    `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetConfig xmlns="http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService"><protocolVersion>${inner}</protocolVersion></GetConfig></s:Body></s:Envelope>`;

  it('refuses entity expansion ("billion laughs") before parsing, quickly', () => {
    const lol =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
      Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('') +
      ']>' +
      envelope('&lol9;');
    const t0 = performance.now();
    const e = expectWire(() => decodeRequest(action, PATH_CLIENT, lol), 'SUCA_ERR_WIRE_XML');
    expect(e.message).toMatch(/DOCTYPE/);
    expect(performance.now() - t0).toBeLessThan(50);
    expectWire(() => decodeResponse('GetConfig', lol), 'SUCA_ERR_WIRE_XML');
  });

  it('refuses external entities (XXE) and any other markup declaration', () => {
    const xxe = `<!DOCTYPE s:Envelope [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>` + envelope('&xxe;');
    expectWire(() => decodeRequest(action, PATH_CLIENT, xxe), 'SUCA_ERR_WIRE_XML', 'body');
    expectWire(() => decodeRequest(action, PATH_CLIENT, `<!DOCTYPE x SYSTEM "http://attacker.invalid/x.dtd">` + envelope('1')), 'SUCA_ERR_WIRE_XML');
    expectWire(() => decodeRequest(action, PATH_CLIENT, envelope('1').replace('<s:Body>', '<s:Body><!ENTITY e "x">')), 'SUCA_ERR_WIRE_XML');
    expectWire(() => decodeRequest(action, PATH_CLIENT, `<!doctype x>` + envelope('1')), 'SUCA_ERR_WIRE_XML');
  });

  it('refuses entity references no DTD declared, and bad character references', () => {
    expectWire(() => decodeRequest(action, PATH_CLIENT, envelope('&xxe;')), 'SUCA_ERR_WIRE_XML', 'Envelope/Body/GetConfig/protocolVersion');
    expectWire(() => decodeRequest(action, PATH_CLIENT, envelope('a & b')), 'SUCA_ERR_WIRE_XML');
    expectWire(() => decodeRequest(action, PATH_CLIENT, envelope('&#0;')), 'SUCA_ERR_WIRE_XML');
    expectWire(() => decodeRequest(action, PATH_CLIENT, envelope('&#xD800;')), 'SUCA_ERR_WIRE_XML');
    expect(decodeRequest(action, PATH_CLIENT, envelope('&#x32;.&#57;0 &amp;amp;'))).toEqual({ op: 'GetConfig', protocolVersion: '2.90 &amp;' });
  });

  it('refuses payloads over the limit before parsing (string, Buffer, multi-byte, custom limit)', () => {
    const big = envelope('x'.repeat(MAX_PAYLOAD_BYTES));
    expectWire(() => decodeRequest(action, PATH_CLIENT, big), 'SUCA_ERR_WIRE_TOO_LARGE', 'body');
    expectWire(() => decodeRequest(action, PATH_CLIENT, Buffer.from(big)), 'SUCA_ERR_WIRE_TOO_LARGE', 'body');
    expectWire(() => decodeResponse('GetConfig', big), 'SUCA_ERR_WIRE_TOO_LARGE', 'body');
    // 200 characters but 600 bytes: the limit is in bytes
    const wide = envelope('\u20ac'.repeat(200));
    expectWire(() => decodeRequest(action, PATH_CLIENT, wide, { maxBytes: 500 }), 'SUCA_ERR_WIRE_TOO_LARGE');
    expect(decodeRequest(action, PATH_CLIENT, wide, { maxBytes: 2000 }).op).toBe('GetConfig');
    // oversize wins over a bad SOAPAction: nothing of a huge payload is looked at
    expectWire(() => decodeRequest(undefined, PATH_CLIENT, big), 'SUCA_ERR_WIRE_TOO_LARGE');
  });

  it('refuses malformed XML', () => {
    const good = envelope('2.90');
    const bad = [
      good.slice(0, -10), // truncated
      good.replace('</protocolVersion>', '</protocolversion>'), // mismatched
      good + '<x/>', // two roots
      good + 'junk', // text after the root
      '', // empty
      good.replace('<protocolVersion>', '<protocolVersion a=1>'), // unquoted attribute
      good.replace('<protocolVersion>', '<protocolVersion a="1" a="2">'), // repeated attribute
      '<__proto__/>',
    ];
    for (const b of bad) expectWire(() => decodeRequest(action, PATH_CLIENT, b), 'SUCA_ERR_WIRE_XML');
    expectWire(() => decodeResponse('GetConfig', '<<<'), 'SUCA_ERR_WIRE_XML');
    expectWire(() => decodeRequest(action, PATH_CLIENT, '<a>'.repeat(5000) + '</a>'.repeat(5000)), 'SUCA_ERR_WIRE_XML');
  });

  it('refuses bytes that are not UTF-8', () => {
    const b = Buffer.concat([Buffer.from(envelope('2.9')), Buffer.from([0xc3, 0x28])]);
    expectWire(() => decodeRequest(action, PATH_CLIENT, b), 'SUCA_ERR_WIRE_ENCODING', 'body');
  });

  it('refuses what is not a SOAP 1.1 envelope with one body element', () => {
    const soap12 = envelope('1').replace('http://schemas.xmlsoap.org/soap/envelope/', 'http://www.w3.org/2003/05/soap-envelope');
    expectWire(() => decodeRequest(action, PATH_CLIENT, soap12), 'SUCA_ERR_WIRE_SOAP', 'Envelope');
    expectWire(() => decodeRequest(action, PATH_CLIENT, '<GetConfig><protocolVersion>1</protocolVersion></GetConfig>'), 'SUCA_ERR_WIRE_SOAP');
    expectWire(() => decodeRequest(action, PATH_CLIENT, '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"/>'), 'SUCA_ERR_WIRE_SOAP', 'Envelope/Body');
    expectWire(() => decodeRequest(action, PATH_CLIENT, '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body/></s:Envelope>'), 'SUCA_ERR_WIRE_SOAP', 'Envelope/Body');
    expectWire(() => decodeRequest(action, PATH_CLIENT, envelope('1').replace('</s:Body>', '<Extra/></s:Body>')), 'SUCA_ERR_WIRE_SOAP', 'Envelope/Body');
    expectWire(() => decodeRequest(action, PATH_CLIENT, '<Envelope><Body><GetConfig/></Body></Envelope>'), 'SUCA_ERR_WIRE_SOAP', 'Envelope');
  });
});

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

// ---- strict on what must be there ------------------------------------------------------

describe('WUSP: missing or malformed required fields name the element', () => {
  const req = (op: WuspOperation, file: string, edit: (s: string) => string, path = PATH_CLIENT) => () => decodeRequest(soapActionHeader(op), path, edit(fx(file)));
  const res = (op: WuspOperation, file: string, edit: (s: string) => string) => () => decodeResponse(op, edit(fx(file)));
  const drop = (name: string) => (s: string) => s.replace(new RegExp(`<${name}>[^<]*</${name}>|<${name}/>`), '');

  it('requests', () => {
    expectWire(req('SyncUpdates', 'sync-updates.request.xml', drop('SkipSoftwareSync')), 'SUCA_ERR_WIRE_FIELD', 'SyncUpdates/parameters/SkipSoftwareSync');
    expectWire(req('SyncUpdates', 'sync-updates.request.xml', drop('ExpressQuery')), 'SUCA_ERR_WIRE_FIELD', 'SyncUpdates/parameters/ExpressQuery');
    expectWire(req('SyncUpdates', 'sync-updates.request.xml', (s) => s.replace(/<cookie>.*<\/cookie>/, '')), 'SUCA_ERR_WIRE_FIELD', 'SyncUpdates/cookie');
    expectWire(req('SyncUpdates', 'sync-updates.request.xml', drop('EncryptedData')), 'SUCA_ERR_WIRE_FIELD', 'SyncUpdates/cookie/EncryptedData');
    expectWire(req('SyncUpdates', 'sync-updates.request.xml', (s) => s.replace('<int>2002</int>', '<int>twenty</int>')), 'SUCA_ERR_WIRE_FIELD', 'SyncUpdates/parameters/OtherCachedUpdateIDs/int[1]');
    expectWire(req('SyncUpdates', 'sync-updates.request.xml', (s) => s.replace('<int>2002</int>', '<int>2147483648</int>')), 'SUCA_ERR_WIRE_FIELD', 'SyncUpdates/parameters/OtherCachedUpdateIDs/int[1]');
    expectWire(req('SyncUpdates', 'sync-updates.request.xml', (s) => s.replace('<SkipSoftwareSync>false', '<SkipSoftwareSync>no')), 'SUCA_ERR_WIRE_FIELD', 'SyncUpdates/parameters/SkipSoftwareSync');
    expectWire(req('SyncUpdates', 'sync-updates.request.xml', (s) => s.replace('c3VjYS1mbGVldCBzdHViIGNvb2tpZSAx', 'c3VjYS1mbGVldCBzdHViIGNvb2tpZSAx!')), 'SUCA_ERR_WIRE_ENCODING', 'SyncUpdates/cookie/EncryptedData');
    expectWire(req('SyncUpdates', 'sync-updates.request.xml', (s) => s.replace('<ExpressQuery>false', '<ExpressQuery><b>false</b>')), 'SUCA_ERR_WIRE_FIELD', 'SyncUpdates/parameters/ExpressQuery');
    expectWire(req('GetCookie', 'get-cookie.request.xml', drop('lastChange')), 'SUCA_ERR_WIRE_FIELD', 'GetCookie/lastChange');
    expectWire(req('GetCookie', 'get-cookie.request.xml', (s) => s.replace('<currentTime>2026-03-02T09:00:00Z', '<currentTime>yesterday')), 'SUCA_ERR_WIRE_FIELD', 'GetCookie/currentTime');
    expectWire(req('GetCookie', 'get-cookie.request.xml', (s) => s.replace(/<authCookies>.*<\/authCookies>/, '<authCookies/>')), 'SUCA_ERR_WIRE_FIELD', 'GetCookie/authCookies');
    expectWire(req('GetAuthorizationCookie', 'get-authorization-cookie.request.xml', drop('dnsName'), PATH_SIMPLE_AUTH), 'SUCA_ERR_WIRE_FIELD', 'GetAuthorizationCookie/dnsName');
    expectWire(req('GetAuthorizationCookie', 'get-authorization-cookie.request.xml', (s) => s.replace(CLIENT_ID, 'id with spaces'), PATH_SIMPLE_AUTH), 'SUCA_ERR_WIRE_FIELD', 'GetAuthorizationCookie/clientId');
    expectWire(req('RegisterComputer', 'register-computer.request.xml', drop('OSBuildNumber')), 'SUCA_ERR_WIRE_FIELD', 'RegisterComputer/computerInfo/OSBuildNumber');
    expectWire(req('StartCategoryScan', 'start-category-scan.request.xml', (s) => s.replace(CAT_B, 'not-a-guid')), 'SUCA_ERR_WIRE_FIELD', 'StartCategoryScan/requestedCategories/CategoryRelationship[1]/CategoryId');
    expectWire(req('GetExtendedUpdateInfo', 'get-extended-update-info.request.xml', (s) => s.replace(/<revisionIDs>.*<\/revisionIDs>/, '')), 'SUCA_ERR_WIRE_FIELD', 'GetExtendedUpdateInfo/revisionIDs');
    expectWire(req('GetExtendedUpdateInfo', 'get-extended-update-info.request.xml', (s) => s.replace('>Extended<', '>Everything<')), 'SUCA_ERR_WIRE_FIELD', 'GetExtendedUpdateInfo/infoTypes/XmlUpdateFragmentType[0]');
    expectWire(req('ReportEventBatch', 'report-event-batch.request.xml', (s) => s.replace('<EventID>161</EventID>', ''), PATH_REPORTING), 'SUCA_ERR_WIRE_FIELD', 'ReportEventBatch/eventBatch/ReportingEvent[2]/BasicData/EventID');
    expectWire(req('ReportEventBatch', 'report-event-batch.request.xml', (s) => s.replace('Amd64Compatible', 'Arm64'), PATH_REPORTING), 'SUCA_ERR_WIRE_FIELD', 'ReportEventBatch/eventBatch/ReportingEvent[0]/ExtendedData/ProcessorArchitecture');
    expectWire(req('ReportEventBatch', 'report-event-batch.request.xml', (s) => s.replace(/<Win32HResult>-2145107943<\/Win32HResult>/, ''), PATH_REPORTING), 'SUCA_ERR_WIRE_FIELD', 'ReportEventBatch/eventBatch/ReportingEvent[1]/BasicData/Win32HResult'); // the name of MS-WUSP 6.3 and WUA (Win32Hresult is still read)
  });

  it('responses', () => {
    expectWire(res('SyncUpdates', 'sync-updates-truncated.response.xml', (s) => s.replace(/<NewCookie>.*<\/NewCookie>/, '')), 'SUCA_ERR_WIRE_FIELD', 'SyncUpdatesResponse/SyncUpdatesResult/NewCookie');
    expectWire(res('SyncUpdates', 'sync-updates-truncated.response.xml', drop('Truncated')), 'SUCA_ERR_WIRE_FIELD', 'SyncUpdatesResponse/SyncUpdatesResult/Truncated');
    expectWire(res('SyncUpdates', 'sync-updates-truncated.response.xml', (s) => s.replace('<Action>Bundle', '<Action>Explode')), 'SUCA_ERR_WIRE_FIELD', 'SyncUpdatesResponse/SyncUpdatesResult/NewUpdates/UpdateInfo[1]/Deployment/Action');
    expectWire(res('SyncUpdates', 'sync-updates-truncated.response.xml', (s) => s.replace('<IsLeaf>true</IsLeaf>', '')), 'SUCA_ERR_WIRE_FIELD', 'SyncUpdatesResponse/SyncUpdatesResult/NewUpdates/UpdateInfo[1]/IsLeaf');
    expectWire(res('GetConfig', 'get-config.response.xml', (s) => s.replace('MaxExtendedUpdatesPerRequest', 'MaxSomethingElse')), 'SUCA_ERR_WIRE_FIELD', 'GetConfigResponse/GetConfigResult/Properties');
    expectWire(res('GetConfig', 'get-config.response.xml', (s) => s.replace(/<AuthInfo>.*<\/AuthInfo>/, '')), 'SUCA_ERR_WIRE_FIELD', 'GetConfigResponse/GetConfigResult/AuthInfo');
    expectWire(res('GetConfig', 'get-config.response.xml', drop('IsRegistrationRequired')), 'SUCA_ERR_WIRE_FIELD', 'GetConfigResponse/GetConfigResult/IsRegistrationRequired');
    expectWire(res('GetCookie', 'get-cookie.response.xml', (s) => s.replace(/<GetCookieResult>.*<\/GetCookieResult>/, '')), 'SUCA_ERR_WIRE_FIELD', 'GetCookieResponse/GetCookieResult');
    expectWire(res('GetExtendedUpdateInfo', 'get-extended-update-info.response.xml', (s) => s.replace('V2S6az6a/POgB+mbPz9+9Rn/TxU=</FileDigest>', 'AAAA</FileDigest>')), 'SUCA_ERR_WIRE_ENCODING', 'GetExtendedUpdateInfoResponse/GetExtendedUpdateInfoResult/FileLocations/FileLocation[0]/FileDigest');
    expectWire(res('ReportEventBatch', 'report-event-batch.response.xml', (s) => s.replace('>true<', '>maybe<')), 'SUCA_ERR_WIRE_FIELD', 'ReportEventBatchResponse/ReportEventBatchResult');
  });
});

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
