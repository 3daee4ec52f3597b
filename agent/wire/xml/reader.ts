// The one XML reader under both wire codecs (MS-WUSP SOAP and the CCM
// messages): it turns a payload into a plain element tree after refusing what
// neither protocol ever needs. (The writer is writer.ts, the typed values
// scalars.ts.)
//
// Reading, in order (each step refuses with a WireError, never a crash):
// 1. size: over the limit -> SUCA_ERR_WIRE_TOO_LARGE, before any decoding;
// 2. bytes: UTF-8 (WUSP is "text/xml; charset=utf-8"; CCM bodies are decoded
//    from UTF-16LE by framing.ts before they get here), a leading BOM is
//    dropped; invalid UTF-8 -> SUCA_ERR_WIRE_ENCODING;
// 3. any markup declaration (<!DOCTYPE, <!ENTITY, <!ELEMENT, <!ATTLIST, ...)
//    -> SUCA_ERR_WIRE_XML. SOAP 1.1 forbids a DTD in a message (section 3),
//    and refusing it outright rules out entity expansion ("billion laughs")
//    and external entities (XXE) whatever the parser would do with them;
// 4. well-formedness, in one strict pass of saxes (XML 1.0: names, quotes,
//    duplicate attributes, nesting, one root and no text outside it, legal
//    characters and character references, no "]]>" in text), at most 100
//    levels deep;
// 5. the tree: saxes decodes the five predefined entities and character
//    references (there is no DTD to declare others: any other entity is a
//    well-formedness error), and normalises line ends and attribute
//    whitespace as XML 1.0 says.
//
// saxes was chosen for speed and upkeep (the strict parser under jsdom; one
// pass where fast-xml-parser needed its validator before its parser, which
// alone accepts mismatched tags): parseXml takes 10 us a MS-WUSP fixture
// document against 58 us before (readTree below). A refused document is
// read again by fast-xml-parser and our own entity decoding, the reader
// before saxes, only to name the element or attribute at fault as the
// errors always did.

// Names: elements keep their qualified name and expose the local part; the
// codec matches on local names (servers use s:, soap: or no prefix) and
// resolves a prefix only where the namespace matters (the SOAP envelope).

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { SaxesParser } from 'saxes';
import { MAX_PAYLOAD_BYTES, WireError } from '../errors.js';


// ---- reader ------------------------------------------------------------------

/** One element. `text` is its decoded character content (CDATA included); whitespace between child elements is dropped. */
export interface XNode {
  readonly qname: string;
  readonly prefix: string;
  readonly local: string;
  /** Qualified attribute name -> decoded value (xmlns declarations included). */
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly XNode[];
  readonly text: string;
}

const parser = new XMLParser({
  preserveOrder: true, // children in document order, repeated names kept apart
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false, // every value stays a string; the codec types it
  parseAttributeValue: false,
  trimValues: false, // text is data (Xml fragments, strings with spaces)
  processEntities: false, // decoded below, with no DTD-declared entities possible
  htmlEntities: false,
  cdataPropName: '#cdata', // kept apart: CDATA content is not entity-decoded
  ignoreDeclaration: true,
  ignorePiTags: true,
  removeNSPrefix: false,
});

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Byte length of a payload without copying it when the answer is obvious. */
function overLimit(body: string | Uint8Array, max: number): number | null {
  if (typeof body !== 'string') return body.length > max ? body.length : null;
  if (body.length > max) return body.length; // at least one byte per UTF-16 unit
  if (body.length * 3 <= max) return null; // at most three bytes per UTF-16 unit
  const n = Buffer.byteLength(body, 'utf8');
  return n > max ? n : null;
}

export function checkSize(body: string | Uint8Array, max: number = MAX_PAYLOAD_BYTES): void {
  const n = overLimit(body, max);
  if (n !== null) throw new WireError('SUCA_ERR_WIRE_TOO_LARGE', `payload of ${n} bytes exceeds the ${max}-byte limit`, 'body');
}

