// Shared by the test/wire-wusp-*.test.ts files: the golden fixtures of
// test/fixtures/wusp, the typed messages they hold, and WireError helpers.

import { readFileSync } from 'node:fs';
import {
  PATH_CLIENT, PATH_REPORTING, PATH_SIMPLE_AUTH, WUSP_EVENT, ZERO_GUID, type Cookie, type GetConfigResponse,
  type ReportingEvent, type SyncUpdatesRequest, type SyncUpdatesResponse, type WuspRequest, type WuspResponse,
} from '../../agent/wire/wusp/codec.js';

export const fx = (name: string): string => readFileSync(new URL(`../fixtures/wusp/${name}`, import.meta.url), 'utf8').replace(/\n$/, '');
/** Whitespace between tags removed: for fixtures written pretty-printed. */
export const squash = (s: string): string => s.replace(/>\s+</g, '><').trim();

export { wireError, expectWire } from './wire-error.js';

// ---- the fixtures' values ---------------------------------------------------------

export const CLIENT_ID = '5b2e8c4a-91d7-4f3e-a6b0-2c9d7e1f4a83';
export const DNS = 'ws-0001.fleet.example';
export const AUTH_DATA = 'c3VjYS1mbGVldCBzaW1wbGUgdGFyZ2V0aW5nIDViMmU4YzRh';
export const COOKIE1: Cookie = { expiration: '2026-03-02T10:00:00.1234567Z', encryptedData: 'c3VjYS1mbGVldCBzdHViIGNvb2tpZSAxIGNsaWVudCA1YjJlOGM0YQ==' };
export const COOKIE2: Cookie = { expiration: '2026-03-02T11:00:00.5Z', encryptedData: 'c3VjYS1mbGVldCBzdHViIGNvb2tpZSAyIGNsaWVudCA1YjJlOGM0YQ==' };
export const CAT_A = 'a1c3e5f7-0b2d-4f6a-8c9e-1b3d5f7a9c0e';
export const CAT_B = 'b2d4f6a8-1c3e-4a5b-9d7f-2c4e6a8b0d1f';
export const UPD_INSTALL = 'c0ffee00-3333-4444-8555-666677778888';
export const TITLE = 'Fleet Cumulative Update KB5001002';
export const IDENTITY_INSTALL = { updateId: UPD_INSTALL, revisionNumber: 201 } as const;
export const IDENTITY_OTHER = { updateId: 'c0ffee00-3333-4444-8555-666677779999', revisionNumber: 7 } as const;
export const DIGEST_1004 = 'V2S6az6a/POgB+mbPz9+9Rn/TxU=';
export const URL_1004 = 'http://wsus.fleet.example:8530/Content/15/5764BA6B3E9AFCF3A007E99B3F3F7EF519FF4F15.cab';
export const DEP0 = { autoSelect: '0', autoDownload: '0', supersedenceBehavior: '0' } as const;

