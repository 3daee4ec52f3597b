// reevaluation-reinstall and -evicted (scenarios/): at 4d, 30 % of the
// clients lose one installed update of the monthly deployment; the 7-day
// re-evaluation (at 7d plus the first-policy phase, up to 1 h, and the 2 h
// schedule delay) finds it missing and reinstalls it: from the cache, or
// downloaded again when the feature update's download at 3d12h evicted it
// (cacheSizeMB 0, the content unused for more than the 1-day retention).
// The MP does not see the loss before that re-evaluation's scan.

import { describe, expect, it } from 'vitest';
import { DAY, HOUR, MIN, runLibrary, sumBetween } from './helpers/library-run.js';

const N = 1000;

describe('scenario reevaluation-reinstall', () => {
  it('the 7-day re-evaluation reinstalls every lost update, from the cache or downloaded again', async () => {
    const flags = ['--clients', String(N), '--series-interval', '1m'];
    const [cached, evicted] = await Promise.all([runLibrary('reevaluation-reinstall', ...flags), runLibrary('reevaluation-reinstall-evicted', ...flags)]);
    for (const r of [cached, evicted]) {
      const L = r.work.updatesLost;
      // every client holds at least one installed update of the deployment (1 - 0.5^10): the action's 30 %
      expect(Math.abs(L - 0.3 * N)).toBeLessThanOrEqual(4 * Math.sqrt(N * 0.21));
      // nothing reinstalls before the re-evaluation; all of them within its window
      expect(sumBetween(r, r.series.installs, 4 * DAY, 7 * DAY)).toBe(0);
      expect(sumBetween(r, r.series.installs, 7 * DAY, 7 * DAY + 4 * HOUR)).toBe(L);
      expect(r.work.reevaluationsScheduled).toBe(N);
      // the MP keeps showing the lost updates Installed until the re-evaluation's scan
      expect(r.series.compliance.installed[7 * DAY / MIN - 1]).toBe(r.series.compliance.installed[4 * DAY / MIN - 1]);
    }
    // from the cache: no download after the loss; evicted: one per reinstall
    expect(sumBetween(cached, cached.series.downloads, 4 * DAY, 8 * DAY)).toBe(0);
    expect(cached.work.evictions).toBe(0);
    expect(sumBetween(evicted, evicted.series.downloads, 4 * DAY, 8 * DAY)).toBe(evicted.work.updatesLost);
    expect(evicted.work.evictions).toBeGreaterThan(0);
    expect(evicted.work.downloads - cached.work.downloads).toBe(evicted.work.updatesLost);
  });
});
