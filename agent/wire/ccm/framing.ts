// CCM_POST message framing (wire-protocols.md "MP protocol"): the client and
// the MP exchange one multipart/mixed payload per message, both ways:
//
//   --aAbBcCdDv1234567890VxXyYzZ\r\n
//   content-type: text/plain; charset=UTF-16\r\n
//   \r\n
//   FF FE <Msg ...>...</Msg>            UTF-16LE with BOM: the message header
//   \r\n--aAbBcCdDv1234567890VxXyYzZ\r\n
//   content-type: application/octet-stream\r\n
//   \r\n
//   zlib( UTF-16LE(body) 00 00 )        the body, NUL-terminated, then compressed
//   \r\n--aAbBcCdDv1234567890VxXyYzZ--
//
// What the public material shows and how this file follows it:
// - Boundary, part content types (lower-case `content-type`), the BOM on the
//   header and the zlib'd UTF-16LE body: a captured MP_RelayEndpoint request
//   of a real 5.00.8239 client (pypacker test data) and the public tools
//   (SCCMSecrets / impacket sccm attacks, Metasploit get_naa_credentials).
// - The capture ends the payload right after the closing delimiter with no
//   CRLF; so do we. We accept an epilogue when reading.
// - The public tools put the NUL terminator inside the compressed stream and
//   some put a CRLF after it, inside the stream too ("\0\0\r\n"); the
//   captured client compresses the body with no CRLF. We write body+NUL and
//   accept a trailing "\0\0\r\n" when reading. The CRLF that follows the
//   compressed bytes in the payload belongs to the next delimiter (RFC 2046).
// - One public tool sends the body uncompressed as a second text/plain;
//   charset=UTF-16 part (no Hook3 in the header): accepted when reading.
// - The captured relay request inflates to a NUL-terminated report header
//   followed by a second document (the attachment, with its own BOM); the
//   header's Body Length/Offset select the first. We return the bytes after
//   the first NUL as `attachment`.
//
// Replies have the same shape. An Async request (ReplyMode Async, e.g. state
// messages to MP_RelayEndpoint) gets HTTP 200 with Content-Length: 0 and no
// body (CcmMessaging.log: "Message ... doesn't have reply"): see ASYNC_REPLY.

import zlib from 'node:zlib';
import { WireError, MAX_PAYLOAD_BYTES } from '../errors.js';

export const CCM_BOUNDARY = 'aAbBcCdDv1234567890VxXyYzZ';
export const CCM_CONTENT_TYPE = `multipart/mixed; boundary="${CCM_BOUNDARY}"`;
/** The HTTP method of every CCM messaging request. */
export const CCM_METHOD = 'CCM_POST';
/** User-Agent of the real client (IIS logs: `CCM_POST /ccm_system/request ... ccmhttp`). */
export const CCM_USER_AGENT = 'ccmhttp';
/** User-Agent of the ConfigMgr client messaging SDK (Microsoft.ConfigurationManagement.Messaging). */
export const CCM_SDK_USER_AGENT = 'ConfigMgr Messaging HTTP Sender';
export const CCM_REQUEST_PATH = '/ccm_system/request';
/** Every path an MP accepts CCM_POST on: anonymous, Windows auth (registration), alternate auth, token auth. */
export const CCM_REQUEST_PATHS: readonly string[] = [
  '/ccm_system/request',
  '/ccm_system_windowsauth/request',
  '/ccm_system_altauth/request',
  '/ccm_system_tokenauth/request',
];
/** What the MP answers to an Async message: 200 with an empty body. */
export const ASYNC_REPLY = Object.freeze({ status: 200, headers: Object.freeze({ 'Content-Length': '0' }) });

/** Is `path` (query ignored, case-insensitive as IIS is) one of CCM_REQUEST_PATHS? */
export function isCcmRequestPath(path: string): boolean {
  const q = path.indexOf('?');
  const p = (q < 0 ? path : path.slice(0, q)).toLowerCase();
  return CCM_REQUEST_PATHS.includes(p);
}

