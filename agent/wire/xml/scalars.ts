// Typed values in XML text, for both wire codecs. Each parser takes the text
// and the element path and either returns the value or throws a WireError
// (SUCA_ERR_WIRE_FIELD; SUCA_ERR_WIRE_ENCODING for base64) naming that path.
// Ranges are the XML Schema ones (xs:int is 32-bit, xs:short 16-bit, ...):
// "9999999999" is not an xs:int, and a codec that took it as one would hand
// the stub a number no real server could have parsed.
//
// Whitespace: the numeric and boolean types collapse it (XML Schema
// whiteSpace="collapse"), so " 12 " is 12; strings and GUIDs are taken as sent.

import { WireError } from '../errors.js';

const field = (where: string, message: string): WireError => new WireError('SUCA_ERR_WIRE_FIELD', message, where);
const shown = (s: string): string => JSON.stringify(s.length > 40 ? s.slice(0, 40) + '...' : s);

function integer(s: string, where: string, what: string, min: number, max: number, signed: boolean): number {
  const t = s.trim();
  if (!(signed ? /^[+-]?[0-9]{1,20}$/ : /^\+?[0-9]{1,20}$/).test(t)) throw field(where, `not an ${what}: ${shown(s)}`);
  const v = Number(t);
  if (v < min || v > max) throw field(where, `${what} out of range [${min}, ${max}]: ${t}`);
  return v === 0 ? 0 : v; // no -0
}

export const parseInt32 = (s: string, where: string): number => integer(s, where, 'xs:int', -2147483648, 2147483647, true);
export const parseUint32 = (s: string, where: string): number => integer(s, where, 'xs:unsignedInt', 0, 4294967295, false);
export const parseInt16 = (s: string, where: string): number => integer(s, where, 'xs:short', -32768, 32767, true);
export const parseUint8 = (s: string, where: string): number => integer(s, where, 'xs:unsignedByte', 0, 255, false);
/** An unsigned integer a JS number holds exactly (counters, byte sizes, versions). */
export const parseSafeUint = (s: string, where: string): number => integer(s, where, 'unsigned integer', 0, Number.MAX_SAFE_INTEGER, false);

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** xs:long as its canonical decimal text (a JS number cannot hold every one). */
export function parseInt64(s: string, where: string): string {
  const t = s.trim();
  if (!/^[+-]?[0-9]{1,19}$/.test(t)) throw field(where, `not an xs:long: ${shown(s)}`);
  const v = BigInt(t);
  if (v < INT64_MIN || v > INT64_MAX) throw field(where, `xs:long out of range: ${t}`);
  return v.toString();
}

/** The check the encoders make before writing an integer of a range. */
export function formatInteger(v: number, where: string, min = -2147483648, max = 2147483647): string {
  if (!Number.isInteger(v) || v < min || v > max) throw field(where, `not an integer in [${min}, ${max}]: ${v}`);
  return String(v);
}

/** xs:boolean: true/false/1/0. `anyCase` also takes "True" (.NET Boolean.ToString in s:string fields). */
export function parseBool(s: string, where: string, anyCase = false): boolean {
  let t = s.trim();
  if (anyCase) t = t.toLowerCase();
  if (t === 'true' || t === '1') return true;
  if (t === 'false' || t === '0') return false;
  throw field(where, `not an xs:boolean: ${shown(s)}`);
}

/** A number (CCM property values: decimal, optionally with fraction and exponent). */
export function parseNumber(s: string, where: string): number {
  const t = s.trim();
  if (!/^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/.test(t)) throw field(where, `not a number: ${shown(s)}`);
  const v = Number(t);
  if (!Number.isFinite(v)) throw field(where, `number out of range: ${shown(s)}`);
  return v;
}

const GUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;

/** The wsdl/types guid pattern (MS-WUSP 2.2.4.1); returned as sent (case kept). */
export function parseGuid(s: string, where: string): string {
  if (!GUID.test(s)) throw field(where, `not a GUID: ${shown(s)}`);
  return s;
}

