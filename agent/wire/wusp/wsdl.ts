// The MS-WUSP messages this codec speaks, described once (see schema.ts for
// what each entry means). Source: the WSDLs of MS-WUSP section 6 (6.1
// SimpleAuth, 6.2 Client, 6.3 Reporting): element names, minOccurs, types
// (s:int, s:short, s:unsignedByte, s:long, guid, ...) and sequence order.
// Additions the spec's WSDL lacks come from the captures and Microsoft's
// sample update server and are marked "(not in the spec's WSDL)".
//
// Request fields the WSDL makes optional but the typed message needs carry
// `absent`: { fault } where the stub answers the WUSP fault a real server
// sends for the null it would get (no cookie: InvalidCookie), { value } where
// a default serves (no protocolVersion: ''). Response fields the agent cannot
// work without carry 'refuse'.

import { WireError } from '../errors.js';
import { WuspRequestFault, arrayOf, complex, wrap, type ComplexType, type Field } from './schema.js';
import {
  DEPLOYMENT_ACTIONS,
  REPORTING_PROCESSOR_ARCHITECTURES,
  XML_UPDATE_FRAGMENT_TYPES,
  ZERO_GUID,
  type WuspOperation,
} from './messages.js';

const f = (el: string, key: string, type: Field['type'], min: 0 | 1, extra: Partial<Field> = {}): Field => ({ el, key, type, min, ...extra });
const req = (el: string, key: string, type: Field['type'], extra: Partial<Field> = {}): Field => f(el, key, type, 1, extra);
const opt = (el: string, key: string, type: Field['type'], extra: Partial<Field> = {}): Field => f(el, key, type, 0, extra);

const EMPTY = { value: '' } as const;
const NONE = { value: [] } as const;
const BAD_COOKIE = { fault: 'InvalidCookie' } as const;
const BAD_PARAMETERS = { fault: 'InvalidParameters' } as const;

const ints = arrayOf('int', 'int');
const strings = arrayOf('string', 'string');
const guids = arrayOf('guid', 'guid');
const fragmentTypes = arrayOf('XmlUpdateFragmentType', { enum: XML_UPDATE_FRAGMENT_TYPES });

/** Cookie (2.2.3.5): EncryptedData may be absent in the schema; a server cannot read such a cookie (InvalidCookie). */
const COOKIE = complex([req('Expiration', 'expiration', 'dateTime'), opt('EncryptedData', 'encryptedData', 'base64', { absent: BAD_COOKIE })]);
/** GetCookie's oldCookie: the same type, carried as sent. */
const OLD_COOKIE = complex([req('Expiration', 'expiration', 'dateTime'), opt('EncryptedData', 'encryptedData', 'base64')]);
const AUTH_COOKIE = complex([opt('PlugInId', 'plugInId', 'string', { absent: EMPTY }), opt('CookieData', 'cookieData', 'base64', { absent: EMPTY })]);

// ---- requests ------------------------------------------------------------------

const COMPUTER_INFO = complex([
  opt('DnsName', 'dnsName', 'string', { absent: EMPTY }),
  req('OSMajorVersion', 'osMajorVersion', 'int'),
  req('OSMinorVersion', 'osMinorVersion', 'int'),
  req('OSBuildNumber', 'osBuildNumber', 'int'),
  req('OSServicePackMajorNumber', 'osServicePackMajorNumber', 'short'),
  req('OSServicePackMinorNumber', 'osServicePackMinorNumber', 'short'),
  opt('OSLocale', 'osLocale', 'string'),
  opt('ComputerManufacturer', 'computerManufacturer', 'string'),
  opt('ComputerModel', 'computerModel', 'string'),
  opt('BiosVersion', 'biosVersion', 'string'),
  opt('BiosName', 'biosName', 'string'),
  req('BiosReleaseDate', 'biosReleaseDate', 'dateTime'),
  opt('ProcessorArchitecture', 'processorArchitecture', 'string'),
  req('SuiteMask', 'suiteMask', 'short'),
  req('OldProductType', 'oldProductType', 'ubyte'),
  req('NewProductType', 'newProductType', 'int'),
  req('SystemMetrics', 'systemMetrics', 'int'),
  req('ClientVersionMajorNumber', 'clientVersionMajorNumber', 'short'),
  req('ClientVersionMinorNumber', 'clientVersionMinorNumber', 'short'),
  req('ClientVersionBuildNumber', 'clientVersionBuildNumber', 'short'),
  req('ClientVersionQfeNumber', 'clientVersionQfeNumber', 'short'),
  opt('OSDescription', 'osDescription', 'string'),
  opt('OEM', 'oem', 'string'),
  opt('DeviceType', 'deviceType', 'string'),
  opt('FirmwareVersion', 'firmwareVersion', 'string'),
  opt('MobileOperator', 'mobileOperator', 'string'),
]);

