// WSUS (software update point): the scan (in MS-WUSP terms GetConfig ..
// SyncUpdates .. GetExtendedUpdateInfo, collapsed here to one typed call) hands
// the client the metadata of the updates that apply to it. Which apply follows
// from (seed, client) via agent/core/machine.ts. Scan load is counted per
// simulated minute so the scan storm shows.
//
// The metadata work is counted the same way in-process and over HTTP: a scan
// whose client holds nothing from this SUP is a full one, any other a delta;
// updatesSent counts the update metadata the server hands over (the applicable
// updates the client does not hold) and syncRounds the SyncUpdates calls the
// HTTP exchange takes for that (software pages of PAGE_SIZE, then the driver
// pass), so a run's figures show what the WUA datastore saves either way.

import type { Reply } from '../../agent/core/types.js';
import { servedApplicable, supVersionAt } from './catalogue-sync.js';
import { MINUTE } from '../../agent/core/constants.js';
import type { StubConfig } from './config.js';
import type { Catalogue } from './catalogue.js';
import { WsusPool } from './wsus-pool.js';

/** Updates per SyncUpdates page (WSUS 2025 in the captures; the HTTP stub pages by it too). */
export const SYNC_PAGE_SIZE = 30;

export class WsusServer {
  /**
   * scans served; scans refused (unknown SUP, faults: counted by StubCore);
   * full / delta scans (the client held nothing / something from this SUP),
   * update metadata sent, SyncUpdates rounds
   */
  readonly counters = {
    scans: 0, scanFailures: 0, fullScans: 0, deltaScans: 0, updatesSent: 0, syncRounds: 0,
    /** scans a client made on another SUP than its previous scan (a failover or a manual switch, seen by the server side) */
    supChanges: 0,
  };
  /** online scans served per simulated minute since the start */
  private perMinute = new Uint32Array(1024);
  readonly scansBySup = new Map<string, number>();
  /** the capacity model's pools by SUP URL (empty: no capacity model) */
  readonly pools = new Map<string, WsusPool>();
  /** the pools in cfg.sups order (a pool's index is its place here) */
  readonly poolList: WsusPool[] = [];
  /**
   * per client (id - firstClient): 1 + the index in cfg.sups of its last scan's SUP; 0: none yet.
   * Kept in every run (2 bytes a client, a compare per scan): the bench fleet (20,000 clients,
   * 10 days) measured 12.73 / 10.84 s before and 12.41 / 11.16 s after, heap per client 2,185 ->
   * 2,189 B, on the shared 2-core VM (noise).
   */
  private readonly lastSup: Uint16Array;

  constructor(private readonly cfg: StubConfig, private readonly cat: Catalogue) {
    this.lastSup = new Uint16Array(cfg.clients);
    const p = cfg.wsusPool;
    if (p !== undefined && p !== null) {
      cfg.sups.forEach((sup, i) => {
        if (p.sups !== null && !p.sups.includes(sup)) return;
        const pool = new WsusPool(p, cfg.seed, i);
        this.pools.set(sup, pool);
        this.poolList.push(pool);
      });
    }
  }

  /**
   * A client's scan request reached `sup`: counts a change of SUP from its
   * previous request (served or refused, so a failover whose first attempt
   * is refused counts too). In-process every scan request is noted (StubCore);
   * over HTTP the scans that reach SyncUpdates (begin).
   */
  noteSup(client: number, sup: string): void {
    const l = client - this.cfg.firstClient;
    if (l < 0 || l >= this.lastSup.length) return;
    const k = this.cfg.sups.indexOf(sup) + 1;
    const was = this.lastSup[l]!;
    if (was !== 0 && was !== k) this.counters.supChanges++;
    this.lastSup[l] = k;
  }

  /** The pool in front of a SUP, or undefined (no capacity model there). */
  poolFor(sup: string): WsusPool | undefined {
    return this.pools.size === 0 ? undefined : this.pools.get(sup);
  }

  /** What an in-process scan will send (applicable updates, metadata sent, SyncUpdates rounds), nothing counted. */
  measure(client: number, t: number, held: readonly number[] = []): { applicable: readonly number[]; sent: number; rounds: number } {
    const applicable = servedApplicable(this.cfg.seed, this.cat, client, t);
    let sent = applicable.length;
    if (held.length > 0) {
      let i = 0;
      for (const u of applicable) {
        while (i < held.length && held[i]! < u) i++;
        if (i < held.length && held[i] === u) sent--;
      }
    }
    return { applicable, sent, rounds: Math.max(1, Math.ceil(sent / SYNC_PAGE_SIZE)) + 1 };
  }

  /**
   * The in-process scan. held: the catalogue indices the client's datastore
   * holds from this SUP (the request's); the reply lists every applicable
   * update all the same (the client evaluates what it holds plus what is new).
   */
  scan(client: number, t: number, sup: string, held: readonly number[] = []): Reply {
    if (!this.cfg.sups.includes(sup)) {
      this.counters.scanFailures++;
      return { kind: 'error', req: 'wsus.scan', code: 0x80072efd };
    }
    // only the updates of the catalogue versions this SUP has synced by t
    const { applicable, sent, rounds } = this.measure(client, t, held);
    this.begin(t, sup, held.length > 0);
    this.counters.updatesSent += sent;
    // the software pages (at least one), then the driver pass
    this.counters.syncRounds += rounds;
    return { kind: 'wsus.scan', catalogueVersion: supVersionAt(this.cat, t), applicable };
  }

  /** One scan begun on a SUP (the HTTP stub calls it on the first software page; it counts pages and updates itself). */
  begin(t: number, sup: string, delta: boolean, client = -1): void {
    this.counters.scans++;
    if (client >= 0) this.noteSup(client, sup);
    if (delta) this.counters.deltaScans++;
    else this.counters.fullScans++;
    this.scansBySup.set(sup, (this.scansBySup.get(sup) ?? 0) + 1);
    const m = Math.max(0, Math.floor((t - this.cfg.start) / MINUTE));
    if (m >= this.perMinute.length) {
      const next = new Uint32Array(Math.max(m + 1, this.perMinute.length * 2));
      next.set(this.perMinute);
      this.perMinute = next;
    }
    this.perMinute[m]!++;
  }

  /** The busiest simulated minute: [minute index, scans]. */
  peakPerMinute(): { minute: number; scans: number } {
    let best = 0;
    let at = 0;
    for (let i = 0; i < this.perMinute.length; i++) if (this.perMinute[i]! > best) { best = this.perMinute[i]!; at = i; }
    return { minute: at, scans: best };
  }

  /** Scans per simulated minute, up to the last minute with any. */
  scansPerMinute(): number[] {
    let last = this.perMinute.length - 1;
    while (last >= 0 && this.perMinute[last] === 0) last--;
    return Array.from(this.perMinute.subarray(0, last + 1));
  }
}
