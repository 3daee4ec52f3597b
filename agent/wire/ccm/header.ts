// The <Msg> header of a CCM message (part 1 of the multipart payload).
//
// Element set and order follow the header the public tools send (SCCMSecrets,
// impacket, Metasploit get_naa_credentials, all derived from real client
// traffic): attributes ReplyCompression, SchemaVersion; then Body, CorrelationID,
// Hooks, ID, Payload, Priority, Protocol, ReplyMode, ReplyTo, SentTime,
// SourceID, SourceHost, TargetAddress, TargetEndpoint, TargetHost, Timeout,
// self-closing elements written as `<X ... />` as those templates do.
// A captured real client writes the same elements in another order
// (... Payload, TargetHost, TargetEndpoint, ReplyMode, Protocol), and other
// tools omit most of them: decoding is order-free and only ID and Body are
// required; unknown elements (ReqVersion, ReplyCapabilities, ...) are ignored.
//
// FileType=SMX (MP_Relay.log: "Mp Message Handler: FileType=SMX") is not
// public on the wire. We write it as <Properties><Property Name="FileType">SMX
// </Property></Properties> and read it from there (text or Value attribute), from
// a <FileType> element, or a Hook property; absent is fine.

import { WireError } from '../errors.js';
import { attr, childNames, escAttr, escText, kid, kids, optKid, parseInt32, parseRoot, parseUint, reqAttr, text, type XEl } from './xml.js';

/** sha256WithRSAEncryption: the only HashAlgorithm this codec signs and verifies with. */
export const HASH_ALGORITHM_SHA256 = '1.2.840.113549.1.1.11';

/** MP endpoints (TargetEndpoint) the agent talks to. */
export const MP_ENDPOINT = {
  CLIENT_REGISTRATION: 'MP_ClientRegistration',
  POLICY_MANAGER: 'MP_PolicyManager',
  LOCATION_MANAGER: 'MP_LocationManager',
  DDR: 'MP_DdrEndpoint',
  RELAY: 'MP_RelayEndpoint',
} as const;

/** Hook2 "clientauth": the client's key and signatures (signing.ts fills it in). Absent properties are null. */
export interface ClientAuthHook {
  readonly authSenderMachine: string | null;
  /** PUBLICKEYBLOB, hex upper-case. */
  readonly publicKey: string | null;
  /** Signature over UTF-16LE(SourceID) + NUL. */
  readonly clientIdSignature: string | null;
  /** Signature over part 2 as sent (the compressed body). */
  readonly payloadSignature: string | null;
  /** 'NonSSL' over HTTP. */
  readonly clientCapabilities: string | null;
  readonly hashAlgorithm: string | null;
}

export interface MsgProperty {
  readonly name: string;
  readonly value: string;
}

export interface MsgHeader {
  /** '1.1' */
  readonly schemaVersion: string;
  /** 'zlib': the sender accepts a compressed reply. */
  readonly replyCompression: string | null;
  /** <Body Type="ByteRange" Length Offset>: which bytes of the inflated part 2 are the body (Length counts the NUL). */
  readonly body: { readonly type: string; readonly length: number; readonly offset: number };
  readonly correlationId: string | null;
  readonly clientAuth: ClientAuthHook | null;
  /** Hook3 "zlib-compress": part 2 is compressed. */
  readonly zlibCompress: boolean;
  /** '{GUID}' */
  readonly id: string;
  /** <Payload Type=..>: 'inline'. */
  readonly payloadType: string | null;
  readonly priority: number | null;
  /** Extra message properties (FileType=SMX for MP_RelayEndpoint). */
  readonly properties: readonly MsgProperty[];
  /** 'http' */
  readonly protocol: string | null;
  readonly replyMode: 'Sync' | 'Async' | null;
  /** 'direct:<host>:SccmMessaging' */
  readonly replyTo: string | null;
  /** '2024-01-20T17:18:55Z' */
  readonly sentTime: string | null;
  /** 'GUID:<client id>' (absent before registration) */
  readonly sourceId: string | null;
  readonly sourceHost: string | null;
  /** 'mp:MP_PolicyManager' */
  readonly targetAddress: string | null;
  readonly targetEndpoint: string | null;
  readonly targetHost: string | null;
  /** ms; 60000 */
  readonly timeout: number | null;
}

