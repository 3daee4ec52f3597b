// Distribution point: serves content sized from the catalogue.

import type { Reply } from '../../agent/core/types.js';
import type { StubConfig } from './config.js';
import type { Catalogue } from './catalogue.js';
import type { Faults } from './faults.js';

export class DistributionPoint {
  readonly counters = { downloads: 0, bytes: 0, failures: 0 };

  constructor(private readonly cfg: StubConfig, private readonly cat: Catalogue, private readonly faults: Faults) {}

  download(client: number, t: number, dp: string, updates: readonly number[]): Reply {
    const code = this.cfg.dps.includes(dp) ? this.faults.check('dp', t, client) : 0x80070002;
    if (code !== 0) {
      this.counters.failures++;
      return { kind: 'error', req: 'dp.download', code };
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
