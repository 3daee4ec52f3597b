// The client cache's representation (agent/core/cache.ts, issue 13): a cache
// that is one run in update order is held as CACHE_ONE_RUN and that run's
// time (in the client's C_CACHE_TIME slot), its updates read back from the
// U_CACHED flags; the cache's bytes are counted from the same flags. Whatever the form, the cache
// must behave as the flat list of (update, last used) pairs it replaced:
// the same entries in the same order, the same evictions, the same flags and
// bytes. The reference here is that list, written again in the test from the
// rules (oldest added first; evict the least recently used entry, first of
// equals, last used at or before now - minimum retention and not needed by
// the operation; always download, over the limit if nothing can go).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addToCache, cacheBytes, touch } from '../agent/core/cache.js';
import { C_CACHE_TIME, CACHE_ONE_RUN, coldOf, createClient, U_CACHED } from '../agent/core/state.js';
import type { ClientState } from '../agent/core/state.js';
import type { CoreCtx } from '../agent/core/types.js';

const U = 12;
const LIMIT = 500;
const MIN_AGE = 10;

interface Model { pairs: [number, number][]; bytes: number; evicted: number }

function modelAdd(m: Model, sizes: readonly number[], t: number, updates: readonly number[], keep: readonly number[]): void {
  for (const u of updates) {
    const at = m.pairs.find((p) => p[0] === u);
    if (at !== undefined) {
      at[1] = t;
      continue;
    }
    while (m.bytes + sizes[u]! > LIMIT) {
      let best = -1;
      for (let i = 0; i < m.pairs.length; i++) {
        const [v, used] = m.pairs[i]!;
        if (used <= t - MIN_AGE && !keep.includes(v) && (best < 0 || used < m.pairs[best]![1])) best = i;
      }
      if (best < 0) break;
      m.bytes -= sizes[m.pairs[best]![0]]!;
      m.pairs.splice(best, 1);
      m.evicted++;
    }
    m.pairs.push([u, t]);
    m.bytes += sizes[u]!;
  }
}

/** The pairs a client's cache holds, read from its representation (runs, or one time in its row and the flags). */
function pairsHeld(s: ClientState): [number, number][] {
  const c = s.cache;
  const out: [number, number][] = [];
  if (typeof c === 'number') {
    expect(c).toBe(CACHE_ONE_RUN);
    for (let u = 0; u < U; u++) if ((s.upd[s.ub + u]! & U_CACHED) !== 0) out.push([u, coldOf(s, C_CACHE_TIME)]);
    return out;
  }
  for (let i = 0; i < c.length; i += 2 + c[i + 1]!) for (let j = 0; j < c[i + 1]!; j++) out.push([c[i + 2 + j]!, c[i]!]);
  return out;
}

type Op = { kind: 'add'; dt: number; updates: number[]; extraKeep: number[] } | { kind: 'touch'; dt: number; u: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), dt: fc.integer({ min: 0, max: 30 }), updates: fc.uniqueArray(fc.integer({ min: 0, max: U - 1 }), { minLength: 1, maxLength: 5 }), extraKeep: fc.uniqueArray(fc.integer({ min: 0, max: U - 1 }), { maxLength: 2 }) }),
  fc.record({ kind: fc.constant('touch' as const), dt: fc.integer({ min: 0, max: 30 }), u: fc.integer({ min: 0, max: U - 1 }) }),
);

describe('the client cache held as one time when it is one run in update order', () => {
  it('behaves as the flat list of pairs: entries and their order, evictions, flags, bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 200 }), { minLength: U, maxLength: U }), fc.array(op, { minLength: 1, maxLength: 40 }), (sizes, ops) => {
        const s = createClient(1, 0, U);
        (s as { settings: unknown }).settings = { cacheSizeBytes: LIMIT, cacheMinRetention: MIN_AGE };
        const out: { type: string; e?: { ev: string; updates: number } }[] = [];
        const ctx = { catalogue: { size: U, bytes: Float64Array.from(sizes) }, out } as unknown as CoreCtx;
        const m: Model = { pairs: [], bytes: 0, evicted: 0 };
        let t = 1_000;
        for (const o of ops) {
          t += o.dt;
          if (o.kind === 'add') {
            const keep = [...o.updates, ...o.extraKeep];
            addToCache(s, ctx, t, o.updates, keep);
            modelAdd(m, sizes, t, o.updates, keep);
          } else {
            touch(s, ctx, o.u, t);
            const at = m.pairs.find((p) => p[0] === o.u);
            if (at !== undefined) at[1] = t;
          }
          expect(pairsHeld(s)).toEqual(m.pairs);
          for (let u = 0; u < U; u++) expect((s.upd[s.ub + u]! & U_CACHED) !== 0).toBe(m.pairs.some((p) => p[0] === u));
          expect(cacheBytes(s, sizes, U)).toBe(m.bytes);
          // one run (one time) in update order: the time alone; anything else: runs
          const oneRun = m.pairs.length > 0 && m.pairs.every((p, i) => p[1] === m.pairs[0]![1] && (i === 0 || m.pairs[i - 1]![0] < p[0]));
          expect(typeof s.cache === 'number').toBe(oneRun);
        }
        const evicted = out.filter((x) => x.e?.ev === 'cache.evicted').reduce((a, x) => a + x.e!.updates, 0);
        expect(evicted).toBe(m.evicted);
      }),
      { numRuns: 300 },
    );
  });

  it('an empty cache is the shared empty array, and a download in update order becomes one time', () => {
    const s = createClient(1, 0, U);
    const other = createClient(2, 1, U);
    expect(s.cache).toBe(other.cache);
    expect(Object.isFrozen(s.cache)).toBe(true);
    (s as { settings: unknown }).settings = { cacheSizeBytes: LIMIT, cacheMinRetention: MIN_AGE };
    const ctx = { catalogue: { size: U, bytes: new Float64Array(U).fill(10) }, out: [] } as unknown as CoreCtx;
    addToCache(s, ctx, 5_000, [7, 2, 4]);
    // added out of order: runs, as before
    expect(s.cache).toEqual([5_000, 3, 7, 2, 4]);
    const r = createClient(3, 2, U);
    (r as { settings: unknown }).settings = s.settings;
    addToCache(r, ctx, 5_000, [2, 4, 7]);
    // the time in the client's row, the field a small integer (no boxed double)
    expect(r.cache).toBe(CACHE_ONE_RUN);
    expect(coldOf(r, C_CACHE_TIME)).toBe(5_000);
    // a touch of one entry at a new time splits the run: runs again
    touch(r, ctx, 4, 6_000);
    expect(r.cache).toEqual([5_000, 1, 2, 6_000, 1, 4, 5_000, 1, 7]);
  });
});
