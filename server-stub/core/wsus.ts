// WSUS (software update point): the scan (in MS-WUSP terms GetConfig ..
// SyncUpdates .. GetExtendedUpdateInfo, collapsed here to one typed call) hands
// the client the metadata of the updates that apply to it. Which apply follows
// from (seed, client) via agent/core/machine.ts. Scan load is counted per
// simulated minute so the scan storm shows.

import type { Reply } from '../../agent/core/types.js';
import { applicableUpdates } from '../../agent/core/machine.js';
import { MINUTE } from '../../agent/core/constants.js';
import type { StubConfig } from './config.js';
import type { Catalogue } from './catalogue.js';

export class WsusServer {
  /** scans served; scans refused (unknown SUP, faults: counted by StubCore) */
  readonly counters = { scans: 0, scanFailures: 0 };
  /** online scans served per simulated minute since the start */
  private perMinute = new Uint32Array(1024);
  readonly scansBySup = new Map<string, number>();

  constructor(private readonly cfg: StubConfig, private readonly cat: Catalogue) {}

  scan(client: number, t: number, sup: string): Reply {
    if (!this.cfg.sups.includes(sup)) {
      this.counters.scanFailures++;
      return { kind: 'error', req: 'wsus.scan', code: 0x80072efd };
    }
    this.counters.scans++;
    this.scansBySup.set(sup, (this.scansBySup.get(sup) ?? 0) + 1);
    const m = Math.max(0, Math.floor((t - this.cfg.start) / MINUTE));
    if (m >= this.perMinute.length) {
      const next = new Uint32Array(Math.max(m + 1, this.perMinute.length * 2));
      next.set(this.perMinute);
      this.perMinute = next;
    }
    this.perMinute[m]!++;
    return { kind: 'wsus.scan', catalogueVersion: this.cat.updateSourceVersion, applicable: applicableUpdates(this.cfg.seed, this.cat, client) };
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