const INSTALLED_DRIVER = complex([
  opt('MatchingID', 'matchingId', 'string'),
  req('DriverVerDate', 'driverVerDate', 'dateTime'),
  req('DriverVerVersion', 'driverVerVersion', 'long'),
  opt('Class', 'class', 'string'),
  opt('Manufacturer', 'manufacturer', 'string'),
  opt('Provider', 'provider', 'string'),
  opt('Model', 'model', 'string'),
  opt('MatchingComputerHWID', 'matchingComputerHwid', 'guid', { nullable: true }),
  req('DriverRank', 'driverRank', 'int'),
]);

/** Device: extensionDriver and DriverRecoveryIDs are read past (not carried). */
const DEVICE = complex([
  opt('HardwareIDs', 'hardwareIds', strings),
  opt('CompatibleIDs', 'compatibleIds', strings),
  opt('installedDriver', 'installedDriver', INSTALLED_DRIVER),
  opt('DeviceFlags', 'deviceFlags', 'ubyte'),
]);

/** UpdateIdentity (2.2.3.6) */
const UPDATE_IDENTITY = complex([req('UpdateID', 'updateId', 'guid'), req('RevisionNumber', 'revisionNumber', 'int')]);
const UPDATE_IDENTITIES = arrayOf('UpdateIdentity', UPDATE_IDENTITY);

function checkFileDigests(o: Record<string, unknown>, where: string): void {
  // spec 3.1.5.10: every digest MUST be 20 bytes, else InvalidParameters
  const ds = o.fileDigests as string[];
  for (let i = 0; i < ds.length; i++) {
    if (Buffer.from(ds[i]!, 'base64').length !== 20) throw new WuspRequestFault('InvalidParameters', 'a file digest is not a 20-byte SHA-1', `${where}/fileDigests/base64Binary[${i}]`);
  }
}

const CATEGORY_IDS = arrayOf('CategoryIdentifier', wrap(req('Id', 'id', 'guid')));

const SYNC_PARAMETERS = complex([
  req('ExpressQuery', 'expressQuery', 'bool'),
  opt('InstalledNonLeafUpdateIDs', 'installedNonLeafUpdateIds', ints),
  opt('OtherCachedUpdateIDs', 'otherCachedUpdateIds', ints),
  opt('SystemSpec', 'systemSpec', arrayOf('Device', DEVICE)),
  opt('CachedDriverIDs', 'cachedDriverIds', ints),
  req('SkipSoftwareSync', 'skipSoftwareSync', 'bool'),
  opt('FilterCategoryIds', 'filterCategoryIds', CATEGORY_IDS),
  opt('NeedTwoGroupOutOfScopeUpdates', 'needTwoGroupOutOfScopeUpdates', 'bool'),
  // (not in the spec's WSDL: sample server contracts, in their order)
  opt('FilterAppCategoryIds', 'filterAppCategoryIds', CATEGORY_IDS),
  opt('TreatAppCategoryIdsAsInstalled', 'treatAppCategoryIdsAsInstalled', 'bool'),
  opt('AlsoPerformRegularSync', 'alsoPerformRegularSync', 'bool'),
  // (back in the spec's WSDL)
  opt('ComputerSpec', 'computerSpec', complex([opt('HardwareIDs', 'hardwareIds', guids)])),
  opt('FeatureScoreMatchingKey', 'featureScoreMatchingKey', 'string'),
  // (not in the spec's WSDL)
  opt(
    'ExtendedUpdateInfoParameters',
    'extendedUpdateInfoParameters',
    complex([opt('XmlUpdateFragmentTypes', 'xmlUpdateFragmentTypes', fragmentTypes), opt('Locales', 'locales', strings)]),
  ),
  opt('ClientPreferredLanguages', 'clientPreferredLanguages', strings),
  opt(
    'ProductsParameters',
    'productsParameters',
    complex([
      req('SyncCurrentVersionOnly', 'syncCurrentVersionOnly', 'bool'),
      opt('DeviceAttributes', 'deviceAttributes', 'string'),
      opt('CallerAttributes', 'callerAttributes', 'string'),
      opt('Products', 'products', 'string'),
    ]),
  ),
]);

