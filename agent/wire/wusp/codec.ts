// MS-WUSP SOAP 1.1 codec, both directions, shared by the agent's HTTP
// transport (encodeRequest / decodeResponse) and the stub WSUS
// (decodeRequest / encodeResponse / encodeFault).
//
// What goes on the wire is what the captures show (see messages.ts):
// - requests: <s:Envelope xmlns:s=".."><s:Body><Op xmlns="service ns">..</Op></s:Body></s:Envelope>,
//   no XML declaration, no soap:Header, no whitespace, elements in the order
//   the real client sends them;
// - ClientWebService responses (WCF on WSUS 2025): the same envelope with
//   xmlns:xsi and xmlns:xsd declared on s:Body;
// - SimpleAuth and Reporting responses (classic ASMX): an XML declaration and
//   <soap:Envelope xmlns:soap xmlns:xsi xmlns:xsd><soap:Body>;
// - faults: the captured WSUS fault, HTTP 500, <s:Fault> with faultcode
//   s:Client, faultstring "Fault occurred" and the WUSP detail.
//
// What is accepted when reading (strict on what must be there, lenient on
// what may be extra, because real servers and clients differ):
// - any envelope prefix (s:, soap:, none) as long as it is bound to the
//   SOAP 1.1 envelope namespace; a SOAP 1.2 envelope is refused;
// - element names matched on their local part; the operation element's
//   namespace is not checked (senders agree on names, not always on prefixes);
// - a soap:Header is ignored (WUSP never uses one); unknown elements are
//   skipped; element order is not enforced; the first of a repeated singleton
//   wins; xsi:nil on an optional element means absent;
// - required elements (schema minOccurs=1, or a spec MUST) missing or of the
//   wrong form -> SUCA_ERR_WIRE_FIELD with `where` = the element path, for
//   example "SyncUpdates/parameters/SkipSoftwareSync";
// - an XML declaration, comments and CDATA are fine; a DTD never is (xml.ts).

import { MAX_PAYLOAD_BYTES, WireError } from '../errors.js';
import {
  CONFIG_MAX_EXTENDED_UPDATES,
  DEPLOYMENT_ACTIONS,
  NS_SOAP_ENVELOPE,
  NS_XSD,
  NS_XSI,
  OPERATION_SERVICE,
  PATH_CLIENT,
  PATH_REPORTING,
  PATH_REPORTING_ALT,
  PATH_SIMPLE_AUTH,
  REPORTING_PROCESSOR_ARCHITECTURES,
  SERVICE_NAMESPACE,
  SERVICE_PATH,
  SOAP_ACTION,
  WUSP_ERROR_CODES,
  WUSP_OPERATIONS,
  WUSP_UNIMPLEMENTED_OPERATIONS,
  XML_UPDATE_FRAGMENT_TYPES,
  type AuthorizationCookie,
  type ComputerInfo,
  type ConfigurationProperty,
  type Cookie,
  type Deployment,
  type DeploymentAction,
  type Device,
  type GetConfigResponse,
  type InstalledDriver,
  type ReportingEvent,
  type ReportingProcessorArchitecture,
  type SyncUpdateParameters,
  type UpdateInfo,
  type WuspErrorCode,
  type WuspFault,
  type WuspOperation,
  type WuspRequest,
  type WuspResponse,
  type WuspService,
  type XmlUpdateFragmentType,
} from './messages.js';
import { XmlWriter, checkSize, isNil, namespaceOf, parseXml, type XNode } from './xml.js';

export * from './messages.js';

// ---- HTTP-level constants ----------------------------------------------------

/** The Windows 11 25H2 client of the captures. */
export const WUA_USER_AGENT = 'Windows-Update-Agent/1507.2601.30012.0 Client-Protocol/2.90';
/** protocolVersion that client puts in GetConfig and GetCookie. */
export const WUA_PROTOCOL_VERSION = '2.90';
/** ProtocolVersion WSUS on Windows Server 2025 announces in GetConfig. */
export const WSUS_PROTOCOL_VERSION = '3.2';
export const CONTENT_TYPE = 'text/xml; charset=utf-8';
export const CLIENT_METHOD = 'POST';
/** HTTP status of a fault response (SOAP 1.1 section 6.2; captured). */
export const FAULT_HTTP_STATUS = 500;

export interface ClientHeaderOptions {
  /**
   * MS-CV correlation vector (see correlationVector()). WUA sends it on every
   * ClientWebService request and on none to SimpleAuth or Reporting
   * (captures); pass it only for operations where carriesMsCv(op).
   */
  readonly msCv?: string;
  /**
   * Host header, last as captured. Leave it out with undici, which writes
   * Host from the URL itself; give it for raw node:http requests.
   */
  readonly host?: string;
}

/**
 * The real client's request headers, in its order (captures):
 * Cache-Control, Connection, Pragma, Content-Type, [Accept-Encoding], User-Agent,
 * SOAPAction, [MS-CV], Content-Length, [Host]. The method is CLIENT_METHOD.
 *
 * Accept-Encoding: xpress is NOT sent: WSUS then compresses every response
 * with Xpress (MS-WUSP 2.1.1, LZ77 + DIRECT2) and this project has no Xpress
 * decoder. Without the header WSUS answers in plain XML.
 *
 * `soapAction` is the header value as encodeRequest returns it (quoted); an
 * unquoted URI is quoted here.
 */
export function clientHeaders(soapAction: string, contentLength: number, opts: ClientHeaderOptions = {}): [string, string][] {
  const action = soapAction.startsWith('"') ? soapAction : `"${soapAction}"`;
  const h: [string, string][] = [
    ['Cache-Control', 'no-cache'],
    ['Connection', 'Keep-Alive'],
    ['Pragma', 'no-cache'],
    ['Content-Type', CONTENT_TYPE],
    ['User-Agent', WUA_USER_AGENT],
    ['SOAPAction', action],
  ];
  if (opts.msCv !== undefined) h.push(['MS-CV', opts.msCv]);
  h.push(['Content-Length', String(contentLength)]);
  if (opts.host !== undefined) h.push(['Host', opts.host]);
  return h;
}

/** WUA sends MS-CV on ClientWebService requests only. */
export function carriesMsCv(op: WuspOperation): boolean {
  return OPERATION_SERVICE[op] === 'client';
}

/**
 * An MS-CV value as WUA sends it during a scan: a 16-character base64 base
 * (96 random bits, fixed for the scan) and ".1.0.0.2.<n>", n counting the
 * scan's ClientWebService requests from 1 (captured: GetConfig .1, GetCookie
 * .2, ..., GetExtendedUpdateInfo .9).
 */
export function correlationVector(base: string, n: number): string {
  if (!/^[A-Za-z0-9+/]{16}$/.test(base)) throw new WireError('SUCA_ERR_WIRE_FIELD', 'MS-CV base must be 16 base64 characters', 'MS-CV');
  if (!Number.isInteger(n) || n < 1) throw new WireError('SUCA_ERR_WIRE_FIELD', 'MS-CV counter must be a positive integer', 'MS-CV');
  return `${base}.1.0.0.2.${n}`;
}

/** The SOAPAction header value for an operation, quoted as WUA sends it. */
export function soapActionHeader(op: WuspOperation): string {
  return `"${SOAP_ACTION[op]}"`;
}

/**
 * Which service an endpoint path is, or null. Case-insensitive (IIS; the
 * client uses "client.asmx"), query string ignored; both reporting paths
 * (WSUS's ReportingWebService.asmx and the sample server's WebService.asmx).
 */
export function serviceForPath(path: string): WuspService | null {
  const q = path.indexOf('?');
  const p = (q >= 0 ? path.slice(0, q) : path).toLowerCase();
  if (p === PATH_CLIENT.toLowerCase()) return 'client';
  if (p === PATH_SIMPLE_AUTH.toLowerCase()) return 'simpleAuth';
  if (p === PATH_REPORTING.toLowerCase() || p === PATH_REPORTING_ALT.toLowerCase()) return 'reporting';
  return null;
}