const CLIENT_AUTH_PROPS: ReadonlyArray<readonly [keyof ClientAuthHook, string]> = [
  ['authSenderMachine', 'AuthSenderMachine'],
  ['publicKey', 'PublicKey'],
  ['clientIdSignature', 'ClientIDSignature'],
  ['payloadSignature', 'PayloadSignature'],
  ['clientCapabilities', 'ClientCapabilities'],
  ['hashAlgorithm', 'HashAlgorithm'],
];

const el = (name: string, v: string | number | null): string => (v === null ? '' : `<${name}>${escText(String(v))}</${name}>`);

/** The <Msg> XML (no declaration, no whitespace). */
export function encodeHeader(h: MsgHeader): string {
  let s = '<Msg';
  if (h.replyCompression !== null) s += ` ReplyCompression="${escAttr(h.replyCompression)}"`;
  s += ` SchemaVersion="${escAttr(h.schemaVersion)}">`;
  s += `<Body Type="${escAttr(h.body.type)}" Length="${h.body.length}" Offset="${h.body.offset}" />`;
  s += el('CorrelationID', h.correlationId);
  if (h.clientAuth !== null || h.zlibCompress) {
    s += '<Hooks>';
    if (h.clientAuth !== null) {
      s += '<Hook2 Name="clientauth">';
      for (const [k, name] of CLIENT_AUTH_PROPS) {
        const v = h.clientAuth[k];
        if (v !== null) s += `<Property Name="${name}">${escText(v)}</Property>`;
      }
      s += '</Hook2>';
    }
    if (h.zlibCompress) s += '<Hook3 Name="zlib-compress" />';
    s += '</Hooks>';
  }
  s += el('ID', h.id);
  if (h.payloadType !== null) s += `<Payload Type="${escAttr(h.payloadType)}" />`;
  s += el('Priority', h.priority);
  if (h.properties.length > 0) {
    s += '<Properties>';
    for (const p of h.properties) s += `<Property Name="${escAttr(p.name)}">${escText(p.value)}</Property>`;
    s += '</Properties>';
  }
  s += el('Protocol', h.protocol);
  s += el('ReplyMode', h.replyMode);
  s += el('ReplyTo', h.replyTo);
  s += el('SentTime', h.sentTime);
  s += el('SourceID', h.sourceId);
  s += el('SourceHost', h.sourceHost);
  s += el('TargetAddress', h.targetAddress);
  s += el('TargetEndpoint', h.targetEndpoint);
  s += el('TargetHost', h.targetHost);
  s += el('Timeout', h.timeout);
  return s + '</Msg>';
}

const W = 'Msg';

function optText(m: XEl, name: string): string | null {
  const k = optKid(m, name, W);
  return k === undefined ? null : text(k, `${W}/${name}`).trim();
}

/** Property elements of a container as name -> value (text, or a Value attribute). */
function propertiesOf(container: XEl, where: string): MsgProperty[] {
  const out: MsgProperty[] = [];
  for (const p of kids(container, 'Property')) {
    const name = reqAttr(p, 'Name', `${where}/Property`);
    const value = attr(p, 'Value', `${where}/Property`) ?? text(p, `${where}/Property[@Name="${name}"]`);
    out.push({ name, value });
  }
  return out;
}

