// XML plumbing shared by the CCM codecs: a hardened fast-xml-parser set-up,
// accessors that turn missing or malformed values into WireErrors, escaping
// for the hand-written encoders, and the WMI (DMTF) time format.
//
// Why the encoders build strings by hand instead of using fast-xml-parser's
// builder: the golden fixtures must be byte-identical, and the real messages
// mix styles we want to reproduce exactly (`<Hook3 Name="zlib-compress" />` in
// the <Msg> header, `<Content ID=".." Version=".."/>` in the location bodies,
// CDATA for PolicyLocation). A template per message is also the cheapest
// encoder for a fleet of 100k clients.

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { WireError } from '../errors.js';

/** A parsed element: '' (empty), a string (text only) or an object (attributes '@_x', children, '#text', '__cdata'). */
export type XEl = string | { readonly [k: string]: unknown };

// Entities are never expanded by the parser (processEntities: false): the five
// predefined entities and character references are decoded by decodeText
// below, and any other reference is refused. DOCTYPE is refused before the
// parser sees the text (fast-xml-parser 5 has no switch to refuse it; its
// DocTypeReader would otherwise read <!ENTITY> declarations). Every element is
// parsed as an array so repeated and single children read the same way.
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  cdataPropName: '__cdata',
  commentPropName: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  isArray: (_name: string, _jpath: unknown, _leaf: boolean, isAttribute: boolean) => !isAttribute,
});

const DOCTYPE = /<!\s*(DOCTYPE|ENTITY)/i;

/**
 * Parses one XML document with a single root element. Refuses DOCTYPE and
 * entity declarations (also inside comments or CDATA: a false positive there
 * costs nothing for these messages) and anything not well-formed, with
 * SUCA_ERR_WIRE_XML.
 */
export function parseXml(xml: string, where: string): { readonly name: string; readonly el: XEl } {
  let s = xml;
  if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
  if (DOCTYPE.test(s)) throw new WireError('SUCA_ERR_WIRE_XML', 'DOCTYPE and entity declarations are refused', where);
  const v = XMLValidator.validate(s, { allowBooleanAttributes: false });
  if (v !== true) {
    throw new WireError('SUCA_ERR_WIRE_XML', `not well-formed: ${v.err.msg} (line ${v.err.line}, col ${v.err.col})`, where);
  }
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(s) as Record<string, unknown>;
  } catch (e) {
    throw new WireError('SUCA_ERR_WIRE_XML', `not well-formed: ${(e as Error).message}`, where, { cause: e });
  }
  const roots = Object.keys(doc).filter((k) => k !== '#text');
  if (roots.length !== 1) throw new WireError('SUCA_ERR_WIRE_XML', `expected one root element, found ${roots.length}`, where);
  const name = roots[0]!;
  const arr = doc[name] as XEl[];
  if (arr.length !== 1) throw new WireError('SUCA_ERR_WIRE_XML', `expected one root element, found ${arr.length}`, where);
  return { name, el: arr[0]! };
}