// ---- date-times, core fragments, faults: helpers for both sides -------------

/**
 * Epoch ms -> xs:dateTime in UTC the way .NET writes it: no fractional part
 * when it is zero, trailing zeros dropped ("2026-10-04T15:20:47.68Z").
 */
export function formatDateTime(ms: number): string {
  const iso = new Date(ms).toISOString(); // throws RangeError on NaN / out of range
  return iso.replace(/\.?0+Z$/, 'Z').replace(/\.Z$/, 'Z');
}

const DATE_TIME = /^(-?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * xs:dateTime -> epoch ms (fractions past ms truncated). No zone means UTC:
 * the spec's examples omit it on client times that are UTC.
 */
export function parseDateTime(s: string, where = ''): number {
  const m = DATE_TIME.exec(s.trim());
  if (m === null) throw new WireError('SUCA_ERR_WIRE_FIELD', `not an xs:dateTime: "${s.slice(0, 40)}"`, where);
  const frac = m[7] === undefined ? 0 : Number((m[7] + '00').slice(0, 3));
  let t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), frac);
  const z = m[8];
  if (z !== undefined && z !== 'Z') {
    const sign = z[0] === '-' ? -1 : 1;
    t -= sign * (Number(z.slice(1, 3)) * 60 + Number(z.slice(4, 6))) * 60_000;
  }
  if (!Number.isFinite(t)) throw new WireError('SUCA_ERR_WIRE_FIELD', `xs:dateTime out of range: "${s}"`, where);
  return t;
}

/**
 * The identity and type in a core metadata fragment (UpdateInfo.xml):
 * `<UpdateIdentity UpdateID="..." RevisionNumber="..." /><Properties UpdateType="..." />`.
 * The fragment has several roots, so it is read with two anchored patterns
 * rather than parsed; null when it has no UpdateIdentity.
 */
export function readCoreFragment(xml: string): { updateId: string; revisionNumber: number; updateType: string | null } | null {
  const id = /^\s*<UpdateIdentity\s+UpdateID="([0-9A-Fa-f-]{36})"\s+RevisionNumber="(\d+)"/.exec(xml);
  if (id === null) return null;
  const type = /<Properties\s[^>]*?UpdateType="([A-Za-z]+)"/.exec(xml);
  return { updateId: id[1]!, revisionNumber: Number(id[2]), updateType: type === null ? null : type[1]! };
}

/**
 * A fault as real WSUS sends it: faultcode Client, faultstring "Fault
 * occurred", Method = the operation's SOAPAction in double quotes (captured).
 */
export function makeFault(errorCode: WuspErrorCode, opts: { operation?: WuspOperation; message?: string; id?: string } = {}): WuspFault {
  return {
    op: 'Fault',
    faultCode: 'Client',
    faultString: 'Fault occurred',
    errorCode,
    ...(opts.message !== undefined ? { message: opts.message } : {}),
    ...(opts.id !== undefined ? { id: opts.id } : {}),
    ...(opts.operation !== undefined ? { method: soapActionHeader(opts.operation) } : {}),
  };
}

/** The value of a GetConfig property, or undefined. */
export function configProperty(config: GetConfigResponse, name: string): string | undefined {
  return config.properties.find((p) => p.name === name)?.value;
}

// ---- encoding ----------------------------------------------------------------

const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>';

function int32(v: number, where: string): string {
  if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) throw new WireError('SUCA_ERR_WIRE_FIELD', `not a 32-bit integer: ${v}`, where);
  return String(v);
}

const bool = (v: boolean): string => (v ? 'true' : 'false');

class W extends XmlWriter {
  int(name: string, v: number): this {
    return this.leaf(name, int32(v, this.where(name)));
  }
  optInt(name: string, v: number | undefined): this {
    return v === undefined ? this : this.int(name, v);
  }
  bool(name: string, v: boolean): this {
    return this.leaf(name, bool(v));
  }
  optBool(name: string, v: boolean | undefined): this {
    return v === undefined ? this : this.bool(name, v);
  }
  /** An ArrayOfX: <name><item>..</item>...</name>; <name/> for []; nothing for undefined. */
  list(name: string, item: string, values: readonly string[] | undefined): this {
    if (values === undefined) return this;
    if (values.length === 0) return this.empty(name);
    this.open(name);
    for (const v of values) this.leaf(item, v);
    return this.close();
  }
  ints(name: string, values: readonly number[] | undefined): this {
    if (values === undefined) return this;
    if (values.length === 0) return this.empty(name);
    this.open(name);
    for (const v of values) this.int('int', v);
    return this.close();
  }
  each<T>(name: string, values: readonly T[] | undefined, f: (w: this, v: T) => void): this {
    if (values === undefined) return this;
    if (values.length === 0) return this.empty(name);
    this.open(name);
    for (const v of values) f(this, v);
    return this.close();
  }
  cookie(name: string, c: { expiration: string; encryptedData?: string }): this {
    return this.open(name).leaf('Expiration', c.expiration).opt('EncryptedData', c.encryptedData).close();
  }
}

function requestEnvelope(op: WuspOperation, body: (w: W) => void): string {
  const w = new W();
  w.open('s:Envelope', [['xmlns:s', NS_SOAP_ENVELOPE]]).open('s:Body');
  w.open(op, [['xmlns', SERVICE_NAMESPACE[OPERATION_SERVICE[op]]]]);
  body(w);
  return w.close().close().close().toString();
}

function responseEnvelope(op: WuspOperation, body: ((w: W) => void) | null): string {
  const w = new W();
  const ns: [string, string] = ['xmlns', SERVICE_NAMESPACE[OPERATION_SERVICE[op]]];
  if (OPERATION_SERVICE[op] === 'client') {
    // WCF (ClientWebService on WSUS 2025)
    w.open('s:Envelope', [['xmlns:s', NS_SOAP_ENVELOPE]]).open('s:Body', [
      ['xmlns:xsi', NS_XSI],
      ['xmlns:xsd', NS_XSD],
    ]);
  } else {
    // classic ASMX (SimpleAuth, Reporting)
    w.declaration(XML_DECLARATION)
      .open('soap:Envelope', [
        ['xmlns:soap', NS_SOAP_ENVELOPE],
        ['xmlns:xsi', NS_XSI],
        ['xmlns:xsd', NS_XSD],
      ])
      .open('soap:Body');
  }
  if (body === null) {
    w.empty(`${op}Response`, [ns]);
  } else {
    w.open(`${op}Response`, [ns]);
    body(w);
    w.close();
  }
  return w.close().close().toString();
}

function writeAuthCookie(w: W, c: AuthorizationCookie): void {
  w.open('AuthorizationCookie').leaf('PlugInId', c.plugInId).leaf('CookieData', c.cookieData).close();
}

function writeComputerInfo(w: W, c: ComputerInfo): void {
  w.open('computerInfo')
    .leaf('DnsName', c.dnsName)
    .int('OSMajorVersion', c.osMajorVersion)
    .int('OSMinorVersion', c.osMinorVersion)
    .int('OSBuildNumber', c.osBuildNumber)
    .int('OSServicePackMajorNumber', c.osServicePackMajorNumber)
    .int('OSServicePackMinorNumber', c.osServicePackMinorNumber)
    .opt('OSLocale', c.osLocale)
    .opt('ComputerManufacturer', c.computerManufacturer)
    .opt('ComputerModel', c.computerModel)
    .opt('BiosVersion', c.biosVersion)
    .opt('BiosName', c.biosName)
    .leaf('BiosReleaseDate', c.biosReleaseDate)
    .opt('ProcessorArchitecture', c.processorArchitecture)
    .int('SuiteMask', c.suiteMask)
    .int('OldProductType', c.oldProductType)
    .int('NewProductType', c.newProductType)
    .int('SystemMetrics', c.systemMetrics)
    .int('ClientVersionMajorNumber', c.clientVersionMajorNumber)
    .int('ClientVersionMinorNumber', c.clientVersionMinorNumber)
    .int('ClientVersionBuildNumber', c.clientVersionBuildNumber)
    .int('ClientVersionQfeNumber', c.clientVersionQfeNumber)
    .opt('OSDescription', c.osDescription)
    .opt('OEM', c.oem)
    .opt('DeviceType', c.deviceType)
    .opt('FirmwareVersion', c.firmwareVersion)
    .opt('MobileOperator', c.mobileOperator)
    .close();
}