// The <Msg> header exactly as encodeHeader writes it (and so as the fleet and
// the stub MP write every header they send): its elements in that order, each
// optional one present or not, text and attribute values with no markup, no
// entity or character reference, no CR, tab, control character or ']'. Such a
// header is read with one sticky pattern; anything else (another order,
// spacing, an entity, a comment, an unknown element, a Value attribute, a
// DOCTYPE, a declaration) falls to the general, validating parser below, so
// the fast path reads a strict subset of what the general one reads, to the
// same MsgHeader (test/wire-header-fast.test.ts), and refuses nothing.
// Measured (issue 13): the general parse was 14.5 % of a scaled-time run's CPU
// over HTTP (the fleet reads every reply's header, the stub MP every request's).
const T = '[^<>&\\]\\r\\t\\u0000-\\u001f\\ufffe\\uffff]*';
const A = '[^"<>&\\]\\r\\n\\t\\u0000-\\u001f\\ufffe\\uffff]*';
const elt = (name: string) => `(?:<${name}>(${T})</${name}>)?`;
const FAST_HEADER = new RegExp(
  `<Msg(?: ReplyCompression="(${A})")? SchemaVersion="(${A})">` +
    `<Body Type="(${A})" Length="(\\d{1,15})" Offset="(\\d{1,15})" />` +
    elt('CorrelationID') +
    `(?:<Hooks>(?:<Hook2 Name="clientauth">((?:<Property Name="${A}">${T}</Property>)*)</Hook2>)?(<Hook3 Name="zlib-compress" />)?</Hooks>)?` +
    elt('ID') +
    `(?:<Payload Type="(${A})" />)?` +
    elt('Priority') +
    `(?:<Properties>((?:<Property Name="${A}">${T}</Property>)*)</Properties>)?` +
    ['Protocol', 'ReplyMode', 'ReplyTo', 'SentTime', 'SourceID', 'SourceHost', 'TargetAddress', 'TargetEndpoint', 'TargetHost', 'Timeout'].map(elt).join('') +
    '</Msg>',
  'y',
);
const FAST_PROPERTY = new RegExp(`<Property Name="(${A})">(${T})</Property>`, 'g');

function decodeHeaderFast(xml: string): MsgHeader | null {
  FAST_HEADER.lastIndex = 0;
  const m = FAST_HEADER.exec(xml);
  if (m === null || FAST_HEADER.lastIndex !== xml.length) return null;
  const [, replyCompression, schemaVersion, type, length, offset, correlationId, authProps, hook3, id, payloadType, priority, props, protocol, replyMode, replyTo, sentTime, sourceId, sourceHost, targetAddress, targetEndpoint, targetHost, timeout] = m;
  if (type !== 'ByteRange' || id === undefined || id.trim() === '') return null; // the general path says what is wrong
  const trim = (v: string | undefined): string | null => (v === undefined ? null : v.trim());
  let rm: 'Sync' | 'Async' | null = null;
  if (replyMode !== undefined) {
    const r = replyMode.trim().toLowerCase();
    if (r === 'sync') rm = 'Sync';
    else if (r === 'async') rm = 'Async';
    else return null;
  }
  const pr = trim(priority);
  const to = trim(timeout);
  if ((pr !== null && pr !== '' && !/^-?\d{1,9}$/.test(pr)) || (to !== null && to !== '' && !/^\d{1,15}$/.test(to))) return null;
  const properties: MsgProperty[] = [];
  let clientAuth: ClientAuthHook | null = null;
  if (authProps !== undefined) {
    const p = new Map<string, string>();
    for (const x of authProps.matchAll(FAST_PROPERTY)) p.set(x[1]!.toLowerCase(), x[2]!.trim());
    clientAuth = clientAuthOf(p);
    const ft = p.get('filetype');
    if (ft !== undefined) properties.push({ name: 'FileType', value: ft });
  }
  if (props !== undefined) for (const x of props.matchAll(FAST_PROPERTY)) properties.push({ name: x[1]!, value: x[2]! });
  const sid = trim(sourceId);
  return {
    schemaVersion: schemaVersion!,
    replyCompression: replyCompression ?? null,
    body: { type, length: parseUint(length!, `${W}/Body/@Length`), offset: parseUint(offset!, `${W}/Body/@Offset`) },
    correlationId: trim(correlationId),
    clientAuth,
    zlibCompress: hook3 !== undefined,
    id: id.trim(),
    payloadType: payloadType ?? null,
    priority: pr === null || pr === '' ? null : parseInt32(pr, `${W}/Priority`),
    properties,
    protocol: trim(protocol),
    replyMode: rm,
    replyTo: trim(replyTo),
    sentTime: trim(sentTime),
    sourceId: sid === '' ? null : sid,
    sourceHost: trim(sourceHost),
    targetAddress: trim(targetAddress),
    targetEndpoint: trim(targetEndpoint),
    targetHost: trim(targetHost),
    timeout: to === null || to === '' ? null : parseUint(to, `${W}/Timeout`),
  };
}