export const DATE_TIME = /^(-?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?$/;

/** xs:dateTime, kept as sent (up to 7 fractional digits do not survive a JS Date); fields range-checked. */
export function checkDateTime(s: string, where: string): string {
  const m = DATE_TIME.exec(s.trim());
  if (m === null) throw field(where, `not an xs:dateTime: ${shown(s)}`);
  const [, , mo, d, h, mi, se, , z] = m;
  const zoneOk = z === undefined || z === 'Z' || (Number(z.slice(1, 3)) <= 14 && Number(z.slice(4, 6)) <= 59);
  if (+mo! < 1 || +mo! > 12 || +d! < 1 || +d! > 31 || +h! > 24 || +mi! > 59 || +se! > 60 || !zoneOk) throw field(where, `xs:dateTime out of range: ${shown(s)}`);
  return s;
}

/**
 * xs:dateTime -> epoch ms (fractions past ms truncated). No zone means UTC:
 * the spec's examples omit it on client times that are UTC.
 */
export function dateTimeToMs(s: string, where = ''): number {
  const m = DATE_TIME.exec(s.trim());
  if (m === null) throw field(where, `not an xs:dateTime: ${shown(s)}`);
  const frac = m[7] === undefined ? 0 : Number((m[7] + '00').slice(0, 3));
  let t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), frac);
  const z = m[8];
  if (z !== undefined && z !== 'Z') {
    const sign = z[0] === '-' ? -1 : 1;
    t -= sign * (Number(z.slice(1, 3)) * 60 + Number(z.slice(4, 6))) * 60_000;
  }
  if (!Number.isFinite(t)) throw field(where, `xs:dateTime out of range: ${shown(s)}`);
  return t;
}

/** base64Binary: the alphabet, optional padding, whole quads (whitespace allowed, as in the spec's wrapped examples); returned as sent. */
export function checkBase64(s: string, where: string): string {
  const t = s.replace(/\s+/g, '');
  if (t.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(t)) throw new WireError('SUCA_ERR_WIRE_ENCODING', 'not base64', where);
  return s;
}

/** One of an enumeration's values. */
export function oneOf<T extends string>(s: string, allowed: readonly T[], where: string): T {
  if (!(allowed as readonly string[]).includes(s)) throw field(where, `unexpected value ${shown(s)} (expected ${allowed.join(', ')})`);
  return s as T;
}

// ---- WMI (DMTF) date-time ------------------------------------------------------
// yyyyMMddHHmmss.ffffff+UUU where UUU is the offset from UTC in minutes
// (client-behaviour.md: MessageTime="20140120171855.573000+000"; a captured
// Russian client writes +180). We always write UTC (+000).

const DMTF = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})\.(\d{6})([+-])(\d{3})$/;

const p2 = (n: number): string => (n < 10 ? '0' : '') + n;

/** the last time written and its text: the messages of one report mostly share a time (a scan's hundreds of detection messages) */
let dmtfMs = NaN;
let dmtfText = '';

/** Epoch ms -> '20140120171855.573000+000'. Sub-millisecond digits are kept down to microseconds. */
export function toDmtf(ms: number): string {
  if (ms === dmtfMs) return dmtfText;
  const t = toDmtfOf(ms);
  dmtfMs = ms;
  dmtfText = t;
  return t;
}

function toDmtfOf(ms: number): string {
  if (!Number.isFinite(ms)) throw field('', `time out of range: ${ms}`);
  // whole seconds and the fraction apart: ms * 1000 passes 2^53 after the year 2255 and would
  // lose microseconds (found by the Report round-trip property test)
  let secMs = Math.floor(ms / 1000) * 1000;
  let microN = Math.round((ms - secMs) * 1000);
  if (microN >= 1_000_000) {
    secMs += 1000;
    microN -= 1_000_000;
  }
  const d = new Date(secMs);
  const y = d.getUTCFullYear();
  if (!(y >= 0 && y <= 9999)) throw field('', `time out of range: ${ms}`);
  const micro = microN.toString().padStart(6, '0');
  return (
    y.toString().padStart(4, '0') + p2(d.getUTCMonth() + 1) + p2(d.getUTCDate()) +
    p2(d.getUTCHours()) + p2(d.getUTCMinutes()) + p2(d.getUTCSeconds()) + '.' + micro + '+000'
  );
}