const BASIC_DATA = complex([
  // TargetID is ComputerTargetIdentifier { Sid }: flattened into targetSid
  opt('TargetID', 'targetSid', wrap(opt('Sid', 'sid', 'string', { absent: EMPTY })), { absent: EMPTY }),
  req('SequenceNumber', 'sequenceNumber', 'int'),
  req('TimeAtTarget', 'timeAtTarget', 'dateTime'),
  req('EventInstanceID', 'eventInstanceId', 'guid'),
  req('NamespaceID', 'namespaceId', 'int'),
  req('EventID', 'eventId', 'short'),
  req('SourceID', 'sourceId', 'short'),
  // an event about no update carries the zero GUID (WUA, spec examples); an absent UpdateID means the same
  opt('UpdateID', 'updateId', complex([req('UpdateID', 'updateId', 'guid'), req('RevisionNumber', 'revisionNumber', 'int')]), {
    absent: { value: { updateId: ZERO_GUID, revisionNumber: 0 } },
  }),
  // section 6.3 and WUA write Win32HResult; section 2.2.2.3.1's schema writes Win32Hresult
  req('Win32HResult', 'win32HResult', 'int', { alias: ['Win32Hresult'] }),
  opt('AppName', 'appName', 'string'),
]);

const EXTENDED_DATA = complex([
  opt('ReplacementStrings', 'replacementStrings', strings),
  opt('MiscData', 'miscData', strings),
  opt('ComputerBrand', 'computerBrand', 'string'),
  opt('ComputerModel', 'computerModel', 'string'),
  opt('BiosRevision', 'biosRevision', 'string'),
  req('ProcessorArchitecture', 'processorArchitecture', { enum: REPORTING_PROCESSOR_ARCHITECTURES }),
  // minOccurs="1" in section 6.3, but the Reporting service is ASMX, whose XmlSerializer does not
  // enforce minOccurs when it reads a request: a missing OSVersion is the all-zero struct, and a real
  // WSUS takes the event (issue 8 found the stub answering 400 to such a batch). Read as that default.
  opt(
    'OSVersion',
    'osVersion',
    complex([
      req('Major', 'major', 'int'),
      req('Minor', 'minor', 'int'),
      req('Build', 'build', 'int'),
      req('Revision', 'revision', 'int'),
      req('ServicePackMajor', 'servicePackMajor', 'int'),
      req('ServicePackMinor', 'servicePackMinor', 'int'),
    ]),
    { absent: { value: { major: 0, minor: 0, build: 0, revision: 0, servicePackMajor: 0, servicePackMinor: 0 } } },
  ),
  req('OSLocaleID', 'osLocaleId', 'int'),
  opt('DeviceID', 'deviceId', 'string'),
]);

const REPORTING_EVENT = complex([
  opt('BasicData', 'basicData', BASIC_DATA, { absent: BAD_PARAMETERS }),
  opt('ExtendedData', 'extendedData', EXTENDED_DATA),
  opt('PrivateData', 'privateData', complex([opt('ComputerDnsName', 'computerDnsName', 'string'), opt('UserAccountName', 'userAccountName', 'string')])),
]);

function checkClientId(o: Record<string, unknown>, where: string): void {
  // ClientIdString (spec glossary): 1-255 of a-z, 0-9, '-'; upper case tolerated
  if (!/^[A-Za-z0-9-]{1,255}$/.test(o.clientId as string)) throw new WireError('SUCA_ERR_WIRE_FIELD', 'not a ClientIdString', `${where}/clientId`);
}

function checkAuthCookies(o: Record<string, unknown>, where: string): void {
  // spec: MUST be present and hold exactly one; more are tolerated; none is schema-valid, and the server answers it as a missing one
  if ((o.authCookies as unknown[]).length === 0) throw new WuspRequestFault('InvalidAuthorizationCookie', 'no authorization cookie', `${where}/authCookies`);
}

