// Message bodies (part 2 of a CCM message, or the document of a plain GET),
// typed, with an encoder and a decoder each.
//
// Sources of each shape (facts only; the XML below is written from them):
// - ClientRegistrationRequest/Response, RequestAssignments: the public tools
//   that register fake clients against real MPs (SCCMSecrets, impacket,
//   Metasploit get_naa_credentials); the response is read there through its
//   SMSID attribute ("GUID:...").
// - ReplyAssignments, Policy attributes (PolicyID, PolicyVersion, PolicyType,
//   PolicyCategory, PolicyFlags) and PolicyLocation: the ConfigMgr 2007 SDK
//   ("Configuration Manager Policy Assignment Message XML", "Policy") and
//   PolicyAgent logs (`http://<mp>/SMS_MP/.sms_pol?{id}.SHA256:<hash>`; the
//   literal "<mp>" is replaced by the client, hence the CDATA).
// - WSUSLocationRequest/Reply, ContentLocationRequest/Reply: the MP_Location
//   and LocationServices log lines quoted in Microsoft's troubleshooting
//   articles (track software update compliance assessment, task sequence
//   content download).
// - Report (state messages): client-behaviour.md section 2 (KB article), kept
//   exactly: ReportHeader/Identification/Machine, ReportDetails, ReportBody
//   with StateMessage, Topic (ID Type IDType User UserSID), State (ID
//   Criticality), UserParameters (Flags Count) / Param.
// - MPLIST / MPKEYINFORMATION: the elements public scanners read (MPList/MP
//   @Name @FQDN /Version, Capabilities SSLState; MPKEYINFORMATION/FQDN,
//   SITECODE). The rest of those documents is not public.
// - Policy bodies (GET .sms_pol): policy.ts.
//
// Encoders write no XML declaration and no whitespace; decoders accept a
// declaration, a BOM, whitespace and unknown elements/attributes.

import { WireError } from '../errors.js';
import { MSG_FLAGS, MSG_SERIAL, MSG_STATE_ID, MSG_STRIDE, MSG_TIME, MSG_TOPIC, MSG_TOPIC_TYPE, msgParam, paramCode, paramVersion, scanParam } from '../../core/types.js';
import {
  attr, cdata, dmtfOrNaN, escAttr, escText, fromDmtf, kid, kidText, kids, optKid, optKidText, parseBool, parseInt32, parseNumber,
  parseRoot, parseUint, reqAttr, text, toDmtf, type XEl,
} from './xml.js';
import { HASH_ALGORITHM_SHA256 } from './header.js';
import { topicIdTypeOf } from '../topics.js';

const fieldError = (msg: string, where: string): WireError => new WireError('SUCA_ERR_WIRE_FIELD', msg, where);

function uintOut(n: number, where: string): string {
  if (!Number.isSafeInteger(n) || n < 0) throw fieldError(`not an unsigned integer: ${n}`, where);
  return String(n);
}

function intOut(n: number, where: string): string {
  if (!Number.isSafeInteger(n)) throw fieldError(`not an integer: ${n}`, where);
  return String(n);
}

// ==== client registration ================================================================

export interface RegistrationData {
  readonly hashAlgorithm: string;
  /** '' on a first registration. */
  readonly smsId: string;
  /** 'Registration' */
  readonly requestType: string;
  /** '2024-01-20T17:18:55Z' */
  readonly timeStamp: string;
  /** 'CCMSetup.exe' */
  readonly agentIdentity: string;
  readonly agentVersion: string;
  readonly agentType: number;
  /** Hex of the client's encryption / signing certificates (DER). */
  readonly encryptionCertificate: string;
  readonly signingCertificate: string;
  readonly netbiosName: string;
  readonly fqdn: string;
  readonly localeId: number;
  readonly internetFlag: number;
}

export interface ClientRegistrationRequest {
  readonly data: RegistrationData;
  /** Signature (signing.ts signData) over UTF-16LE of encodeRegistrationData(data), no NUL. */
  readonly signature: string;
}

export interface ClientRegistrationResponse {
  /** 'GUID:<id>' the site assigned. */
  readonly smsId: string;
  /** 0 = success */
  readonly status: number;
  readonly timeStamp: string | null;
}

/** The <Data> element: the signed part of a registration request. */
export function encodeRegistrationData(d: RegistrationData): string {
  const w = 'ClientRegistrationRequest/Data';
  const prop = (name: string, value: string): string => `<Property Name="${escAttr(name)}" Value="${escAttr(value)}"/>`;
  return (
    `<Data HashAlgorithm="${escAttr(d.hashAlgorithm)}" SMSID="${escAttr(d.smsId)}" RequestType="${escAttr(d.requestType)}" TimeStamp="${escAttr(d.timeStamp)}">` +
    `<AgentInformation AgentIdentity="${escAttr(d.agentIdentity)}" AgentVersion="${escAttr(d.agentVersion)}" AgentType="${intOut(d.agentType, w)}"/>` +
    `<Certificates><Encryption Encoding="HexBinary" KeyType="1">${escText(d.encryptionCertificate)}</Encryption>` +
    `<Signing Encoding="HexBinary" KeyType="1">${escText(d.signingCertificate)}</Signing></Certificates>` +
    `<DiscoveryProperties>${prop('Netbios Name', d.netbiosName)}${prop('FQ Name', d.fqdn)}` +
    `${prop('Locale ID', intOut(d.localeId, w))}${prop('InternetFlag', intOut(d.internetFlag, w))}</DiscoveryProperties></Data>`
  );
}

export function encodeClientRegistrationRequest(r: ClientRegistrationRequest): string {
  return `<ClientRegistrationRequest>${encodeRegistrationData(r.data)}<Signature><SignatureValue>${escText(r.signature)}</SignatureValue></Signature></ClientRegistrationRequest>`;
}