function writeInstalledDriver(w: W, d: InstalledDriver): void {
  w.open('installedDriver')
    .opt('MatchingID', d.matchingId)
    .leaf('DriverVerDate', d.driverVerDate)
    .leaf('DriverVerVersion', d.driverVerVersion)
    .opt('Class', d.class)
    .opt('Manufacturer', d.manufacturer)
    .opt('Provider', d.provider)
    .opt('Model', d.model);
  if (d.matchingComputerHwid === null) {
    // exactly as WUA writes a nil guid (capture)
    w.empty('MatchingComputerHWID', [
      ['a:nil', 'true'],
      ['xmlns:a', NS_XSI],
    ]);
  } else {
    w.opt('MatchingComputerHWID', d.matchingComputerHwid);
  }
  w.int('DriverRank', d.driverRank).close();
}

function writeDevice(w: W, d: Device): void {
  w.open('Device').list('HardwareIDs', 'string', d.hardwareIds).list('CompatibleIDs', 'string', d.compatibleIds);
  if (d.installedDriver !== undefined) writeInstalledDriver(w, d.installedDriver);
  w.optInt('DeviceFlags', d.deviceFlags).close();
}

function writeCategoryIds(w: W, name: string, ids: readonly string[] | undefined): void {
  w.each(name, ids, (w2, id) => void w2.open('CategoryIdentifier').leaf('Id', id).close());
}

function writeParameters(w: W, p: SyncUpdateParameters): void {
  w.open('parameters')
    .bool('ExpressQuery', p.expressQuery)
    .ints('InstalledNonLeafUpdateIDs', p.installedNonLeafUpdateIds)
    .ints('OtherCachedUpdateIDs', p.otherCachedUpdateIds)
    .each('SystemSpec', p.systemSpec, writeDevice)
    .ints('CachedDriverIDs', p.cachedDriverIds)
    .bool('SkipSoftwareSync', p.skipSoftwareSync);
  writeCategoryIds(w, 'FilterCategoryIds', p.filterCategoryIds);
  w.optBool('NeedTwoGroupOutOfScopeUpdates', p.needTwoGroupOutOfScopeUpdates);
  writeCategoryIds(w, 'FilterAppCategoryIds', p.filterAppCategoryIds);
  w.optBool('TreatAppCategoryIdsAsInstalled', p.treatAppCategoryIdsAsInstalled).optBool('AlsoPerformRegularSync', p.alsoPerformRegularSync);
  if (p.computerSpec !== undefined) {
    if (p.computerSpec.hardwareIds === undefined) w.empty('ComputerSpec');
    else w.open('ComputerSpec').list('HardwareIDs', 'guid', p.computerSpec.hardwareIds).close();
  }
  w.opt('FeatureScoreMatchingKey', p.featureScoreMatchingKey);
  const e = p.extendedUpdateInfoParameters;
  if (e !== undefined) {
    if (e.xmlUpdateFragmentTypes === undefined && e.locales === undefined) w.empty('ExtendedUpdateInfoParameters');
    else w.open('ExtendedUpdateInfoParameters').list('XmlUpdateFragmentTypes', 'XmlUpdateFragmentType', e.xmlUpdateFragmentTypes).list('Locales', 'string', e.locales).close();
  }
  w.list('ClientPreferredLanguages', 'string', p.clientPreferredLanguages);
  const pp = p.productsParameters;
  if (pp !== undefined) {
    w.open('ProductsParameters')
      .bool('SyncCurrentVersionOnly', pp.syncCurrentVersionOnly)
      .opt('DeviceAttributes', pp.deviceAttributes)
      .opt('CallerAttributes', pp.callerAttributes)
      .opt('Products', pp.products)
      .close();
  }
  w.close();
}

function writeEvent(w: W, e: ReportingEvent): void {
  const b = e.basicData;
  w.open('ReportingEvent')
    .open('BasicData')
    .open('TargetID')
    .leaf('Sid', b.targetSid)
    .close()
    .int('SequenceNumber', b.sequenceNumber)
    .leaf('TimeAtTarget', b.timeAtTarget)
    .leaf('EventInstanceID', b.eventInstanceId)
    .int('NamespaceID', b.namespaceId)
    .int('EventID', b.eventId)
    .int('SourceID', b.sourceId)
    .open('UpdateID')
    .leaf('UpdateID', b.updateId.updateId)
    .int('RevisionNumber', b.updateId.revisionNumber)
    .close()
    .int('Win32HResult', b.win32HResult)
    .opt('AppName', b.appName)
    .close();
  const x = e.extendedData;
  if (x !== undefined) {
    const v = x.osVersion;
    w.open('ExtendedData')
      .list('ReplacementStrings', 'string', x.replacementStrings)
      .list('MiscData', 'string', x.miscData)
      .opt('ComputerBrand', x.computerBrand)
      .opt('ComputerModel', x.computerModel)
      .opt('BiosRevision', x.biosRevision)
      .leaf('ProcessorArchitecture', x.processorArchitecture)
      .open('OSVersion')
      .int('Major', v.major)
      .int('Minor', v.minor)
      .int('Build', v.build)
      .int('Revision', v.revision)
      .int('ServicePackMajor', v.servicePackMajor)
      .int('ServicePackMinor', v.servicePackMinor)
      .close()
      .int('OSLocaleID', x.osLocaleId)
      .opt('DeviceID', x.deviceId)
      .close();
  }
  const p = e.privateData;
  if (p !== undefined) {
    if (p.computerDnsName === undefined && p.userAccountName === undefined) w.empty('PrivateData');
    else w.open('PrivateData').opt('ComputerDnsName', p.computerDnsName).opt('UserAccountName', p.userAccountName).close();
  }
  w.close();
}

function writeDeployment(w: W, d: Deployment): void {
  w.open('Deployment')
    .int('ID', d.id)
    .leaf('Action', d.action)
    .opt('Deadline', d.deadline)
    .bool('IsAssigned', d.isAssigned)
    .leaf('LastChangeTime', d.lastChangeTime)
    .opt('DownloadPriority', d.downloadPriority)
    .list('HardwareIds', 'string', d.hardwareIds)
    .opt('AutoSelect', d.autoSelect)
    .opt('AutoDownload', d.autoDownload)
    .opt('SupersedenceBehavior', d.supersedenceBehavior)
    .opt('FlagBitmask', d.flagBitmask)
    .opt('Priority', d.priority)
    .opt('HandlerSpecificAction', d.handlerSpecificAction)
    .close();
}

function writeUpdateInfo(w: W, u: UpdateInfo): void {
  w.open('UpdateInfo').int('ID', u.id);
  if (u.deployment !== undefined) writeDeployment(w, u.deployment);
  w.bool('IsLeaf', u.isLeaf).optBool('IsShared', u.isShared).opt('Xml', u.xml).close();
}

