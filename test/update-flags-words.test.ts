// agent/core/flags.ts reads a client's per-update flags four at a time. Every
// result must be what the byte loop it replaced gives, for any flags, any
// number of updates (the lane counters are summed every 128 words, before a
// byte lane overflows: long rows of one state check that), any start of the client's row (aligned or
// not, at any byteOffset of the buffer): fast-check against byte-at-a-time
// loops written here from the documented rules (state.ts U_*, DETECT).
// machine.ts's division-free applicability test is checked the same way.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { applicableList, clearApplicable, detectOf, evaluateFlags, flagWords } from '../agent/core/flags.js';
import { createCoreStore, U_APPLICABLE, U_CACHED, U_INSTALLED, U_PENDING_RESTART, U_REPORTED_MASK } from '../agent/core/state.js';
import { DETECT } from '../agent/core/constants.js';
import { applicableUpdates, updateKeys, type Applicability } from '../agent/core/machine.js';
import { hash32, mix32 } from '../agent/core/prng.js';

/** The 500 state from the rule in client-behaviour terms: not applicable, installed (no restart pending), or required. */
function expectedState(f: number): number {
  if ((f & U_APPLICABLE) === 0) return DETECT.NOT_REQUIRED;
  if ((f & U_INSTALLED) !== 0 && (f & U_PENDING_RESTART) === 0) return DETECT.INSTALLED;
  return DETECT.REQUIRED;
}

/** The byte loop: counts, changed (u, state) pairs, and the flags after. */
function evaluateBytewise(bytes: Uint8Array, n: number): { counts: number[]; changes: number[] } {
  const counts = [0, 0, 0, 0];
  const changes: number[] = [];
  for (let u = 0; u < n; u++) {
    const st = expectedState(bytes[u]!);
    counts[st]!++;
    if ((bytes[u]! & U_REPORTED_MASK) !== st) {
      bytes[u] = (bytes[u]! & ~U_REPORTED_MASK) | st;
      changes.push(u, st);
    }
  }
  return { counts, changes };
}

// flags as the core makes them: any of the six bits, mostly settled (reported state = current) so that
// whole words without a change are common, as they are in a fleet
const flagByte = fc.integer({ min: 0, max: 63 }).chain((f) =>
  fc.constantFrom(f, f, (f & ~U_REPORTED_MASK) | expectedState(f), (f & ~U_REPORTED_MASK) | expectedState(f)),
);

/** A buffer holding `flags` at byte `at`, seen through a view that starts `offset` bytes into the buffer. */
function placed(flags: readonly number[], offset: number, at: number, tail: number): { upd: Uint8Array; ub: number } {
  const buf = new ArrayBuffer(offset + at + flags.length + tail);
  const upd = new Uint8Array(buf, offset, at + flags.length + tail);
  upd.fill(0xff); // the bytes around the row must stay as they are
  upd.set(flags, at);
  return { upd, ub: at };
}

const layout = fc.record({
  flags: fc.oneof(fc.array(flagByte, { maxLength: 40 }), fc.array(flagByte, { minLength: 1000, maxLength: 2200 })),
  offset: fc.integer({ min: 0, max: 7 }),
  at: fc.integer({ min: 0, max: 9 }),
  tail: fc.integer({ min: 0, max: 5 }),
  cut: fc.integer({ min: 0, max: 4 }),
});