export function decodeClientRegistrationRequest(xml: string): ClientRegistrationRequest {
  const w = 'ClientRegistrationRequest';
  const root = parseRoot(xml, w);
  const d = kid(root, 'Data', w);
  const dw = `${w}/Data`;
  const ai = kid(d, 'AgentInformation', dw);
  const certs = kid(d, 'Certificates', dw);
  const props = new Map<string, string>();
  const dp = optKid(d, 'DiscoveryProperties', dw);
  if (dp !== undefined) {
    for (const p of kids(dp, 'Property')) props.set(reqAttr(p, 'Name', `${dw}/DiscoveryProperties/Property`), attr(p, 'Value', `${dw}/DiscoveryProperties/Property`) ?? '');
  }
  const num = (name: string): number => parseInt32(props.get(name) ?? '0', `${dw}/DiscoveryProperties/Property[@Name="${name}"]`);
  const sig = kid(root, 'Signature', w);
  return {
    data: {
      hashAlgorithm: attr(d, 'HashAlgorithm', dw) ?? HASH_ALGORITHM_SHA256,
      smsId: attr(d, 'SMSID', dw) ?? '',
      requestType: attr(d, 'RequestType', dw) ?? 'Registration',
      timeStamp: attr(d, 'TimeStamp', dw) ?? '',
      agentIdentity: attr(ai, 'AgentIdentity', `${dw}/AgentInformation`) ?? '',
      agentVersion: attr(ai, 'AgentVersion', `${dw}/AgentInformation`) ?? '',
      agentType: parseInt32(attr(ai, 'AgentType', `${dw}/AgentInformation`) ?? '0', `${dw}/AgentInformation/@AgentType`),
      encryptionCertificate: kidText(certs, 'Encryption', `${dw}/Certificates`).trim(),
      signingCertificate: kidText(certs, 'Signing', `${dw}/Certificates`).trim(),
      netbiosName: props.get('Netbios Name') ?? '',
      fqdn: props.get('FQ Name') ?? '',
      localeId: num('Locale ID'),
      internetFlag: num('InternetFlag'),
    },
    signature: kidText(sig, 'SignatureValue', `${w}/Signature`).trim(),
  };
}

/**
 * The exact <Data ...>...</Data> text of a registration request as received,
 * which is what its signature covers (re-encoding could differ in quoting).
 */
export function registrationSignedData(xml: string): string {
  const start = xml.indexOf('<Data');
  const end = xml.indexOf('</Data>', start);
  if (start < 0 || end < 0) throw fieldError('no <Data> element', 'ClientRegistrationRequest/Data');
  return xml.slice(start, end + '</Data>'.length);
}

export function encodeClientRegistrationResponse(r: ClientRegistrationResponse): string {
  const ts = r.timeStamp === null ? '' : ` TimeStamp="${escAttr(r.timeStamp)}"`;
  return `<ClientRegistrationResponse ResponseType="Registration"${ts} SMSID="${escAttr(r.smsId)}" Status="${intOut(r.status, 'ClientRegistrationResponse')}"/>`;
}

export function decodeClientRegistrationResponse(xml: string): ClientRegistrationResponse {
  const w = 'ClientRegistrationResponse';
  const root = parseRoot(xml, w);
  return {
    smsId: reqAttr(root, 'SMSID', w),
    status: parseInt32(reqAttr(root, 'Status', w), `${w}/@Status`),
    timeStamp: attr(root, 'TimeStamp', w) ?? null,
  };
}

// ==== policy assignments =================================================================

export interface RequestAssignments {
  /** 'GUID:<id>' */
  readonly clientId: string;
  readonly fqdn: string;
  readonly netbiosName: string;
  /** 'SMS:<site code>' */
  readonly policySource: string;
  /** 'Machine' */
  readonly resourceType: string;
  /** 'Always' (public tools), 'Full', 'OnUpdate' (SDK) */
  readonly requestType: string;
  readonly ack: boolean;
  /**
   * The opaque cookie of the last reply (SDK: "the server uses the cookie to
   * return only the policy assignments that have changed"). We carry the
   * agent's known policy version in it, '' when it has none.
   */
  readonly serverCookie: string;
}

export function encodeRequestAssignments(r: RequestAssignments): string {
  const sc = r.serverCookie === '' ? '<ServerCookie/>' : `<ServerCookie>${escText(r.serverCookie)}</ServerCookie>`;
  return (
    `<RequestAssignments SchemaVersion="1.00" ACK="${r.ack ? 'true' : 'false'}" RequestType="${escAttr(r.requestType)}">` +
    `<Identification><Machine><ClientID>${escText(r.clientId)}</ClientID><FQDN>${escText(r.fqdn)}</FQDN>` +
    `<NetBIOSName>${escText(r.netbiosName)}</NetBIOSName><SID/></Machine><User/></Identification>` +
    `<PolicySource>${escText(r.policySource)}</PolicySource><Resource ResourceType="${escAttr(r.resourceType)}"/>${sc}</RequestAssignments>`
  );
}

export function decodeRequestAssignments(xml: string): RequestAssignments {
  const w = 'RequestAssignments';
  const root = parseRoot(xml, w);
  const m = kid(kid(root, 'Identification', w), 'Machine', `${w}/Identification`);
  const mw = `${w}/Identification/Machine`;
  const res = optKid(root, 'Resource', w);
  const ack = attr(root, 'ACK', w) ?? attr(root, 'Ack', w);
  return {
    clientId: kidText(m, 'ClientID', mw).trim(),
    fqdn: optKidText(m, 'FQDN', mw) ?? '',
    netbiosName: optKidText(m, 'NetBIOSName', mw) ?? '',
    policySource: (optKidText(root, 'PolicySource', w) ?? '').trim(),
    // the SDK shows <Resource> with text content, the tools a ResourceType attribute
    resourceType: res === undefined ? 'Machine' : (attr(res, 'ResourceType', `${w}/Resource`) ?? text(res, `${w}/Resource`).trim()) || 'Machine',
    requestType: attr(root, 'RequestType', w) ?? 'Full',
    // SDK: "True" - a reply is returned; any other value - no reply. Lenient: only 'true' (any case) is true.
    ack: ack !== undefined && ack.trim().toLowerCase() === 'true',
    serverCookie: (optKidText(root, 'ServerCookie', w) ?? '').trim(),
  };
}


export interface WirePolicyAssignment {
  readonly assignmentId: string;
  /**
   * The agent's policy slot (0 = SUCA settings, d + 1 = deployment d), carried
   * in a SucaSlot attribute of our own: a real MP does not send it (null), and
   * the transport must then allocate slots per PolicyID itself.
   */
  readonly slot: number | null;
  readonly policyId: string;
  readonly policyVersion: number;
  /** 'Machine' */
  readonly policyType: string;
  readonly policyCategory: string;
  /** SDK: 1|2|4 = do not download; 8 = intranet only. Public tools: 2 REQUIRESAUTH, 4 SECRET. */
  readonly policyFlags: number;
  /** 'http://<mp>/SMS_MP/.sms_pol?{id}.SHA256:<hash>' */
  readonly policyLocation: string;
}