/** The body of a request, its endpoint path and its SOAPAction header value (quoted). */
export function encodeRequest(msg: WuspRequest): { path: string; soapAction: string; body: string } {
  let body: string;
  switch (msg.op) {
    case 'GetConfig':
      body = requestEnvelope(msg.op, (w) => void w.leaf('protocolVersion', msg.protocolVersion));
      break;
    case 'GetAuthorizationCookie':
      body = requestEnvelope(msg.op, (w) => void w.leaf('clientId', msg.clientId).opt('targetGroupName', msg.targetGroupName).leaf('dnsName', msg.dnsName));
      break;
    case 'GetCookie':
      body = requestEnvelope(msg.op, (w) => {
        w.each('authCookies', msg.authCookies, writeAuthCookie);
        if (msg.oldCookie !== undefined) w.cookie('oldCookie', msg.oldCookie);
        w.leaf('lastChange', msg.lastChange).leaf('currentTime', msg.currentTime).leaf('protocolVersion', msg.protocolVersion);
      });
      break;
    case 'RegisterComputer':
      body = requestEnvelope(msg.op, (w) => {
        w.cookie('cookie', msg.cookie);
        writeComputerInfo(w, msg.computerInfo);
      });
      break;
    case 'StartCategoryScan':
      body = requestEnvelope(msg.op, (w) => {
        w.each('requestedCategories', msg.requestedCategories, (w2, c) => {
          w2.open('CategoryRelationship').int('IndexOfAndGroup', c.indexOfAndGroup).leaf('CategoryId', c.categoryId).close();
        });
      });
      break;
    case 'SyncUpdates':
      body = requestEnvelope(msg.op, (w) => {
        w.cookie('cookie', msg.cookie);
        writeParameters(w, msg.parameters);
      });
      break;
    case 'GetExtendedUpdateInfo':
      body = requestEnvelope(msg.op, (w) => {
        w.cookie('cookie', msg.cookie)
          .ints('revisionIDs', msg.revisionIds)
          .list('infoTypes', 'XmlUpdateFragmentType', msg.infoTypes)
          .list('locales', 'string', msg.locales)
          .opt('deviceAttributes', msg.deviceAttributes)
          .opt('GeoId', msg.geoId)
          .opt('callerAttributes', msg.callerAttributes);
      });
      break;
    case 'ReportEventBatch':
      body = requestEnvelope(msg.op, (w) => {
        w.cookie('cookie', msg.cookie).leaf('clientTime', msg.clientTime).each('eventBatch', msg.eventBatch, writeEvent);
      });
      break;
  }
  return { path: SERVICE_PATH[OPERATION_SERVICE[msg.op]], soapAction: soapActionHeader(msg.op), body };
}

/** The body of a successful response (HTTP 200). */
export function encodeResponse(msg: WuspResponse): string {
  switch (msg.op) {
    case 'GetConfig':
      return responseEnvelope(msg.op, (w) => {
        w.open('GetConfigResult')
          .leaf('LastChange', msg.lastChange)
          .bool('IsRegistrationRequired', msg.isRegistrationRequired)
          .each('AuthInfo', msg.authInfo, (w2, a) => {
            w2.open('AuthPlugInInfo').leaf('PlugInID', a.plugInId).leaf('ServiceUrl', a.serviceUrl).opt('Parameter', a.parameter).close();
          })
          .ints('AllowedEventIds', msg.allowedEventIds)
          .each('Properties', msg.properties, (w2, p: ConfigurationProperty) => {
            w2.open('ConfigurationProperty').leaf('Name', p.name).leaf('Value', p.value).close();
          })
          .close();
      });
    case 'GetAuthorizationCookie':
      return responseEnvelope(msg.op, (w) => {
        w.open('GetAuthorizationCookieResult').leaf('PlugInId', msg.cookie.plugInId).leaf('CookieData', msg.cookie.cookieData).close();
      });
    case 'GetCookie':
      return responseEnvelope(msg.op, (w) => void w.cookie('GetCookieResult', msg.cookie));
    case 'RegisterComputer':
      return responseEnvelope(msg.op, null);
    case 'StartCategoryScan':
      if (msg.preferredCategoryIds === undefined && msg.requestedCategoryIdsInError === undefined) return responseEnvelope(msg.op, null);
      return responseEnvelope(msg.op, (w) => {
        w.list('preferredCategoryIds', 'guid', msg.preferredCategoryIds).list('requestedCategoryIdsInError', 'guid', msg.requestedCategoryIdsInError);
      });
    case 'SyncUpdates':
      return responseEnvelope(msg.op, (w) => {
        w.open('SyncUpdatesResult')
          .each('NewUpdates', msg.newUpdates, writeUpdateInfo)
          .ints('OutOfScopeRevisionIDs', msg.outOfScopeRevisionIds)
          .each('ChangedUpdates', msg.changedUpdates, writeUpdateInfo)
          .bool('Truncated', msg.truncated)
          .cookie('NewCookie', msg.newCookie)
          .ints('DeployedOutOfScopeRevisionIds', msg.deployedOutOfScopeRevisionIds)
          .optBool('DriverSyncNotNeeded', msg.driverSyncNotNeeded)
          .close();
      });
    case 'GetExtendedUpdateInfo':
      return responseEnvelope(msg.op, (w) => {
        w.open('GetExtendedUpdateInfoResult')
          .each('Updates', msg.updates, (w2, u) => void w2.open('Update').int('ID', u.id).leaf('Xml', u.xml).close())
          .each('FileLocations', msg.fileLocations, (w2, f) => void w2.open('FileLocation').leaf('FileDigest', f.fileDigest).leaf('Url', f.url).close())
          .ints('OutOfScopeRevisionIDs', msg.outOfScopeRevisionIds)
          .close();
      });
    case 'ReportEventBatch':
      return responseEnvelope(msg.op, (w) => void w.bool('ReportEventBatchResult', msg.result));
  }
}

/**
 * A fault body, sent with FAULT_HTTP_STATUS (500), in the shape real WSUS
 * 2025 sends it from ClientWebService (captured). The same shape serves
 * SimpleAuth and Reporting faults: clients read faultcode and detail, not
 * the envelope prefix. detail is left out when the fault has no WUSP fields.
 */
export function encodeFault(fault: WuspFault): string {
  const w = new W();
  w.open('s:Envelope', [['xmlns:s', NS_SOAP_ENVELOPE]]).open('s:Body').open('s:Fault');
  w.leaf('faultcode', `s:${fault.faultCode}`).leaf('faultstring', fault.faultString).opt('faultactor', fault.faultActor);
  if (fault.errorCode !== undefined || fault.message !== undefined || fault.id !== undefined || fault.method !== undefined) {
    w.open('detail').opt('ErrorCode', fault.errorCode).opt('Message', fault.message).opt('ID', fault.id).opt('Method', fault.method).close();
  }
  return w.close().close().close().toString();
}

// ---- decoding: field readers -------------------------------------------------

function fieldError(where: string, message: string): WireError {
  return new WireError('SUCA_ERR_WIRE_FIELD', message, where);
}

function child(n: XNode, name: string): XNode | undefined {
  for (const c of n.children) if (c.local === name) return c;
  return undefined;
}

/** An optional child; xsi:nil counts as absent. */
function opt(n: XNode, name: string): XNode | undefined {
  const c = child(n, name);
  return c === undefined || isNil(c) ? undefined : c;
}

function req(n: XNode, name: string, where: string): XNode {
  const c = opt(n, name);
  if (c === undefined) throw fieldError(`${where}/${name}`, 'required element missing');
  return c;
}

function textOf(n: XNode, where: string): string {
  if (n.children.length > 0) throw fieldError(where, 'expected text, found child elements');
  return n.text;
}

function reqStr(n: XNode, name: string, where: string): string {
  return textOf(req(n, name, where), `${where}/${name}`);
}

function optStr(n: XNode, name: string, where: string): string | undefined {
  const c = opt(n, name);
  return c === undefined ? undefined : textOf(c, `${where}/${name}`);
}

function toInt(s: string, where: string): number {
  const t = s.trim(); // xs:int collapses whitespace
  if (!/^[+-]?\d{1,10}$/.test(t)) throw fieldError(where, `not an xs:int: "${s.slice(0, 40)}"`);
  const v = Number(t);
  if (v < -2147483648 || v > 2147483647) throw fieldError(where, `xs:int out of range: ${t}`);
  return v;
}

function toBool(s: string, where: string): boolean {
  const t = s.trim();
  if (t === 'true' || t === '1') return true;
  if (t === 'false' || t === '0') return false;
  throw fieldError(where, `not an xs:boolean: "${s.slice(0, 40)}"`);
}

const GUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;

function toGuid(s: string, where: string): string {
  if (!GUID.test(s)) throw fieldError(where, `not a GUID: "${s.slice(0, 40)}"`);
  return s;
}