describe('update flags four at a time (core/flags.ts)', () => {
  it('detectOf is the documented 500 state for every flag combination', () => {
    for (let f = 0; f < 256; f++) expect(detectOf(f)).toBe(expectedState(f));
    expect(detectOf(0)).toBe(DETECT.NOT_REQUIRED);
    expect(detectOf(U_APPLICABLE)).toBe(DETECT.REQUIRED);
    expect(detectOf(U_APPLICABLE | U_INSTALLED)).toBe(DETECT.INSTALLED);
    expect(detectOf(U_APPLICABLE | U_INSTALLED | U_PENDING_RESTART)).toBe(DETECT.REQUIRED);
    expect(detectOf(U_INSTALLED | U_CACHED)).toBe(DETECT.NOT_REQUIRED);
  });

  it('the words are used when the row starts on a word, and not otherwise', () => {
    const store = createCoreStore();
    const upd = new Uint8Array(16);
    expect(flagWords(store, upd, 4)).not.toBeNull();
    expect(flagWords(store, upd, 6)).toBeNull();
    expect(flagWords(store, new Uint8Array(upd.buffer, 1, 12), 3)).not.toBeNull();
  });

  it('evaluateFlags: the same counts, changes (in update order) and flags as the byte loop', () => {
    fc.assert(
      fc.property(layout, ({ flags, offset, at, tail, cut }) => {
        const n = Math.max(0, flags.length - cut); // the known updates may stop short of the row
        const store = createCoreStore();
        const { upd, ub } = placed(flags, offset, at, tail);
        const ref = Uint8Array.from(flags);
        const want = evaluateBytewise(ref, n);
        evaluateFlags(store, upd, ub, n);
        expect([store.counts.notRequired, store.counts.required, store.counts.installed]).toEqual(want.counts.slice(1));
        expect(store.changes).toEqual(want.changes);
        expect(Array.from(upd.subarray(ub, ub + flags.length))).toEqual(Array.from(ref));
        expect(upd.subarray(0, ub).every((x) => x === 0xff) && upd.subarray(ub + flags.length).every((x) => x === 0xff)).toBe(true);
        // a second evaluation finds nothing to report
        evaluateFlags(store, upd, ub, n);
        expect(store.changes).toEqual([]);
        expect(store.counts.notRequired + store.counts.required + store.counts.installed).toBe(n);
      }),
      { numRuns: 300 },
    );
  });

  it('counts thousands of updates of one state (the lane counters are summed before they overflow)', () => {
    for (const f of [DETECT.NOT_REQUIRED, U_APPLICABLE | DETECT.REQUIRED, U_APPLICABLE | U_INSTALLED | DETECT.INSTALLED]) {
      const store = createCoreStore();
      const n = 4 * 1000 + 3;
      evaluateFlags(store, new Uint8Array(n).fill(f), 0, n);
      const want = [0, 0, 0, 0];
      want[f & U_REPORTED_MASK] = n;
      expect([store.counts.notRequired, store.counts.required, store.counts.installed]).toEqual(want.slice(1));
      expect(store.changes).toEqual([]);
    }
  });

  it('clearApplicable clears U_APPLICABLE of the row and nothing else', () => {
    fc.assert(
      fc.property(layout, ({ flags, offset, at, tail, cut }) => {
        const n = Math.max(0, flags.length - cut);
        const { upd, ub } = placed(flags, offset, at, tail);
        clearApplicable(createCoreStore(), upd, ub, n);
        const want = flags.map((f, u) => (u < n ? f & ~U_APPLICABLE : f));
        expect(Array.from(upd.subarray(ub, ub + flags.length))).toEqual(want);
        expect(upd.subarray(0, ub).every((x) => x === 0xff) && upd.subarray(ub + flags.length).every((x) => x === 0xff)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('applicableList lists the updates with U_APPLICABLE, ascending', () => {
    fc.assert(
      fc.property(layout, ({ flags, offset, at, tail, cut }) => {
        const n = Math.max(0, flags.length - cut);
        const { upd, ub } = placed(flags, offset, at, tail);
        const want: number[] = [];
        for (let u = 0; u < n; u++) if ((flags[u]! & U_APPLICABLE) !== 0) want.push(u);
        expect(applicableList(createCoreStore(), upd, ub, n)).toEqual(want);
      }),
      { numRuns: 300 },
    );
  });

  it('one store serves clients of different buffers (the view follows the buffer)', () => {
    const store = createCoreStore();
    const a = new Uint8Array(8).fill(U_APPLICABLE);
    const b = new Uint8Array(8);
    expect(applicableList(store, a, 0, 8)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(applicableList(store, b, 0, 8)).toEqual([]);
    expect(applicableList(store, a, 4, 4)).toEqual([0, 1, 2, 3]);
  });
});

describe('applicableUpdates without the division (core/machine.ts)', () => {
  it('decides as h / 2^32 < fraction does, fractions at the edges included', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.array(fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 1, 0.5, 2 ** -32, 1 - 2 ** -53)), { minLength: 1, maxLength: 300 }),
        (seed, client, fractions) => {
          const a: Applicability = {
            applicableFraction: Float64Array.from(fractions),
            installedFraction: new Float64Array(fractions.length),
            updateKey: updateKeys(seed, fractions.length),
          };
          // the rule as machine.ts documents it: one mix32 of (client key ^ update key), as a fraction of 2^32
          const ck = hash32(seed, client, 0xa991);
          const want: number[] = [];
          for (let u = 0; u < fractions.length; u++) if (mix32((ck ^ a.updateKey[u]!) >>> 0) / 4294967296 < fractions[u]!) want.push(u);
          expect(applicableUpdates(seed, a, client)).toEqual(want);
        },
      ),
      { numRuns: 200 },
    );
  });
});
