// MS-WUSP (Windows Server Update Services client-server protocol): the typed
// messages the agent's WSUS transport and the stub WSUS exchange, below the
// core's 'wsus.scan' request. codec.ts turns them into SOAP 1.1 and back.
//
// Sources, in the order they win when they disagree:
// 1. captures of an unmodified Windows 11 25H2 client (WUA 1507.2601.30012.0,
//    Client-Protocol/2.90) against WSUS on Windows Server 2025 (ProtocolVersion
//    3.2): element order, which optional elements are really sent, casing
//    (Win32HResult, not the schema's Win32Hresult), response shapes;
// 2. Microsoft's sample update server (update-client-server-sync), whose
//    generated contracts give the order of elements the captures never show
//    (FilterAppCategoryIds, ExtendedUpdateInfoParameters, Deployment.Priority);
// 3. the MS-WUSP specification (sections 2.2.2 and 6).
//
// Conventions:
// - Field names are camelCase; codec.ts maps each to its element name.
// - Dates and times stay strings as sent (xs:dateTime with up to 7 fractional
//   digits, "2026-10-04T16:03:35.9967236Z", does not survive a JS Date); use
//   formatDateTime/parseDateTime in codec.ts to convert to and from epoch ms.
// - base64 values (cookies, digests) stay base64 text: they are opaque to the
//   side that does not mint them, and the stub mints its own.
// - An optional array is undefined when its element is absent and [] when the
//   element is present but empty: the real client omits InstalledNonLeafUpdateIDs
//   on its first page but the Store client sends <OtherCachedUpdateIDs/>, and
//   decode(encode(x)) must give x back for both.
// - Typed: what the agent or stub reads or writes. Optional: what a real peer
//   sends that we only carry (ComputerInfo details, ProductsParameters).
//   Dropped on decode (never re-encoded): elements this codec does not know,
//   e.g. Device.extensionDrivers, UpdateInfo.Verification, Deployment.DriverMetadata.

// ---- services, operations, endpoints ---------------------------------------

export type WuspService = 'client' | 'simpleAuth' | 'reporting';

/** The operations this codec encodes and decodes. */
export type WuspOperation =
  | 'GetConfig'
  | 'GetAuthorizationCookie'
  | 'GetCookie'
  | 'RegisterComputer'
  | 'StartCategoryScan'
  | 'SyncUpdates'
  | 'GetExtendedUpdateInfo'
  | 'RefreshCache'
  | 'GetFileLocations'
  | 'GetExtendedUpdateInfo2'
  | 'SyncPrinterCatalog'
  | 'ReportEventBatch';

/** Every operation of MS-WUSP's three services (sections 2.2.2.1-2.2.2.3 and the WSDLs of section 6). */
export const WUSP_OPERATIONS: readonly WuspOperation[] = [
  'GetConfig',
  'GetAuthorizationCookie',
  'GetCookie',
  'RegisterComputer',
  'StartCategoryScan',
  'SyncUpdates',
  'GetExtendedUpdateInfo',
  'RefreshCache',
  'GetFileLocations',
  'GetExtendedUpdateInfo2',
  'SyncPrinterCatalog',
  'ReportEventBatch',
];

/**
 * Operation names newer WSUS servers have but MS-WUSP does not define: no
 * section, WSDL, example or capture gives their elements, so there is
 * nothing to encode or answer faithfully. decodeRequest refuses them with
 * SUCA_ERR_WIRE_OPERATION (the stub: 400, counted), as a server without the
 * operation does.
 */
export const WUSP_UNIMPLEMENTED_OPERATIONS: readonly string[] = ['GetConfig2', 'GetTimestamps'];

export const NS_SOAP_ENVELOPE = 'http://schemas.xmlsoap.org/soap/envelope/';
export const NS_XSI = 'http://www.w3.org/2001/XMLSchema-instance';
export const NS_XSD = 'http://www.w3.org/2001/XMLSchema';
export const NS_CLIENT = 'http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService';
export const NS_SIMPLE_AUTH = 'http://www.microsoft.com/SoftwareDistribution/Server/SimpleAuthWebService';
/** Reporting uses the bare SoftwareDistribution namespace (spec section 2.2.2.3.1, captures). */
export const NS_REPORTING = 'http://www.microsoft.com/SoftwareDistribution';