function toDateTime(s: string, where: string): string {
  if (!DATE_TIME.test(s.trim())) throw fieldError(where, `not an xs:dateTime: "${s.slice(0, 40)}"`);
  return s;
}

/** base64Binary: the alphabet, optional padding, whole quads (whitespace allowed, as in the spec's wrapped examples). */
function toBase64(s: string, where: string): string {
  const t = s.replace(/\s+/g, '');
  if (t.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(t)) throw new WireError('SUCA_ERR_WIRE_ENCODING', 'not base64', where);
  return s;
}

function oneOf<T extends string>(s: string, allowed: readonly T[], where: string): T {
  if (!(allowed as readonly string[]).includes(s)) throw fieldError(where, `unexpected value "${s.slice(0, 40)}" (expected ${allowed.join(', ')})`);
  return s as T;
}

const reqInt = (n: XNode, name: string, where: string): number => toInt(reqStr(n, name, where), `${where}/${name}`);
const reqBool = (n: XNode, name: string, where: string): boolean => toBool(reqStr(n, name, where), `${where}/${name}`);
const reqGuid = (n: XNode, name: string, where: string): string => toGuid(reqStr(n, name, where), `${where}/${name}`);
const reqDateTime = (n: XNode, name: string, where: string): string => toDateTime(reqStr(n, name, where), `${where}/${name}`);

function optInt(n: XNode, name: string, where: string): number | undefined {
  const s = optStr(n, name, where);
  return s === undefined ? undefined : toInt(s, `${where}/${name}`);
}

function optBool(n: XNode, name: string, where: string): boolean | undefined {
  const s = optStr(n, name, where);
  return s === undefined ? undefined : toBool(s, `${where}/${name}`);
}

/**
 * An ArrayOfX element: undefined when absent or nil, [] when empty, else one
 * entry per `item` child (other children skipped, nil items skipped).
 */
function list<T>(n: XNode, name: string, item: string, where: string, f: (c: XNode, where: string) => T): T[] | undefined {
  const a = opt(n, name);
  if (a === undefined) return undefined;
  const out: T[] = [];
  let i = 0;
  for (const c of a.children) {
    if (c.local !== item) continue;
    if (!isNil(c)) out.push(f(c, `${where}/${name}/${item}[${i}]`));
    i++;
  }
  return out;
}

const ints = (n: XNode, name: string, where: string): number[] | undefined => list(n, name, 'int', where, (c, w) => toInt(textOf(c, w), w));
const strings = (n: XNode, name: string, where: string, item = 'string'): string[] | undefined => list(n, name, item, where, (c, w) => textOf(c, w));
const guids = (n: XNode, name: string, where: string): string[] | undefined => list(n, name, 'guid', where, (c, w) => toGuid(textOf(c, w), w));

/** Adds `key: value` only when value is defined, so decoded objects have no undefined-valued keys (deep-equal with hand-built ones). */
function put<T extends object, K extends string, V>(o: T, key: K, value: V | undefined): T & { [P in K]?: V } {
  if (value !== undefined) (o as Record<string, unknown>)[key] = value;
  return o as T & { [P in K]?: V };
}

function readCookie(n: XNode, name: string, where: string): Cookie {
  const c = req(n, name, where);
  const w = `${where}/${name}`;
  return { expiration: reqDateTime(c, 'Expiration', w), encryptedData: toBase64(reqStr(c, 'EncryptedData', w), `${w}/EncryptedData`) };
}

// ---- decoding: requests ------------------------------------------------------

function readComputerInfo(n: XNode, where: string): ComputerInfo {
  const o: Record<string, unknown> = {};
  const int = (key: string, name: string): void => void (o[key] = reqInt(n, name, where));
  const str = (key: string, name: string): void => void put(o, key, optStr(n, name, where));
  o.dnsName = reqStr(n, 'DnsName', where);
  int('osMajorVersion', 'OSMajorVersion');
  int('osMinorVersion', 'OSMinorVersion');
  int('osBuildNumber', 'OSBuildNumber');
  int('osServicePackMajorNumber', 'OSServicePackMajorNumber');
  int('osServicePackMinorNumber', 'OSServicePackMinorNumber');
  str('osLocale', 'OSLocale');
  str('computerManufacturer', 'ComputerManufacturer');
  str('computerModel', 'ComputerModel');
  str('biosVersion', 'BiosVersion');
  str('biosName', 'BiosName');
  o.biosReleaseDate = reqDateTime(n, 'BiosReleaseDate', where);
  str('processorArchitecture', 'ProcessorArchitecture');
  int('suiteMask', 'SuiteMask');
  int('oldProductType', 'OldProductType');
  int('newProductType', 'NewProductType');
  int('systemMetrics', 'SystemMetrics');
  int('clientVersionMajorNumber', 'ClientVersionMajorNumber');
  int('clientVersionMinorNumber', 'ClientVersionMinorNumber');
  int('clientVersionBuildNumber', 'ClientVersionBuildNumber');
  int('clientVersionQfeNumber', 'ClientVersionQfeNumber');
  str('osDescription', 'OSDescription');
  str('oem', 'OEM');
  str('deviceType', 'DeviceType');
  str('firmwareVersion', 'FirmwareVersion');
  str('mobileOperator', 'MobileOperator');
  return o as unknown as ComputerInfo;
}

function readInstalledDriver(n: XNode, where: string): InstalledDriver {
  const o: Record<string, unknown> = {};
  put(o, 'matchingId', optStr(n, 'MatchingID', where));
  o.driverVerDate = reqDateTime(n, 'DriverVerDate', where);
  const ver = reqStr(n, 'DriverVerVersion', where).trim();
  if (!/^[+-]?\d{1,19}$/.test(ver)) throw fieldError(`${where}/DriverVerVersion`, `not an xs:long: "${ver.slice(0, 40)}"`);
  o.driverVerVersion = ver;
  put(o, 'class', optStr(n, 'Class', where));
  put(o, 'manufacturer', optStr(n, 'Manufacturer', where));
  put(o, 'provider', optStr(n, 'Provider', where));
  put(o, 'model', optStr(n, 'Model', where));
  const hw = child(n, 'MatchingComputerHWID');
  if (hw !== undefined) o.matchingComputerHwid = isNil(hw) ? null : toGuid(textOf(hw, `${where}/MatchingComputerHWID`), `${where}/MatchingComputerHWID`);
  o.driverRank = reqInt(n, 'DriverRank', where);
  return o as unknown as InstalledDriver;
}

function readDevice(n: XNode, where: string): Device {
  const o: Record<string, unknown> = {};
  put(o, 'hardwareIds', strings(n, 'HardwareIDs', where));
  put(o, 'compatibleIds', strings(n, 'CompatibleIDs', where));
  const d = opt(n, 'installedDriver');
  if (d !== undefined) o.installedDriver = readInstalledDriver(d, `${where}/installedDriver`);
  put(o, 'deviceFlags', optInt(n, 'DeviceFlags', where));
  return o as Device;
}

const categoryIds = (n: XNode, name: string, where: string): string[] | undefined =>
  list(n, name, 'CategoryIdentifier', where, (c, w) => reqGuid(c, 'Id', w));

