// rootElementName: the MP routes a MP_LocationManager body to its decoder by
// the root element's name, read past what may come before it in a well-formed
// document (BOM, white space, the XML declaration, processing instructions,
// comments). Checked against hand-written documents and, with fast-check,
// against any mix of those prologue pieces; it must agree with the full
// parser on every document the parser accepts.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { rootElementName } from '../agent/wire/ccm/index.js';
import { parseXml } from '../agent/wire/ccm/xml.js';

describe('rootElementName', () => {
  it('reads the root past a BOM, the declaration, comments, PIs and white space', () => {
    expect(rootElementName('<WSUSLocationRequest SchemaVersion="1.00"/>')).toBe('WSUSLocationRequest');
    expect(rootElementName('\uFEFF<?xml version="1.0" encoding="UTF-16"?>\r\n<ContentLocationRequest>')).toBe('ContentLocationRequest');
    expect(rootElementName('  <!-- a <b> comment -->\n<?pi x?><Report>')).toBe('Report');
    expect(rootElementName('<a/>')).toBe('a');
    expect(rootElementName('<a>')).toBe('a');
  });

  it('null where no element starts: empty, text, an unterminated comment or declaration', () => {
    for (const s of ['', '   ', 'text', '<!-- never closed', '<?xml version="1.0"', '<', '< a>']) expect(rootElementName(s), JSON.stringify(s)).toBeNull();
  });

  it('agrees with the full parser on any prologue', () => {
    const piece = fc.oneof(
      fc.constantFrom(' ', '\n', '\r\n', '\t'),
      fc.string({ unit: fc.constantFrom('a', ' ', '-', '<', '>', '?') }).filter((t) => !t.includes('--') && !t.endsWith('-')).map((t) => `<!--${t}-->`),
      fc.constantFrom('<?pi?>', '<?target data with > in it?>'),
    );
    const name = fc.constantFrom('WSUSLocationRequest', 'ContentLocationRequest', 'Report', 'x', 'a.b-c');
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), fc.array(piece, { maxLength: 8 }), name, (bom, decl, pieces, n) => {
        const doc = (bom ? '\uFEFF' : '') + (decl ? '<?xml version="1.0"?>' : '') + pieces.join('') + `<${n} k="v"><c/></${n}>`;
        expect(rootElementName(doc)).toBe(n);
        expect(parseXml(doc, 't').name).toBe(n);
      }),
      { numRuns: 500 },
    );
  });

  it('a long run of white space before text or an element (a backtracking pattern would not finish within the test timeout)', () => {
    expect(rootElementName(' '.repeat(2_000_000) + 'x')).toBeNull();
    expect(rootElementName(' '.repeat(2_000_000) + '<r/>')).toBe('r');
  });
});