export const SERVICE_NAMESPACE: Readonly<Record<WuspService, string>> = {
  client: NS_CLIENT,
  simpleAuth: NS_SIMPLE_AUTH,
  reporting: NS_REPORTING,
};

/**
 * Endpoint paths, as the real client requests them. The capture has
 * "client.asmx" in lower case (IIS paths are case-insensitive; so is
 * serviceForPath). The SimpleAuth path is also what GetConfig's
 * AuthInfo/ServiceUrl says, relative to the server root.
 */
export const PATH_CLIENT = '/ClientWebService/client.asmx';
export const PATH_SIMPLE_AUTH = '/SimpleAuthWebService/SimpleAuth.asmx';
export const PATH_REPORTING = '/ReportingWebService/ReportingWebService.asmx';
/** Microsoft's sample server serves reporting here; accepted, never sent. */
export const PATH_REPORTING_ALT = '/ReportingWebService/WebService.asmx';

export const SERVICE_PATH: Readonly<Record<WuspService, string>> = {
  client: PATH_CLIENT,
  simpleAuth: PATH_SIMPLE_AUTH,
  reporting: PATH_REPORTING,
};

export const OPERATION_SERVICE: Readonly<Record<WuspOperation, WuspService>> = {
  GetConfig: 'client',
  GetAuthorizationCookie: 'simpleAuth',
  GetCookie: 'client',
  RegisterComputer: 'client',
  StartCategoryScan: 'client',
  SyncUpdates: 'client',
  GetExtendedUpdateInfo: 'client',
  RefreshCache: 'client',
  GetFileLocations: 'client',
  GetExtendedUpdateInfo2: 'client',
  SyncPrinterCatalog: 'client',
  ReportEventBatch: 'reporting',
};

/** SOAPAction URIs, unquoted (the header value is this in double quotes). */
export const SOAP_ACTION: Readonly<Record<WuspOperation, string>> = {
  GetConfig: `${NS_CLIENT}/GetConfig`,
  GetAuthorizationCookie: `${NS_SIMPLE_AUTH}/GetAuthorizationCookie`,
  GetCookie: `${NS_CLIENT}/GetCookie`,
  RegisterComputer: `${NS_CLIENT}/RegisterComputer`,
  StartCategoryScan: `${NS_CLIENT}/StartCategoryScan`,
  SyncUpdates: `${NS_CLIENT}/SyncUpdates`,
  GetExtendedUpdateInfo: `${NS_CLIENT}/GetExtendedUpdateInfo`,
  RefreshCache: `${NS_CLIENT}/RefreshCache`,
  GetFileLocations: `${NS_CLIENT}/GetFileLocations`,
  GetExtendedUpdateInfo2: `${NS_CLIENT}/GetExtendedUpdateInfo2`,
  // section 2.2.2.2.9 prints .../SyncUpdates here, a copy slip: the WSDL's bindings (section 6.2)
  // say SyncPrinterCatalog, and WCF and ASMX both pick the method by SOAPAction
  SyncPrinterCatalog: `${NS_CLIENT}/SyncPrinterCatalog`,
  ReportEventBatch: `${NS_REPORTING}/ReportEventBatch`,
};

// ---- common types ----------------------------------------------------------

/** A server cookie (spec 2.2.3.5). Both parts are required where a request carries `cookie`. */
export interface Cookie {
  /** xs:dateTime, clear-text copy of the expiry (real WSUS: issue time + 1 h). */
  readonly expiration: string;
  /** base64, opaque to the client. */
  readonly encryptedData: string;
}

/**
 * GetCookie's oldCookie: the real client sends only <Expiration> when it has
 * no cookie yet (capture), the spec example sends <EncryptedData xsi:nil="1"/>.
 */
export interface OldCookie {
  readonly expiration: string;
  readonly encryptedData?: string;
}

/** spec 2.2.3.4 */
export interface AuthorizationCookie {
  /** "SimpleTargeting" */
  readonly plugInId: string;
  /** base64, opaque to the client. */
  readonly cookieData: string;
}

/** An update revision's global identity (spec 2.2.3.6). */
export interface UpdateIdentity {
  /** GUID, lower case as WUA sends it. */
  readonly updateId: string;
  readonly revisionNumber: number;
}