function readParameters(n: XNode, where: string): SyncUpdateParameters {
  const o: Record<string, unknown> = { expressQuery: reqBool(n, 'ExpressQuery', where) };
  put(o, 'installedNonLeafUpdateIds', ints(n, 'InstalledNonLeafUpdateIDs', where));
  put(o, 'otherCachedUpdateIds', ints(n, 'OtherCachedUpdateIDs', where));
  put(o, 'systemSpec', list(n, 'SystemSpec', 'Device', where, readDevice));
  put(o, 'cachedDriverIds', ints(n, 'CachedDriverIDs', where));
  o.skipSoftwareSync = reqBool(n, 'SkipSoftwareSync', where);
  put(o, 'filterCategoryIds', categoryIds(n, 'FilterCategoryIds', where));
  put(o, 'needTwoGroupOutOfScopeUpdates', optBool(n, 'NeedTwoGroupOutOfScopeUpdates', where));
  put(o, 'filterAppCategoryIds', categoryIds(n, 'FilterAppCategoryIds', where));
  put(o, 'treatAppCategoryIdsAsInstalled', optBool(n, 'TreatAppCategoryIdsAsInstalled', where));
  put(o, 'alsoPerformRegularSync', optBool(n, 'AlsoPerformRegularSync', where));
  const cs = opt(n, 'ComputerSpec');
  if (cs !== undefined) o.computerSpec = put({}, 'hardwareIds', guids(cs, 'HardwareIDs', `${where}/ComputerSpec`));
  put(o, 'featureScoreMatchingKey', optStr(n, 'FeatureScoreMatchingKey', where));
  const e = opt(n, 'ExtendedUpdateInfoParameters');
  if (e !== undefined) {
    const ew = `${where}/ExtendedUpdateInfoParameters`;
    const x: Record<string, unknown> = {};
    put(x, 'xmlUpdateFragmentTypes', list(e, 'XmlUpdateFragmentTypes', 'XmlUpdateFragmentType', ew, (c, w) => oneOf(textOf(c, w), XML_UPDATE_FRAGMENT_TYPES, w)));
    put(x, 'locales', strings(e, 'Locales', ew));
    o.extendedUpdateInfoParameters = x;
  }
  put(o, 'clientPreferredLanguages', strings(n, 'ClientPreferredLanguages', where));
  const pp = opt(n, 'ProductsParameters');
  if (pp !== undefined) {
    const pw = `${where}/ProductsParameters`;
    const p: Record<string, unknown> = { syncCurrentVersionOnly: reqBool(pp, 'SyncCurrentVersionOnly', pw) };
    put(p, 'deviceAttributes', optStr(pp, 'DeviceAttributes', pw));
    put(p, 'callerAttributes', optStr(pp, 'CallerAttributes', pw));
    put(p, 'products', optStr(pp, 'Products', pw));
    o.productsParameters = p;
  }
  return o as unknown as SyncUpdateParameters;
}

function readEvent(n: XNode, where: string): ReportingEvent {
  const bw = `${where}/BasicData`;
  const b = req(n, 'BasicData', where);
  const target = req(b, 'TargetID', bw);
  const upd = req(b, 'UpdateID', bw);
  // the schema says Win32Hresult, WUA and the spec's example send Win32HResult
  const hr = opt(b, 'Win32HResult') !== undefined ? 'Win32HResult' : 'Win32Hresult';
  const basicData = put(
    {
      targetSid: reqStr(target, 'Sid', `${bw}/TargetID`),
      sequenceNumber: reqInt(b, 'SequenceNumber', bw),
      timeAtTarget: reqDateTime(b, 'TimeAtTarget', bw),
      eventInstanceId: reqGuid(b, 'EventInstanceID', bw),
      namespaceId: reqInt(b, 'NamespaceID', bw),
      eventId: reqInt(b, 'EventID', bw),
      sourceId: reqInt(b, 'SourceID', bw),
      updateId: { updateId: reqGuid(upd, 'UpdateID', `${bw}/UpdateID`), revisionNumber: reqInt(upd, 'RevisionNumber', `${bw}/UpdateID`) },
      win32HResult: reqInt(b, hr, bw),
    },
    'appName',
    optStr(b, 'AppName', bw),
  );
  const ev: Record<string, unknown> = { basicData };
  const x = opt(n, 'ExtendedData');
  if (x !== undefined) {
    const xw = `${where}/ExtendedData`;
    const v = req(x, 'OSVersion', xw);
    const vw = `${xw}/OSVersion`;
    const e: Record<string, unknown> = {};
    put(e, 'replacementStrings', strings(x, 'ReplacementStrings', xw));
    put(e, 'miscData', strings(x, 'MiscData', xw));
    put(e, 'computerBrand', optStr(x, 'ComputerBrand', xw));
    put(e, 'computerModel', optStr(x, 'ComputerModel', xw));
    put(e, 'biosRevision', optStr(x, 'BiosRevision', xw));
    e.processorArchitecture = oneOf<ReportingProcessorArchitecture>(reqStr(x, 'ProcessorArchitecture', xw), REPORTING_PROCESSOR_ARCHITECTURES, `${xw}/ProcessorArchitecture`);
    e.osVersion = {
      major: reqInt(v, 'Major', vw),
      minor: reqInt(v, 'Minor', vw),
      build: reqInt(v, 'Build', vw),
      revision: reqInt(v, 'Revision', vw),
      servicePackMajor: reqInt(v, 'ServicePackMajor', vw),
      servicePackMinor: reqInt(v, 'ServicePackMinor', vw),
    };
    e.osLocaleId = reqInt(x, 'OSLocaleID', xw);
    put(e, 'deviceId', optStr(x, 'DeviceID', xw));
    ev.extendedData = e;
  }
  const p = opt(n, 'PrivateData');
  if (p !== undefined) {
    const pw = `${where}/PrivateData`;
    const pd: Record<string, unknown> = {};
    put(pd, 'computerDnsName', optStr(p, 'ComputerDnsName', pw));
    put(pd, 'userAccountName', optStr(p, 'UserAccountName', pw));
    ev.privateData = pd;
  }
  return ev as unknown as ReportingEvent;
}

type RequestDecoder = (n: XNode, where: string) => WuspRequest;

const REQUEST_DECODERS: Readonly<Record<WuspOperation, RequestDecoder>> = {
  GetConfig: (n, w) => ({ op: 'GetConfig', protocolVersion: reqStr(n, 'protocolVersion', w) }),

  GetAuthorizationCookie: (n, w) => {
    const clientId = reqStr(n, 'clientId', w);
    // ClientIdString (spec glossary): 1-255 of a-z, 0-9, '-'; upper case tolerated
    if (!/^[A-Za-z0-9-]{1,255}$/.test(clientId)) throw fieldError(`${w}/clientId`, 'not a ClientIdString');
    const o = put({ op: 'GetAuthorizationCookie' as const, clientId }, 'targetGroupName', optStr(n, 'targetGroupName', w));
    return { ...o, dnsName: reqStr(n, 'dnsName', w) };
  },

  GetCookie: (n, w) => {
    const authCookies = list(n, 'authCookies', 'AuthorizationCookie', w, (c, cw) => ({
      plugInId: reqStr(c, 'PlugInId', cw),
      cookieData: toBase64(reqStr(c, 'CookieData', cw), `${cw}/CookieData`),
    }));
    // spec: MUST be present and hold exactly one; more are tolerated, none is not
    if (authCookies === undefined || authCookies.length === 0) throw fieldError(`${w}/authCookies`, 'required element missing or empty');
    const o: Record<string, unknown> = { op: 'GetCookie', authCookies };
    const old = opt(n, 'oldCookie');
    if (old !== undefined) {
      const ow = `${w}/oldCookie`;
      const data = optStr(old, 'EncryptedData', ow);
      o.oldCookie = put({ expiration: reqDateTime(old, 'Expiration', ow) }, 'encryptedData', data === undefined ? undefined : toBase64(data, `${ow}/EncryptedData`));
    }
    o.lastChange = reqDateTime(n, 'lastChange', w);
    o.currentTime = reqDateTime(n, 'currentTime', w);
    o.protocolVersion = reqStr(n, 'protocolVersion', w);
    return o as unknown as WuspRequest;
  },

  RegisterComputer: (n, w) => ({
    op: 'RegisterComputer',
    cookie: readCookie(n, 'cookie', w),
    computerInfo: readComputerInfo(req(n, 'computerInfo', w), `${w}/computerInfo`),
  }),

  StartCategoryScan: (n, w) => ({
    op: 'StartCategoryScan',
    requestedCategories:
      list(n, 'requestedCategories', 'CategoryRelationship', w, (c, cw) => ({
        indexOfAndGroup: reqInt(c, 'IndexOfAndGroup', cw),
        categoryId: reqGuid(c, 'CategoryId', cw),
      })) ?? [],
  }),

  SyncUpdates: (n, w) => ({
    op: 'SyncUpdates',
    cookie: readCookie(n, 'cookie', w),
    parameters: readParameters(req(n, 'parameters', w), `${w}/parameters`),
  }),

  GetExtendedUpdateInfo: (n, w) => {
    const revisionIds = ints(n, 'revisionIDs', w);
    if (revisionIds === undefined) throw fieldError(`${w}/revisionIDs`, 'required element missing');
    const infoTypes = list(n, 'infoTypes', 'XmlUpdateFragmentType', w, (c, cw) => oneOf<XmlUpdateFragmentType>(textOf(c, cw), XML_UPDATE_FRAGMENT_TYPES, cw));
    if (infoTypes === undefined) throw fieldError(`${w}/infoTypes`, 'required element missing');
    const o: Record<string, unknown> = { op: 'GetExtendedUpdateInfo', cookie: readCookie(n, 'cookie', w), revisionIds, infoTypes };
    put(o, 'locales', strings(n, 'locales', w));
    put(o, 'deviceAttributes', optStr(n, 'deviceAttributes', w));
    put(o, 'geoId', optStr(n, 'GeoId', w));
    put(o, 'callerAttributes', optStr(n, 'callerAttributes', w));
    return o as unknown as WuspRequest;
  },

  ReportEventBatch: (n, w) => ({
    op: 'ReportEventBatch',
    cookie: readCookie(n, 'cookie', w),
    clientTime: reqDateTime(n, 'clientTime', w),
    eventBatch: list(n, 'eventBatch', 'ReportingEvent', w, readEvent) ?? [],
  }),
};