/** The body element of each request: <Op xmlns="service namespace">, its children as the WSDL's sequence. */
export const REQUESTS: Readonly<Record<WuspOperation, ComplexType>> = {
  GetConfig: complex([opt('protocolVersion', 'protocolVersion', 'string', { absent: EMPTY })]),
  GetAuthorizationCookie: complex(
    [
      opt('clientId', 'clientId', 'string', { absent: BAD_PARAMETERS }),
      opt('targetGroupName', 'targetGroupName', 'string'),
      // the server records the client under this name: without it the request is not served
      opt('dnsName', 'dnsName', 'string', { absent: BAD_PARAMETERS }),
    ],
    checkClientId,
  ),
  GetCookie: complex(
    [
      opt('authCookies', 'authCookies', arrayOf('AuthorizationCookie', AUTH_COOKIE), { absent: { fault: 'InvalidAuthorizationCookie' } }),
      opt('oldCookie', 'oldCookie', OLD_COOKIE),
      req('lastChange', 'lastChange', 'dateTime'),
      req('currentTime', 'currentTime', 'dateTime'),
      opt('protocolVersion', 'protocolVersion', 'string', { absent: EMPTY }),
    ],
    checkAuthCookies,
  ),
  RegisterComputer: complex([opt('cookie', 'cookie', COOKIE, { absent: BAD_COOKIE }), opt('computerInfo', 'computerInfo', COMPUTER_INFO, { absent: BAD_PARAMETERS })]),
  StartCategoryScan: complex([
    opt(
      'requestedCategories',
      'requestedCategories',
      arrayOf('CategoryRelationship', complex([req('IndexOfAndGroup', 'indexOfAndGroup', 'int'), req('CategoryId', 'categoryId', 'guid')])),
      { absent: NONE },
    ),
  ]),
  SyncUpdates: complex([opt('cookie', 'cookie', COOKIE, { absent: BAD_COOKIE }), opt('parameters', 'parameters', SYNC_PARAMETERS, { absent: BAD_PARAMETERS })]),
  GetExtendedUpdateInfo: complex([
    opt('cookie', 'cookie', COOKIE, { absent: BAD_COOKIE }),
    opt('revisionIDs', 'revisionIds', ints, { absent: BAD_PARAMETERS }),
    opt('infoTypes', 'infoTypes', fragmentTypes, { absent: BAD_PARAMETERS }),
    opt('locales', 'locales', strings),
    // (captures: WUA sends deviceAttributes; not in the spec's WSDL)
    opt('deviceAttributes', 'deviceAttributes', 'string'),
    opt('GeoId', 'geoId', 'string'),
    opt('callerAttributes', 'callerAttributes', 'string'),
  ]),
  // 2.2.2.2.5: cookie and globalIDs MUST be present (3.1.5.8: InvalidParameters without globalIDs)
  RefreshCache: complex([opt('cookie', 'cookie', COOKIE, { absent: BAD_COOKIE }), opt('globalIDs', 'globalIds', UPDATE_IDENTITIES, { absent: BAD_PARAMETERS })]),
  GetFileLocations: complex(
    [opt('cookie', 'cookie', COOKIE, { absent: BAD_COOKIE }), opt('fileDigests', 'fileDigests', arrayOf('base64Binary', 'base64'), { absent: BAD_PARAMETERS })],
    checkFileDigests,
  ),
  GetExtendedUpdateInfo2: complex([
    opt('cookie', 'cookie', COOKIE, { absent: BAD_COOKIE }),
    opt('updateIDs', 'updateIds', UPDATE_IDENTITIES, { absent: BAD_PARAMETERS }),
    opt('infoTypes', 'infoTypes', fragmentTypes, { absent: BAD_PARAMETERS }),
    opt('locales', 'locales', strings),
    opt('callerAttributes', 'callerAttributes', 'string'),
  ]),
  // lower-case leading letters as the WSDL writes them (the prose heading has InstalledNonLeafUpdateIDs)
  SyncPrinterCatalog: complex([
    opt('cookie', 'cookie', COOKIE, { absent: BAD_COOKIE }),
    opt('installedNonLeafUpdateIDs', 'installedNonLeafUpdateIds', ints),
    opt('printerUpdateIDs', 'printerUpdateIds', ints),
  ]),
  ReportEventBatch: complex([
    opt('cookie', 'cookie', COOKIE, { absent: BAD_COOKIE }),
    req('clientTime', 'clientTime', 'dateTime'),
    opt('eventBatch', 'eventBatch', arrayOf('ReportingEvent', REPORTING_EVENT), { absent: NONE }),
  ]),
};

// ---- responses -------------------------------------------------------------------

const REFUSE = 'refuse' as const;

