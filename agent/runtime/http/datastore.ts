// The WUA datastore of every emulated client, compactly. What a client holds
// is known to the core already: the updates of its last online scan
// (U_APPLICABLE) on the SUP it scanned (metaSup), handed over as the wsus.scan
// request's `held` catalogue indices. What the wire needs besides is each
// server's revision ids, and those are the same for every client of a server:
// one table per SUP (catalogue index -> revision id, learned from the
// SyncUpdates answers, with the RevisionNumber each core fragment named, so
// that RefreshCache can name a held revision by identity; the non-leaf
// revisions it sent). Per client there is one byte: "the next scan must be
// full" (a ConfigChanged, or a ServerChanged the server would not RefreshCache,
// after the software pass made what it holds stale). 100,000 clients cost
// 100 kB here, not an object each.
//
// Rejected: a revision-id list per client (an array per client: ~40 numbers
// each at the default catalogue, and the same numbers for every client of a
// SUP); a per-client bitset (the core's flags already say the same).
//
// Approximation, said where it matters: the non-leaf revisions (detectoids,
// categories) a SUP sent are sent back by every client of that SUP as
// installed (InstalledNonLeafUpdateIDs), as the pass itself does with the ones
// it receives. The stub sends none; a real WSUS sends the same few to every
// client of one OS build.

import type { WuaCache, WuaSync } from './wua.js';

interface SupTable {
  /** catalogue index -> the server's revision id (0: not seen) */
  rev: Int32Array;
  /** catalogue index -> the RevisionNumber its core fragment named (0: none), for RefreshCache */
  revNo: Int32Array;
  /** the non-leaf revision ids it sent */
  readonly nonLeaf: Set<number>;
  /** the server's ProtocolVersion (GetConfig), kept for the record */
  protocolVersion: string | null;
}

export interface DatastoreCounters {
  /** online scans sent with nothing held (full) / with a cache (delta) */
  fullScans: number;
  deltaScans: number;
  /** SyncUpdates calls made (software pages and driver passes) */
  syncRounds: number;
  /** new leaf update metadata received */
  updatesReceived: number;
}

export class WuaDatastore {
  private readonly sups = new Map<string, SupTable>();
  private mustBeFull = new Uint8Array(1024);
  readonly counters: DatastoreCounters = { fullScans: 0, deltaScans: 0, syncRounds: 0, updatesReceived: 0 };

  private table(sup: string): SupTable {
    let t = this.sups.get(sup);
    if (t === undefined) {
      t = { rev: new Int32Array(256), revNo: new Int32Array(256), nonLeaf: new Set(), protocolVersion: null };
      this.sups.set(sup, t);
    }
    return t;
  }

  /** The cache feedback for a scan of client on sup holding these catalogue indices; undefined: a full scan. */
  cacheFor(client: number, sup: string, held: readonly number[] | undefined): WuaCache | undefined {
    const full = held === undefined || held.length === 0 || (client < this.mustBeFull.length && this.mustBeFull[client] === 1);
    if (full) {
      this.counters.fullScans++;
      return undefined;
    }
    const t = this.table(sup);
    const otherCached: number[] = [];
    for (const u of held) {
      const id = u < t.rev.length ? t.rev[u]! : 0;
      if (id !== 0) otherCached.push(id);
    }
    this.counters.deltaScans++;
    return { installedNonLeaf: [...t.nonLeaf], otherCached };
  }

  /**
   * A scan's answer in: learns the revision ids, returns every catalogue
   * update the client now holds (held less the out-of-scope ones, plus the
   * new), ascending.
   */
  learn(client: number, sup: string, held: readonly number[] | undefined, cache: WuaCache | undefined, sync: WuaSync, updateIndex: (guid: string) => number | undefined): number[] {
    const t = this.table(sup);
    t.protocolVersion = sync.serverProtocolVersion;
    this.counters.syncRounds += sync.syncRounds;
    this.counters.updatesReceived += sync.leaves.size;
    if (sync.dropped) t.nonLeaf.clear();
    const renamed = sync.refreshed;
    if (renamed !== undefined && !sync.dropped) {
      // RefreshCache gave what the client held new revision ids (or left it out): the table
      // follows, for every client of this server, whose ids are the server's
      const kept = [...t.nonLeaf].flatMap((id) => (renamed.has(id) ? [renamed.get(id)!] : []));
      t.nonLeaf.clear();
      for (const id of kept) t.nonLeaf.add(id);
    }
    for (const id of sync.nonLeaf) t.nonLeaf.add(id);
    const out: number[] = [];
    const mark = new Set<number>();
    if (cache !== undefined && !sync.dropped && held !== undefined) {
      for (const u of held) {
        let id = u < t.rev.length ? t.rev[u]! : 0;
        if (renamed !== undefined && id !== 0) {
          const next = renamed.get(id);
          if (next === undefined) continue; // the server no longer deploys it: it left the datastore
          t.rev[u] = id = next;
        }
        if (id !== 0 && sync.outOfScope.has(id)) continue;
        out.push(u);
        mark.add(u);
      }
    }
    for (const [id, g] of sync.leaves) {
      const u = g.updateId === '' ? undefined : updateIndex(g.updateId);
      if (u === undefined) continue;
      if (u >= t.rev.length) {
        const n = Math.max(u + 1, t.rev.length * 2);
        const next = new Int32Array(n);
        next.set(t.rev);
        t.rev = next;
        const nextNo = new Int32Array(n);
        nextNo.set(t.revNo);
        t.revNo = nextNo;
      }
      t.rev[u] = id;
      t.revNo[u] = g.revisionNumber;
      if (!mark.has(u)) {
        mark.add(u);
        out.push(u);
      }
    }
    this.setFull(client, sync.stale);
    return out.sort((a, b) => a - b);
  }

  /**
   * The identity a SUP gave a revision id (RefreshCache names revisions so): the
   * update GUID and the RevisionNumber its core fragment named; undefined when
   * the id is not a leaf this table learned. A scan of the table: called only
   * while recovering from a ServerChanged or InvalidCookie fault.
   */
  identityOf(sup: string, revisionId: number, guidOf: (u: number) => string | undefined): { updateId: string; revisionNumber: number } | undefined {
    const t = this.sups.get(sup);
    if (t === undefined || revisionId === 0) return undefined;
    const u = t.rev.indexOf(revisionId);
    if (u < 0 || t.revNo[u] === 0) return undefined;
    const g = guidOf(u);
    return g === undefined ? undefined : { updateId: g, revisionNumber: t.revNo[u]! };
  }

  /** A failed scan: if it dropped the cache, the next one is full. */
  failed(client: number, dropped: boolean): void {
    if (dropped) this.setFull(client, true);
  }

  /** The ProtocolVersion a SUP announced (null: none yet). */
  protocolVersion(sup: string): string | null {
    return this.sups.get(sup)?.protocolVersion ?? null;
  }

  private setFull(client: number, full: boolean): void {
    if (client >= this.mustBeFull.length) {
      if (!full) return;
      const next = new Uint8Array(Math.max(client + 1, this.mustBeFull.length * 2));
      next.set(this.mustBeFull);
      this.mustBeFull = next;
    }
    this.mustBeFull[client] = full ? 1 : 0;
  }
}