// ---- decoding: responses -----------------------------------------------------

function readDeployment(n: XNode, where: string): Deployment {
  const o: Record<string, unknown> = {
    id: reqInt(n, 'ID', where),
    action: oneOf<DeploymentAction>(reqStr(n, 'Action', where), DEPLOYMENT_ACTIONS, `${where}/Action`),
  };
  const deadline = optStr(n, 'Deadline', where);
  put(o, 'deadline', deadline === undefined ? undefined : toDateTime(deadline, `${where}/Deadline`));
  o.isAssigned = reqBool(n, 'IsAssigned', where);
  o.lastChangeTime = reqStr(n, 'LastChangeTime', where);
  put(o, 'downloadPriority', optStr(n, 'DownloadPriority', where));
  put(o, 'hardwareIds', strings(n, 'HardwareIds', where));
  put(o, 'autoSelect', optStr(n, 'AutoSelect', where));
  put(o, 'autoDownload', optStr(n, 'AutoDownload', where));
  put(o, 'supersedenceBehavior', optStr(n, 'SupersedenceBehavior', where));
  put(o, 'flagBitmask', optStr(n, 'FlagBitmask', where));
  put(o, 'priority', optStr(n, 'Priority', where));
  put(o, 'handlerSpecificAction', optStr(n, 'HandlerSpecificAction', where));
  return o as unknown as Deployment;
}

function readUpdateInfo(n: XNode, where: string): UpdateInfo {
  const o: Record<string, unknown> = { id: reqInt(n, 'ID', where) };
  const d = opt(n, 'Deployment');
  if (d !== undefined) o.deployment = readDeployment(d, `${where}/Deployment`);
  o.isLeaf = reqBool(n, 'IsLeaf', where);
  put(o, 'isShared', optBool(n, 'IsShared', where));
  put(o, 'xml', optStr(n, 'Xml', where));
  return o as unknown as UpdateInfo;
}

type ResponseDecoder = (n: XNode, where: string) => WuspResponse;

const RESPONSE_DECODERS: Readonly<Record<WuspOperation, ResponseDecoder>> = {
  GetConfig: (n, w) => {
    const rw = `${w}/GetConfigResult`;
    const r = req(n, 'GetConfigResult', w);
    const authInfo = list(r, 'AuthInfo', 'AuthPlugInInfo', rw, (c, cw) =>
      put({ plugInId: reqStr(c, 'PlugInID', cw), serviceUrl: reqStr(c, 'ServiceUrl', cw) }, 'parameter', optStr(c, 'Parameter', cw)),
    );
    if (authInfo === undefined || authInfo.length === 0) throw fieldError(`${rw}/AuthInfo`, 'required element missing or empty');
    const o: Record<string, unknown> = {
      op: 'GetConfig',
      lastChange: reqDateTime(r, 'LastChange', rw),
      isRegistrationRequired: reqBool(r, 'IsRegistrationRequired', rw),
      authInfo,
    };
    put(o, 'allowedEventIds', ints(r, 'AllowedEventIds', rw));
    const properties = list(r, 'Properties', 'ConfigurationProperty', rw, (c, cw) => ({ name: reqStr(c, 'Name', cw), value: optStr(c, 'Value', cw) ?? '' }));
    // spec: a MaxExtendedUpdatesPerRequest property MUST be present
    if (properties === undefined || !properties.some((p) => p.name === CONFIG_MAX_EXTENDED_UPDATES)) {
      throw fieldError(`${rw}/Properties`, `${CONFIG_MAX_EXTENDED_UPDATES} property missing`);
    }
    o.properties = properties;
    return o as unknown as WuspResponse;
  },

  GetAuthorizationCookie: (n, w) => {
    const rw = `${w}/GetAuthorizationCookieResult`;
    const r = req(n, 'GetAuthorizationCookieResult', w);
    return { op: 'GetAuthorizationCookie', cookie: { plugInId: reqStr(r, 'PlugInId', rw), cookieData: toBase64(reqStr(r, 'CookieData', rw), `${rw}/CookieData`) } };
  },

  GetCookie: (n, w) => ({ op: 'GetCookie', cookie: readCookie(n, 'GetCookieResult', w) }),

  RegisterComputer: () => ({ op: 'RegisterComputer' }),

  StartCategoryScan: (n, w) => {
    const o: Record<string, unknown> = { op: 'StartCategoryScan' };
    put(o, 'preferredCategoryIds', guids(n, 'preferredCategoryIds', w));
    put(o, 'requestedCategoryIdsInError', guids(n, 'requestedCategoryIdsInError', w));
    return o as unknown as WuspResponse;
  },

  SyncUpdates: (n, w) => {
    const rw = `${w}/SyncUpdatesResult`;
    const r = req(n, 'SyncUpdatesResult', w);
    const o: Record<string, unknown> = { op: 'SyncUpdates' };
    put(o, 'newUpdates', list(r, 'NewUpdates', 'UpdateInfo', rw, readUpdateInfo));
    put(o, 'outOfScopeRevisionIds', ints(r, 'OutOfScopeRevisionIDs', rw));
    put(o, 'changedUpdates', list(r, 'ChangedUpdates', 'UpdateInfo', rw, readUpdateInfo));
    o.truncated = reqBool(r, 'Truncated', rw);
    o.newCookie = readCookie(r, 'NewCookie', rw);
    put(o, 'deployedOutOfScopeRevisionIds', ints(r, 'DeployedOutOfScopeRevisionIds', rw));
    // s:string in the schema; "true"/"false" from WSUS, "True" tolerated (.NET Boolean.ToString)
    const dsn = optStr(r, 'DriverSyncNotNeeded', rw);
    put(o, 'driverSyncNotNeeded', dsn === undefined ? undefined : toBool(dsn.trim().toLowerCase(), `${rw}/DriverSyncNotNeeded`));
    return o as unknown as WuspResponse;
  },

  GetExtendedUpdateInfo: (n, w) => {
    const rw = `${w}/GetExtendedUpdateInfoResult`;
    const r = req(n, 'GetExtendedUpdateInfoResult', w);
    const o: Record<string, unknown> = { op: 'GetExtendedUpdateInfo' };
    put(o, 'updates', list(r, 'Updates', 'Update', rw, (c, cw) => ({ id: reqInt(c, 'ID', cw), xml: reqStr(c, 'Xml', cw) })));
    put(
      o,
      'fileLocations',
      list(r, 'FileLocations', 'FileLocation', rw, (c, cw) => {
        const digest = toBase64(reqStr(c, 'FileDigest', cw), `${cw}/FileDigest`);
        if (Buffer.from(digest, 'base64').length !== 20) throw new WireError('SUCA_ERR_WIRE_ENCODING', 'FileDigest is not a 20-byte SHA-1', `${cw}/FileDigest`);
        return { fileDigest: digest, url: reqStr(c, 'Url', cw) };
      }),
    );
    put(o, 'outOfScopeRevisionIds', ints(r, 'OutOfScopeRevisionIDs', rw));
    return o as unknown as WuspResponse;
  },

  ReportEventBatch: (n, w) => ({ op: 'ReportEventBatch', result: reqBool(n, 'ReportEventBatchResult', w) }),
};

