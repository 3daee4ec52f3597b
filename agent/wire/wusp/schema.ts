// Each MS-WUSP message described once, as the WSDL of MS-WUSP section 6 gives
// it (element name, type, minOccurs, nillable, order), and one engine that
// drives both directions from that description: encode() writes the elements
// in the described order, decode() reads them back. The hand-written writer
// and reader pair kept in step by hand are gone.
//
// Order: the description's order is the order WUA sends (captures) and the
// WSDL's sequence, which agree for every element the WSDL has; elements the
// WSDL of the spec lacks (FilterAppCategoryIds, ExtendedUpdateInfoParameters,
// ... from the sample server's contracts) sit where the sample server puts them.
// Decoding does not enforce order (ASP.NET's XmlSerializer does not either).
//
// minOccurs="0" (`min: 0`): the element may be absent, and decode accepts its
// absence. When the typed message has no place for "absent" (the ASMX WSDL
// makes every string and class optional, so a cookie or a clientId may be
// left out), `absent` says what happens instead, the way a real server
// treats the null it would get:
//   - { value }: the field takes that value (strings: '', lists: [])
//   - { fault }: the request is valid XML for the schema but the server cannot
//     serve it; it answers that WUSP fault (WuspRequestFault, see codec.ts)
//   - 'refuse': a response the client cannot use (NewCookie missing): WireError
// minOccurs="1" (`min: 1`) absent: SUCA_ERR_WIRE_FIELD naming the element.

import { WireError } from '../errors.js';
import { escapeText } from '../xml/writer.js';
import { isNil, type XNode } from '../xml/reader.js';
import {
  checkBase64, checkDateTime, formatInteger, oneOf, parseBool, parseGuid, parseInt16, parseInt32, parseInt64, parseUint8,
} from '../xml/scalars.js';
import { NS_XSI, type WuspErrorCode } from './messages.js';

export type ScalarType =
  | 'string'
  | 'int' // xs:int
  | 'short' // xs:short
  | 'ubyte' // xs:unsignedByte
  | 'long' // xs:long, as decimal text
  | 'bool'
  | 'boolString' // s:string holding a .NET boolean ("true", "True")
  | 'guid'
  | 'dateTime'
  | 'base64'
  | { readonly enum: readonly string[] };

export interface ComplexType {
  readonly kind: 'complex';
  readonly fields: readonly Field[];
  /** checks the schema cannot express (a spec MUST), run on the decoded object */
  readonly check?: (o: Record<string, unknown>, where: string) => void;
}

/** ArrayOfX: <Name><item/>...</Name>; the item element is nillable in every WUSP array of references. */
export interface ArrayType {
  readonly kind: 'array';
  readonly item: string;
  readonly of: ScalarType | ComplexType | WrapType;
}

/** An element holding one child whose value is the field's (TargetID { Sid } carried as targetSid). */
export interface WrapType {
  readonly kind: 'wrap';
  readonly inner: Field;
}

export type FieldType = ScalarType | ComplexType | ArrayType | WrapType;

export type Absent = { readonly value: unknown } | { readonly fault: WuspErrorCode } | 'refuse';

export interface Field {
  /** element name */
  readonly el: string;
  /** property of the typed message */
  readonly key: string;
  readonly type: FieldType;
  /** WSDL minOccurs */
  readonly min: 0 | 1;
  /** WSDL nillable="true" with a null in the typed message: written as xsi:nil, read back as null */
  readonly nullable?: boolean;
  /** what a missing min=0 element becomes when the typed message requires the field (see the top of this file) */
  readonly absent?: Absent;
  /** other names accepted when reading (the spec's schema and WUA disagree on one casing) */
  readonly alias?: readonly string[];
}

export const complex = (fields: readonly Field[], check?: ComplexType['check']): ComplexType => ({ kind: 'complex', fields, ...(check ? { check } : {}) });
export const wrap = (inner: Field): WrapType => ({ kind: 'wrap', inner });
export const arrayOf = (item: string, of: ScalarType | ComplexType | WrapType): ArrayType => ({ kind: 'array', item, of });