export interface FrameLimits {
  /** Whole payload as received (default MAX_PAYLOAD_BYTES). */
  readonly maxPayloadBytes?: number;
  /** Body after decompression (default MAX_PAYLOAD_BYTES): stops zlib bombs. */
  readonly maxBodyBytes?: number;
}

/** A body ready for part 2: the compressed bytes and the Body Length the header must carry. */
export interface PackedBody {
  readonly compressed: Buffer;
  /** Bytes of UTF-16LE body including the NUL terminator: <Body Type="ByteRange" Length=..> (as the public tools compute it). */
  readonly length: number;
}

export interface EncodedMessage {
  readonly contentType: string;
  readonly payload: Buffer;
}

export interface DecodedMessage {
  /** The <Msg> header XML. */
  readonly header: string;
  /** The body XML (up to its NUL terminator). */
  readonly body: string;
  /** Bytes after the body's NUL terminator (an attachment), or null. */
  readonly attachment: Buffer | null;
  /** Part 2 exactly as received: the PayloadSignature is computed over these bytes. */
  readonly bodyPart: Buffer;
  /** Part 2 was zlib-compressed (application/octet-stream) rather than plain UTF-16. */
  readonly compressed: boolean;
  /** Length of the inflated (or plain) body bytes, terminator and attachment included. */
  readonly bodyBytes: number;
}

const BOM = Buffer.from([0xff, 0xfe]);
const PART1_HEAD = Buffer.from(`--${CCM_BOUNDARY}\r\ncontent-type: text/plain; charset=UTF-16\r\n\r\n`, 'latin1');
const PART2_HEAD = Buffer.from(`\r\n--${CCM_BOUNDARY}\r\ncontent-type: application/octet-stream\r\n\r\n`, 'latin1');
const CLOSE = Buffer.from(`\r\n--${CCM_BOUNDARY}--`, 'latin1');

/**
 * UTF-16LE(body) + NUL, zlib-compressed. `level` 0 gives stored blocks (used by the hand-checked
 * test vector). The default level is the real client's: the captured relay request's part 2
 * starts 78 9C, FLEVEL 2, which zlib writes for level 6 alone. Level 1 deflates a 20-message
 * report (12 KB of UTF-16) in about 45 us against 80-115 us, 10 % larger: the agent's
 * MpWire asks for it (mp-wire.ts frame(), test/mp-wire-deflate-level), the stub's answers
 * keep the default.
 */
export function packBody(body: string, level: number = zlib.constants.Z_DEFAULT_COMPRESSION): PackedBody {
  // one buffer, the UTF-16LE written in place and the NUL after it: Buffer.concat of the encoded
  // body and a zero pair took 6.3-7.9 us for a 20-message report (5,657 characters), this 3.2-4.2 us
  // (200,000 calls, 5 rounds, the 2-core VM)
  const raw = Buffer.allocUnsafe(body.length * 2 + 2);
  raw.write(body, 0, 'utf16le');
  raw[raw.length - 2] = 0;
  raw[raw.length - 1] = 0;
  return { compressed: zlib.deflateSync(raw, { level }), length: raw.length };
}

/** The multipart payload for a header and a body (packed here unless already packed, e.g. to sign it first). */
export function encodeMessage(m: { readonly header: string; readonly body: string | PackedBody }): EncodedMessage {
  const packed = typeof m.body === 'string' ? packBody(m.body) : m.body;
  const payload = Buffer.concat([PART1_HEAD, BOM, Buffer.from(m.header, 'utf16le'), PART2_HEAD, packed.compressed, CLOSE]);
  return { contentType: CCM_CONTENT_TYPE, payload };
}

// ---- decoding --------------------------------------------------------------------

interface Part {
  readonly headers: ReadonlyMap<string, string>;
  readonly data: Buffer;
}

function boundaryOf(contentType: string): string {
  const m = /^\s*multipart\/mixed\s*(?:;|$)/i.exec(contentType);
  if (m === null) throw new WireError('SUCA_ERR_WIRE_MULTIPART', `not multipart/mixed: ${JSON.stringify(contentType)}`, 'Content-Type');
  const b = /;\s*boundary\s*=\s*(?:"([^"]*)"|([^\s;"]+))/i.exec(contentType);
  const boundary = b === null ? undefined : (b[1] ?? b[2]);
  // RFC 2046: 1 to 70 characters, no trailing space.
  if (boundary === undefined || boundary.length < 1 || boundary.length > 70 || boundary.endsWith(' ')) {
    throw new WireError('SUCA_ERR_WIRE_MULTIPART', 'missing or invalid boundary parameter', 'Content-Type');
  }
  return boundary;
}