const DEPLOYMENT = complex([
  req('ID', 'id', 'int'),
  req('Action', 'action', { enum: DEPLOYMENT_ACTIONS }),
  opt('Deadline', 'deadline', 'string'),
  req('IsAssigned', 'isAssigned', 'bool'),
  req('LastChangeTime', 'lastChangeTime', 'string'),
  opt('DownloadPriority', 'downloadPriority', 'string'),
  opt('HardwareIds', 'hardwareIds', strings),
  opt('AutoSelect', 'autoSelect', 'string'),
  opt('AutoDownload', 'autoDownload', 'string'),
  opt('SupersedenceBehavior', 'supersedenceBehavior', 'string'),
  opt('FlagBitmask', 'flagBitmask', 'string'),
  // (not in the spec's WSDL: sample server)
  opt('Priority', 'priority', 'string'),
  opt('HandlerSpecificAction', 'handlerSpecificAction', 'string'),
]);

const UPDATE_INFO = complex([
  req('ID', 'id', 'int'),
  opt('Deployment', 'deployment', DEPLOYMENT),
  req('IsLeaf', 'isLeaf', 'bool'),
  // (not in the spec's WSDL: captures)
  opt('IsShared', 'isShared', 'bool'),
  opt('Xml', 'xml', 'string'),
]);

function checkFileLocation(o: Record<string, unknown>, where: string): void {
  if (Buffer.from(o.fileDigest as string, 'base64').length !== 20) throw new WireError('SUCA_ERR_WIRE_ENCODING', 'FileDigest is not a 20-byte SHA-1', `${where}/FileDigest`);
}

/** FileLocation as the WSDL has it (section 6.2): FileDigest and Url, which the spec says MUST be there, then six newer optional ones. */
const FILE_LOCATION = complex(
  [
    opt('FileDigest', 'fileDigest', 'base64', { absent: REFUSE }),
    opt('Url', 'url', 'string', { absent: REFUSE }),
    opt('PiecesHashUrl', 'piecesHashUrl', 'string'),
    opt('BlockMapUrl', 'blockMapUrl', 'string'),
    opt('DecryptionInformation', 'decryptionInformation', 'string'),
    opt('FileDigestAlgorithm', 'fileDigestAlgorithm', 'string'),
    opt('EncryptedFileDigest', 'encryptedFileDigest', 'base64'),
    opt('EncryptedFileDigestAlgorithm', 'encryptedFileDigestAlgorithm', 'string'),
  ],
  checkFileLocation,
);
const FILE_LOCATIONS = arrayOf('FileLocation', FILE_LOCATION);
const UPDATE_DATA = arrayOf('Update', complex([req('ID', 'id', 'int'), opt('Xml', 'xml', 'string', { absent: REFUSE })]));

/** SyncInfo: SyncUpdates' and SyncPrinterCatalog's result. */
const SYNC_INFO = complex([
  opt('NewUpdates', 'newUpdates', arrayOf('UpdateInfo', UPDATE_INFO)),
  opt('OutOfScopeRevisionIDs', 'outOfScopeRevisionIds', ints),
  opt('ChangedUpdates', 'changedUpdates', arrayOf('UpdateInfo', UPDATE_INFO)),
  req('Truncated', 'truncated', 'bool'),
  opt('NewCookie', 'newCookie', COOKIE, { absent: REFUSE }),
  opt('DeployedOutOfScopeRevisionIds', 'deployedOutOfScopeRevisionIds', ints),
  // s:string in the schema; "true"/"false" from WSUS, "True" tolerated (.NET Boolean.ToString)
  opt('DriverSyncNotNeeded', 'driverSyncNotNeeded', 'boolString'),
]);

const FILE_DECRYPTION = complex([opt('FileDigest', 'fileDigest', 'base64'), opt('DecryptionKey', 'decryptionKey', 'base64'), opt('SecurityData', 'securityData', arrayOf('base64Binary', 'base64'))]);

/**
 * The children of each <OpResponse>. A response whose typed message is a
 * Result element wraps it: `result` names that element and its type.
 */