/** A field the server needs but the WSDL lets the client leave out: the server answers `code` as a SOAP fault. */
export class WuspRequestFault extends WireError {
  constructor(readonly errorCode: WuspErrorCode, message: string, where: string) {
    super('SUCA_ERR_WIRE_FIELD', message, where);
    this.name = 'WuspRequestFault';
  }
}

const fieldError = (where: string, message: string): WireError => new WireError('SUCA_ERR_WIRE_FIELD', message, where);

const isComplex = (t: FieldType): t is ComplexType => typeof t === 'object' && 'kind' in t && t.kind === 'complex';
const isArray = (t: FieldType): t is ArrayType => typeof t === 'object' && 'kind' in t && t.kind === 'array';
const isWrap = (t: FieldType): t is WrapType => typeof t === 'object' && 'kind' in t && t.kind === 'wrap';

// ---- encoding ------------------------------------------------------------------

function scalarText(t: ScalarType, v: unknown, where: string): string {
  switch (t) {
    case 'string':
      if (typeof v !== 'string') throw fieldError(where, 'expected a string');
      return v;
    case 'int':
      return formatInteger(v as number, where);
    case 'short':
      return formatInteger(v as number, where, -32768, 32767);
    case 'ubyte':
      return formatInteger(v as number, where, 0, 255);
    case 'long':
      return parseInt64(String(v), where);
    case 'bool':
    case 'boolString':
      if (typeof v !== 'boolean') throw fieldError(where, 'expected a boolean');
      return v ? 'true' : 'false';
    case 'guid':
      return parseGuid(String(v), where);
    case 'dateTime':
      return checkDateTime(String(v), where);
    case 'base64':
      return checkBase64(String(v), where);
    default:
      return oneOf(String(v), t.enum, where);
  }
}

/** <name>inner</name>, or <name/> when there is nothing inside (the captures' form for '' and []). */
const element = (name: string, inner: string): string => (inner === '' ? `<${name}/>` : `<${name}>${inner}</${name}>`);

function encodeValue(name: string, t: FieldType, v: unknown, where: string): string {
  if (isComplex(t)) return element(name, encodeFields(t, v as Record<string, unknown>, where));
  if (isWrap(t)) return element(name, encodeFields(complex([t.inner]), { [t.inner.key]: v }, where));
  if (isArray(t)) {
    let inner = '';
    const items = v as readonly unknown[];
    const itemWhere = `${where}/${t.item}`; // encode errors name the element, not the index (as before)
    for (const item of items) {
      if (typeof item === 'object' && item !== null && Object.isFrozen(item)) inner += encodeFrozenItem(t, item, itemWhere);
      else inner += encodeValue(t.item, t.of, item, itemWhere);
    }
    return element(name, inner);
  }
  return element(name, escapeText(scalarText(t, v, where), where));
}

/**
 * Encodings of frozen array items by identity, with the element name and type
 * they were written as. A server answers the same per-update metadata (a
 * SyncUpdates page's UpdateInfo, GetExtendedUpdateInfo's) to every client:
 * the stub WSUS hands the same frozen item each time and it is escaped and
 * assembled once. Only frozen items: a mutable one could change between two
 * answers. The item's nested objects must be frozen too (the memo cannot see
 * them change). Measured on a 30-update SyncUpdates page (BENCHMARKS.md):
 * 118 us a page with new items each time, 136 us with frozen shared ones
 * before the memo, 3.5 us after.
 */
const frozenItems = new WeakMap<object, { readonly item: string; readonly of: ArrayType['of']; readonly xml: string }>();

function encodeFrozenItem(t: ArrayType, item: object, where: string): string {
  const m = frozenItems.get(item);
  if (m !== undefined && m.of === t.of && m.item === t.item) return m.xml;
  const xml = flatten(encodeValue(t.item, t.of, item, where));
  frozenItems.set(item, { item: t.item, of: t.of, xml });
  return xml;
}