/** the last text read and its time: as with toDmtf, a report's messages mostly share a time */
let readText = '';
let readMs = NaN;

/** Days in month mo (1-12) of year y, by the proleptic Gregorian calendar Date.UTC uses. */
function daysIn(y: number, mo: number): number {
  if (mo === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return mo === 4 || mo === 6 || mo === 9 || mo === 11 ? 30 : 31;
}

/** n digits of s from i as a number, or -1 when one is not a digit */
function digits(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = i; k < i + n; k++) {
    const c = s.charCodeAt(k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * fromDmtf's common case without the pattern's match array and nine
 * substrings: exactly 25 characters, already trimmed, a valid date. NaN for
 * anything else (the general path then decides, errors included). The stub's
 * state ingest reads one a message: fromDmtf was 7.3 % of the stub process's
 * samples under bench (a) (BENCH_STUB_NODE_ARGS=--cpu-prof).
 */
function dmtfFast(s: string): number {
  if (s.length !== 25 || s.charCodeAt(14) !== 46) return NaN;
  const sign = s.charCodeAt(21);
  if (sign !== 43 && sign !== 45) return NaN;
  const y = digits(s, 0, 4);
  const mo = digits(s, 4, 2);
  const d = digits(s, 6, 2);
  const h = digits(s, 8, 2);
  const mi = digits(s, 10, 2);
  const se = digits(s, 12, 2);
  const micro = digits(s, 15, 6);
  const off = digits(s, 22, 3);
  // years before 100 go the general way: Date.UTC reads them as 1900 + y, and it refuses them
  if (y < 100 || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59 || micro < 0 || off < 0 || off > 840) return NaN;
  return Date.UTC(y, mo - 1, d, h, mi, se) + micro / 1000 - (sign === 45 ? -off : off) * 60_000;
}

/** '20140120171855.573000+000' -> epoch ms (UTC; a non-zero offset is subtracted; offsets beyond +-14 h refused). */
export function fromDmtf(s: string, where: string): number {
  const v = dmtfOrNaN(s);
  return v === v ? v : fromDmtfGeneral(s, where);
}

/**
 * fromDmtf's common case alone: the time, or NaN where fromDmtf must decide
 * (and may refuse). For a caller whose `where` costs a string to build.
 */
export function dmtfOrNaN(s: string): number {
  if (s === readText) return readMs;
  const v = dmtfFast(s);
  if (v === v) {
    readText = s;
    readMs = v;
  }
  return v;
}

/** fromDmtf without the fast path and its one-entry cache (what the tests hold the fast path to). */
export function fromDmtfGeneral(s: string, where: string): number {
  const m = DMTF.exec(s.trim());
  if (m === null) throw field(where, `not a WMI date-time (yyyyMMddHHmmss.ffffff+UUU): ${shown(s)}`);
  const [, y, mo, d, h, mi, se, f, sign, off] = m;
  const base = Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +se!);
  const dt = new Date(base);
  if (dt.getUTCFullYear() !== +y! || dt.getUTCMonth() !== +mo! - 1 || dt.getUTCDate() !== +d! || +h! > 23 || +mi! > 59 || +se! > 59 || +off! > 840) {
    throw field(where, `invalid date-time: ${s}`);
  }
  const micro = +f!;
  const offsetMin = (sign === '-' ? -1 : 1) * +off!;
  return base + micro / 1000 - offsetMin * 60_000;
}
