// Distribution point: serves content sized from the catalogue.

import type { Reply } from '../../agent/core/types.js';
import type { StubConfig } from './config.js';
import type { Catalogue } from './catalogue.js';

export class DistributionPoint {
  readonly counters = { downloads: 0, bytes: 0, failures: 0 };

  constructor(private readonly cfg: StubConfig, private readonly cat: Catalogue) {}

  download(_client: number, _t: number, dp: string, updates: readonly number[]): Reply {
    if (!this.cfg.dps.includes(dp)) {
      this.counters.failures++;
      return { kind: 'error', req: 'dp.download', code: 0x80070002 };
    }
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
    return { kind: 'dp.download', bytes };
  }
}