export interface ReplyAssignments {
  readonly clientId: string;
  readonly policySource: string;
  readonly resourceType: string;
  /** Opaque to the client; our stub puts its reply version here. */
  readonly serverCookie: string;
  readonly assignments: readonly WirePolicyAssignment[];
}

/** PolicyVersion as ConfigMgr writes it ('2.00'). */
export function formatPolicyVersion(v: number): string {
  if (!Number.isFinite(v) || v < 0) throw fieldError(`bad policy version ${v}`, 'PolicyVersion');
  return Number.isInteger(v) ? `${v}.00` : v.toFixed(2);
}

export function parsePolicyVersion(s: string, where: string): number {
  const t = s.trim();
  if (!/^[0-9]{1,16}(\.[0-9]{1,4})?$/.test(t)) throw fieldError(`not a policy version: ${JSON.stringify(s)}`, where);
  const n = Number(t);
  if (!Number.isSafeInteger(Math.floor(n))) throw fieldError(`policy version out of range: ${s}`, where);
  return n;
}

export function encodeReplyAssignments(r: ReplyAssignments): string {
  const w = 'ReplyAssignments';
  let s =
    `<ReplyAssignments SchemaVersion="1.00" ReplyType="Full"><Identification><Machine><ClientID>${escText(r.clientId)}</ClientID></Machine></Identification>` +
    `<PolicySource>${escText(r.policySource)}</PolicySource><Resource ResourceType="${escAttr(r.resourceType)}"/>` +
    (r.serverCookie === '' ? '<ServerCookie/>' : `<ServerCookie>${escText(r.serverCookie)}</ServerCookie>`);
  for (const a of r.assignments) {
    const slot = a.slot === null ? '' : ` SucaSlot="${uintOut(a.slot, `${w}/PolicyAssignment/@SucaSlot`)}"`;
    s +=
      `<PolicyAssignment PolicyAssignmentID="${escAttr(a.assignmentId)}"${slot}>` +
      `<Policy PolicyID="${escAttr(a.policyId)}" PolicyVersion="${formatPolicyVersion(a.policyVersion)}" PolicyType="${escAttr(a.policyType)}"` +
      ` PolicyCategory="${escAttr(a.policyCategory)}" PolicyFlags="${uintOut(a.policyFlags, `${w}/Policy/@PolicyFlags`)}">` +
      `<PolicyLocation>${cdata(a.policyLocation)}</PolicyLocation></Policy></PolicyAssignment>`;
  }
  return s + '</ReplyAssignments>';
}

export function decodeReplyAssignments(xml: string): ReplyAssignments {
  const w = 'ReplyAssignments';
  const root = parseRoot(xml, w);
  const ident = optKid(root, 'Identification', w);
  const machine = ident === undefined ? undefined : optKid(ident, 'Machine', `${w}/Identification`);
  const res = optKid(root, 'Resource', w);
  const assignments: WirePolicyAssignment[] = [];
  kids(root, 'PolicyAssignment').forEach((pa, i) => {
    const aw = `${w}/PolicyAssignment[${i}]`;
    // a PolicyAssignment may carry conditions and several policies (SDK); each Policy becomes one entry
    for (const p of kids(pa, 'Policy')) {
      const pw = `${aw}/Policy`;
      const slot = attr(pa, 'SucaSlot', aw);
      assignments.push({
        assignmentId: attr(pa, 'PolicyAssignmentID', aw) ?? '',
        slot: slot === undefined ? null : parseUint(slot, `${aw}/@SucaSlot`),
        policyId: reqAttr(p, 'PolicyID', pw),
        policyVersion: parsePolicyVersion(attr(p, 'PolicyVersion', pw) ?? '0', `${pw}/@PolicyVersion`),
        policyType: attr(p, 'PolicyType', pw) ?? '',
        policyCategory: attr(p, 'PolicyCategory', pw) ?? '',
        policyFlags: parseUint(attr(p, 'PolicyFlags', pw) ?? '0', `${pw}/@PolicyFlags`),
        policyLocation: kidText(p, 'PolicyLocation', pw).trim(),
      });
    }
  });
  return {
    clientId: machine === undefined ? '' : (optKidText(machine, 'ClientID', `${w}/Identification/Machine`) ?? '').trim(),
    policySource: (optKidText(root, 'PolicySource', w) ?? '').trim(),
    resourceType: res === undefined ? 'Machine' : (attr(res, 'ResourceType', `${w}/Resource`) ?? text(res, `${w}/Resource`).trim()) || 'Machine',
    serverCookie: (optKidText(root, 'ServerCookie', w) ?? '').trim(),
    assignments,
  };
}

// ---- policy locations ----------------------------------------------------------------------

/** 'http://<mp>/SMS_MP/.sms_pol?{id}.SHA256:<HASH>' with the literal '<mp>' the client replaces. */
export function policyLocationUrl(policyId: string, sha256Hex: string): string {
  return `http://<mp>/SMS_MP/.sms_pol?${policyId}.SHA256:${sha256Hex.toUpperCase()}`;
}

/** The URL to GET: '<mp>' replaced by the MP's host. */
export function resolvePolicyLocation(location: string, mpHost: string): string {
  return location.replace('<mp>', mpHost);
}

export interface PolicyRequest {
  readonly policyId: string;
  /** SHA-256 of the body, upper-case hex ('...?{id}.SHA256:<hash>'), or null */
  readonly hash: string | null;
  /** Old-style '...?{id}.2_00' version, or null */
  readonly version: string | null;
}

