// The ConfigMgr client cache (ccmcache) as far as software updates use it:
// - default size 5,120 MB; update content is always downloaded, even past it;
// - to make room, content not referenced for cacheMinRetention is evicted,
//   least recently used first; content the current operation needs is kept.

import { CACHE_ONE_RUN, C_CACHE_TIME } from './state.js';
import type { ClientState } from './state.js';
import { NO_CACHE, U_CACHED } from './state.js';
import type { CoreCtx } from './types.js';

/**
 * s.cache holds the entries (update, last used), oldest added first, as runs
 * of entries last used at the same time: [t, k, u1 .. uk, t', k', ...]. A
 * download adds its updates at one time and an install touches them at one,
 * so a client's cache is mostly one run: 5.7 entries at the end of 2 days of
 * the default scenario were 11.3 numbers as pairs (139 B a client) and 7.7 as
 * runs (heap snapshot of the 100k fleet, issue 13). The operations decode the
 * runs to the pairs they were before, run as they did on the pairs, and
 * encode the result (maximal runs, the same order): a cache changes only on
 * downloads and installs.
 *
 * A cache that is one run whose updates are in ascending order is held as
 * CACHE_ONE_RUN and its time (the C_CACHE_TIME slot of the client's row): its
 * updates are then exactly those whose U_CACHED flag is set (the flag is set
 * and cleared here only, with the entry), in the order the flags give. The
 * run's array was 109 B of every idle client (a 32 B JSArray and its 16 B +
 * 7.7 x 8 B elements): 1,088 -> 995 B per idle client (issue 13). Its time
 * was then the field's value, a 16 B boxed double (V8 boxes a double in a
 * field that also holds arrays); in the row's slot it costs nothing more.
 * Decoding walks the flags of the catalogue (200 bytes by default), only on
 * a download, and on an install's touch at a new time.
 */
function pairsOf(runs: number | readonly number[], s: ClientState, size: number): number[] {
  const p: number[] = [];
  if (typeof runs === 'number') {
    const t = s.tm[s.tb + C_CACHE_TIME]!;
    for (let u = 0; u < size; u++) if ((s.upd[s.ub + u]! & U_CACHED) !== 0) p.push(u, t);
    return p;
  }
  for (let i = 0; i < runs.length; ) {
    const t = runs[i]!;
    const k = runs[i + 1]!;
    for (let j = 0; j < k; j++) p.push(runs[i + 2 + j]!, t);
    i += 2 + k;
  }
  return p;
}

/**
 * The runs of flat [update, lastUsed] pairs: one ascending run as
 * CACHE_ONE_RUN (its time written to the client's C_CACHE_TIME slot), else
 * an array of its exact size.
 */
function runsOf(p: readonly number[], s: ClientState): typeof CACHE_ONE_RUN | readonly number[] {
  if (p.length === 0) return NO_CACHE;
  const r: number[] = [];
  for (let i = 0; i < p.length; ) {
    const t = p[i + 1]!;
    let k = 0;
    r.push(t, 0);
    const at = r.length - 1;
    // Object.is: a run holds one time value exactly (0 and -0 apart)
    for (; i < p.length && Object.is(p[i + 1], t); i += 2, k++) r.push(p[i]!);
    r[at] = k;
  }
  if (r.length === 2 + r[1]!) {
    let ascending = true;
    for (let j = 3; j < r.length && ascending; j++) ascending = r[j - 1]! < r[j]!;
    if (ascending) {
      s.tm[s.tb + C_CACHE_TIME] = r[0]!;
      return CACHE_ONE_RUN;
    }
  }
  // trimmed to its length: push() leaves up to half again as much room (issue 13)
  return r.slice();
}

/** Bytes of content in the client's cache: the sizes of its updates (those flagged U_CACHED). */
export function cacheBytes(s: ClientState, bytes: ArrayLike<number>, size: number): number {
  let n = 0;
  for (let u = 0; u < size; u++) if ((s.upd[s.ub + u]! & U_CACHED) !== 0) n += bytes[u]!;
  return n;
}

/**
 * Adds content for `updates` (already downloaded) at time t, evicting LRU
 * content to make room; content in `keep` (the operation's whole set, for
 * example an install that re-downloaded only its evicted part) stays.
 */
export function addToCache(s: ClientState, ctx: CoreCtx, t: number, updates: readonly number[], keep: readonly number[] = updates): void {
  const limit = s.settings!.cacheSizeBytes;
  const minAge = s.settings!.cacheMinRetention;
  const bytes = ctx.catalogue.bytes;
  let evictedN = 0;
  let evictedBytes = 0;
  const cache = pairsOf(s.cache, s, ctx.catalogue.size);
  let held = 0;
  for (let i = 0; i < cache.length; i += 2) held += bytes[cache[i]!]!;
  for (const u of updates) {
    if ((s.upd[s.ub + u]! & U_CACHED) !== 0) {
      touchPair(cache, u, t);
      continue;
    }
    const need = bytes[u]!;
    while (held + need > limit) {
      const victim = lruVictim(cache, t - minAge, keep);
      if (victim < 0) break; // nothing evictable: go over the limit, as the real client does for updates
      const v = cache[victim]!;
      cache.splice(victim, 2);
      s.upd[s.ub + v] = s.upd[s.ub + v]! & ~U_CACHED;
      held -= bytes[v]!;
      evictedN++;
      evictedBytes += bytes[v]!;
    }
    cache.push(u, t);
    s.upd[s.ub + u] = s.upd[s.ub + u]! | U_CACHED;
    held += need;
  }
  s.cache = runsOf(cache, s);
  if (evictedN > 0) ctx.out.push({ type: 'event', e: { ev: 'cache.evicted', updates: evictedN, bytes: evictedBytes } });
}

/** Position in the pairs of the least recently used entry last used at or before `olderThan` and not in `keep`, or -1. */
function lruVictim(cache: readonly number[], olderThan: number, keep: readonly number[]): number {
  let best = -1;
  let bestT = Infinity;
  for (let i = 0; i < cache.length; i += 2) {
    const used = cache[i + 1]!;
    if (used <= olderThan && used < bestT && !keep.includes(cache[i]!)) {
      best = i;
      bestT = used;
    }
  }
  return best;
}

/** Marks update u's content (if cached) used at t. */
export function touch(s: ClientState, ctx: CoreCtx, u: number, t: number): void {
  const r = s.cache;
  if (typeof r === 'number') {
    // one run: u is in it when its flag says so; nothing to do when it was last used at t already
    if ((s.upd[s.ub + u]! & U_CACHED) === 0 || Object.is(s.tm[s.tb + C_CACHE_TIME], t)) return;
    const p = pairsOf(r, s, ctx.catalogue.size);
    touchPair(p, u, t);
    s.cache = runsOf(p, s);
    return;
  }
  // the run holding u: nothing to do when it was last used at t already
  for (let i = 0; i < r.length; ) {
    const k = r[i + 1]!;
    for (let j = 0; j < k; j++) {
      if (r[i + 2 + j] === u) {
        if (Object.is(r[i], t)) return;
        const p = pairsOf(r, s, ctx.catalogue.size);
        touchPair(p, u, t);
        s.cache = runsOf(p, s);
        return;
      }
    }
    i += 2 + k;
  }
}

function touchPair(cache: number[], u: number, t: number): void {
  for (let i = 0; i < cache.length; i += 2) {
    if (cache[i] === u) {
      cache[i + 1] = t;
      return;
    }
  }
}