// ---- GetConfig -------------------------------------------------------------

export interface GetConfigRequest {
  readonly op: 'GetConfig';
  /** Windows 11 sends "2.90"; the spec says clients SHOULD send "1.8". */
  readonly protocolVersion: string;
}

export interface AuthPlugInInfo {
  /** MUST be "SimpleTargeting". */
  readonly plugInId: string;
  /** Relative to the server root: "SimpleAuthWebService/SimpleAuth.asmx". */
  readonly serviceUrl: string;
  /** Unused; real WSUS sends it empty (<Parameter/>), so '' round-trips to that. */
  readonly parameter?: string;
}

export interface ConfigurationProperty {
  readonly name: string;
  readonly value: string;
}

export interface GetConfigResponse {
  readonly op: 'GetConfig';
  /** xs:dateTime of the last server configuration change; the client echoes it in GetCookie. */
  readonly lastChange: string;
  readonly isRegistrationRequired: boolean;
  /** Exactly one entry, SimpleTargeting (spec); decode requires at least one. */
  readonly authInfo: readonly AuthPlugInInfo[];
  readonly allowedEventIds?: readonly number[];
  /**
   * In server order. MaxExtendedUpdatesPerRequest MUST be present (decode
   * checks); real WSUS 2025 also sends PackageServerShare, ProtocolVersion
   * (3.2), IsInventoryRequired (0) and ClientReportingLevel (2).
   */
  readonly properties: readonly ConfigurationProperty[];
}

/** Property names GetConfig carries (spec 2.2.2.2.1). */
export const CONFIG_MAX_EXTENDED_UPDATES = 'MaxExtendedUpdatesPerRequest';
export const CONFIG_PROTOCOL_VERSION = 'ProtocolVersion';
export const CONFIG_PACKAGE_SERVER_SHARE = 'PackageServerShare';
export const CONFIG_IS_INVENTORY_REQUIRED = 'IsInventoryRequired';
export const CONFIG_CLIENT_REPORTING_LEVEL = 'ClientReportingLevel';

// ---- GetAuthorizationCookie (SimpleAuthWebService) -------------------------

export interface GetAuthorizationCookieRequest {
  readonly op: 'GetAuthorizationCookie';
  /** The client id GUID; also ReportingEvent TargetID/Sid. */
  readonly clientId: string;
  /** The real client sends none (capture); the spec example sends it empty. */
  readonly targetGroupName?: string;
  /** MUST equal RegisterComputer's DnsName. */
  readonly dnsName: string;
}

export interface GetAuthorizationCookieResponse {
  readonly op: 'GetAuthorizationCookie';
  readonly cookie: AuthorizationCookie;
}

// ---- GetCookie -------------------------------------------------------------

export interface GetCookieRequest {
  readonly op: 'GetCookie';
  /** Exactly one, from GetAuthorizationCookie. */
  readonly authCookies: readonly AuthorizationCookie[];
  readonly oldCookie?: OldCookie;
  /** GetConfig's LastChange. */
  readonly lastChange: string;
  /** The client's clock, xs:dateTime. */
  readonly currentTime: string;
  readonly protocolVersion: string;
}

export interface GetCookieResponse {
  readonly op: 'GetCookie';
  readonly cookie: Cookie;
}

// ---- RegisterComputer ------------------------------------------------------

/** spec 2.2.2.2.3, in schema (= capture) order. */
export interface ComputerInfo {
  readonly dnsName: string;
  readonly osMajorVersion: number;
  readonly osMinorVersion: number;
  readonly osBuildNumber: number;
  readonly osServicePackMajorNumber: number;
  readonly osServicePackMinorNumber: number;
  readonly osLocale?: string;
  readonly computerManufacturer?: string;
  readonly computerModel?: string;
  readonly biosVersion?: string;
  readonly biosName?: string;
  /** xs:dateTime, required by the schema. */
  readonly biosReleaseDate: string;
  /** Free text here ("AMD64"), unlike ReportingEvent's enumeration. */
  readonly processorArchitecture?: string;
  readonly suiteMask: number;
  readonly oldProductType: number;
  readonly newProductType: number;
  readonly systemMetrics: number;
  readonly clientVersionMajorNumber: number;
  readonly clientVersionMinorNumber: number;
  readonly clientVersionBuildNumber: number;
  readonly clientVersionQfeNumber: number;
  readonly osDescription?: string;
  readonly oem?: string;
  readonly deviceType?: string;
  readonly firmwareVersion?: string;
  readonly mobileOperator?: string;
}