/** An '&' that does not start one of the five predefined entities or a character reference. */
const BAD_REFERENCE = /&(?!(?:lt|gt|amp|quot|apos|#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6});)/;
/** What XML keeps verbatim: comments and CDATA sections. */
const VERBATIM = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>/g;

/**
 * Any other entity reference is a well-formedness error (no DTD can declare
 * one), wherever it is. decodeText refuses it in the values the decoders
 * read (naming the element); this refuses it anywhere in a document (mixed
 * content, elements and attributes no decoder reads), so that '&xxe;' is not
 * accepted just because nobody looked at it. openMessage applies it to the
 * header after decodeHeader; a receiver applies it to the body (the stub MP
 * does, before decoding it).
 */
export function refuseUndeclaredReferences(s: string, where: string): void {
  if (s.indexOf('&') < 0) return;
  const t = s.indexOf('<!') < 0 ? s : s.replace(VERBATIM, '');
  const m = BAD_REFERENCE.exec(t);
  if (m === null) return;
  const ref = /^&[^;&\s<]{0,24};?/.exec(t.slice(m.index))![0];
  throw new WireError('SUCA_ERR_WIRE_XML', `entity reference ${JSON.stringify(ref)} refused (no DTD: only the predefined entities and character references exist)`, where);
}

/** The root element, which must be named `name`. */
export function parseRoot(xml: string, name: string, where = name): XEl {
  const r = parseXml(xml, where);
  if (r.name !== name) throw new WireError('SUCA_ERR_WIRE_FIELD', `expected root <${name}>, found <${r.name}>`, where);
  return r.el;
}

// ---- accessors ---------------------------------------------------------------

/** All children named `name` (in document order among themselves). */
export function kids(el: XEl, name: string): readonly XEl[] {
  if (typeof el === 'string') return [];
  const v = el[name];
  return Array.isArray(v) ? (v as XEl[]) : [];
}

/** The child named `name`, or undefined; more than one is an error. */
export function optKid(el: XEl, name: string, where: string): XEl | undefined {
  const k = kids(el, name);
  if (k.length > 1) throw new WireError('SUCA_ERR_WIRE_FIELD', `more than one <${name}>`, where);
  return k[0];
}

/** The one child named `name`. */
export function kid(el: XEl, name: string, where: string): XEl {
  const k = optKid(el, name, where);
  if (k === undefined) throw new WireError('SUCA_ERR_WIRE_FIELD', `missing <${name}>`, where);
  return k;
}

/** Names of the element children (attributes, text and CDATA excluded). */
export function childNames(el: XEl): string[] {
  if (typeof el === 'string') return [];
  return Object.keys(el).filter((k) => !k.startsWith('@_') && k !== '#text' && k !== '__cdata');
}

/** An attribute value with entities decoded, or undefined. */
export function attr(el: XEl, name: string, where: string): string | undefined {
  if (typeof el === 'string') return undefined;
  const v = el['@_' + name];
  return typeof v === 'string' ? decodeText(v, `${where}/@${name}`) : undefined;
}

export function reqAttr(el: XEl, name: string, where: string): string {
  const v = attr(el, name, where);
  if (v === undefined) throw new WireError('SUCA_ERR_WIRE_FIELD', `missing attribute ${name}`, where);
  return v;
}

/** Text content: character data (entities decoded) followed by CDATA sections (verbatim). */
export function text(el: XEl, where: string): string {
  if (typeof el === 'string') return decodeText(el, where);
  const t = el['#text'];
  let s = typeof t === 'string' ? decodeText(t, where) : '';
  const c = el.__cdata;
  if (Array.isArray(c)) for (const part of c) s += String(part);
  return s;
}

/** Text of the one child `name`. */
export function kidText(el: XEl, name: string, where: string): string {
  return text(kid(el, name, where), `${where}/${name}`);
}

export function optKidText(el: XEl, name: string, where: string): string | undefined {
  const k = optKid(el, name, where);
  return k === undefined ? undefined : text(k, `${where}/${name}`);
}

// ---- values --------------------------------------------------------------------

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const REF = /&([^;&\s]*);?/g;

/**
 * Decodes the predefined entities and character references. Any other entity
 * reference (there is no DTD that could declare one) or a bare '&' is refused
 * with SUCA_ERR_WIRE_XML.
 */
export function decodeText(s: string, where: string): string {
  if (s.indexOf('&') < 0) return s;
  return s.replace(REF, (m: string, ref: string) => {
    if (!m.endsWith(';')) throw new WireError('SUCA_ERR_WIRE_XML', "bare '&' (not a reference)", where);
    const p = PREDEFINED[ref];
    if (p !== undefined) return p;
    let cp = NaN;
    if (/^#x[0-9a-fA-F]{1,6}$/.test(ref)) cp = parseInt(ref.slice(2), 16);
    else if (/^#[0-9]{1,7}$/.test(ref)) cp = parseInt(ref.slice(1), 10);
    else throw new WireError('SUCA_ERR_WIRE_XML', `entity reference ${m} refused (entities are never expanded)`, where);
    const ok = cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
    if (!ok) throw new WireError('SUCA_ERR_WIRE_XML', `character reference ${m} is not an XML character`, where);
    return String.fromCodePoint(cp);
  });
}

/** Escapes character data. */
export function escText(s: string): string {
  return /[&<>]/.test(s) ? s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;') : s;
}

/** Escapes an attribute value (double-quoted); whitespace controls as references so they survive normalisation. */
export function escAttr(s: string): string {
  return /[&<>"\t\n\r]/.test(s)
    ? s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
        .replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;')
    : s;
}

/** A CDATA section; ']]>' inside is split across two sections. */
export function cdata(s: string): string {
  return '<![CDATA[' + s.replace(/]]>/g, ']]]]><![CDATA[>') + ']]>';
}

export function parseUint(s: string, where: string): number {
  const t = s.trim();
  if (!/^[0-9]{1,16}$/.test(t)) throw new WireError('SUCA_ERR_WIRE_FIELD', `not an unsigned integer: ${JSON.stringify(s)}`, where);
  const n = Number(t);
  if (!Number.isSafeInteger(n)) throw new WireError('SUCA_ERR_WIRE_FIELD', `integer out of range: ${s}`, where);
  return n;
}

export function parseInt32(s: string, where: string): number {
  const t = s.trim();
  if (!/^-?[0-9]{1,10}$/.test(t)) throw new WireError('SUCA_ERR_WIRE_FIELD', `not an integer: ${JSON.stringify(s)}`, where);
  return Number(t);
}

export function parseNumber(s: string, where: string): number {
  const t = s.trim();
  if (!/^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/.test(t)) {
    throw new WireError('SUCA_ERR_WIRE_FIELD', `not a number: ${JSON.stringify(s)}`, where);
  }
  return Number(t);
}

/** '1'/'0' and 'true'/'false' (any case). */
export function parseBool(s: string, where: string): boolean {
  const t = s.trim().toLowerCase();
  if (t === 'true' || t === '1') return true;
  if (t === 'false' || t === '0') return false;
  throw new WireError('SUCA_ERR_WIRE_FIELD', `not a boolean: ${JSON.stringify(s)}`, where);
}

// ---- WMI (DMTF) date-time ------------------------------------------------------
// yyyyMMddHHmmss.ffffff+UUU where UUU is the offset from UTC in minutes
// (client-behaviour.md: MessageTime="20140120171855.573000+000"; a captured
// Russian client writes +180). We always write UTC (+000).

const DMTF = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})\.(\d{6})([+-])(\d{3})$/;

const p2 = (n: number): string => (n < 10 ? '0' : '') + n;

/** Epoch ms -> '20140120171855.573000+000'. Sub-millisecond digits are kept down to microseconds. */
export function toDmtf(ms: number): string {
  if (!Number.isFinite(ms)) throw new WireError('SUCA_ERR_WIRE_FIELD', `time out of range: ${ms}`);
  const totalMicro = Math.round(ms * 1000);
  const secMs = Math.floor(totalMicro / 1_000_000) * 1000;
  const d = new Date(secMs);
  const y = d.getUTCFullYear();
  if (!(y >= 0 && y <= 9999)) throw new WireError('SUCA_ERR_WIRE_FIELD', `time out of range: ${ms}`);
  const micro = (totalMicro - secMs * 1000).toString().padStart(6, '0');
  return (
    y.toString().padStart(4, '0') + p2(d.getUTCMonth() + 1) + p2(d.getUTCDate()) +
    p2(d.getUTCHours()) + p2(d.getUTCMinutes()) + p2(d.getUTCSeconds()) + '.' + micro + '+000'
  );
}

/** '20140120171855.573000+000' -> epoch ms (UTC; a non-zero offset is subtracted). */
export function fromDmtf(s: string, where: string): number {
  const m = DMTF.exec(s.trim());
  if (m === null) throw new WireError('SUCA_ERR_WIRE_FIELD', `not a WMI date-time (yyyyMMddHHmmss.ffffff+UUU): ${JSON.stringify(s)}`, where);
  const [, y, mo, d, h, mi, se, f, sign, off] = m;
  const base = Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +se!);
  const dt = new Date(base);
  if (dt.getUTCMonth() !== +mo! - 1 || dt.getUTCDate() !== +d! || +h! > 23 || +mi! > 59 || +se! > 59) {
    throw new WireError('SUCA_ERR_WIRE_FIELD', `invalid date-time: ${s}`, where);
  }
  const micro = +f!;
  const offsetMin = (sign === '-' ? -1 : 1) * +off!;
  return base + micro / 1000 - offsetMin * 60_000;
}

/** Epoch ms -> '2024-01-20T17:18:55Z' (the <Msg> SentTime and registration TimeStamp form: whole seconds, UTC). */
export function toIsoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
