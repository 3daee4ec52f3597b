// The CCM codecs' view of the shared XML layer (agent/wire/xml): the element
// tree of the one hardened reader in the object shape these codecs read
// (attributes '@_x', children by name, '#text'), accessors that turn missing
// or malformed values into WireErrors, and the shared escaping and scalar
// parsers under the names bodies.ts and header.ts import.
//
// Why the encoders build strings by hand instead of using a builder: the
// golden fixtures must be byte-identical, and the real messages mix styles we
// want to reproduce exactly (`<Hook3 Name="zlib-compress" />` in the <Msg>
// header, `<Content ID=".." Version=".."/>` in the location bodies, CDATA for
// PolicyLocation). A template per message is also the cheapest encoder for a
// fleet of 100k clients. Every value in a template still goes through the
// shared escapeText/escapeAttr/cdata.
//
// What the reader refuses (agent/wire/xml/reader.ts): every markup
// declaration (<!DOCTYPE, <!ENTITY, <!ELEMENT, <!ATTLIST, ...), anything not
// well-formed, and any entity reference but the five predefined ones and
// character references.

import { WireError } from '../errors.js';
import { parseXml as parseDocument, type XNode } from '../xml/reader.js';
import { cdata as writeCdata, escapeAttr, escapeText } from '../xml/writer.js';
import { parseBool as parseXsBool, parseInt32 as parseXsInt32, parseNumber as parseXsNumber, parseSafeUint } from '../xml/scalars.js';

export { refuseUndeclaredReferences } from '../xml/reader.js';
export { toDmtf, fromDmtf, dmtfOrNaN } from '../xml/scalars.js';

/** A parsed element: '' (empty), a string (text only) or an object (attributes '@_x', children, '#text'). */
export type XEl = string | { readonly [k: string]: unknown };

/**
 * The tree keeps values in their escaped form ('&' as '&amp;'): the accessors
 * below decode text and attributes with decodeText, as they always have, so
 * what the reader already decoded is given back to them re-escaped.
 */
const reEscape = (s: string): string => (s.indexOf('&') < 0 ? s : s.replace(/&/g, '&amp;'));

function toXEl(n: XNode): XEl {
  const keys = Object.keys(n.attrs);
  if (keys.length === 0 && n.children.length === 0) return reEscape(n.text);
  const o: Record<string, unknown> = {};
  for (const k of keys) o['@_' + k] = reEscape(n.attrs[k]!);
  for (const c of n.children) {
    const arr = o[c.qname] as XEl[] | undefined;
    if (arr === undefined) o[c.qname] = [toXEl(c)];
    else arr.push(toXEl(c));
  }
  if (n.text !== '') o['#text'] = reEscape(n.text);
  return o;
}

/**
 * Parses one XML document with a single root element through the shared
 * reader: markup declarations, malformed XML and undeclared entities are
 * refused with SUCA_ERR_WIRE_XML, `where` naming the message. No size limit
 * here: framing.ts bounds the bodies before they are decoded.
 */
export function parseXml(xml: string, where: string): { readonly name: string; readonly el: XEl } {
  const root = parseDocument(xml, Number.MAX_SAFE_INTEGER, where);
  return { name: root.qname, el: toXEl(root) };
}

/**
 * The name of a document's root element, read past a BOM, white space, the
 * XML declaration, processing instructions and comments (null: no element
 * start there). For routing a body to its decoder, which parses it in full:
 * a real MP parses the XML, so a request that starts with a declaration or a
 * comment is the same request (a test of the first characters sent it to the
 * wrong decoder). A loop, not a regex with nested repetition (no backtracking
 * on long runs of white space).
 */
export function rootElementName(xml: string): string | null {
  let i = xml.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (;;) {
    while (i < xml.length && (xml.charCodeAt(i) === 0x20 || xml.charCodeAt(i) === 0x09 || xml.charCodeAt(i) === 0x0a || xml.charCodeAt(i) === 0x0d)) i++;
    if (xml.startsWith('<?', i)) {
      const e = xml.indexOf('?>', i + 2);
      if (e < 0) return null;
      i = e + 2;
    } else if (xml.startsWith('<!--', i)) {
      const e = xml.indexOf('-->', i + 4);
      if (e < 0) return null;
      i = e + 3;
    } else break;
  }
  if (xml.charCodeAt(i) !== 0x3c) return null;
  const m = /[^\s/>]+/y;
  m.lastIndex = i + 1;
  return m.exec(xml)?.[0] ?? null;
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
  return Object.keys(el).filter((k) => !k.startsWith('@_') && k !== '#text');
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

/** Text content (character data and CDATA sections, in document order). */
export function text(el: XEl, where: string): string {
  if (typeof el === 'string') return decodeText(el, where);
  const t = el['#text'];
  return typeof t === 'string' ? decodeText(t, where) : '';
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

/** Escapes character data (shared writer: CR as &#xD;, non-XML characters refused). */
export function escText(s: string, where = ''): string {
  return escapeText(s, where);
}

/** Escapes an attribute value (double-quoted); whitespace controls as references so they survive normalisation. */
export function escAttr(s: string, where = ''): string {
  return escapeAttr(s, where);
}

/** A CDATA section; ']]>' inside is split across two sections. */
export function cdata(s: string, where = ''): string {
  return writeCdata(s, where);
}

/** An unsigned integer a JS number holds exactly. */
export const parseUint = (s: string, where: string): number => parseSafeUint(s, where);
/** xs:int, range-checked: "9999999999" is refused, not read as a number no 32-bit field holds. */
export const parseInt32 = (s: string, where: string): number => parseXsInt32(s, where);
export const parseNumber = (s: string, where: string): number => parseXsNumber(s, where);
/** '1'/'0' and 'true'/'false' (any case). */
export const parseBool = (s: string, where: string): boolean => parseXsBool(s, where, true);

/** Epoch ms -> '2024-01-20T17:18:55Z' (the <Msg> SentTime and registration TimeStamp form: whole seconds, UTC). */
export function toIsoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