/** How errors name a part: its role in a CCM message. */
function partName(n: number): string {
  return n === 1 ? 'part 1 (header)' : n === 2 ? 'part 2 (body)' : `part ${n}`;
}

function parseParts(payload: Buffer, boundary: string): Part[] {
  const delim = Buffer.from('--' + boundary, 'latin1');
  const next = Buffer.concat([Buffer.from('\r\n', 'latin1'), delim]);
  let pos: number;
  if (payload.subarray(0, delim.length).equals(delim)) pos = delim.length;
  else {
    const i = payload.indexOf(next); // a preamble before the first delimiter
    if (i < 0) throw new WireError('SUCA_ERR_WIRE_MULTIPART', `boundary "${boundary}" not found in the payload`, 'payload');
    pos = i + next.length;
  }
  const parts: Part[] = [];
  for (;;) {
    if (payload[pos] === 0x2d && payload[pos + 1] === 0x2d) return parts; // close delimiter; the rest is epilogue
    while (payload[pos] === 0x20 || payload[pos] === 0x09) pos++; // transport padding
    if (payload[pos] !== 0x0d || payload[pos + 1] !== 0x0a) {
      throw new WireError('SUCA_ERR_WIRE_MULTIPART', 'delimiter line not followed by CRLF', partName(parts.length + 1));
    }
    const start = pos + 2;
    const end = payload.indexOf(next, start);
    if (end < 0) throw new WireError('SUCA_ERR_WIRE_MULTIPART', 'no delimiter after the part (truncated payload?)', partName(parts.length + 1));
    parts.push(splitPart(payload.subarray(start, end), parts.length + 1));
    pos = end + next.length;
  }
}

function splitPart(raw: Buffer, n: number): Part {
  let headEnd: number;
  let dataStart: number;
  if (raw[0] === 0x0d && raw[1] === 0x0a) {
    headEnd = 0;
    dataStart = 2;
  } else {
    headEnd = raw.indexOf('\r\n\r\n', 0, 'latin1');
    if (headEnd < 0) throw new WireError('SUCA_ERR_WIRE_MULTIPART', 'part headers not terminated by an empty line', partName(n));
    dataStart = headEnd + 4;
  }
  const headers = new Map<string, string>();
  if (headEnd > 0) {
    for (const line of raw.subarray(0, headEnd).toString('latin1').split('\r\n')) {
      const c = line.indexOf(':');
      if (c <= 0) throw new WireError('SUCA_ERR_WIRE_MULTIPART', `malformed part header ${JSON.stringify(line)}`, partName(n));
      headers.set(line.slice(0, c).trim().toLowerCase(), line.slice(c + 1).trim());
    }
  }
  return { headers, data: raw.subarray(dataStart) };
}

/** MIME type and charset of a part (MIME default: text/plain). */
function typeOf(p: Part): { readonly type: string; readonly charset: string | null } {
  const ct = p.headers.get('content-type') ?? 'text/plain';
  const type = ct.split(';')[0]!.trim().toLowerCase();
  const cs = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(ct);
  return { type, charset: cs === null ? null : cs[1]!.toLowerCase() };
}

const utf16 = new TextDecoder('utf-16le', { fatal: true, ignoreBOM: true });

/** Strict UTF-16LE (odd length, lone surrogates refused). */
export function decodeUtf16le(b: Buffer, where: string): string {
  if (b.length % 2 !== 0) throw new WireError('SUCA_ERR_WIRE_ENCODING', `odd byte count (${b.length}) for UTF-16LE`, where);
  try {
    return utf16.decode(b);
  } catch (e) {
    throw new WireError('SUCA_ERR_WIRE_ENCODING', 'invalid UTF-16LE (unpaired surrogate)', where, { cause: e });
  }
}

