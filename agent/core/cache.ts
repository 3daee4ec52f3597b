// The ConfigMgr client cache (ccmcache) as far as software updates use it:
// - default size 5,120 MB; update content is always downloaded, even past it;
// - to make room, content not referenced for cacheMinRetention is evicted,
//   least recently used first; content the current operation needs is kept.

import { C_CACHE_BYTES } from './state.js';
import type { ClientState } from './state.js';
import { U_CACHED } from './state.js';
import type { CoreCtx } from './types.js';

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
  let added = false;
  for (const u of updates) {
    if ((s.upd[s.ub + u]! & U_CACHED) !== 0) {
      touch(s, u, t);
      continue;
    }
    const need = bytes[u]!;
    while (s.cd[(s.tb >> 1) + C_CACHE_BYTES] + need > limit) {
      const victim = lruVictim(s, t - minAge, keep);
      if (victim < 0) break; // nothing evictable: go over the limit, as the real client does for updates
      const v = s.cache[victim]!;
      s.cache.splice(victim, 2);
      s.upd[s.ub + v] = s.upd[s.ub + v]! & ~U_CACHED;
      s.cd[(s.tb >> 1) + C_CACHE_BYTES] -= bytes[v]!;
      evictedN++;
      evictedBytes += bytes[v]!;
    }
    s.cache.push(u, t);
    added = true;
    s.upd[s.ub + u] = s.upd[s.ub + u]! | U_CACHED;
    s.cd[(s.tb >> 1) + C_CACHE_BYTES] += need;
  }
  // trimmed to its length: push() leaves up to half again as much room (the cache of ten updates:
  // 336 B of elements against 176 B; downloads are rare, the record lives for the run; issue 13)
  if (added) s.cache = s.cache.slice();
  if (evictedN > 0) ctx.out.push({ type: 'event', e: { ev: 'cache.evicted', updates: evictedN, bytes: evictedBytes } });
}

/** Position in s.cache of the least recently used entry last used at or before `olderThan` and not in `keep`, or -1. */
function lruVictim(s: ClientState, olderThan: number, keep: readonly number[]): number {
  let best = -1;
  let bestT = Infinity;
  for (let i = 0; i < s.cache.length; i += 2) {
    const used = s.cache[i + 1]!;
    if (used <= olderThan && used < bestT && !keep.includes(s.cache[i]!)) {
      best = i;
      bestT = used;
    }
  }
  return best;
}

export function touch(s: ClientState, u: number, t: number): void {
  for (let i = 0; i < s.cache.length; i += 2) {
    if (s.cache[i] === u) {
      s.cache[i + 1] = t;
      return;
    }
  }
}