/** Parses the path + query of a policy GET: '/SMS_MP/.sms_pol?{id}.SHA256:<hash>' or '/SMS_MP/.sms_pol?{id}.2_00'. */
export function parsePolicyRequestPath(pathAndQuery: string): PolicyRequest {
  const w = 'GET /SMS_MP/.sms_pol';
  const q = pathAndQuery.indexOf('?');
  if (q < 0 || pathAndQuery.slice(0, q).toLowerCase() !== '/sms_mp/.sms_pol') throw fieldError(`not a policy request: ${pathAndQuery}`, w);
  let query: string;
  try {
    query = decodeURIComponent(pathAndQuery.slice(q + 1));
  } catch (e) {
    throw new WireError('SUCA_ERR_WIRE_FIELD', 'bad percent-encoding', w, { cause: e });
  }
  let m = /^(.+)\.SHA256:([0-9A-Fa-f]{64})$/.exec(query);
  if (m !== null) return { policyId: m[1]!, hash: m[2]!.toUpperCase(), version: null };
  m = /^(.+)\.([0-9]+_[0-9]+)$/.exec(query);
  if (m !== null) return { policyId: m[1]!, hash: null, version: m[2]! };
  throw fieldError(`no '.SHA256:<hash>' or '.<n>_<nn>' after the policy ID: ${query}`, w);
}

// ==== policy bodies: see policy.ts (the real WMI instance form) ==================================

// ==== locations ================================================================================

export interface IpAddress {
  readonly subnetAddress: string;
  readonly address: string;
}

/** <ClientLocationInfo> children: boundary information the MP picks servers by. */
export interface ClientLocation {
  readonly adSite: string;
  readonly forest: string;
  readonly domain: string;
  readonly ipAddresses: readonly IpAddress[];
}

function locationChildren(l: ClientLocation): string {
  let s = `<ADSite Name="${escAttr(l.adSite)}"/><Forest Name="${escAttr(l.forest)}"/><Domain Name="${escAttr(l.domain)}"/><IPAddresses>`;
  for (const ip of l.ipAddresses) s += `<IPAddress SubnetAddress="${escAttr(ip.subnetAddress)}" Address="${escAttr(ip.address)}"/>`;
  return s + '</IPAddresses>';
}

function locationIn(cli: XEl, where: string): ClientLocation {
  const name = (n: string): string => {
    const k = optKid(cli, n, where);
    return k === undefined ? '' : (attr(k, 'Name', `${where}/${n}`) ?? '');
  };
  const ips = optKid(cli, 'IPAddresses', where);
  return {
    adSite: name('ADSite'),
    forest: name('Forest'),
    domain: name('Domain'),
    ipAddresses: ips === undefined ? [] : kids(ips, 'IPAddress').map((ip, i) => ({
      subnetAddress: attr(ip, 'SubnetAddress', `${where}/IPAddresses/IPAddress[${i}]`) ?? '',
      address: attr(ip, 'Address', `${where}/IPAddresses/IPAddress[${i}]`) ?? '',
    })),
  };
}

export interface WsusLocationRequest {
  /** UpdateSource unique ID '{GUID}' */
  readonly contentId: string;
  readonly contentVersion: number;
  readonly siteCode: string;
  readonly onInternet: boolean;
  readonly location: ClientLocation;
}

export interface WsusLocationRecord {
  /** 'http://sup:8530' */
  readonly wsusUrl: string;
  readonly serverName: string;
  readonly version: number;
}

export interface LocationSite<R> {
  readonly siteCode: string;
  readonly records: readonly R[];
}

/** Sites may be empty, or list no records: no location (content version mismatch). */
export interface WsusLocationReply {
  readonly sites: readonly LocationSite<WsusLocationRecord>[];
}

export function encodeWsusLocationRequest(r: WsusLocationRequest): string {
  return (
    `<WSUSLocationRequest SchemaVersion="1.00"><Content ID="${escAttr(r.contentId)}" Version="${uintOut(r.contentVersion, 'WSUSLocationRequest/Content/@Version')}"/>` +
    `<AssignedSite SiteCode="${escAttr(r.siteCode)}"/><ClientLocationInfo OnInternet="${r.onInternet ? 1 : 0}">${locationChildren(r.location)}</ClientLocationInfo></WSUSLocationRequest>`
  );
}

export function decodeWsusLocationRequest(xml: string): WsusLocationRequest {
  const w = 'WSUSLocationRequest';
  const root = parseRoot(xml, w);
  const c = kid(root, 'Content', w);
  const site = optKid(root, 'AssignedSite', w);
  const cli = kid(root, 'ClientLocationInfo', w);
  return {
    contentId: reqAttr(c, 'ID', `${w}/Content`),
    contentVersion: parseUint(reqAttr(c, 'Version', `${w}/Content`), `${w}/Content/@Version`),
    siteCode: site === undefined ? '' : (attr(site, 'SiteCode', `${w}/AssignedSite`) ?? ''),
    onInternet: parseBool(attr(cli, 'OnInternet', `${w}/ClientLocationInfo`) ?? '0', `${w}/ClientLocationInfo/@OnInternet`),
    location: locationIn(cli, `${w}/ClientLocationInfo`),
  };
}

function sitesXml<R>(sites: readonly LocationSite<R>[], mpSite: (code: string) => string, record: (r: R) => string): string {
  if (sites.length === 0) return '<Sites/>';
  let s = '<Sites>';
  for (const site of sites) {
    s += `<Site>${mpSite(site.siteCode)}`;
    s += site.records.length === 0 ? '<LocationRecords/>' : `<LocationRecords>${site.records.map(record).join('')}</LocationRecords>`;
    s += '</Site>';
  }
  return s + '</Sites>';
}

function sitesIn<R>(root: XEl, w: string, record: (r: XEl, where: string) => R): LocationSite<R>[] {
  const sites = optKid(root, 'Sites', w);
  if (sites === undefined) return [];
  return kids(sites, 'Site').map((site, i) => {
    const sw = `${w}/Sites/Site[${i}]`;
    const mp = optKid(site, 'MPSite', sw);
    const recs = optKid(site, 'LocationRecords', sw);
    return {
      siteCode: mp === undefined ? '' : (attr(mp, 'SiteCode', `${sw}/MPSite`) ?? ''),
      records: recs === undefined ? [] : kids(recs, 'LocationRecord').map((r, j) => record(r, `${sw}/LocationRecords/LocationRecord[${j}]`)),
    };
  });
}

export function encodeWsusLocationReply(r: WsusLocationReply): string {
  const w = 'WSUSLocationReply';
  return (
    `<WSUSLocationReply SchemaVersion="1.00">` +
    sitesXml(r.sites, (code) => `<MPSite SiteCode="${escAttr(code)}"/>`, (rec) =>
      `<LocationRecord WSUSURL="${escAttr(rec.wsusUrl)}" ServerName="${escAttr(rec.serverName)}" Version="${uintOut(rec.version, `${w}/LocationRecord/@Version`)}"/>`) +
    '</WSUSLocationReply>'
  );
}

