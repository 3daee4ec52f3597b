// fromDmtf reads the common 25-character form with its own digit loop and
// keeps the last text it read; the pattern-based reader decides everything
// else. The two must give the same time for every string, and the same
// refusal (a WireError naming the field) wherever the general one refuses.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { dmtfOrNaN, fromDmtf, fromDmtfGeneral } from '../agent/wire/xml/scalars.js';

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** What either reader gives: the time, or the error's code and message. */
function outcome(f: (s: string, where: string) => number, s: string): unknown {
  try {
    return { ms: f(s, 'Report/ReportBody/StateMessage[0]/@MessageTime') };
  } catch (e) {
    const err = e as { code?: string; message: string };
    return { code: err.code, message: err.message };
  }
}

// fields drawn past their ranges on purpose: month 13, day 0 and 32, hour 24, second 60, offset 841
const fields = fc.record({
  y: fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.constantFrom(0, 99, 100, 1900, 2000, 2024, 2100, 2400)),
  mo: fc.integer({ min: 0, max: 13 }),
  d: fc.integer({ min: 0, max: 32 }),
  h: fc.integer({ min: 0, max: 25 }),
  mi: fc.integer({ min: 0, max: 61 }),
  se: fc.integer({ min: 0, max: 61 }),
  micro: fc.integer({ min: 0, max: 999_999 }),
  sign: fc.constantFrom('+', '-'),
  off: fc.oneof(fc.integer({ min: 0, max: 999 }), fc.constantFrom(0, 180, 840, 841)),
});
const text = (f: { y: number; mo: number; d: number; h: number; mi: number; se: number; micro: number; sign: string; off: number }) =>
  `${pad(f.y, 4)}${pad(f.mo, 2)}${pad(f.d, 2)}${pad(f.h, 2)}${pad(f.mi, 2)}${pad(f.se, 2)}.${pad(f.micro, 6)}${f.sign}${pad(f.off, 3)}`;

describe('fromDmtf: the fast path and the general reader agree', () => {
  it('on every date-time of the form, valid or not', () => {
    fc.assert(
      fc.property(fields, (f) => {
        const s = text(f);
        expect(outcome(fromDmtf, s)).toEqual(outcome(fromDmtfGeneral, s));
      }),
      { numRuns: 10_000 },
    );
  });

  it('on one character changed, inserted or removed, and on surrounding whitespace', () => {
    const edit = fc.tuple(fields, fc.nat(30), fc.constantFrom('replace', 'insert', 'delete', 'space'), fc.constantFrom('0', '9', 'a', '.', '+', '-', ' ', '\u0660', '/', ':'));
    fc.assert(
      fc.property(edit, ([f, at, op, ch]) => {
        const base = text(f);
        const i = at % (base.length + 1);
        const s =
          op === 'replace' ? base.slice(0, i) + ch + base.slice(i + 1)
          : op === 'insert' ? base.slice(0, i) + ch + base.slice(i)
          : op === 'delete' ? base.slice(0, i) + base.slice(i + 1)
          : ` ${base}\t`;
        expect(outcome(fromDmtf, s)).toEqual(outcome(fromDmtfGeneral, s));
      }),
      { numRuns: 10_000 },
    );
  });

  it('takes the common form itself, and leaves what it does not take to the general reader', () => {
    expect(dmtfOrNaN('20140120171855.573000+000')).toBe(Date.UTC(2014, 0, 20, 17, 18, 55) + 573);
    // a captured client in Moscow writes +180: UTC is three hours earlier
    expect(dmtfOrNaN('20140120171855.573000+180')).toBe(Date.UTC(2014, 0, 20, 14, 18, 55) + 573);
    expect(dmtfOrNaN('20240229000000.000000+000')).toBe(Date.UTC(2024, 1, 29));
    // not in the fast form: the general reader decides (it trims; it refuses the rest)
    for (const s of [' 20140120171855.573000+000', '20230229000000.000000+000', '00990101000000.000000+000', '20140120171855.573000+841', '']) {
      expect(dmtfOrNaN(s)).toBeNaN();
    }
    expect(fromDmtf(' 20140120171855.573000+000 ', 'x')).toBe(Date.UTC(2014, 0, 20, 17, 18, 55) + 573);
    expect(() => fromDmtf('20230229000000.000000+000', 'Report/x')).toThrow(expect.objectContaining({ code: 'SUCA_ERR_WIRE_FIELD' }));
  });

  it('answers from its last text only for that same text', () => {
    const a = '20261207055222.000000+000';
    const b = '20261207055222.000001+000';
    expect(fromDmtf(a, 'x')).toBe(Date.UTC(2026, 11, 7, 5, 52, 22));
    expect(fromDmtf(a, 'x')).toBe(Date.UTC(2026, 11, 7, 5, 52, 22));
    expect(fromDmtf(b, 'x')).toBe(Date.UTC(2026, 11, 7, 5, 52, 22) + 0.001);
    // an invalid text after a valid one is still refused
    expect(() => fromDmtf('20261307055222.000000+000', 'x')).toThrow(expect.objectContaining({ code: 'SUCA_ERR_WIRE_FIELD' }));
    expect(fromDmtf(a, 'x')).toBe(Date.UTC(2026, 11, 7, 5, 52, 22));
  });
});