export interface RegisterComputerRequest {
  readonly op: 'RegisterComputer';
  readonly cookie: Cookie;
  readonly computerInfo: ComputerInfo;
}

/** The response has no fields (an empty RegisterComputerResponse element). */
export interface RegisterComputerResponse {
  readonly op: 'RegisterComputer';
}

// ---- StartCategoryScan -----------------------------------------------------

export interface CategoryRelationship {
  readonly indexOfAndGroup: number;
  readonly categoryId: string;
}

/** Sent before the first SyncUpdates of a category scan, without a cookie (capture, spec). */
export interface StartCategoryScanRequest {
  readonly op: 'StartCategoryScan';
  readonly requestedCategories: readonly CategoryRelationship[];
}

export interface StartCategoryScanResponse {
  readonly op: 'StartCategoryScan';
  readonly preferredCategoryIds?: readonly string[];
  readonly requestedCategoryIdsInError?: readonly string[];
}

// ---- SyncUpdates -----------------------------------------------------------

export interface InstalledDriver {
  readonly matchingId?: string;
  readonly driverVerDate: string;
  /** xs:long; a string because real values exceed 2^53 (28147927174637544 in the capture). */
  readonly driverVerVersion: string;
  readonly class?: string;
  readonly manufacturer?: string;
  readonly provider?: string;
  readonly model?: string;
  /** null: sent as xsi:nil (WUA sends it nil for every device in the capture). */
  readonly matchingComputerHwid?: string | null;
  readonly driverRank: number;
}

/** One SystemSpec device of the driver pass. extensionDrivers and DriverRecoveryIDs are dropped on decode. */
export interface Device {
  readonly hardwareIds?: readonly string[];
  readonly compatibleIds?: readonly string[];
  readonly installedDriver?: InstalledDriver;
  readonly deviceFlags?: number;
}

export interface ExtendedUpdateInfoParameters {
  readonly xmlUpdateFragmentTypes?: readonly XmlUpdateFragmentType[];
  readonly locales?: readonly string[];
}

/** SyncUpdates parameters/ProductsParameters: what WUA sends about itself; carried, not interpreted. */
export interface ProductsParameters {
  readonly syncCurrentVersionOnly: boolean;
  readonly deviceAttributes?: string;
  readonly callerAttributes?: string;
  readonly products?: string;
}

/**
 * In wire order (captures; the Store-only elements placed as the sample
 * server's contract orders them).
 */
export interface SyncUpdateParameters {
  /** MUST be false. */
  readonly expressQuery: boolean;
  /** Revision ids of installed non-leaf revisions in the client cache: the paging feedback. */
  readonly installedNonLeafUpdateIds?: readonly number[];
  readonly otherCachedUpdateIds?: readonly number[];
  /** Driver pass only. */
  readonly systemSpec?: readonly Device[];
  readonly cachedDriverIds?: readonly number[];
  /** true on the driver pass. */
  readonly skipSoftwareSync: boolean;
  /** Category scans only (ids from StartCategoryScan). */
  readonly filterCategoryIds?: readonly string[];
  readonly needTwoGroupOutOfScopeUpdates?: boolean;
  /** Store client only. */
  readonly filterAppCategoryIds?: readonly string[];
  /** Store client only. */
  readonly treatAppCategoryIdsAsInstalled?: boolean;
  readonly alsoPerformRegularSync?: boolean;
  /** Software pass: {} (sent as <ComputerSpec/>); driver pass: the computer hardware id GUIDs. */
  readonly computerSpec?: { readonly hardwareIds?: readonly string[] };
  /** Driver pass: "AMD64.10.0". */
  readonly featureScoreMatchingKey?: string;
  /** Store client only. */
  readonly extendedUpdateInfoParameters?: ExtendedUpdateInfoParameters;
  /** Store client only. */
  readonly clientPreferredLanguages?: readonly string[];
  readonly productsParameters?: ProductsParameters;
}