export function decodeWsusLocationReply(xml: string): WsusLocationReply {
  const w = 'WSUSLocationReply';
  const root = parseRoot(xml, w);
  return {
    sites: sitesIn(root, w, (rec, rw) => ({
      wsusUrl: reqAttr(rec, 'WSUSURL', rw).trim(),
      serverName: attr(rec, 'ServerName', rw) ?? '',
      version: parseUint(attr(rec, 'Version', rw) ?? '0', `${rw}/@Version`),
    })),
  };
}

/** Every WSUS URL of a reply, in order. */
export function wsusUrls(r: WsusLocationReply): string[] {
  return r.sites.flatMap((s) => s.records.map((rec) => rec.wsusUrl));
}

export interface ContentLocationRequest {
  /** 'UID:Content_<GUID>' for update content */
  readonly packageId: string;
  readonly version: number;
  readonly siteCode: string;
  /** 'SMSUpdate' for software update content */
  readonly locationType: string;
  readonly location: ClientLocation;
}

export interface ContentLocationRecord {
  /** 'http://DP/SMS_DP_SMSPKG$/Content_<GUID>.1' */
  readonly url: string;
  /** 'http://DP/SMS_DP_SMSSIG$/Content_<GUID>.1.tar' or null */
  readonly signatureUrl: string | null;
  readonly serverName: string;
  /** 'SERVER' */
  readonly dpType: string;
  /** 'LOCAL', 'SUBNET', 'ADSITE', 'REMOTE', ... */
  readonly locality: string;
  /** DP build number ('8239') or null */
  readonly version: string | null;
}

export interface ContentLocationReply {
  readonly sites: readonly LocationSite<ContentLocationRecord>[];
}

// The ClientLocationInfo flags the client sends for update content (MP_Location.log); fixed here: the loop
// only ever downloads over HTTP from a DP.
const CONTENT_FLAGS = 'DistributeOnDemand="0" UseAzure="0" AllowWUMU="0" UseProtected="0" AllowCaching="0" BranchDPFlags="0" UseInternetDP="0" AllowHTTP="1" AllowSMB="0" AllowMulticast="0"';

export function encodeContentLocationRequest(r: ContentLocationRequest): string {
  return (
    `<ContentLocationRequest SchemaVersion="1.00" ExcludeFileList=""><Package ID="${escAttr(r.packageId)}" Version="${uintOut(r.version, 'ContentLocationRequest/Package/@Version')}"/>` +
    `<AssignedSite SiteCode="${escAttr(r.siteCode)}"/><ClientLocationInfo LocationType="${escAttr(r.locationType)}" ${CONTENT_FLAGS}>` +
    `${locationChildren(r.location)}</ClientLocationInfo></ContentLocationRequest>`
  );
}

export function decodeContentLocationRequest(xml: string): ContentLocationRequest {
  const w = 'ContentLocationRequest';
  const root = parseRoot(xml, w);
  const p = kid(root, 'Package', w);
  const site = optKid(root, 'AssignedSite', w);
  const cli = kid(root, 'ClientLocationInfo', w);
  return {
    packageId: reqAttr(p, 'ID', `${w}/Package`),
    version: parseUint(reqAttr(p, 'Version', `${w}/Package`), `${w}/Package/@Version`),
    siteCode: site === undefined ? '' : (attr(site, 'SiteCode', `${w}/AssignedSite`) ?? ''),
    locationType: attr(cli, 'LocationType', `${w}/ClientLocationInfo`) ?? '',
    location: locationIn(cli, `${w}/ClientLocationInfo`),
  };
}

export function encodeContentLocationReply(r: ContentLocationReply): string {
  return (
    '<ContentLocationReply SchemaVersion="1.00"><ContentInfo PackageFlags="0"><ContentHashValues/></ContentInfo>' +
    sitesXml(r.sites, (code) => `<MPSite SiteCode="${escAttr(code)}" MasterSiteCode="${escAttr(code)}" SiteLocality="LOCAL"/>`, (rec) =>
      '<LocationRecord>' +
      `<URL Name="${escAttr(rec.url)}"${rec.signatureUrl === null ? '' : ` Signature="${escAttr(rec.signatureUrl)}"`}/>` +
      (rec.version === null ? '' : `<Version>${escText(rec.version)}</Version>`) +
      `<Capabilities SchemaVersion="1.0"><Property Name="SSLState" Value="0"/></Capabilities>` +
      `<ServerRemoteName>${escText(rec.serverName)}</ServerRemoteName><DPType>${escText(rec.dpType)}</DPType>` +
      `<Windows Trust="1"/><Locality>${escText(rec.locality)}</Locality></LocationRecord>`) +
    '<RelatedContentIDs/></ContentLocationReply>'
  );
}

export function decodeContentLocationReply(xml: string): ContentLocationReply {
  const w = 'ContentLocationReply';
  const root = parseRoot(xml, w);
  return {
    sites: sitesIn(root, w, (rec, rw) => {
      const u = kid(rec, 'URL', rw);
      return {
        // the MS article prints the URL with spaces around it: trimmed
        url: reqAttr(u, 'Name', `${rw}/URL`).trim(),
        signatureUrl: attr(u, 'Signature', `${rw}/URL`)?.trim() ?? null,
        serverName: (optKidText(rec, 'ServerRemoteName', rw) ?? '').trim(),
        dpType: (optKidText(rec, 'DPType', rw) ?? '').trim(),
        locality: (optKidText(rec, 'Locality', rw) ?? '').trim(),
        version: optKidText(rec, 'Version', rw)?.trim() ?? null,
      };
    }),
  };
}

/** Every content URL of a reply, in order. */
export function contentUrls(r: ContentLocationReply): string[] {
  return r.sites.flatMap((s) => s.records.map((rec) => rec.url));
}

/** 'http://DP/SMS_DP_SMSPKG$' + '/Content_<GUID>.<version>' */
export function contentUrl(dpBase: string, contentGuid: string, version: number): string {
  return `${dpBase.replace(/\/+$/, '')}/Content_${contentGuid}.${version}`;
}

// ==== state messages (MP_RelayEndpoint) =======================================================