/**
 * Markup declarations start with "<!" and are neither comments nor CDATA
 * sections. The scan is textual, so "<!DOCTYPE" inside a comment or a CDATA
 * section is refused too: no WUSP message carries either, and a simple scan
 * cannot be talked out of its answer.
 */
function refuseDeclarations(text: string): void {
  let i = text.indexOf('<!');
  while (i >= 0) {
    if (!text.startsWith('<!--', i) && !text.startsWith('<![CDATA[', i)) {
      const what = /^<!([A-Za-z]*)/.exec(text.slice(i, i + 12))?.[1] ?? '';
      throw new WireError('SUCA_ERR_WIRE_XML', `markup declaration <!${what}> refused (no DTD, no entities)`, 'body');
    }
    i = text.indexOf('<!', i + 2);
  }
}

/** An '&' that does not start one of the five predefined entities or a character reference. */
const BAD_REFERENCE = /&(?!(?:lt|gt|amp|quot|apos|#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6});)/;
/** What XML keeps verbatim: comments and CDATA sections. */
const VERBATIM = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>/g;

/**
 * A textual scan for what parseXml refuses in character data: any entity
 * reference other than the predefined five and character references (no DTD
 * can declare one). For documents that are not parsed whole here (the CCM
 * <Msg> header is read by its own codec, a body may be passed on unread).
 */
export function refuseUndeclaredReferences(s: string, where: string): void {
  if (s.indexOf('&') < 0) return;
  const t = s.indexOf('<!') < 0 ? s : s.replace(VERBATIM, '');
  const m = BAD_REFERENCE.exec(t);
  if (m === null) return;
  const ref = /^&[^;&\s<]{0,24};?/.exec(t.slice(m.index))![0];
  throw new WireError('SUCA_ERR_WIRE_XML', `entity reference ${JSON.stringify(ref)} refused (no DTD: only the predefined entities and character references exist)`, where);
}

const ENTITY = /&(?:(lt|gt|amp|quot|apos)|#([0-9]{1,7})|#x([0-9A-Fa-f]{1,6}));/y;
const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function isXmlCodePoint(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/** Line-end normalisation (XML 1.0 section 2.11) and entity decoding of raw character data. */
export function decodeCharData(raw: string, where: string): string {
  let s = raw.indexOf('\r') >= 0 ? raw.replace(/\r\n?/g, '\n') : raw;
  let amp = s.indexOf('&');
  if (amp < 0) return s;
  let out = '';
  let from = 0;
  while (amp >= 0) {
    ENTITY.lastIndex = amp;
    const m = ENTITY.exec(s);
    if (m === null) {
      const name = /^&[^;\s<&]{0,20}/.exec(s.slice(amp))?.[0] ?? '&';
      throw new WireError('SUCA_ERR_WIRE_XML', `undefined or malformed entity reference "${name}"`, where);
    }
    let ch: string;
    if (m[1] !== undefined) {
      ch = PREDEFINED[m[1]]!;
    } else {
      const cp = m[2] !== undefined ? parseInt(m[2], 10) : parseInt(m[3]!, 16);
      if (!isXmlCodePoint(cp)) throw new WireError('SUCA_ERR_WIRE_XML', `character reference ${m[0]} is not an XML character`, where);
      ch = String.fromCodePoint(cp);
    }
    out += s.slice(from, amp) + ch;
    from = amp + m[0].length;
    amp = s.indexOf('&', from);
  }
  s = out + s.slice(from);
  return s;
}

type FxpNode = Record<string, unknown>;

function build(tag: string, content: unknown, rawAttrs: unknown, where: string, index: number): XNode {
  const colon = tag.indexOf(':');
  const local = colon >= 0 ? tag.slice(colon + 1) : tag;
  const path = where === '' ? local : where + '/' + local;
  const attrs: Record<string, string> = Object.create(null) as Record<string, string>;
  if (rawAttrs !== undefined && rawAttrs !== null && typeof rawAttrs === 'object') {
    for (const [k, v] of Object.entries(rawAttrs as Record<string, unknown>)) attrs[k] = decodeCharData(String(v), `${where === '' ? local : `${path}[${index}]`}/@${k}`);
  }
  const children: XNode[] = [];
  let text = '';
  const seen = new Map<string, number>();
  for (const item of Array.isArray(content) ? (content as FxpNode[]) : []) {
    if ('#text' in item) {
      text += decodeCharData(String(item['#text']), path);
    } else if ('#cdata' in item) {
      for (const c of (item['#cdata'] as FxpNode[]) ?? []) text += String(c['#text'] ?? '');
    } else {
      const child = elementOf(item, path, seen);
      if (child !== null) children.push(child);
    }
  }
  // element content: the whitespace between children is layout, not data
  if (children.length > 0 && text.trim() === '') text = '';
  return { qname: tag, prefix: colon >= 0 ? tag.slice(0, colon) : '', local, attrs, children, text };
}

/** One element of fast-xml-parser's ordered output; `seen` counts same-named siblings so an attribute error names "MP[0]/@Name". */
function elementOf(item: FxpNode, where: string, seen: Map<string, number> | null): XNode | null {
  for (const key of Object.keys(item)) {
    if (key === ':@' || key === '#text' || key === '#cdata') continue;
    const i = seen?.get(key) ?? 0;
    seen?.set(key, i + 1);
    return build(key, item[key], item[':@'], where, i);
  }
  return null;
}

/**
 * Parses a whole payload into its root element, enforcing the size limit and
 * the refusals listed at the top of this file.
 */
export function parseXml(body: string | Uint8Array, maxBytes: number = MAX_PAYLOAD_BYTES, where = 'body'): XNode {
  try {
    return parseDocument(body, maxBytes);
  } catch (e) {
    // the CCM codecs name the message ("ClientRegistrationRequest: ..."), the SOAP codec the body
    if (e instanceof WireError && where !== 'body' && e.where.startsWith('body')) {
      const at = e.where.slice(4); // ':line:col' of a well-formedness error
      throw new WireError(e.code, e.message.slice(e.where.length + 2) + (at === '' ? '' : ` (line ${at.slice(1).replace(':', ', col ')})`), where, { cause: e.cause });
    }
    throw e;
  }
}

function parseDocument(body: string | Uint8Array, maxBytes: number): XNode {
  checkSize(body, maxBytes);
  let text: string;
  if (typeof body === 'string') {
    text = body;
  } else {
    try {
      text = utf8.decode(body);
    } catch (e) {
      throw new WireError('SUCA_ERR_WIRE_ENCODING', 'body is not valid UTF-8', 'body', { cause: e });
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  refuseDeclarations(text);
  let refusal: { message: string; line: number; column: number };
  try {
    return readTreeFast(text) ?? readTree(text);
  } catch (e) {
    if (e instanceof WireError) throw e;
    const p = e as { message?: string; line?: number; column?: number };
    refusal = { message: String(p.message ?? e), line: p.line ?? 0, column: p.column ?? 0 };
  }
  // Refused: the document is read again the way the reader read every
  // document before saxes, so that the error names the element or attribute
  // at fault as it always did ("MPList/MP[0]/@Name"). A document that way
  // accepts is refused all the same, with saxes' reason (XML 1.0 rules that
  // fast-xml-parser does not check: "]]>" in text, a late XML declaration).
  explainRefusal(text);
  throw new WireError('SUCA_ERR_WIRE_XML', `not well-formed: ${refusal.message.replace(/^\S*:\d+:\d+: /, '')}`, `body:${refusal.line}:${refusal.column}`);
}

/** Elements deeper than this are refused (fast-xml-parser's maxNestedTags default, which the reader relied on). */
const MAX_DEPTH = 100;

/** A node while its element is open. */
interface OpenNode {
  qname: string;
  prefix: string;
  local: string;
  attrs: Record<string, string>;
  children: XNode[];
  text: string;
}

/**
 * The document as a tree, read by saxes in one strict pass: XML 1.0
 * well-formedness (names, quotes, duplicate attributes, nesting, one root, no
 * text outside it, legal characters and character references, "]]>"), the
 * five predefined entities and character references decoded (any other
 * entity is refused: there is no DTD), line ends and attribute whitespace
 * normalised as XML 1.0 says. Measured against the validator-then-parser
 * pass of fast-xml-parser it replaces, parseXml over the MS-WUSP fixtures
 * (Node 20, 2-core EPYC VM, two runs each): 57.6 / 59.0 us a document
 * before, 9.9 / 10.7 us after; fast-xml-parser was 35 % of the CPU of a
 * virtual-time run over HTTP (--cpu-prof, 2,000 clients x 12 h). Throws
 * saxes' error (with line and column) when it refuses.
 */
function readTree(text: string): XNode {
  const p = new SaxesParser({ xmlns: false, position: true });
  const stack: OpenNode[] = [];
  let root: XNode | null = null;
  p.on('opentag', (t) => {
    if (stack.length >= MAX_DEPTH) throw new WireError('SUCA_ERR_WIRE_XML', `not well-formed: elements nested deeper than ${MAX_DEPTH}`, `body:${p.line}:${p.column}`);
    const colon = t.name.indexOf(':');
    // saxes makes the attributes object with Object.create(null), so a name
    // such as __proto__ is data (test/wire-wusp-hostile-xml checks it stays so)
    const attrs = t.attributes as Record<string, string>;
    stack.push({ qname: t.name, prefix: colon >= 0 ? t.name.slice(0, colon) : '', local: colon >= 0 ? t.name.slice(colon + 1) : t.name, attrs, children: [], text: '' });
  });
  p.on('text', (x) => {
    const top = stack[stack.length - 1];
    if (top !== undefined) top.text += x;
  });
  p.on('cdata', (x) => {
    const top = stack[stack.length - 1];
    if (top !== undefined) top.text += x;
  });
  p.on('closetag', () => {
    const n = stack.pop()!;
    // element content: the whitespace between children is layout, not data
    if (n.children.length > 0 && n.text.trim() === '') n.text = '';
    const parent = stack[stack.length - 1];
    if (parent !== undefined) parent.children.push(n);
    else root = n;
  });
  p.write(text).close();
  if (root === null) throw new WireError('SUCA_ERR_WIRE_XML', 'no root element', 'body');
  return root;
}

// ---- the fast path -----------------------------------------------------------

/**
 * Characters the fast path leaves to saxes, found in one regex pass over the
 * document: those XML 1.0 forbids or discourages (C0 controls but tab and
 * line feed, C1 controls, U+FFFE/U+FFFF), a carriage return (line ends would
 * need normalising) and any surrogate (a pair would need checking).
 */
const FAST_BAIL = /[\x00-\x08\x0B-\x1F\x7F-\x9F\uD800-\uDFFF\uFFFE\uFFFF]/;
/**
 * Names the fast path reads: ASCII, at most one colon, not first or last,
 * what both protocols use. Anything else (Unicode names, "a:b:c") goes to
 * saxes. A table rather than a sticky regex: the regex's match array was 18 %
 * of the function's time (--cpu-prof). 1 = may start a name part, 2 = may
 * follow.
 */
const NAME_CHAR = (() => {
  const t = new Uint8Array(128);
  for (let c = 0; c < 128; c++) {
    const ch = String.fromCharCode(c);
    if (/[A-Za-z_]/.test(ch)) t[c] = 1;
    else if (/[0-9.-]/.test(ch)) t[c] = 2;
  }
  return t;
})();
/** Where the colon of the last name read by nameEnd is, or -1. */
let nameColon = -1;

/** The end of the name at `j`, or -1 when no name of the fast path's form starts there. */
function nameEnd(text: string, j: number): number {
  nameColon = -1;
  let c = text.charCodeAt(j);
  if (!(c < 128 && NAME_CHAR[c] === 1)) return -1;
  for (;;) {
    c = text.charCodeAt(++j);
    if (c < 128 && NAME_CHAR[c] !== 0) continue;
    if (c !== 0x3a || nameColon >= 0) return j;
    nameColon = j;
    c = text.charCodeAt(++j);
    if (!(c < 128 && NAME_CHAR[c] === 1)) return -1;
  }
}
/**
 * The XML declarations the servers and clients of the captures write (UTF-8
 * for WUSP; "utf-16" on CCM policy bodies, which framing has decoded); any
 * other goes to saxes.
 */
const FAST_DECL = /<\?xml[ \t\n]+version[ \t\n]*=[ \t\n]*(["'])1\.0\1(?:[ \t\n]+encoding[ \t\n]*=[ \t\n]*(["'])(?:utf|UTF)-(?:8|16)\2)?(?:[ \t\n]+standalone[ \t\n]*=[ \t\n]*(["'])(?:yes|no)\3)?[ \t\n]*\?>/y;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09;
}

/** Entity and character references decoded, or null for any saxes would refuse (or name differently). */
function fastRefs(s: string): string | null {
  let amp = s.indexOf('&');
  if (amp < 0) return s;
  let out = '';
  let from = 0;
  while (amp >= 0) {
    // &lt; &gt; &quot; &amp; by their characters: an update's Xml fragment is escaped XML, a
    // reference every few characters, and the sticky pattern's match array for each was most of
    // this function's time (BENCHMARKS.md, 2026-12-07 (5)); the rest through the pattern
    const c1 = s.charCodeAt(amp + 1);
    let ch: string;
    let len: number;
    if (c1 === 0x6c && s.charCodeAt(amp + 2) === 0x74 && s.charCodeAt(amp + 3) === 0x3b) {
      ch = '<';
      len = 4;
    } else if (c1 === 0x67 && s.charCodeAt(amp + 2) === 0x74 && s.charCodeAt(amp + 3) === 0x3b) {
      ch = '>';
      len = 4;
    } else if (c1 === 0x71 && s.startsWith('quot;', amp + 1)) {
      ch = '"';
      len = 6;
    } else if (c1 === 0x61 && s.startsWith('amp;', amp + 1)) {
      ch = '&';
      len = 5;
    } else {
      ENTITY.lastIndex = amp;
      const m = ENTITY.exec(s);
      if (m === null) return null;
      if (m[1] !== undefined) {
        ch = PREDEFINED[m[1]]!;
      } else {
        const cp = m[2] !== undefined ? parseInt(m[2], 10) : parseInt(m[3]!, 16);
        if (!isXmlCodePoint(cp)) return null;
        ch = String.fromCodePoint(cp);
      }
      len = m[0].length;
    }
    out += s.slice(from, amp) + ch;
    from = amp + len;
    amp = s.indexOf('&', from);
  }
  return out + s.slice(from);
}

/**
 * What an element without attributes or without children holds in the fast
 * path's tree: one frozen empty object (null prototype, as saxes makes them)
 * and one frozen empty array for every such element, instead of a new one
 * each (a null-prototype object is a dictionary, the largest allocation of
 * a leaf element). Nothing writes a tree's nodes once read (XNode is readonly).
 */
const NO_ATTRS = Object.freeze(Object.create(null)) as Record<string, string>;
const NO_CHILDREN = Object.freeze([]) as unknown as XNode[];

function addChild(parent: OpenNode, child: XNode): void {
  if (parent.children === NO_CHILDREN) parent.children = [child];
  else parent.children.push(child);
}

/**
 * The tree of a document in the subset every server and client of the
 * captures writes, or null when the document leaves it: then saxes reads it,
 * and accepts or refuses it with its reasons. The subset: text with no
 * carriage return, surrogate or control character but tab and line feed; an
 * optional XML declaration of version 1.0, encoding UTF-8 or UTF-16; ASCII
 * names with at most one colon; attributes in double or single quotes with no
 * raw tab or line feed (which XML would turn into spaces); the five predefined
 * entities and character references of XML characters; comments and CDATA
 * sections; no processing instruction or declaration; at most MAX_DEPTH
 * levels. Within it, every rule saxes enforces is checked here (matching end
 * tags, unique attributes, whitespace between attributes, one root, no text
 * outside it, no "]]>" in text, no "--" in a comment), so the two agree on
 * every document this reads: test/xml-reader-fast
 * checks it with generated documents, well-formed and not, and with every
 * fixture.
 *
 * Why a second reader: saxes reads a character at a time through its state
 * machine, and was 10 % of a worker's CPU and 6 % of the stubs' thread in
 * the (d) wire run (--cpu-prof, BENCHMARKS.md). This one jumps from '<' to
 * '<' with indexOf; bench/xml-read measures both on the same documents.
 */
export function readTreeFast(text: string): XNode | null {
  if (FAST_BAIL.test(text)) return null;
  const n = text.length;
  let i = 0;
  if (text.startsWith('<?xml', 0)) {
    FAST_DECL.lastIndex = 0;
    if (FAST_DECL.exec(text) === null) return null;
    i = FAST_DECL.lastIndex;
  }
  const stack: OpenNode[] = [];
  let root: XNode | null = null;
  while (i < n) {
    const lt = text.indexOf('<', i);
    const end = lt < 0 ? n : lt;
    if (end > i) {
      const top = stack[stack.length - 1];
      if (top === undefined) {
        // outside the root: whitespace only
        for (let k = i; k < end; k++) if (!isSpace(text.charCodeAt(k))) return null;
      } else {
        const raw = text.slice(i, end);
        if (raw.indexOf(']]>') >= 0) return null;
        const seg = fastRefs(raw);
        if (seg === null) return null;
        top.text += seg;
      }
    }
    if (lt < 0) break;
    const c1 = text.charCodeAt(lt + 1);
    if (c1 === 0x21) {
      if (text.startsWith('<!--', lt)) {
        // a comment, anywhere: its text is dropped, and "--" may only close it
        const dd = text.indexOf('--', lt + 4);
        if (dd < 0 || text.charCodeAt(dd + 2) !== 0x3e) return null;
        i = dd + 3;
        continue;
      }
      if (stack.length > 0 && text.startsWith('<![CDATA[', lt)) {
        // CDATA inside an element: its text, verbatim
        const close = text.indexOf(']]>', lt + 9);
        if (close < 0) return null;
        stack[stack.length - 1]!.text += text.slice(lt + 9, close);
        i = close + 3;
        continue;
      }
      return null;
    }
    if (c1 === 0x2f) {
      // end tag: the open element's name, optional whitespace, '>'
      const top = stack.pop();
      if (top === undefined) return null;
      // startsWith(qname, position) was a quarter of this function's time
      // (--cpu-prof); a slice compared is 1.4x faster on a SyncUpdates page
      const len = top.qname.length;
      if (text.slice(lt + 2, lt + 2 + len) !== top.qname) return null;
      let j = lt + 2 + len;
      while (j < n && isSpace(text.charCodeAt(j))) j++;
      if (text.charCodeAt(j) !== 0x3e) return null;
      i = j + 1;
      if (top.children.length > 0 && top.text.trim() === '') top.text = '';
      const parent = stack[stack.length - 1];
      if (parent !== undefined) addChild(parent, top);
      else root = top;
      continue;
    }
    // start tag (anything else after '<', a comment, CDATA, PI, goes to saxes)
    if (root !== null || stack.length >= MAX_DEPTH) return null;
    let j = nameEnd(text, lt + 1);
    if (j < 0) return null;
    const colon = nameColon < 0 ? -1 : nameColon - lt - 1;
    const qname = text.slice(lt + 1, j);
    let attrs = NO_ATTRS;
    let selfClosing = false;
    for (;;) {
      const ws = j;
      while (j < n && isSpace(text.charCodeAt(j))) j++;
      const c = text.charCodeAt(j);
      if (c === 0x3e) {
        j++;
        break;
      }
      if (c === 0x2f) {
        if (text.charCodeAt(j + 1) !== 0x3e) return null;
        selfClosing = true;
        j += 2;
        break;
      }
      if (j === ws) return null; // no whitespace before an attribute, or a character no name has
      const ne = nameEnd(text, j);
      if (ne < 0) return null;
      const name = text.slice(j, ne);
      j = ne;
      while (j < n && isSpace(text.charCodeAt(j))) j++;
      if (text.charCodeAt(j) !== 0x3d) return null;
      j++;
      while (j < n && isSpace(text.charCodeAt(j))) j++;
      const q = text.charCodeAt(j);
      if (q !== 0x22 && q !== 0x27) return null;
      const close = text.indexOf(q === 0x22 ? '"' : "'", j + 1);
      if (close < 0) return null;
      const raw = text.slice(j + 1, close);
      if (raw.indexOf('<') >= 0 || raw.indexOf('\n') >= 0 || raw.indexOf('\t') >= 0) return null;
      const value = fastRefs(raw);
      if (value === null || name in attrs) return null;
      if (attrs === NO_ATTRS) attrs = Object.create(null) as Record<string, string>;
      attrs[name] = value;
      j = close + 1;
    }
    i = j;
    const node: OpenNode = { qname, prefix: colon >= 0 ? qname.slice(0, colon) : '', local: colon >= 0 ? qname.slice(colon + 1) : qname, attrs, children: NO_CHILDREN, text: '' };
    if (!selfClosing) {
      stack.push(node);
      continue;
    }
    const parent = stack[stack.length - 1];
    if (parent !== undefined) addChild(parent, node);
    else root = node;
  }
  if (stack.length !== 0 || root === null) return null;
  return root;
}

/** The tree as saxes reads it, refusals thrown as parseXml would (for tests and bench/xml-read, which hold the fast path against it). */
export function readTreeStrict(text: string): XNode {
  return readTree(text);
}

/**
 * fast-xml-parser's validator, then its parser with entity processing off,
 * then the tree built with our own entity decoding: the reader before saxes,
 * kept to name what is wrong in a refused document (its errors carry the
 * path of the element or attribute). Returns when it finds nothing wrong.
 */
function explainRefusal(text: string): void {
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    throw new WireError('SUCA_ERR_WIRE_XML', `not well-formed: ${msg}`, `body:${line}:${col}`);
  }
  let tree: FxpNode[];
  try {
    tree = parser.parse(text) as FxpNode[];
  } catch (e) {
    throw new WireError('SUCA_ERR_WIRE_XML', `not well-formed: ${e instanceof Error ? e.message : String(e)}`, 'body', { cause: e });
  }
  const roots: XNode[] = [];
  for (const item of tree) {
    if ('#text' in item) {
      if (String(item['#text']).trim() !== '') throw new WireError('SUCA_ERR_WIRE_XML', 'text outside the root element', 'body');
      continue;
    }
    const el = elementOf(item, '', null);
    if (el !== null) roots.push(el);
  }
  if (roots.length !== 1) throw new WireError('SUCA_ERR_WIRE_XML', roots.length === 0 ? 'no root element' : 'more than one root element', 'body');
}

/** The namespace bound to `prefix` ('' = default namespace) in the scope of `chain` (outermost first). */
export function namespaceOf(prefix: string, chain: readonly XNode[]): string | undefined {
  const key = prefix === '' ? 'xmlns' : 'xmlns:' + prefix;
  for (let i = chain.length - 1; i >= 0; i--) {
    const v = chain[i]!.attrs[key];
    if (v !== undefined) return v;
  }
  return undefined;
}

/** xsi:nil="true" (or "1"): matched on the attribute's local name, whatever prefix the sender bound to XSI. */
export function isNil(n: XNode): boolean {
  // for-in rather than Object.entries: most elements have no attributes, and
  // the entries array was 1.4 % of a (d) worker's CPU (--cpu-prof)
  const attrs = n.attrs;
  for (const k in attrs) {
    if (k === 'nil' || k.endsWith(':nil')) {
      const v = attrs[k];
      if (v === 'true' || v === '1') return true;
    }
  }
  return false;
}