// ---- decoding: envelope ------------------------------------------------------

export interface DecodeOptions {
  /** Payload size limit in bytes (default MAX_PAYLOAD_BYTES). */
  readonly maxBytes?: number;
  /**
   * Refuse an unquoted SOAPAction. Off by default: WUA always quotes it
   * (captures) and SOAP 1.1 section 6.1.1 writes it quoted, but ASP.NET and
   * WCF accept it bare, so a stub that refused it would be stricter than the
   * servers it stands in for.
   */
  readonly strictSoapAction?: boolean;
}

/** The single element inside soap:Body, after checking the envelope is SOAP 1.1. */
function bodyElement(root: XNode): XNode {
  if (root.local !== 'Envelope') throw new WireError('SUCA_ERR_WIRE_SOAP', `root element is <${root.qname}>, not a SOAP Envelope`, root.local);
  const envNs = namespaceOf(root.prefix, [root]);
  if (envNs !== NS_SOAP_ENVELOPE) {
    throw new WireError('SUCA_ERR_WIRE_SOAP', `Envelope namespace is ${envNs === undefined ? 'missing' : `"${envNs}"`}, not SOAP 1.1`, 'Envelope');
  }
  const bodies = root.children.filter((c) => c.local === 'Body' && namespaceOf(c.prefix, [root, c]) === NS_SOAP_ENVELOPE);
  if (bodies.length !== 1) throw new WireError('SUCA_ERR_WIRE_SOAP', bodies.length === 0 ? 'no SOAP Body' : 'more than one SOAP Body', 'Envelope/Body');
  const body = bodies[0]!;
  if (body.children.length !== 1) {
    throw new WireError('SUCA_ERR_WIRE_SOAP', body.children.length === 0 ? 'empty SOAP Body' : 'SOAP Body holds more than one element', 'Envelope/Body');
  }
  return body.children[0]!;
}

function isOperation(name: string): name is WuspOperation {
  return (WUSP_OPERATIONS as readonly string[]).includes(name);
}

/** The URI inside a SOAPAction header value. */
function parseSoapAction(header: string | undefined, strict: boolean): string {
  if (header === undefined) throw new WireError('SUCA_ERR_WIRE_SOAPACTION', 'SOAPAction header missing', 'SOAPAction');
  const v = header.trim();
  let uri: string;
  if (v.startsWith('"')) {
    if (v.length < 2 || !v.endsWith('"')) throw new WireError('SUCA_ERR_WIRE_SOAPACTION', 'unbalanced quotes', 'SOAPAction');
    uri = v.slice(1, -1);
  } else {
    if (strict) throw new WireError('SUCA_ERR_WIRE_SOAPACTION', 'SOAPAction must be a quoted string', 'SOAPAction');
    uri = v;
  }
  if (uri === '' || uri.includes('"')) throw new WireError('SUCA_ERR_WIRE_SOAPACTION', uri === '' ? 'empty SOAPAction' : 'malformed SOAPAction', 'SOAPAction');
  return uri;
}

/**
 * Server side: the typed request in an HTTP POST. Checks, in order: size,
 * SOAPAction syntax, endpoint path, XML, SOAP envelope, that the body's
 * operation is one this codec knows, that SOAPAction names that operation,
 * that the path is that operation's service, then the fields.
 */
export function decodeRequest(soapActionHeader: string | undefined, path: string, body: string | Uint8Array, opts: DecodeOptions = {}): WuspRequest {
  const max = opts.maxBytes ?? MAX_PAYLOAD_BYTES;
  checkSize(body, max);
  const action = parseSoapAction(soapActionHeader, opts.strictSoapAction === true);
  const service = serviceForPath(path);
  if (service === null) throw new WireError('SUCA_ERR_WIRE_OPERATION', `no WUSP service at "${path.slice(0, 100)}"`, 'path');
  const el = bodyElement(parseXml(body, max));
  const op = el.local;
  if (!isOperation(op)) {
    const why = WUSP_UNIMPLEMENTED_OPERATIONS.includes(op) ? 'is not implemented by this codec' : 'is not a WUSP operation';
    throw new WireError('SUCA_ERR_WIRE_OPERATION', `<${op}> ${why}`, `Body/${op}`);
  }
  if (action !== SOAP_ACTION[op]) {
    throw new WireError('SUCA_ERR_WIRE_SOAPACTION', `SOAPAction "${action.slice(0, 120)}" does not match the body's operation ${op}`, 'SOAPAction');
  }
  if (OPERATION_SERVICE[op] !== service) throw new WireError('SUCA_ERR_WIRE_OPERATION', `${op} is not served at "${path}"`, 'path');
  return REQUEST_DECODERS[op](el, op);
}

function readFault(f: XNode): WuspFault {
  const w = 'Fault';
  const code = reqStr(f, 'faultcode', w).trim();
  const colon = code.indexOf(':');
  const o: Record<string, unknown> = {
    op: 'Fault',
    faultCode: colon >= 0 ? code.slice(colon + 1) : code,
    faultString: optStr(f, 'faultstring', w) ?? '',
  };
  put(o, 'faultActor', optStr(f, 'faultactor', w));
  const d = opt(f, 'detail');
  if (d !== undefined) {
    const dw = `${w}/detail`;
    const ec = optStr(d, 'ErrorCode', dw);
    put(o, 'errorCode', ec === undefined ? undefined : oneOf<WuspErrorCode>(ec.trim(), WUSP_ERROR_CODES, `${dw}/ErrorCode`));
    put(o, 'message', optStr(d, 'Message', dw));
    put(o, 'id', optStr(d, 'ID', dw));
    put(o, 'method', optStr(d, 'Method', dw));
  }
  return o as unknown as WuspFault;
}

/**
 * Client side: the typed response to `operation`, or the fault the server
 * sent instead (whatever the HTTP status; WSUS sends faults with 500). A
 * response element for another operation -> SUCA_ERR_WIRE_OPERATION.
 */
export function decodeResponse(operation: WuspOperation, body: string | Uint8Array, opts: DecodeOptions = {}): WuspResponse | WuspFault {
  const el = bodyElement(parseXml(body, opts.maxBytes ?? MAX_PAYLOAD_BYTES));
  if (el.local === 'Fault') return readFault(el);
  const expected = `${operation}Response`;
  if (el.local !== expected) throw new WireError('SUCA_ERR_WIRE_OPERATION', `expected <${expected}>, got <${el.local}>`, `Body/${el.local}`);
  return RESPONSE_DECODERS[operation](el, expected);
}

/** Decodes a fault body alone (a 500 response); a non-fault body -> SUCA_ERR_WIRE_SOAP. */
export function decodeFault(body: string | Uint8Array, opts: DecodeOptions = {}): WuspFault {
  const el = bodyElement(parseXml(body, opts.maxBytes ?? MAX_PAYLOAD_BYTES));
  if (el.local !== 'Fault') throw new WireError('SUCA_ERR_WIRE_SOAP', `expected a SOAP Fault, got <${el.local}>`, `Body/${el.local}`);
  return readFault(el);
}

export function isFault(r: WuspResponse | WuspFault): r is WuspFault {
  return r.op === 'Fault';
}