export interface ReportMachine {
  readonly clientInstalled: number;
  readonly clientType: number;
  /** 'GUID:<id>' */
  readonly clientId: string;
  readonly clientVersion: string;
  readonly netbiosName: string;
  readonly codePage: number;
  readonly systemDefaultLcid: number;
  /** State-message priority (5 in the KB example); null when empty or absent. */
  readonly priority: number | null;
}

export interface ReportDetails {
  /** 'State Message Data' */
  readonly reportContent: string;
  /** 'Full' */
  readonly reportType: string;
  /** epoch ms */
  readonly date: number;
  readonly version: string;
  readonly format: string;
}

export interface WireStateMessage {
  /** epoch ms */
  readonly messageTime: number;
  readonly serialNumber: number;
  readonly topicId: string;
  readonly topicType: number;
  readonly topicIdType: number;
  readonly user: string;
  readonly userSid: string;
  readonly stateId: number;
  readonly criticality: number;
  readonly userFlags: number;
  readonly params: readonly string[];
}

export interface StateReport {
  readonly machine: ReportMachine;
  readonly details: ReportDetails;
  readonly messages: readonly WireStateMessage[];
}

export function encodeReport(r: StateReport): string {
  const w = 'Report';
  const m = r.machine;
  const d = r.details;
  let s =
    '<Report><ReportHeader><Identification><Machine>' +
    `<ClientInstalled>${intOut(m.clientInstalled, w)}</ClientInstalled><ClientType>${intOut(m.clientType, w)}</ClientType>` +
    `<ClientID>${escText(m.clientId)}</ClientID><ClientVersion>${escText(m.clientVersion)}</ClientVersion>` +
    `<NetBIOSName>${escText(m.netbiosName)}</NetBIOSName><CodePage>${intOut(m.codePage, w)}</CodePage>` +
    `<SystemDefaultLCID>${intOut(m.systemDefaultLcid, w)}</SystemDefaultLCID>` +
    (m.priority === null ? '<Priority/>' : `<Priority>${intOut(m.priority, w)}</Priority>`) +
    '</Machine></Identification><ReportDetails>' +
    `<ReportContent>${escText(d.reportContent)}</ReportContent><ReportType>${escText(d.reportType)}</ReportType>` +
    `<Date>${toDmtf(d.date)}</Date><Version>${escText(d.version)}</Version><Format>${escText(d.format)}</Format>` +
    '</ReportDetails></ReportHeader><ReportBody>';
  for (let i = 0; i < r.messages.length; i++) {
    const x = r.messages[i]!;
    const mw = `${w}/ReportBody/StateMessage[${i}]`;
    s +=
      `<StateMessage MessageTime="${toDmtf(x.messageTime)}" SerialNumber="${uintOut(x.serialNumber, mw)}">` +
      `<Topic ID="${escAttr(x.topicId)}" Type="${intOut(x.topicType, mw)}" IDType="${intOut(x.topicIdType, mw)}" User="${escAttr(x.user)}" UserSID="${escAttr(x.userSid)}"/>` +
      `<State ID="${intOut(x.stateId, mw)}" Criticality="${intOut(x.criticality, mw)}"/>` +
      `<UserParameters Flags="${intOut(x.userFlags, mw)}" Count="${x.params.length}"`;
    s += x.params.length === 0 ? '/>' : `>${x.params.map((p) => `<Param>${escText(p)}</Param>`).join('')}</UserParameters>`;
    s += '</StateMessage>';
  }
  return s + '</ReportBody></Report>';
}

// One <StateMessage> exactly as encodeReport (and the KB example) writes it:
// attribute values without markup or entity references, integers, a DMTF time.
const FAST_MESSAGE =
  /<StateMessage MessageTime="(\d{14}\.\d{6}[+-]\d{3})" SerialNumber="(\d{1,15})"><Topic ID="([^"<>&]*)" Type="(-?\d{1,9})" IDType="(-?\d{1,9})" User="([^"<>&]*)" UserSID="([^"<>&]*)"\/><State ID="(-?\d{1,9})" Criticality="(-?\d{1,9})"\/><UserParameters Flags="(-?\d{1,9})" Count="(\d{1,9})"(?:\/>|>((?:<Param>[^<>&]*<\/Param>)*)<\/UserParameters>)<\/StateMessage>/y;

/**
 * The hot path of the MP's ingest (measured: the general parser, validator
 * and parse, cost ~26 us a message; this ~3 us). A body of nothing but
 * StateMessages in the exact form above is read with one sticky pattern; the
 * header goes through the general, validating parser. Anything else -- other
 * spacing or order, an entity, a comment, an extra element -- returns null
 * and the whole document takes the general path, so the fast path accepts a
 * strict subset of what the general one does and refuses nothing it accepts.
 */
function decodeReportFast(xml: string): StateReport | null {
  const open = xml.indexOf('<ReportBody>');
  const END = '</ReportBody></Report>';
  if (open < 0 || !xml.endsWith(END) || xml.charCodeAt(0) === 0xfeff) return null;
  const head = decodeReportGeneral(xml.slice(0, open) + '</Report>');
  const messages: WireStateMessage[] = [];
  const stop = xml.length - END.length;
  let pos = open + '<ReportBody>'.length;
  FAST_MESSAGE.lastIndex = pos;
  while (pos < stop) {
    FAST_MESSAGE.lastIndex = pos;
    const m = FAST_MESSAGE.exec(xml);
    if (m === null) return null;
    pos = FAST_MESSAGE.lastIndex;
    const params: string[] = [];
    // the pattern took the group as (<Param>[^<>&]*</Param>)*: each value ends at the next '</Param>'
    // (a loop of indexOf: matchAll, which copies the pattern and makes an iterator a message, was
    // half of this function's samples in the stub under bench (a); slice + split('</Param><Param>')
    // measured 185 ns a message against this loop's 72 ns)
    const ps = m[12];
    if (ps !== undefined && ps.length > 0) {
      let i = 7; // '<Param>'
      for (;;) {
        const e = ps.indexOf('</Param>', i);
        params.push(ps.slice(i, e));
        i = e + 15; // '</Param><Param>'
        if (i > ps.length) break;
      }
    }
    // the path in an error only: built when fromDmtf is to decide
    let time = dmtfOrNaN(m[1]!);
    if (time !== time) time = fromDmtf(m[1]!, `Report/ReportBody/StateMessage[${messages.length}]/@MessageTime`);
    messages.push({
      messageTime: time,
      serialNumber: Number(m[2]),
      topicId: m[3]!,
      topicType: Number(m[4]),
      topicIdType: Number(m[5]),
      user: m[6]!,
      userSid: m[7]!,
      stateId: Number(m[8]),
      criticality: Number(m[9]),
      userFlags: Number(m[10]),
      params,
    });
  }
  if (pos !== stop) return null;
  return { machine: head.machine, details: head.details, messages };
}