export interface SyncUpdatesRequest {
  readonly op: 'SyncUpdates';
  readonly cookie: Cookie;
  readonly parameters: SyncUpdateParameters;
}

export type DeploymentAction = 'OptionalInstall' | 'Install' | 'Uninstall' | 'PreDeploymentCheck' | 'Block' | 'Evaluate' | 'Bundle';

export const DEPLOYMENT_ACTIONS: readonly DeploymentAction[] = ['OptionalInstall', 'Install', 'Uninstall', 'PreDeploymentCheck', 'Block', 'Evaluate', 'Bundle'];

/**
 * How a revision is deployed to this client, in wire order (spec 2.2.2.2.4;
 * Priority and HandlerSpecificAction after FlagBitmask per the sample server's
 * contract). Real WSUS 2025 sends ID, Action, IsAssigned, LastChangeTime,
 * AutoSelect, AutoDownload, SupersedenceBehavior (the last three "0").
 */
export interface Deployment {
  /** Server deployment id. */
  readonly id: number;
  readonly action: DeploymentAction;
  /** xs:dateTime; only when the deployment has a deadline. */
  readonly deadline?: string;
  readonly isAssigned: boolean;
  /** s:string holding an xs:date: "2026-10-04". */
  readonly lastChangeTime: string;
  readonly downloadPriority?: string;
  readonly hardwareIds?: readonly string[];
  readonly autoSelect?: string;
  readonly autoDownload?: string;
  readonly supersedenceBehavior?: string;
  readonly flagBitmask?: string;
  readonly priority?: string;
  readonly handlerSpecificAction?: string;
}

export interface UpdateInfo {
  /** The server-local revision id (not the update GUID). */
  readonly id: number;
  readonly deployment?: Deployment;
  readonly isLeaf: boolean;
  readonly isShared?: boolean;
  /**
   * The core metadata fragment, as text (it is XML escaped inside <Xml>):
   * `<UpdateIdentity UpdateID=".." RevisionNumber=".." /><Properties UpdateType=".." />...`.
   * Several roots, so not a document; readCoreFragment() picks out the identity.
   */
  readonly xml?: string;
}

export interface SyncUpdatesResponse {
  readonly op: 'SyncUpdates';
  readonly newUpdates?: readonly UpdateInfo[];
  readonly outOfScopeRevisionIds?: readonly number[];
  readonly changedUpdates?: readonly UpdateInfo[];
  /**
   * true: the server cut the page (30 updates on WSUS 2025); call again. false
   * does not end the loop by itself: call again while the page brought a new
   * non-leaf revision (spec 3.1.5.7; the capture's last full page is false).
   */
  readonly truncated: boolean;
  /** Use it in the next call. Always present from real WSUS; required here. */
  readonly newCookie: Cookie;
  readonly deployedOutOfScopeRevisionIds?: readonly number[];
  /** s:string "true"/"false" on the wire: true lets the client skip the driver pass. */
  readonly driverSyncNotNeeded?: boolean;
}

// ---- GetExtendedUpdateInfo -------------------------------------------------

export type XmlUpdateFragmentType =
  | 'Published'
  | 'Core'
  | 'Extended'
  | 'VerificationRule'
  | 'LocalizedProperties'
  | 'Eula'
  | 'FileUrl'
  | 'FileDecryption'
  | 'SamplingRate';

export const XML_UPDATE_FRAGMENT_TYPES: readonly XmlUpdateFragmentType[] = [
  'Published',
  'Core',
  'Extended',
  'VerificationRule',
  'LocalizedProperties',
  'Eula',
  'FileUrl',
  'FileDecryption',
  'SamplingRate',
];

export interface GetExtendedUpdateInfoRequest {
  readonly op: 'GetExtendedUpdateInfo';
  readonly cookie: Cookie;
  /** At most GetConfig's MaxExtendedUpdatesPerRequest (50); the stub enforces it, not the codec. */
  readonly revisionIds: readonly number[];
  /** WUA sends Extended and LocalizedProperties. */
  readonly infoTypes: readonly XmlUpdateFragmentType[];
  readonly locales?: readonly string[];
  readonly deviceAttributes?: string;
  /** ISO-3166 three-letter region ("USA"). */
  readonly geoId?: string;
  readonly callerAttributes?: string;
}

