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
  NS_SOAP_ENVELOPE,
  NS_XSD,
  NS_XSI,
  OPERATION_SERVICE,
  PATH_CLIENT,
  PATH_REPORTING,
  PATH_REPORTING_ALT,
  PATH_SIMPLE_AUTH,
  SERVICE_NAMESPACE,
  SERVICE_PATH,
  SOAP_ACTION,
  WUSP_ERROR_CODES,
  WUSP_OPERATIONS,
  WUSP_UNIMPLEMENTED_OPERATIONS,
  type GetConfigResponse,
  type WuspErrorCode,
  type WuspFault,
  type WuspOperation,
  type WuspRequest,
  type WuspResponse,
  type WuspService,
} from './messages.js';
import { XmlWriter, checkSize, isNil, namespaceOf, parseXml, type XNode } from './xml.js';
import { dateTimeToMs, oneOf } from '../xml/scalars.js';
import { decodeFields, encodeFields } from './schema.js';
import { REQUESTS, RESPONSES, WRAPPED_RESPONSES } from './wsdl.js';

export { WuspRequestFault } from './schema.js';

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

/**
 * xs:dateTime -> epoch ms (fractions past ms truncated). No zone means UTC:
 * the spec's examples omit it on client times that are UTC.
 */
export function parseDateTime(s: string, where = ''): number {
  return dateTimeToMs(s, where);
}

/**
 * The identity and type in a core metadata fragment (UpdateInfo.xml):
 * `<UpdateIdentity UpdateID="..." RevisionNumber="..." /><Properties UpdateType="..." />`.
 * The fragment has several roots, so it is read with patterns rather than
 * parsed; null when it has no UpdateIdentity. The attributes are found in any
 * order and with either quote, as XML allows (WSUS writes UpdateID first, in
 * double quotes; a server built otherwise is read alike).
 */