export function decodeReport(xml: string): StateReport {
  if (xml.length > 0 && !DOCTYPE_ANYWHERE.test(xml)) {
    const fast = decodeReportFast(xml);
    if (fast !== null) return fast;
  }
  return decodeReportGeneral(xml);
}

const DOCTYPE_ANYWHERE = /<!/;

function decodeReportGeneral(xml: string): StateReport {
  const w = 'Report';
  const root = parseRoot(xml, w);
  const hw = `${w}/ReportHeader`;
  const header = kid(root, 'ReportHeader', w);
  const mw = `${hw}/Identification/Machine`;
  const m = kid(kid(header, 'Identification', hw), 'Machine', `${hw}/Identification`);
  const int = (el: XEl, name: string, where: string, dflt?: number): number => {
    const t = optKidText(el, name, where);
    if (t === undefined || t.trim() === '') {
      if (dflt !== undefined) return dflt;
      throw fieldError(`missing <${name}>`, where);
    }
    return parseInt32(t, `${where}/${name}`);
  };
  const pr = optKidText(m, 'Priority', mw);
  const dw = `${hw}/ReportDetails`;
  const d = kid(header, 'ReportDetails', hw);
  const body = optKid(root, 'ReportBody', w);
  const messages: WireStateMessage[] = [];
  if (body !== undefined) {
    kids(body, 'StateMessage').forEach((sm, i) => {
      const sw = `${w}/ReportBody/StateMessage[${i}]`;
      const topic = kid(sm, 'Topic', sw);
      const state = kid(sm, 'State', sw);
      const up = optKid(sm, 'UserParameters', sw);
      const params = up === undefined ? [] : kids(up, 'Param').map((p, j) => text(p, `${sw}/UserParameters/Param[${j}]`));
      messages.push({
        messageTime: fromDmtf(reqAttr(sm, 'MessageTime', sw), `${sw}/@MessageTime`),
        serialNumber: parseUint(reqAttr(sm, 'SerialNumber', sw), `${sw}/@SerialNumber`),
        topicId: reqAttr(topic, 'ID', `${sw}/Topic`),
        topicType: parseInt32(reqAttr(topic, 'Type', `${sw}/Topic`), `${sw}/Topic/@Type`),
        topicIdType: parseInt32(attr(topic, 'IDType', `${sw}/Topic`) ?? '0', `${sw}/Topic/@IDType`),
        user: attr(topic, 'User', `${sw}/Topic`) ?? '',
        userSid: attr(topic, 'UserSID', `${sw}/Topic`) ?? '',
        stateId: parseInt32(reqAttr(state, 'ID', `${sw}/State`), `${sw}/State/@ID`),
        criticality: parseInt32(attr(state, 'Criticality', `${sw}/State`) ?? '0', `${sw}/State/@Criticality`),
        userFlags: up === undefined ? 0 : parseInt32(attr(up, 'Flags', `${sw}/UserParameters`) ?? '0', `${sw}/UserParameters/@Flags`),
        // Count is not checked against the Params (lenient: the site's parser is not public)
        params,
      });
    });
  }
  return {
    machine: {
      clientInstalled: int(m, 'ClientInstalled', mw, 1),
      clientType: int(m, 'ClientType', mw, 1),
      clientId: kidText(m, 'ClientID', mw).trim(),
      clientVersion: (optKidText(m, 'ClientVersion', mw) ?? '').trim(),
      netbiosName: (optKidText(m, 'NetBIOSName', mw) ?? '').trim(),
      codePage: int(m, 'CodePage', mw, 0),
      systemDefaultLcid: int(m, 'SystemDefaultLCID', mw, 0),
      priority: pr === undefined || pr.trim() === '' ? null : parseInt32(pr, `${mw}/Priority`),
    },
    details: {
      reportContent: (optKidText(d, 'ReportContent', dw) ?? '').trim(),
      reportType: (optKidText(d, 'ReportType', dw) ?? '').trim(),
      date: fromDmtf(kidText(d, 'Date', dw), `${dw}/Date`),
      version: (optKidText(d, 'Version', dw) ?? '').trim(),
      format: (optKidText(d, 'Format', dw) ?? '').trim(),
    },
    messages,
  };
}

// IDType per topic type: agent/wire/topics.ts (re-exported: part of the Report codec's surface)
export { topicIdTypeOf };

export interface FlatReportInput {
  readonly machine: ReportMachine;
  /** Report date (epoch ms). */
  readonly date: number;
  /** The flat queue slice (MSG_STRIDE numbers per message, agent/core/types.ts). */
  readonly msgs: readonly number[];
  /** Topic index -> Topic ID: update GUID (500/402), deployment ID (300/301/302), update source ID (501). */
  readonly topicIdOf: (topicType: number, topic: number) => string;
  /** UserParameters of a message (default none). */
  readonly paramsOf?: (topicType: number, stateId: number, topic: number, param: number) => readonly string[];
}

/**
 * UserParameters of a 500 / 501 (issue 11): Param 1 the scan package version
 * (the KB example's 500 carries one Param, 200), a 501's Param 2 the scan's
 * last error code as a signed 32-bit decimal, the form the site's
 * v_UpdateScanStatus.LastErrorCode shows (-2145107940 = 0x8024401C). Other
 * topics carry none. The order of a 501's params is not public; chosen here.
 */
export function scanParamsToWire(topicType: number, param: number): readonly string[] {
  if (topicType === 500) return [String(paramVersion(param))];
  if (topicType === 501) return [String(paramVersion(param)), String(paramCode(param) | 0)];
  return [];
}

