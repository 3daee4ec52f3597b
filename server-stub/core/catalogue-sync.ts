// Catalogue changes over a run: WSUS syncs on the scenario's schedule release
// more updates. The whole catalogue is generated up front with the update
// source version each update appears in (1: there at the start, 1 + k: added
// by the k-th sync), so every per-update array (the client's flags, the MP's
// compliance view) keeps its size; an update is invisible until its sync.
//
// Versions: the site's update source version is 1 + the syncs done by t; the
// policy carries it (the settings body, SUCA_updateSourceVersion) from the
// sync on. The SUPs (their WSUS) have it supSyncLag later: until then the MP
// has no WSUS location for a client asking for the new version (an empty
// reply: the client waits for the catalog location, 501 state 1).

import { applicableUpdates, type Applicability } from '../../agent/core/machine.js';

export interface CatalogueSync {
  /** epoch ms */
  readonly at: number;
  /** updates this sync adds */
  readonly updates: number;
}

export interface CatalogueVersions {
  /** sync times, ascending (epoch ms) */
  readonly syncTimes: readonly number[];
  /** how long after a sync the SUPs serve it */
  readonly supSyncLag: number;
  /** per update: the update source version it appears in; undefined when the catalogue never changes */
  readonly releaseVersion?: Uint16Array | undefined;
}

/** The site's update source version at t (what policy carries). */
export function siteVersionAt(c: CatalogueVersions, t: number): number {
  const s = c.syncTimes;
  let v = 1;
  while (v - 1 < s.length && s[v - 1]! <= t) v++;
  return v;
}

/** The update source version the SUPs serve at t. */
export function supVersionAt(c: CatalogueVersions, t: number): number {
  return c.syncTimes.length === 0 ? 1 : siteVersionAt(c, t - c.supSyncLag);
}

/** Release versions for a catalogue of `initial` updates followed by each sync's updates. */
export function releaseVersions(initial: number, syncs: readonly CatalogueSync[]): Uint16Array | undefined {
  if (syncs.length === 0) return undefined;
  let n = initial;
  for (const s of syncs) n += s.updates;
  const r = new Uint16Array(n).fill(1, 0, initial);
  let u = initial;
  syncs.forEach((s, k) => {
    r.fill(k + 2, u, u + s.updates);
    u += s.updates;
  });
  return r;
}

/** The applicable updates a SUP serves a client at t: those of the versions it has synced. */
export function servedApplicable(seed: number, cat: Applicability & CatalogueVersions & Supersedence, client: number, t: number): number[] {
  const all = applicableUpdates(seed, cat, client);
  const rel = cat.releaseVersion;
  if (rel === undefined) return all;
  const v = supVersionAt(cat, t);
  // expired updates are no longer offered (expiry is the SUPs' too: it follows their sync lag)
  const exp = cat.expiresAt;
  const te = t - cat.supSyncLag;
  return all.filter((u) => rel[u]! <= v && (exp === undefined || exp[u]! > te));
}

/**
 * Supersedence: each update a sync adds supersedes, with probability
 * `fraction`, one earlier update (picked by a hash of the seed and the
 * update). The superseded one becomes Not Required on a machine once its
 * successor is installed (WUA's applicability rule; the client applies it,
 * agent/core/supersedence.ts); with expireAfter it expires that long after
 * its successor's sync (the SUP's "expire superseded updates" rule) and WSUS
 * no longer offers it, so it leaves the deployments that hold it.
 */
export interface Supersedence {
  /** flat [superseded, successor] pairs, successor ascending; undefined: none */
  readonly supersededPairs?: Uint16Array | undefined;
  /** per update, when it expires (epoch ms, Infinity: never); undefined: none expire */
  readonly expiresAt?: Float64Array | undefined;
}

export function generateSupersedence(
  seed: number, initial: number, syncs: readonly CatalogueSync[], fraction: number, expireAfter: number | null,
  pick: (u: number, salt: number) => number,
): Supersedence {
  if (syncs.length === 0 || fraction <= 0) return {};
  const pairs: number[] = [];
  let first = initial;
  let expiresAt: Float64Array | undefined;
  const n = initial + syncs.reduce((a, x) => a + x.updates, 0);
  for (const s of syncs) {
    for (let u = first; u < first + s.updates; u++) {
      if (pick(u, 0x5e9d) >= fraction) continue;
      const old = Math.min(first - 1, Math.floor(pick(u, 0x5e9e) * first));
      pairs.push(old, u);
      if (expireAfter !== null) {
        expiresAt ??= new Float64Array(n).fill(Infinity);
        expiresAt[old] = Math.min(expiresAt[old]!, s.at + expireAfter);
      }
    }
    first += s.updates;
  }
  return { supersededPairs: pairs.length > 0 ? Uint16Array.from(pairs) : undefined, expiresAt };
}