export interface UpdateData {
  readonly id: number;
  /** An Extended or LocalizedProperties fragment (one entry per fragment; ids repeat). */
  readonly xml: string;
}

export interface FileLocation {
  /** base64 of the file's 20-byte SHA-1. */
  readonly fileDigest: string;
  /** http://<server>:8530/Content/<last two hex of SHA-1>/<SHA-1 hex>.<ext> */
  readonly url: string;
  // The WSDL's FileLocation (section 6.2; 2.2.2.2.10) has six more optional children, in this
  // order, for Windows 10 1803+ and 11 24H2+ clients. WSUS 2025 sends none of them (captures);
  // they are carried as sent.
  /** URL of a file of per-piece hashes */
  readonly piecesHashUrl?: string;
  /** URL of an Appx block map */
  readonly blockMapUrl?: string;
  /** JSON: KeyData, EncryptionBufferSize, AlgorithmName, ChainingMode */
  readonly decryptionInformation?: string;
  /** "SHA1" */
  readonly fileDigestAlgorithm?: string;
  /** base64 hash of the encrypted file */
  readonly encryptedFileDigest?: string;
  /** "SHA256" */
  readonly encryptedFileDigestAlgorithm?: string;
}

export interface GetExtendedUpdateInfoResponse {
  readonly op: 'GetExtendedUpdateInfo';
  readonly updates?: readonly UpdateData[];
  readonly fileLocations?: readonly FileLocation[];
  readonly outOfScopeRevisionIds?: readonly number[];
}

// ---- RefreshCache ------------------------------------------------------------

/**
 * Spec 2.2.2.2.5 / 3.1.5.8: after a ServerChanged or InvalidCookie fault and the
 * GetConfig .. GetCookie that follows, the client hands the new server the
 * global identities of the revisions it holds and learns their revision ids
 * there.
 */
export interface RefreshCacheRequest {
  readonly op: 'RefreshCache';
  readonly cookie: Cookie;
  /** MUST be present (InvalidParameters); empty is allowed */
  readonly globalIds: readonly UpdateIdentity[];
}

/** One RefreshCacheResult entry: a requested revision this server deploys to the client. */
export interface RefreshCacheResult {
  /** this server's revision id for the identity */
  readonly revisionId: number;
  /** the identity as requested (MUST be present) */
  readonly globalId: UpdateIdentity;
  readonly isLeaf: boolean;
  /** MUST be present */
  readonly deployment: Deployment;
}

export interface RefreshCacheResponse {
  readonly op: 'RefreshCache';
  /** requested identities with no deployment for the client are left out (no fault) */
  readonly results: readonly RefreshCacheResult[];
}

// ---- GetFileLocations --------------------------------------------------------

/** Spec 2.2.2.2.7 / 3.1.5.10: the client MUST call it after a FileLocationChanged fault. */
export interface GetFileLocationsRequest {
  readonly op: 'GetFileLocations';
  readonly cookie: Cookie;
  /** base64 SHA-1 digests, each exactly 20 bytes (InvalidParameters otherwise) */
  readonly fileDigests: readonly string[];
}

export interface GetFileLocationsResponse {
  readonly op: 'GetFileLocations';
  readonly fileLocations?: readonly FileLocation[];
  /** the cookie the client SHOULD use from now on */
  readonly newCookie?: Cookie;
}

// ---- GetExtendedUpdateInfo2 -----------------------------------------------------

/** Spec 2.2.2.2.10: GetExtendedUpdateInfo by global identity, with decryption data (no section 3 rules: the stub applies 3.1.5.9's). */
export interface GetExtendedUpdateInfo2Request {
  readonly op: 'GetExtendedUpdateInfo2';
  readonly cookie: Cookie;
  readonly updateIds: readonly UpdateIdentity[];
  readonly infoTypes: readonly XmlUpdateFragmentType[];
  readonly locales?: readonly string[];
  readonly callerAttributes?: string;
}

export interface FileDecryption {
  readonly fileDigest?: string;
  readonly decryptionKey?: string;
  readonly securityData?: readonly string[];
}

export interface UpdateEncryptionDetail {
  readonly updateIdentity: UpdateIdentity;
  readonly hasEncryptedFiles: boolean;
}

