// The XML reader's fast path (agent/wire/xml/reader.ts readTreeFast) reads
// every document it accepts exactly as saxes does, accepts what our codecs,
// the stubs and the captured servers write, and leaves to saxes everything
// else, so that refusals keep saxes' reasons.
//
// The documents here are built by the test itself, from the XML 1.0 grammar,
// not by the project's encoders: a well-formed generator (which the fast path
// must accept), then mutations of its output (which the fast path may
// accept only where saxes does, with the same tree).

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseXml, readTreeFast, readTreeStrict, type XNode } from '../agent/wire/xml/reader.js';
import { WireError } from '../agent/wire/errors.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');

/** saxes' tree, or 'refused'. */
function strict(text: string): XNode | 'refused' {
  try {
    return readTreeStrict(text);
  } catch {
    return 'refused';
  }
}

/** The fast path agrees: it declines, or it reads what saxes reads. Returns whether it read. */
function agrees(text: string): boolean {
  const fast = readTreeFast(text);
  if (fast === null) return false;
  expect(fast).toStrictEqual(strict(text));
  return true;
}

// ---- a generator of well-formed documents in the fast path's subset ----------

const nameStart = fc.constantFrom(...'abcxyzABCXYZ_');
const nameChar = fc.constantFrom(...'abcXYZ019._-');
const ncName = fc.tuple(nameStart, fc.array(nameChar, { maxLength: 6 })).map(([a, b]) => a + b.join(''));
const qname = fc.tuple(fc.option(ncName, { nil: undefined }), ncName).map(([p, l]) => (p === undefined ? l : `${p}:${l}`));
const ws = fc.array(fc.constantFrom(' ', '\n', '\t'), { minLength: 1, maxLength: 3 }).map((a) => a.join(''));
const optWs = fc.oneof(fc.constant(''), ws);
/** Character data: plain characters (non-ASCII included), '>', the five entities, character references. */
const charData = (quote: string | null) =>
  fc
    .array(
      fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom('a', 'Z', '0', ' ', '>', 'é', 'ß', '中', '=', '/', '"', "'", ']', ']]') },
        { weight: 2, arbitrary: fc.constantFrom('&lt;', '&gt;', '&amp;', '&quot;', '&apos;') },
        { weight: 2, arbitrary: fc.constantFrom('&#65;', '&#x41;', '&#10;', '&#9;', '&#xD;', '&#x1F600;', '&#233;', '&#x20AC;') },
        { weight: quote === null ? 1 : 0, arbitrary: fc.constantFrom('\n', '\t', '  \n  ') },
      ),
      { maxLength: 8 },
    )
    .map((a) => a.join(''))
    .map((s) => (quote === null ? s.replace(/]]>/g, ']] >') : s.split(quote).join(quote === '"' ? '&quot;' : '&apos;')))
    .map((s) => (quote === null ? s : s.replace(/[\n\t]/g, ' ')))
    .map((s) => s.replace(/]]>/g, ']] >'))
    // two pieces side by side must not make "]]>" either
    .map((s) => (s.endsWith(']') ? `${s} ` : s));

/** A comment ("--" only at its end) and a CDATA section ("<", "&" verbatim). */
const comment = fc.array(fc.constantFrom('a', ' ', '-a', '<b>', '&amp;', '&x', '>', ']]>', '\n'), { maxLength: 4 }).map((a) => `<!--${a.join('')}-->`);
const cdata = fc.array(fc.constantFrom('a', ' ', '<b>', '&amp;', '&x', ']]', ']', '>', '--', '\n'), { maxLength: 4 }).map((a) => `<![CDATA[${a.join('').replace(/]]>/g, ']] >')}]]>`);

const attr = fc.oneof(fc.constant('"'), fc.constant("'")).chain((q) =>
  fc.tuple(qname, optWs, optWs, charData(q)).map(([name, a, b, v]) => ({ name, text: `${name}${a}=${b}${q}${v}${q}` })),
);