export const GET_CONFIG_RESPONSE: GetConfigResponse = {
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

export const SYNC_SOFTWARE: SyncUpdatesRequest = {
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

export const SYNC_DRIVER: SyncUpdatesRequest = {
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

export const SYNC_TRUNCATED: SyncUpdatesResponse = {
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

export const SYNC_NEW_COOKIE: SyncUpdatesResponse = {
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

export const XD = {
  computerBrand: 'Fleet Systems',
  computerModel: 'Emulated Desktop',
  biosRevision: '1.4.2',
  processorArchitecture: 'Amd64Compatible',
  osVersion: { major: 10, minor: 0, build: 26100, revision: 65792, servicePackMajor: 0, servicePackMinor: 0 },
  osLocaleId: 1033,
} as const;

export function event(n: string, at: string, eventId: number, updateId: string, rev: number, hr: number, rs: string[], misc: string[], appName?: string): ReportingEvent {
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

export const EVENTS: ReportingEvent[] = [
  event('1', '2026-03-02T09:05:12.5Z', WUSP_EVENT.scanDone, ZERO_GUID, 0, 0, ['3'], ['C=1', 'G=1507.2601.30012.0', 'J=412', 'Q=1'], 'CcmExec'),
  event('2', '2026-03-02T09:05:12.5Z', WUSP_EVENT.scanFailed, ZERO_GUID, 0, 0x80244019 | 0, ['0x80244019'], ['G=1507.2601.30012.0', 'Q=1']),
  event('3', '2026-03-02T09:06:00Z', WUSP_EVENT.downloadFailed, UPD_INSTALL, 200, 0x80246008 | 0, [TITLE], ['Q=2']),
  event('4', '2026-03-09T18:01:00Z', WUSP_EVENT.installStarted, UPD_INSTALL, 200, 0, [TITLE], ['Q=2']),
  event('5', '2026-03-09T18:07:30.25Z', WUSP_EVENT.installFailed, UPD_INSTALL, 200, 0x80070643 | 0, ['0x80070643', TITLE], ['C=1', 'Q=2']),
];

export interface RequestCase {
  readonly file: string;
  readonly path: string;
  readonly msg: WuspRequest;
  /** written pretty-printed: compare after removing whitespace between tags */
  readonly pretty?: boolean;
}

export const REQUESTS: readonly RequestCase[] = [
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
  // the operations outside the captured scan, in the element order of the spec's sections 2.2.2.2.5-10
  { file: 'refresh-cache.request.xml', path: PATH_CLIENT, msg: { op: 'RefreshCache', cookie: COOKIE2, globalIds: [IDENTITY_INSTALL, IDENTITY_OTHER] } },
  { file: 'get-file-locations.request.xml', path: PATH_CLIENT, msg: { op: 'GetFileLocations', cookie: COOKIE2, fileDigests: [DIGEST_1004, Buffer.alloc(20).toString('base64')] } },
  {
    file: 'get-extended-update-info2.request.xml',
    path: PATH_CLIENT,
    msg: { op: 'GetExtendedUpdateInfo2', cookie: COOKIE2, updateIds: [IDENTITY_INSTALL], infoTypes: ['Extended', 'FileUrl'], locales: ['en-US'], callerAttributes: 'Interactive=0;' },
  },
  { file: 'sync-printer-catalog.request.xml', path: PATH_CLIENT, msg: { op: 'SyncPrinterCatalog', cookie: COOKIE2, installedNonLeafUpdateIds: [1001, 1002], printerUpdateIds: [3001] } },
];

export const RESPONSES: readonly { readonly file: string; readonly msg: WuspResponse }[] = [
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
  {
    file: 'refresh-cache.response.xml',
    msg: {
      op: 'RefreshCache',
      results: [{ revisionId: 1004, globalId: IDENTITY_INSTALL, isLeaf: true, deployment: { id: 1, action: 'Install', isAssigned: true, lastChangeTime: '2026-03-01', ...DEP0 } }],
    },
  },
  // the captured WSUS answer's shape (wsus-rs docs/fixtures/wsus-m0-cbs): FileLocations, then NewCookie
  { file: 'get-file-locations.response.xml', msg: { op: 'GetFileLocations', fileLocations: [{ fileDigest: DIGEST_1004, url: URL_1004 }], newCookie: COOKIE1 } },
  {
    file: 'get-extended-update-info2.response.xml',
    msg: {
      op: 'GetExtendedUpdateInfo2',
      updates: [{ id: 1004, xml: '<ExtendedProperties DefaultPropertiesLanguage="en" MaxDownloadSize="1048576" />' }],
      fileLocations: [{ fileDigest: DIGEST_1004, url: URL_1004, fileDigestAlgorithm: 'SHA1', encryptedFileDigestAlgorithm: 'SHA256' }],
      updateEncryptionDetails: [{ updateIdentity: IDENTITY_INSTALL, hasEncryptedFiles: false }],
    },
  },
  { file: 'sync-printer-catalog.response.xml', msg: { op: 'SyncPrinterCatalog', outOfScopeRevisionIds: [3001], truncated: false, newCookie: COOKIE1 } },
];