export interface GetExtendedUpdateInfo2Response {
  readonly op: 'GetExtendedUpdateInfo2';
  /** ID: this server's revision id of each identity it knows */
  readonly updates?: readonly UpdateData[];
  readonly fileLocations?: readonly FileLocation[];
  readonly fileDecryptionData?: readonly FileDecryption[];
  readonly fileDecryptionData2?: readonly FileDecryption[];
  readonly updateEncryptionDetails?: readonly UpdateEncryptionDetail[];
}

// ---- SyncPrinterCatalog ----------------------------------------------------------

/** Spec 2.2.2.2.9 / 3.1.5.12: the Add Printer Wizard's sync of printer drivers. */
export interface SyncPrinterCatalogRequest {
  readonly op: 'SyncPrinterCatalog';
  readonly cookie: Cookie;
  readonly installedNonLeafUpdateIds?: readonly number[];
  readonly printerUpdateIds?: readonly number[];
}

/** SyncInfo, as SyncUpdates answers it. */
export interface SyncPrinterCatalogResponse extends Omit<SyncUpdatesResponse, 'op'> {
  readonly op: 'SyncPrinterCatalog';
}

// ---- ReportEventBatch (ReportingWebService) --------------------------------

/** EventID values the agent reports (spec 2.2.2.3.1 EventID table; all seen in the captures). */
export const WUSP_EVENT = {
  /** AGENT_DETECTION_FINISHED: scan done; ReplacementStrings = [count of updates]. */
  scanDone: 147,
  /** AGENT_DETECTION_FAILED: ReplacementStrings = [HRESULT as 0x%08X]. */
  scanFailed: 148,
  /** AGENT_STATUS_30: status of all updates (MiscData U=, V=, ...). */
  status: 156,
  /** AGENT_DOWNLOAD_FAILED: ReplacementStrings = [update title]. */
  downloadFailed: 161,
  /** AGENT_INSTALLING_STARTED: ReplacementStrings = [update title]. */
  installStarted: 181,
  /** AGENT_INSTALLING_FAILED: ReplacementStrings = [HRESULT, update title]. */
  installFailed: 182,
} as const;

/** The Windows Update client component that raised events (SourceID 101 in every captured event). */
export const WUSP_SOURCE_ID_AGENT = 101;

export const ZERO_GUID = '00000000-0000-0000-0000-000000000000';

export interface BasicData {
  /** TargetID/Sid: the clientId given to GetAuthorizationCookie. */
  readonly targetSid: string;
  /** Unused, MUST be 0. */
  readonly sequenceNumber: number;
  readonly timeAtTarget: string;
  /** A fresh GUID per event occurrence. */
  readonly eventInstanceId: string;
  /** MUST be 1. */
  readonly namespaceId: number;
  readonly eventId: number;
  readonly sourceId: number;
  /** ZERO_GUID / 0 when the event is not about one update (scan events). */
  readonly updateId: UpdateIdentity;
  /** Signed: 0x80240438 is sent as -2145123272. Element name Win32HResult (capture). */
  readonly win32HResult: number;
  readonly appName?: string;
}

export type ReportingProcessorArchitecture = 'Unknown' | 'X86Compatible' | 'IA64Compatible' | 'Amd64Compatible';

export const REPORTING_PROCESSOR_ARCHITECTURES: readonly ReportingProcessorArchitecture[] = ['Unknown', 'X86Compatible', 'IA64Compatible', 'Amd64Compatible'];

export interface DetailedVersion {
  readonly major: number;
  readonly minor: number;
  readonly build: number;
  readonly revision: number;
  readonly servicePackMajor: number;
  readonly servicePackMinor: number;
}

export interface ExtendedData {
  readonly replacementStrings?: readonly string[];
  /** "tag=value" strings (spec MiscData table). */
  readonly miscData?: readonly string[];
  readonly computerBrand?: string;
  readonly computerModel?: string;
  readonly biosRevision?: string;
  readonly processorArchitecture: ReportingProcessorArchitecture;
  readonly osVersion: DetailedVersion;
  /** LCID, 1033 = en-US. */
  readonly osLocaleId: number;
  /** Absent in every captured event; the spec wants "" for non-driver updates. */
  readonly deviceId?: string;
}