const element: fc.Memo<string> = fc.memo((depth) => {
  const kids = depth <= 1 ? fc.constant<string[]>([]) : fc.array(fc.oneof({ weight: 4, arbitrary: element(depth - 1) }, { weight: 4, arbitrary: charData(null) }, { weight: 1, arbitrary: comment }, { weight: 1, arbitrary: cdata }), { maxLength: 4 });
  return fc.tuple(qname, fc.uniqueArray(attr, { selector: (a) => a.name, maxLength: 3 }), fc.array(ws, { minLength: 3, maxLength: 3 }), optWs, fc.boolean(), kids).map(
    ([name, attrs, spaces, endWs, selfClose, content]) => {
      const head = `<${name}${attrs.map((a, i) => spaces[i]! + a.text).join('')}${endWs}`;
      return selfClose && content.length === 0 ? `${head}/>` : `${head}>${content.join('')}</${name}${endWs}>`;
    },
  );
});

const declaration = fc.constantFrom(
  '',
  '<?xml version="1.0" encoding="utf-8"?>',
  "<?xml version='1.0'?>",
  '<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>',
  '<?xml version="1.0" encoding="utf-16"?>',
);
const misc = fc.array(fc.oneof(ws, comment), { maxLength: 2 }).map((a) => a.join(''));
const document = fc.tuple(declaration, misc, element(4), misc).map(([d, a, e, b]) => d + a + e + b);

// ---- mutations: what a hostile or broken sender might write ------------------

const hostile = fc.constantFrom(
  '<', '>', '&', ';', '"', "'", '/', '=', ' ', '\r', '\r\n', '\u0001', '\u0085', '\uFFFE', '\uD800', '\uDC00', '😀',
  ']]>', '<!-- c -->', '<![CDATA[x<y]]>', '<?pi x?>', '<?xml version="1.0"?>', '&foo;', '&#0;', '&#x110000;', '&#12345678;',
  '&amp', '</a>', '<a>', '<a/>', 'x:y:z', ':', 'é', '<é/>', '\t', '\n', 'a="1"', ' b="2"', '"c', '<x:>',
);
const mutation = fc.oneof(
  fc.tuple(fc.nat(), hostile).map(([at, s]) => (t: string) => t.slice(0, at % (t.length + 1)) + s + t.slice(at % (t.length + 1))),
  fc.tuple(fc.nat(), fc.nat({ max: 8 })).map(([at, len]) => (t: string) => t.slice(0, at % (t.length + 1)) + t.slice((at % (t.length + 1)) + len)),
  fc.tuple(fc.nat(), fc.nat(), fc.nat({ max: 10 })).map(([at, from, len]) => (t: string) => {
    const f = from % (t.length + 1);
    const a = at % (t.length + 1);
    return t.slice(0, a) + t.slice(f, f + len) + t.slice(a);
  }),
);