export const RESPONSES: Readonly<Record<WuspOperation, ComplexType>> = {
  GetConfig: complex([
    opt(
      'GetConfigResult',
      'result',
      complex(
        [
          req('LastChange', 'lastChange', 'dateTime'),
          req('IsRegistrationRequired', 'isRegistrationRequired', 'bool'),
          opt(
            'AuthInfo',
            'authInfo',
            arrayOf('AuthPlugInInfo', complex([opt('PlugInID', 'plugInId', 'string', { absent: REFUSE }), opt('ServiceUrl', 'serviceUrl', 'string', { absent: EMPTY }), opt('Parameter', 'parameter', 'string')])),
            // The client reads this leniently (issue 8: "with an Anonymous plug-in, or none, there is no
            // SimpleAuth call"): no AuthInfo is no plug-in, and the agent then skips SimpleAuth.
            { absent: NONE },
          ),
          opt('AllowedEventIds', 'allowedEventIds', ints),
          // The spec has servers before protocol 3.0 send no Properties, and 3.x servers MUST send
          // MaxExtendedUpdatesPerRequest: the client reads either (wua.ts maxExtendedUpdates() falls
          // back to 50), so an older server's GetConfig is not a parse error.
          opt('Properties', 'properties', arrayOf('ConfigurationProperty', complex([opt('Name', 'name', 'string', { absent: REFUSE }), opt('Value', 'value', 'string', { absent: EMPTY })])), {
            absent: NONE,
          }),
        ],
      ),
      { absent: REFUSE },
    ),
  ]),
  GetAuthorizationCookie: complex([
    opt('GetAuthorizationCookieResult', 'cookie', complex([opt('PlugInId', 'plugInId', 'string', { absent: REFUSE }), opt('CookieData', 'cookieData', 'base64', { absent: REFUSE })]), { absent: REFUSE }),
  ]),
  GetCookie: complex([opt('GetCookieResult', 'cookie', COOKIE, { absent: REFUSE })]),
  RegisterComputer: complex([]),
  StartCategoryScan: complex([opt('preferredCategoryIds', 'preferredCategoryIds', guids), opt('requestedCategoryIdsInError', 'requestedCategoryIdsInError', guids)]),
  SyncUpdates: complex([opt('SyncUpdatesResult', 'result', SYNC_INFO, { absent: REFUSE })]),
  GetExtendedUpdateInfo: complex([
    opt(
      'GetExtendedUpdateInfoResult',
      'result',
      complex([opt('Updates', 'updates', UPDATE_DATA), opt('FileLocations', 'fileLocations', FILE_LOCATIONS), opt('OutOfScopeRevisionIDs', 'outOfScopeRevisionIds', ints)]),
      { absent: REFUSE },
    ),
  ]),
  // ArrayOfRefreshCacheResult: the list and its items share the element name RefreshCacheResult (WSDL)
  RefreshCache: complex([
    opt(
      'RefreshCacheResult',
      'results',
      arrayOf(
        'RefreshCacheResult',
        complex([
          req('RevisionID', 'revisionId', 'int'),
          // 0..1 in the schema, MUST be present in 2.2.2.2.5: the client cannot map an entry without it
          opt('GlobalID', 'globalId', UPDATE_IDENTITY, { absent: REFUSE }),
          req('IsLeaf', 'isLeaf', 'bool'),
          opt('Deployment', 'deployment', DEPLOYMENT, { absent: REFUSE }),
        ]),
      ),
      { absent: NONE },
    ),
  ]),
  GetFileLocations: complex([
    opt('GetFileLocationsResult', 'result', complex([opt('FileLocations', 'fileLocations', FILE_LOCATIONS), opt('NewCookie', 'newCookie', COOKIE)]), { absent: REFUSE }),
  ]),
  GetExtendedUpdateInfo2: complex([
    opt(
      'GetExtendedUpdateInfo2Result',
      'result',
      complex([
        opt('Updates', 'updates', UPDATE_DATA),
        opt('FileLocations', 'fileLocations', FILE_LOCATIONS),
        opt('FileDecryptionData', 'fileDecryptionData', arrayOf('FileDecryption', FILE_DECRYPTION)),
        opt('FileDecryptionData2', 'fileDecryptionData2', arrayOf('FileDecryption2', FILE_DECRYPTION)),
        opt(
          'UpdateEncryptionDetails',
          'updateEncryptionDetails',
          arrayOf('UpdateEncryptionDetail', complex([req('UpdateIdentity', 'updateIdentity', UPDATE_IDENTITY), req('HasEncryptedFiles', 'hasEncryptedFiles', 'bool')])),
        ),
      ]),
      { absent: REFUSE },
    ),
  ]),
  SyncPrinterCatalog: complex([opt('SyncPrinterCatalogResult', 'result', SYNC_INFO, { absent: REFUSE })]),
  ReportEventBatch: complex([req('ReportEventBatchResult', 'result', 'bool')]),
};

/** Responses whose typed fields live inside one Result element (key 'result' above). */
export const WRAPPED_RESPONSES: ReadonlySet<WuspOperation> = new Set<WuspOperation>([
  'GetConfig',
  'SyncUpdates',
  'GetExtendedUpdateInfo',
  'GetFileLocations',
  'GetExtendedUpdateInfo2',
  'SyncPrinterCatalog',
]);
