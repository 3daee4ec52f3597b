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
export function servedApplicable(seed: number, cat: Applicability & CatalogueVersions, client: number, t: number): number[] {
  const all = applicableUpdates(seed, cat, client);
  const rel = cat.releaseVersion;
  if (rel === undefined) return all;
  const v = supVersionAt(cat, t);
  return all.filter((u) => rel[u]! <= v);
}