describe('XML reader: the fast path reads what saxes reads', () => {
  it('accepts every generated well-formed document in its subset, with saxes\' tree', () => {
    fc.assert(
      fc.property(document, (doc) => {
        expect(strict(doc)).not.toBe('refused');
        expect(agrees(doc)).toBe(true);
      }),
      { numRuns: 600 },
    );
  });

  it('on mutated documents it declines, or reads exactly what saxes reads (never accepts what saxes refuses)', () => {
    let read = 0;
    let declined = 0;
    fc.assert(
      fc.property(document, fc.array(mutation, { minLength: 1, maxLength: 3 }), (doc, edits) => {
        const text = edits.reduce((t, f) => f(t), doc);
        if (agrees(text)) read++;
        else declined++;
      }),
      { numRuns: 3000 },
    );
    // both branches were exercised: the property is not vacuous
    expect(read).toBeGreaterThan(100);
    expect(declined).toBeGreaterThan(100);
  });

  it('declines what it leaves to saxes, which keeps its reasons', () => {
    const cases = [
      '<a>x\r\ny</a>', // line ends to normalise
      '<a><?pi x?></a>',
      '<a><!-- c -- d --></a>',
      '<a><!-- c ---></a>',
      '<a><!-- c </a>',
      '<a><![CDATA[x</a>',
      '<![CDATA[x]]><a/>',
      '<a><!DOCTYPE a></a>',
      '<?xml version="1.1"?><a/>',
      '<?xml version="1.0" encoding="ISO-8859-1"?><a/>',
      '<a b="x\ny"/>', // attribute whitespace to normalise
      '<é/>',
      '<a:b:c/>',
      '<a>😀</a>',
      '<a>\u0085</a>',
      '<a>&nbsp;</a>',
      '<a>]]></a>',
      '<a b="1"c="2"/>',
      '<a b="1" b="2"/>',
      '<a></b>',
      '<a/><b/>',
      'x<a/>',
      '<a/>x',
      '<a>',
      '',
      `${'<a>'.repeat(101)}${'</a>'.repeat(101)}`,
    ];
    for (const c of cases) expect(readTreeFast(c), c).toBeNull();
    // and parseXml still refuses the broken ones with saxes' or the explainer's reason
    expect(() => parseXml('<a></b>')).toThrow(WireError);
    expect(() => parseXml('<a b="1" b="2"/>')).toThrow(/not well-formed/);
    expect(() => parseXml('<a>]]></a>')).toThrow(/not well-formed/);
    expect(() => parseXml(`${'<a>'.repeat(101)}${'</a>'.repeat(101)}`)).toThrow(/deeper than 100/);
    expect(parseXml('<a>x\r\ny</a>').text).toBe('x\ny');
    expect(parseXml('<a b="x\ny"/>').attrs.b).toBe('x y');
  });

  it('accepts every WUSP and CCM fixture (what the captured servers and clients write), with saxes\' tree', () => {
    let n = 0;
    for (const dir of ['wusp', 'ccm']) {
      for (const f of readdirSync(join(FIXTURES, dir)).filter((x) => x.endsWith('.xml'))) {
        const text = readFileSync(join(FIXTURES, dir, f), 'utf8');
        expect(agrees(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text), `${dir}/${f}`).toBe(true);
        n++;
      }
    }
    expect(n).toBeGreaterThan(35);
  });

  it('references read by their characters (&lt; &gt; &quot; &amp;) and their near misses, in text and attributes, as saxes reads them', () => {
    const good = '<a b="&quot;&lt;&amp;&gt;&apos;">&lt;x y=&quot;1&quot;&gt;&amp;amp;&#60;&#x3E;&apos;</a>';
    expect(agrees(good)).toBe(true);
    expect(readTreeFast(good)!.text).toBe('<x y="1">&amp;<>\'');
    expect(readTreeFast(good)!.attrs.b).toBe('"<&>\'');
    for (const bad of ['&lt', '&l;', '&lt ;', '&gt', '&g;', '&quo;', '&quot', '&qu', '&amp', '&am;', '&ampx;', '&LT;', '&', '&;', '&#;', '&#x;']) {
      for (const doc of [`<a>x${bad}y</a>`, `<a b="x${bad}y"/>`, `<a>${bad}</a>`]) {
        expect(agrees(doc), doc).toBe(false); // declined; saxes refuses them (agrees() checks it)
        expect(strict(doc), doc).toBe('refused');
      }
    }
  });

  it('keeps names such as __proto__ as data, like saxes', () => {
    const t = readTreeFast('<__proto__ __proto__="x" constructor="y"/>')!;
    expect(t.local).toBe('__proto__');
    expect(Object.getPrototypeOf(t.attrs)).toBeNull();
    expect(t.attrs.__proto__).toBe('x');
    expect(agrees('<__proto__ __proto__="x" constructor="y"/>')).toBe(true);
  });
});