/** Parses a <Msg> header (order-free; unknown elements ignored): the fast path above, else the general one. */
export function decodeHeader(xml: string): MsgHeader {
  return decodeHeaderFast(xml) ?? decodeHeaderGeneral(xml);
}

/** The general, validating parse of a <Msg> header (exported for the test that holds the fast path to it). */
export function decodeHeaderGeneral(xml: string): MsgHeader {
  const m = parseRoot(xml, 'Msg', W);
  const b = kid(m, 'Body', W);
  const body = {
    type: attr(b, 'Type', `${W}/Body`) ?? 'ByteRange',
    length: parseUint(reqAttr(b, 'Length', `${W}/Body`), `${W}/Body/@Length`),
    offset: parseUint(attr(b, 'Offset', `${W}/Body`) ?? '0', `${W}/Body/@Offset`),
  };
  if (body.type !== 'ByteRange') throw new WireError('SUCA_ERR_WIRE_FIELD', `unsupported Body Type ${body.type}`, `${W}/Body/@Type`);

  let clientAuth: ClientAuthHook | null = null;
  let zlibCompress = false;
  const properties: MsgProperty[] = [];
  const hooks = optKid(m, 'Hooks', W);
  if (hooks !== undefined) {
    for (const hn of childNames(hooks)) {
      for (const hook of kids(hooks, hn)) {
        const name = (attr(hook, 'Name', `${W}/Hooks/${hn}`) ?? '').toLowerCase();
        if (name === 'zlib-compress') zlibCompress = true;
        else if (name === 'clientauth') {
          const props = new Map<string, string>();
          for (const p of propertiesOf(hook, `${W}/Hooks/${hn}`)) props.set(p.name.toLowerCase(), p.value.trim());
          clientAuth = clientAuthOf(props);
          const ft = props.get('filetype');
          if (ft !== undefined) properties.push({ name: 'FileType', value: ft });
        }
      }
    }
  }
  const pc = optKid(m, 'Properties', W);
  if (pc !== undefined) properties.push(...propertiesOf(pc, `${W}/Properties`));
  const ft = optText(m, 'FileType');
  if (ft !== null) properties.push({ name: 'FileType', value: ft });

  const id = optText(m, 'ID');
  if (id === null || id === '') throw new WireError('SUCA_ERR_WIRE_FIELD', 'missing <ID>', W);
  const payload = optKid(m, 'Payload', W);
  const pr = optText(m, 'Priority');
  const to = optText(m, 'Timeout');
  const rm = optText(m, 'ReplyMode');
  let replyMode: 'Sync' | 'Async' | null = null;
  if (rm !== null) {
    const r = rm.toLowerCase();
    if (r === 'sync') replyMode = 'Sync';
    else if (r === 'async') replyMode = 'Async';
    else throw new WireError('SUCA_ERR_WIRE_FIELD', `ReplyMode must be Sync or Async, got ${JSON.stringify(rm)}`, `${W}/ReplyMode`);
  }
  const emptyToNull = (v: string | null): string | null => (v === '' ? null : v);
  return {
    schemaVersion: attr(m, 'SchemaVersion', W) ?? '1.1',
    replyCompression: attr(m, 'ReplyCompression', W) ?? null,
    body,
    correlationId: optText(m, 'CorrelationID'),
    clientAuth,
    zlibCompress,
    id,
    payloadType: payload === undefined ? null : (attr(payload, 'Type', `${W}/Payload`) ?? null),
    priority: pr === null || pr === '' ? null : parseInt32(pr, `${W}/Priority`),
    properties,
    protocol: optText(m, 'Protocol'),
    replyMode,
    replyTo: optText(m, 'ReplyTo'),
    sentTime: optText(m, 'SentTime'),
    // <SourceID></SourceID> (unregistered client) reads as absent
    sourceId: emptyToNull(optText(m, 'SourceID')),
    sourceHost: optText(m, 'SourceHost'),
    targetAddress: optText(m, 'TargetAddress'),
    targetEndpoint: optText(m, 'TargetEndpoint'),
    targetHost: optText(m, 'TargetHost'),
    timeout: to === null || to === '' ? null : parseUint(to, `${W}/Timeout`),
  };
}