/**
 * The same string, flattened by V8 (ToNumber flattens a rope in place: the
 * idiom of the flatstr package pino used). An encoding built with `+=` is a
 * rope of thousands of small pieces; kept as one, every answer that holds it
 * walks all of them again when the answer is turned into bytes: the stub's
 * Buffer.from of its WSUS answers took 98 us on average (7.9 KB) with the
 * memoized items as ropes, 7.8 us for the same strings flat (scaled run of
 * 5,000 clients at F = 60 over HTTP, 3,818 answers).
 */
function flatten(s: string): string {
  void ((s as unknown as number) | 0);
  return s;
}

/** The children of a complex value, in the described order. */
export function encodeFields(t: ComplexType, o: Record<string, unknown>, where: string): string {
  let out = '';
  for (const f of t.fields) {
    const v = o[f.key];
    const w = `${where}/${f.el}`;
    if (v === undefined) {
      if (f.min === 1 || (f.absent !== undefined && !('value' in (f.absent as object)))) throw fieldError(w, 'required value missing');
      continue;
    }
    if (v === null && f.nullable === true) {
      // exactly as WUA writes a nil guid (capture)
      out += `<${f.el} a:nil="true" xmlns:a="${NS_XSI}"/>`;
      continue;
    }
    out += encodeValue(f.el, f.type, v, w);
  }
  return out;
}

// ---- decoding ------------------------------------------------------------------

function find(n: XNode, f: Field): XNode | undefined {
  for (const c of n.children) if (c.local === f.el) return c;
  if (f.alias !== undefined) for (const c of n.children) if (f.alias.includes(c.local)) return c;
  return undefined;
}

function textOf(n: XNode, where: string): string {
  if (n.children.length > 0) throw fieldError(where, 'expected text, found child elements');
  return n.text;
}

function scalarValue(t: ScalarType, s: string, where: string): unknown {
  switch (t) {
    case 'string':
      return s;
    case 'int':
      return parseInt32(s, where);
    case 'short':
      return parseInt16(s, where);
    case 'ubyte':
      return parseUint8(s, where);
    case 'long':
      return parseInt64(s, where);
    case 'bool':
      return parseBool(s, where);
    case 'boolString':
      return parseBool(s, where, true);
    case 'guid':
      return parseGuid(s, where);
    case 'dateTime':
      return checkDateTime(s, where);
    case 'base64':
      return checkBase64(s, where);
    default:
      return oneOf(s, t.enum, where);
  }
}

function decodeValue(n: XNode, t: FieldType, where: string): unknown {
  if (isComplex(t)) return decodeFields(t, n, where);
  if (isWrap(t)) return decodeFields(complex([t.inner]), n, where)[t.inner.key];
  if (isArray(t)) {
    const out: unknown[] = [];
    let i = 0;
    for (const c of n.children) {
      if (c.local !== t.item) continue; // unknown children skipped
      if (!isNil(c)) out.push(decodeValue(c, t.of, `${where}/${t.item}[${i}]`));
      i++;
    }
    return out;
  }
  return scalarValue(t, textOf(n, where), where);
}

/** A complex value from its element: every described child read, unknown ones skipped; no undefined-valued keys. */
export function decodeFields(t: ComplexType, n: XNode, where: string): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const f of t.fields) {
    const w = `${where}/${f.el}`;
    const c = find(n, f);
    if (c !== undefined && isNil(c)) {
      if (f.nullable === true) {
        o[f.key] = null;
        continue;
      }
    } else if (c !== undefined) {
      o[f.key] = decodeValue(c, f.type, w);
      continue;
    }
    // absent (or xsi:nil, which the schema's nillable elements use for "no value")
    if (f.min === 1) throw fieldError(w, 'required element missing');
    const a = f.absent;
    if (a === undefined) continue;
    if (a === 'refuse') throw fieldError(w, 'required element missing (the message cannot be used without it)');
    if ('fault' in a) throw new WuspRequestFault(a.fault, 'element missing: the WSDL allows it, the server cannot serve the request without it', w);
    o[f.key] = a.value;
  }
  t.check?.(o, where);
  return o;
}