/** The packed user parameter (agent/core/types.ts scanParam) of a received 500 / 501; 0 for others or odd params. */
export function scanParamFromWire(topicType: number, params: readonly string[]): number {
  if (topicType !== 500 && topicType !== 501) return 0;
  const v = /^\d{1,6}$/.test(params[0] ?? '') ? Number(params[0]) : 0;
  const c = topicType === 501 && /^-?\d{1,10}$/.test(params[1] ?? '') ? Number(params[1]) : 0;
  return scanParam(v, Number.isSafeInteger(c) && c >= -2147483648 && c <= 4294967295 ? c : 0);
}

/** A state-message report from the agent's flat queue layout. */
export function stateReportFromFlat(x: FlatReportInput): StateReport {
  const q = x.msgs;
  if (q.length % MSG_STRIDE !== 0) throw fieldError(`flat message array of ${q.length} numbers is not a multiple of ${MSG_STRIDE}`, 'Report');
  const messages: WireStateMessage[] = [];
  for (let i = 0; i < q.length; i += MSG_STRIDE) {
    const type = q[i + MSG_TOPIC_TYPE]!;
    const topic = q[i + MSG_TOPIC]!;
    const stateId = q[i + MSG_STATE_ID]!;
    messages.push({
      messageTime: q[i + MSG_TIME]!,
      serialNumber: q[i + MSG_SERIAL]!,
      topicId: x.topicIdOf(type, topic),
      topicType: type,
      topicIdType: topicIdTypeOf(type),
      user: '',
      userSid: '',
      stateId,
      criticality: 0,
      userFlags: 0,
      params: x.paramsOf === undefined ? [] : x.paramsOf(type, stateId, topic, msgParam(q[i + MSG_FLAGS]!)),
    });
  }
  return {
    machine: x.machine,
    details: { reportContent: 'State Message Data', reportType: 'Full', date: x.date, version: '1.0', format: '1.0' },
    messages,
  };
}

/**
 * Back to the flat layout the MP ingests (MSG_STRIDE numbers a message).
 * `topicIndexOf` maps (topic type, Topic ID) to the agent's topic index; a
 * topic it does not know is a SUCA_ERR_WIRE_FIELD, unless `unknownTopic` is
 * given: then the message keeps that index (the stub MP passes UNKNOWN_TOPIC:
 * a real MP takes every topic type a client sends).
 */
export function flatFromStateReport(r: StateReport, topicIndexOf: (topicType: number, topicId: string) => number | undefined, unknownTopic?: number): number[] {
  // fields the wire does not carry (e.g. the agent's delivery flags) start at 0
  const out = new Array<number>(r.messages.length * MSG_STRIDE).fill(0);
  r.messages.forEach((m, i) => {
    const topic = topicIndexOf(m.topicType, m.topicId) ?? unknownTopic;
    if (topic === undefined) throw fieldError(`unknown topic ${m.topicId} of type ${m.topicType}`, `Report/ReportBody/StateMessage[${i}]/Topic/@ID`);
    const o = i * MSG_STRIDE;
    out[o + MSG_TOPIC_TYPE] = m.topicType;
    out[o + MSG_STATE_ID] = m.stateId;
    out[o + MSG_TOPIC] = topic;
    out[o + MSG_SERIAL] = m.serialNumber;
    out[o + MSG_TIME] = m.messageTime;
    out[o + MSG_FLAGS] = 2 * scanParamFromWire(m.topicType, m.params);
  });
  return out;
}

// ==== unauthenticated MP documents (GET /SMS_MP/.sms_aut?...) ==================================

export interface MpListEntry {
  readonly name: string;
  readonly fqdn: string | null;
  /** Build number, e.g. '9106' */
  readonly version: string | null;
  /** Capabilities SSLState (0 = HTTP) or null */
  readonly sslState: number | null;
}

export interface MpList {
  readonly mps: readonly MpListEntry[];
}

export function encodeMpList(l: MpList): string {
  let s = '<MPList>';
  for (const mp of l.mps) {
    s += `<MP Name="${escAttr(mp.name)}"${mp.fqdn === null ? '' : ` FQDN="${escAttr(mp.fqdn)}"`}>`;
    if (mp.version !== null) s += `<Version>${escText(mp.version)}</Version>`;
    if (mp.sslState !== null) s += `<Capabilities SchemaVersion="1.0"><Property Name="SSLState" Value="${intOut(mp.sslState, 'MPList/MP')}"/></Capabilities>`;
    s += '</MP>';
  }
  return s + '</MPList>';
}

export function decodeMpList(xml: string): MpList {
  const w = 'MPList';
  const root = parseRoot(xml, w);
  return {
    mps: kids(root, 'MP').map((mp, i) => {
      const mw = `${w}/MP[${i}]`;
      let ssl: number | null = null;
      const caps = optKid(mp, 'Capabilities', mw);
      if (caps !== undefined) {
        for (const p of kids(caps, 'Property')) {
          if ((attr(p, 'Name', `${mw}/Capabilities/Property`) ?? '').toLowerCase() === 'sslstate') {
            ssl = parseInt32(attr(p, 'Value', `${mw}/Capabilities/Property`) ?? text(p, `${mw}/Capabilities/Property`), `${mw}/Capabilities/Property[@Name="SSLState"]`);
          }
        }
      }
      return {
        name: reqAttr(mp, 'Name', mw),
        fqdn: attr(mp, 'FQDN', mw) ?? null,
        version: optKidText(mp, 'Version', mw)?.trim() ?? null,
        sslState: ssl,
      };
    }),
  };
}

export interface MpKeyInformation {
  readonly fqdn: string;
  readonly siteCode: string;
  /** The MP's public key (not in public samples; our stub may send it): hex, or null */
  readonly key: string | null;
}

export function encodeMpKeyInformation(k: MpKeyInformation): string {
  return (
    `<MPKEYINFORMATION><FQDN>${escText(k.fqdn)}</FQDN><SITECODE>${escText(k.siteCode)}</SITECODE>` +
    (k.key === null ? '' : `<KEY>${escText(k.key)}</KEY>`) +
    '</MPKEYINFORMATION>'
  );
}

export function decodeMpKeyInformation(xml: string): MpKeyInformation {
  const w = 'MPKEYINFORMATION';
  const root = parseRoot(xml, w);
  return {
    fqdn: (optKidText(root, 'FQDN', w) ?? '').trim(),
    siteCode: kidText(root, 'SITECODE', w).trim(),
    key: optKidText(root, 'KEY', w)?.trim() ?? null,
  };
}