/** The endpoint a header addresses: TargetEndpoint, else the last name of TargetAddress ('mp:[http]MP_LocationManager'). */
export function endpointOf(h: MsgHeader): string | null {
  if (h.targetEndpoint !== null && h.targetEndpoint !== '') return h.targetEndpoint;
  if (h.targetAddress === null) return null;
  const last = h.targetAddress.slice(h.targetAddress.lastIndexOf(':') + 1);
  return last.replace(/^\[[^\]]*\]/, '') || null;
}

/** The value of a message property (case-insensitive name), e.g. propertyOf(h, 'FileType') === 'SMX'. */
export function propertyOf(h: MsgHeader, name: string): string | null {
  const n = name.toLowerCase();
  for (const p of h.properties) if (p.name.toLowerCase() === n) return p.value;
  return null;
}

export interface RequestHeaderInput {
  readonly id: string;
  readonly endpoint: string;
  readonly clientHost: string;
  readonly mpHost: string;
  /** 'GUID:...' or null before registration. */
  readonly sourceId: string | null;
  readonly sentTime: string;
  readonly replyMode?: 'Sync' | 'Async';
  readonly correlationId?: string;
  readonly priority?: number;
  readonly timeout?: number;
  readonly properties?: readonly MsgProperty[];
}

/**
 * A request header as the public tools build it; Body Length and the
 * clientauth hook are filled in by buildMessage (index.ts) once the body is
 * packed and signed. CorrelationID is all zeros on requests (public tools).
 */
export function requestHeader(r: RequestHeaderInput): MsgHeader {
  return {
    schemaVersion: '1.1',
    replyCompression: 'zlib',
    body: { type: 'ByteRange', length: 0, offset: 0 },
    correlationId: r.correlationId ?? '{00000000-0000-0000-0000-000000000000}',
    clientAuth: null,
    zlibCompress: true,
    id: r.id,
    payloadType: 'inline',
    priority: r.priority ?? 0,
    properties: r.properties ?? [],
    protocol: 'http',
    replyMode: r.replyMode ?? 'Sync',
    replyTo: `direct:${r.clientHost}:SccmMessaging`,
    sentTime: r.sentTime,
    sourceId: r.sourceId,
    sourceHost: r.clientHost,
    targetAddress: `mp:${r.endpoint}`,
    targetEndpoint: r.endpoint,
    targetHost: r.mpHost,
    timeout: r.timeout ?? 60000,
  };
}

/**
 * A reply header: the MP's reply carries the request's ID as CorrelationID and
 * goes back to the request's ReplyTo. (The real reply header is not public in
 * full; clients are expected to read only the body.)
 */
export function replyHeader(req: MsgHeader, r: { readonly id: string; readonly mpHost: string; readonly sentTime: string }): MsgHeader {
  return {
    schemaVersion: '1.1',
    replyCompression: null,
    body: { type: 'ByteRange', length: 0, offset: 0 },
    correlationId: req.id,
    clientAuth: null,
    zlibCompress: true,
    id: r.id,
    payloadType: 'inline',
    priority: req.priority,
    properties: [],
    protocol: 'http',
    replyMode: null,
    replyTo: null,
    sentTime: r.sentTime,
    sourceId: null,
    sourceHost: r.mpHost,
    targetAddress: req.replyTo,
    targetEndpoint: null,
    targetHost: req.sourceHost,
    timeout: null,
  };
}

/** The ClientAuth hook's properties (names lower-cased in `p`, values trimmed), for the fast and the general parser alike. */
function clientAuthOf(p: ReadonlyMap<string, string>): ClientAuthHook {
  const get = (n: string): string | null => p.get(n.toLowerCase()) ?? null;
  return {
    authSenderMachine: get('AuthSenderMachine'),
    publicKey: get('PublicKey'),
    clientIdSignature: get('ClientIDSignature'),
    payloadSignature: get('PayloadSignature'),
    // one public tool spells it ClientCapability
    clientCapabilities: get('ClientCapabilities') ?? get('ClientCapability'),
    hashAlgorithm: get('HashAlgorithm'),
  };
}
