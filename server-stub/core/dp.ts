// Distribution point: serves content sized from the catalogue, and counts
// what each DP of the site was asked and served.

import type { Reply } from '../../agent/core/types.js';
import type { StubConfig } from './config.js';
import type { Catalogue } from './catalogue.js';

/** What one DP was asked and served (results.json `dps`). */
export interface DpFigures {
  /** content requests that reached it: a download in-process (a deployment's files), a content GET or HEAD over HTTP */
  requests: number;
  /** downloads it served (in-process), files it served (over HTTP) */
  downloads: number;
  bytes: number;
  /** requests a scenario fault hit */
  faulted: number;
}

export class DistributionPoint {
  readonly counters = { downloads: 0, bytes: 0, failures: 0 };
  /** per DP, in the order of cfg.dps without repeats */
  readonly perDp: readonly DpFigures[];
  private readonly indexOf = new Map<string, number>();

  constructor(private readonly cfg: StubConfig, private readonly cat: Catalogue) {
    for (const dp of cfg.dps) if (!this.indexOf.has(dp)) this.indexOf.set(dp, this.indexOf.size);
    this.perDp = Array.from({ length: this.indexOf.size }, () => ({ requests: 0, downloads: 0, bytes: 0, faulted: 0 }));
  }

  /** The DP's figures, or undefined for a URL that is not one of the site's DPs. */
  figuresOf(dp: string): DpFigures | undefined {
    const k = this.indexOf.get(dp);
    return k === undefined ? undefined : this.perDp[k];
  }

  /** A request to dp that a fault hit; `stopped`: it never reached the content (download() is not called). */
  faulted(dp: string, stopped: boolean): void {
    const f = this.figuresOf(dp);
    if (f === undefined) return;
    f.faulted++;
    if (stopped) f.requests++;
  }

  /** Over HTTP: a content request reached dp's server. */
  requested(dp: string): void {
    const f = this.figuresOf(dp);
    if (f !== undefined) f.requests++;
  }

  /** Over HTTP: dp's server sent a file's bytes (a GET's body). */
  served(dp: string, bytes: number): void {
    this.counters.downloads++;
    this.counters.bytes += bytes;
    const f = this.figuresOf(dp);
    if (f === undefined) return;
    f.downloads++;
    f.bytes += bytes;
  }

  download(_client: number, _t: number, dp: string, updates: readonly number[]): Reply {
    const f = this.figuresOf(dp);
    if (f === undefined) {
      this.counters.failures++;
      return { kind: 'error', req: 'dp.download', code: 0x80070002 };
    }
    f.requests++;
    let bytes = 0;
    for (const u of updates) {
      if (u < 0 || u >= this.cat.size) {
        this.counters.failures++;
        return { kind: 'error', req: 'dp.download', code: 0x80070002 };
      }
      bytes += this.cat.bytes[u]!;
    }
    this.counters.downloads++;
    this.counters.bytes += bytes;
    f.downloads++;
    f.bytes += bytes;
    return { kind: 'dp.download', bytes };
  }
}