export function readCoreFragment(xml: string): { updateId: string; revisionNumber: number; updateType: string | null } | null {
  // WSUS's own identity form first, one anchored pattern: the general reading below alone took
  // 604-1,130 ns a call against 304-593 for the old two patterns (1,000,000 calls, 6 rounds, the
  // 2-core VM); with this fast path 332-568 ns
  const type = /<Properties\s[^>]*?UpdateType\s*=\s*(["'])([A-Za-z]+)\1/.exec(xml);
  const updateType = type === null ? null : type[2]!;
  const fast = /^\s*<UpdateIdentity\s+UpdateID="([0-9A-Fa-f-]{36})"\s+RevisionNumber="(\d+)"/.exec(xml);
  if (fast !== null) return { updateId: fast[1]!, revisionNumber: Number(fast[2]), updateType };
  const el = /^\s*<UpdateIdentity\s([^>]*)>/.exec(xml);
  if (el === null) return null;
  const id = /(?:^|\s)UpdateID\s*=\s*(["'])([0-9A-Fa-f-]{36})\1/.exec(el[1]!);
  const rev = /(?:^|\s)RevisionNumber\s*=\s*(["'])(\d+)\1/.exec(el[1]!);
  if (id === null || rev === null) return null;
  return { updateId: id[2]!, revisionNumber: Number(rev[2]), updateType };
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

function requestEnvelope(op: WuspOperation, inner: string): string {
  const ns = SERVICE_NAMESPACE[OPERATION_SERVICE[op]];
  const body = inner === '' ? `<${op} xmlns="${ns}"/>` : `<${op} xmlns="${ns}">${inner}</${op}>`;
  return `<s:Envelope xmlns:s="${NS_SOAP_ENVELOPE}"><s:Body>${body}</s:Body></s:Envelope>`;
}

function responseEnvelope(op: WuspOperation, inner: string): string {
  const ns = SERVICE_NAMESPACE[OPERATION_SERVICE[op]];
  const name = `${op}Response`;
  const body = inner === '' ? `<${name} xmlns="${ns}"/>` : `<${name} xmlns="${ns}">${inner}</${name}>`;
  if (OPERATION_SERVICE[op] === 'client') {
    // WCF (ClientWebService on WSUS 2025)
    return `<s:Envelope xmlns:s="${NS_SOAP_ENVELOPE}"><s:Body xmlns:xsi="${NS_XSI}" xmlns:xsd="${NS_XSD}">${body}</s:Body></s:Envelope>`;
  }
  // classic ASMX (SimpleAuth, Reporting)
  return `${XML_DECLARATION}<soap:Envelope xmlns:soap="${NS_SOAP_ENVELOPE}" xmlns:xsi="${NS_XSI}" xmlns:xsd="${NS_XSD}"><soap:Body>${body}</soap:Body></soap:Envelope>`;
}

/** The body of a request, its endpoint path and its SOAPAction header value (quoted). */
export function encodeRequest(msg: WuspRequest): { path: string; soapAction: string; body: string } {
  const body = requestEnvelope(msg.op, encodeFields(REQUESTS[msg.op], msg as unknown as Record<string, unknown>, msg.op));
  return { path: SERVICE_PATH[OPERATION_SERVICE[msg.op]], soapAction: soapActionHeader(msg.op), body };
}

/** The body of a successful response (HTTP 200). */
export function encodeResponse(msg: WuspResponse): string {
  const { op, ...rest } = msg as WuspResponse & Record<string, unknown>;
  const fields: Record<string, unknown> = WRAPPED_RESPONSES.has(op) ? { result: rest } : rest;
  const name = `${op}Response`;
  return responseEnvelope(op, encodeFields(RESPONSES[op], fields, name));
}

/**
 * A fault body, sent with FAULT_HTTP_STATUS (500), in the shape real WSUS
 * 2025 sends it from ClientWebService (captured). The same shape serves
 * SimpleAuth and Reporting faults: clients read faultcode and detail, not
 * the envelope prefix. detail is left out when the fault has no WUSP fields.
 */
export function encodeFault(fault: WuspFault): string {
  const w = new XmlWriter();
  w.open('s:Envelope', [['xmlns:s', NS_SOAP_ENVELOPE]]).open('s:Body').open('s:Fault');
  w.leaf('faultcode', `s:${fault.faultCode}`).leaf('faultstring', fault.faultString).opt('faultactor', fault.faultActor);
  if (fault.errorCode !== undefined || fault.message !== undefined || fault.id !== undefined || fault.method !== undefined) {
    w.open('detail').opt('ErrorCode', fault.errorCode).opt('Message', fault.message).opt('ID', fault.id).opt('Method', fault.method).close();
  }
  return w.close().close().close().toString();
}

// ---- decoding ----------------------------------------------------------------

function fieldError(where: string, message: string): WireError {
  return new WireError('SUCA_ERR_WIRE_FIELD', message, where);
}

/** Adds `key: value` only when value is defined, so decoded objects have no undefined-valued keys (deep-equal with hand-built ones). */
function put(o: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== undefined) o[key] = value;
}

function child(n: XNode, name: string): XNode | undefined {
  for (const c of n.children) if (c.local === name) return c;
  return undefined;
}

/** An optional text child; xsi:nil counts as absent. */
function optStr(n: XNode, name: string, where: string): string | undefined {
  const c = child(n, name);
  if (c === undefined || isNil(c)) return undefined;
  if (c.children.length > 0) throw fieldError(`${where}/${name}`, 'expected text, found child elements');
  return c.text;
}

function decodeRequestBody(op: WuspOperation, n: XNode): WuspRequest {
  return { op, ...decodeFields(REQUESTS[op], n, op) } as unknown as WuspRequest;
}

function decodeResponseBody(op: WuspOperation, n: XNode, where: string): WuspResponse {
  const o = decodeFields(RESPONSES[op], n, where);
  const fields = WRAPPED_RESPONSES.has(op) ? (o.result as Record<string, unknown>) : o;
  return { op, ...fields } as unknown as WuspResponse;
}


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
  return decodeRequestBody(op, el);
}

function readFault(f: XNode): WuspFault {
  const w = 'Fault';
  const fc = optStr(f, 'faultcode', w);
  if (fc === undefined) throw fieldError(`${w}/faultcode`, 'required element missing');
  const code = fc.trim();
  const colon = code.indexOf(':');
  const o: Record<string, unknown> = {
    op: 'Fault',
    faultCode: colon >= 0 ? code.slice(colon + 1) : code,
    faultString: optStr(f, 'faultstring', w) ?? '',
  };
  put(o, 'faultActor', optStr(f, 'faultactor', w));
  const dn = child(f, 'detail');
  const d = dn === undefined || isNil(dn) ? undefined : dn;
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
  return decodeResponseBody(operation, el, expected);
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