/** MUST be present and empty (WUA sends <PrivateData/>). */
export interface PrivateData {
  readonly computerDnsName?: string;
  readonly userAccountName?: string;
}

export interface ReportingEvent {
  readonly basicData: BasicData;
  readonly extendedData?: ExtendedData;
  readonly privateData?: PrivateData;
}

export interface ReportEventBatchRequest {
  readonly op: 'ReportEventBatch';
  readonly cookie: Cookie;
  /** The client's clock when sending, UTC. */
  readonly clientTime: string;
  readonly eventBatch: readonly ReportingEvent[];
}

export interface ReportEventBatchResponse {
  readonly op: 'ReportEventBatch';
  /** true when the server took the events. */
  readonly result: boolean;
}

// ---- faults ----------------------------------------------------------------

/**
 * detail/ErrorCode values (spec 2.2.2.4). The client's reaction:
 * InvalidCookie, ServerChanged: discard the cookie, GetConfig -> GetAuthorizationCookie -> GetCookie (-> RefreshCache);
 * ConfigChanged: GetConfig -> GetAuthorizationCookie -> GetCookie;
 * CookieExpired: GetAuthorizationCookie -> GetCookie;
 * RegistrationRequired: RegisterComputer, then retry;
 * InternalServerError, ServerBusy: retry later;
 * InvalidParameters: Message names the parameter (real WSUS: "parameters.InstalledNonLeafUpdateIDs");
 * FileLocationChanged: GetFileLocations.
 */
export type WuspErrorCode =
  | 'InvalidCookie'
  | 'ConfigChanged'
  | 'CookieExpired'
  | 'RegistrationRequired'
  | 'ServerChanged'
  | 'InternalServerError'
  | 'InvalidParameters'
  | 'ServerBusy'
  | 'FileLocationChanged'
  | 'InvalidAuthorizationCookie'
  | 'RegistrationNotRequired';

export const WUSP_ERROR_CODES: readonly WuspErrorCode[] = [
  'InvalidCookie',
  'ConfigChanged',
  'CookieExpired',
  'RegistrationRequired',
  'ServerChanged',
  'InternalServerError',
  'InvalidParameters',
  'ServerBusy',
  'FileLocationChanged',
  'InvalidAuthorizationCookie',
  'RegistrationNotRequired',
];

/**
 * A SOAP 1.1 fault, sent with HTTP 500. Real WSUS 2025 (captured):
 * faultcode s:Client, faultstring "Fault occurred", detail {ErrorCode, Message,
 * ID, Method}, Method holding the SOAPAction in double quotes.
 */
export interface WuspFault {
  readonly op: 'Fault';
  /** Local part of faultcode: 'Client' or 'Server' (SOAP 1.1 section 4.4.1). */
  readonly faultCode: string;
  readonly faultString: string;
  readonly faultActor?: string;
  /** Absent when the fault has no WUSP detail (e.g. a generic ASP.NET fault). */
  readonly errorCode?: WuspErrorCode;
  readonly message?: string;
  /** A GUID identifying this fault instance in the server log. */
  readonly id?: string;
  readonly method?: string;
}

// ---- unions ------------------------------------------------------------------

export type WuspRequest =
  | GetConfigRequest
  | GetAuthorizationCookieRequest
  | GetCookieRequest
  | RegisterComputerRequest
  | StartCategoryScanRequest
  | SyncUpdatesRequest
  | GetExtendedUpdateInfoRequest
  | RefreshCacheRequest
  | GetFileLocationsRequest
  | GetExtendedUpdateInfo2Request
  | SyncPrinterCatalogRequest
  | ReportEventBatchRequest;

export type WuspResponse =
  | GetConfigResponse
  | GetAuthorizationCookieResponse
  | GetCookieResponse
  | RegisterComputerResponse
  | StartCategoryScanResponse
  | SyncUpdatesResponse
  | GetExtendedUpdateInfoResponse
  | RefreshCacheResponse
  | GetFileLocationsResponse
  | GetExtendedUpdateInfo2Response
  | SyncPrinterCatalogResponse
  | ReportEventBatchResponse;

export type RequestOf<O extends WuspOperation> = Extract<WuspRequest, { op: O }>;
export type ResponseOf<O extends WuspOperation> = Extract<WuspResponse, { op: O }>;