function decodeHeaderPart(p: Part): string {
  const where = 'part 1 (header)';
  const t = typeOf(p);
  if (t.type !== 'text/plain') throw new WireError('SUCA_ERR_WIRE_MULTIPART', `expected text/plain, got ${t.type}`, where);
  if (t.charset !== null && t.charset !== 'utf-16' && t.charset !== 'utf-16le') {
    throw new WireError('SUCA_ERR_WIRE_ENCODING', `expected charset UTF-16, got ${t.charset}`, where);
  }
  const d = p.data;
  if (d.length < 2 || d[0] !== 0xff || d[1] !== 0xfe) {
    const got = d.length >= 2 ? d.subarray(0, 2).toString('hex').toUpperCase() : 'nothing';
    throw new WireError('SUCA_ERR_WIRE_ENCODING', `expected the UTF-16LE byte order mark FF FE, got ${got}`, where);
  }
  // a trailing NUL is tolerated (C-string habits); the capture has none
  return decodeUtf16le(d.subarray(2), where).replace(/\u0000+$/, '');
}

function inflate(data: Buffer, maxBodyBytes: number, where: string): Buffer {
  let r: { buffer: Buffer; engine: { bytesWritten: number } };
  try {
    r = zlib.inflateSync(data, { maxOutputLength: maxBodyBytes, info: true } as zlib.ZlibOptions) as unknown as typeof r;
  } catch (e) {
    if (e instanceof RangeError || (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new WireError('SUCA_ERR_WIRE_TOO_LARGE', `body inflates past ${maxBodyBytes} bytes`, where, { cause: e });
    }
    throw new WireError('SUCA_ERR_WIRE_ENCODING', `bad zlib stream: ${(e as Error).message}`, where, { cause: e });
  }
  if (r.engine.bytesWritten !== data.length) {
    throw new WireError('SUCA_ERR_WIRE_ENCODING', `${data.length - r.engine.bytesWritten} bytes after the end of the zlib stream`, where);
  }
  return r.buffer;
}

/** Inflated (or plain) body bytes -> body text up to the first NUL, and what follows it. */
function splitBody(raw: Buffer, where: string): { body: string; attachment: Buffer | null } {
  let b = raw;
  const n = b.length;
  // "\0\0\r\n" as some public tools compress it
  if (n >= 4 && b[n - 4] === 0 && b[n - 3] === 0 && b[n - 2] === 0x0d && b[n - 1] === 0x0a) b = b.subarray(0, n - 2);
  if (b.length % 2 !== 0) throw new WireError('SUCA_ERR_WIRE_ENCODING', `odd byte count (${b.length}) for UTF-16LE`, where);
  // The first UTF-16 NUL: a zero code unit. Found by Uint16Array's native indexOf where the
  // bytes are 2-aligned (inflate's output is a buffer of its own): 44-49 us for 230 KB against
  // 154-167 us for the loop of a byte pair an iteration (which was 3.9 % of the stub's samples
  // under bench (a)). Buffer.indexOf of a two-byte zero needle took 780-820 us: every other byte
  // of ASCII text in UTF-16 matches its first byte. Either byte order reads a zero unit alike.
  let nul = -1;
  if (b.byteOffset % 2 === 0) {
    const k = new Uint16Array(b.buffer, b.byteOffset, b.length >> 1).indexOf(0);
    if (k >= 0) nul = k * 2;
  } else {
    for (let i = 0; i < b.length; i += 2) {
      if (b[i] === 0 && b[i + 1] === 0) {
        nul = i;
        break;
      }
    }
  }
  if (nul < 0) return { body: decodeUtf16le(b, where), attachment: null };
  const rest = b.subarray(nul + 2);
  return { body: decodeUtf16le(b.subarray(0, nul), where), attachment: rest.length > 0 ? Buffer.from(rest) : null };
}

/**
 * Decodes a CCM_POST payload (request or reply). Errors: SUCA_ERR_WIRE_MULTIPART
 * (Content-Type, boundary, parts), SUCA_ERR_WIRE_ENCODING (BOM, UTF-16LE, zlib),
 * SUCA_ERR_WIRE_TOO_LARGE (payload, or body after inflation); `where` names the part.
 * Parts after the second are ignored (not seen in public material).
 */
export function decodeMessage(contentType: string, payload: Buffer, limits: FrameLimits = {}): DecodedMessage {
  const maxPayload = limits.maxPayloadBytes ?? MAX_PAYLOAD_BYTES;
  const maxBody = limits.maxBodyBytes ?? MAX_PAYLOAD_BYTES;
  if (payload.length > maxPayload) throw new WireError('SUCA_ERR_WIRE_TOO_LARGE', `payload of ${payload.length} bytes exceeds ${maxPayload}`, 'payload');
  const parts = parseParts(payload, boundaryOf(contentType));
  if (parts.length < 1) throw new WireError('SUCA_ERR_WIRE_MULTIPART', 'missing part 1 (the <Msg> header)', 'part 1 (header)');
  if (parts.length < 2) throw new WireError('SUCA_ERR_WIRE_MULTIPART', 'missing part 2 (the body)', 'part 2 (body)');
  const header = decodeHeaderPart(parts[0]!);
  const p2 = parts[1]!;
  const where = 'part 2 (body)';
  const t = typeOf(p2);
  let raw: Buffer;
  let compressed: boolean;
  if (t.type === 'application/octet-stream') {
    if (p2.data.length > maxPayload) throw new WireError('SUCA_ERR_WIRE_TOO_LARGE', `compressed body of ${p2.data.length} bytes exceeds ${maxPayload}`, where);
    raw = inflate(p2.data, maxBody, where);
    compressed = true;
  } else if (t.type === 'text/plain') {
    if (t.charset !== null && t.charset !== 'utf-16' && t.charset !== 'utf-16le') {
      throw new WireError('SUCA_ERR_WIRE_ENCODING', `expected charset UTF-16, got ${t.charset}`, where);
    }
    if (p2.data.length > maxBody) throw new WireError('SUCA_ERR_WIRE_TOO_LARGE', `body of ${p2.data.length} bytes exceeds ${maxBody}`, where);
    raw = p2.data[0] === 0xff && p2.data[1] === 0xfe ? p2.data.subarray(2) : p2.data;
    compressed = false;
  } else {
    throw new WireError('SUCA_ERR_WIRE_MULTIPART', `expected application/octet-stream, got ${t.type}`, where);
  }
  const { body, attachment } = splitBody(raw, where);
  return { header, body, attachment, bodyPart: p2.data, compressed, bodyBytes: raw.length };
}

// ---- stand-alone documents (policy bodies, .sms_aut replies) ---------------------

/** BOM + UTF-16LE: how the MP serves a policy body (GET /SMS_MP/.sms_pol?...). */
export function encodeUtf16Document(xml: string): Buffer {
  return Buffer.concat([BOM, Buffer.from(xml, 'utf16le')]);
}

/**
 * A document served over plain HTTP GET: UTF-16LE with BOM, UTF-8 with or
 * without BOM. Trailing NULs are dropped. (Which encoding the real MP uses
 * for each .sms_aut reply is not public: be lenient.)
 */
export function decodeTextDocument(b: Buffer, limits: FrameLimits = {}): string {
  const max = limits.maxPayloadBytes ?? MAX_PAYLOAD_BYTES;
  if (b.length > max) throw new WireError('SUCA_ERR_WIRE_TOO_LARGE', `document of ${b.length} bytes exceeds ${max}`, 'document');
  let s: string;
  if (b[0] === 0xff && b[1] === 0xfe) s = decodeUtf16le(b.subarray(2), 'document');
  else if (b[0] === 0xfe && b[1] === 0xff) throw new WireError('SUCA_ERR_WIRE_ENCODING', 'UTF-16BE is not supported', 'document');
  else {
    const d = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? b.subarray(3) : b;
    try {
      s = new TextDecoder('utf-8', { fatal: true }).decode(d);
    } catch (e) {
      throw new WireError('SUCA_ERR_WIRE_ENCODING', 'invalid UTF-8', 'document', { cause: e });
    }
  }
  return s.replace(/\u0000+$/, '');
}
