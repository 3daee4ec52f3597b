// first-scan-storm and first-scan-storm-norandom (scenarios/): the policy
// enabling software updates reaches every client within a minute; each first
// scan lands uniformly within client.firstScanWindow (120 min) of it, or at
// once without the window. The WSUS peak per minute is then the largest of
// about 121 Poisson counts of mean N/120, against N, and the storm lasts the
// window, against one minute.

import { describe, expect, it } from 'vitest';
import { runLibrary } from './helpers/library-run.js';

const N = 1000;
const WINDOW_MIN = 120;

/** P(X <= k) for X ~ Poisson(lambda). */
function poissonCdf(lambda: number, k: number): number {
  let term = Math.exp(-lambda);
  let sum = term;
  for (let i = 1; i <= k; i++) {
    term *= lambda / i;
    sum += term;
  }
  return sum;
}

/** The q-quantile of the largest of m independent Poisson(lambda) counts: P(max <= k) = F(k)^m. */
function maxPoissonQuantile(lambda: number, m: number, q: number): number {
  let k = 0;
  while (Math.pow(poissonCdf(lambda, k), m) < q) k++;
  return k;
}

describe('scenario first-scan-storm', () => {
  it('peak online scans per minute: N/120 times the Poisson-peak factor with the 2 h randomization, N without', async () => {
    const [rand, none] = await Promise.all([
      runLibrary('first-scan-storm', '--clients', String(N), '--duration', '4h'),
      runLibrary('first-scan-storm-norandom', '--clients', String(N), '--duration', '4h'),
    ]);
    // every client scans once, online, for its first policy: nothing else in 4 hours
    for (const r of [rand, none]) {
      expect(r.scans.online).toBe(N);
      expect(r.scans.byTrigger.firstPolicy!.online).toBe(N);
    }
    const lambda = N / WINDOW_MIN;
    const minutes = WINDOW_MIN + 1; // the policy arrives within the first minute: first scans in minutes 0..120
    const lo = maxPoissonQuantile(lambda, minutes, 0.001);
    const hi = maxPoissonQuantile(lambda, minutes, 0.999);
    const peakRand = rand.scans.wsus!.peakPerMinute.scans;
    const peakNone = none.scans.wsus!.peakPerMinute.scans;
    expect(peakRand).toBeGreaterThanOrEqual(lo);
    expect(peakRand).toBeLessThanOrEqual(hi);
    // without the window: the whole fleet in the minute the policy reached it
    expect(peakNone).toBe(N);
    // the ratio the windows predict, within the Poisson peak's 99.8 % band
    const ratio = peakNone / peakRand;
    expect(ratio).toBeGreaterThanOrEqual(N / hi);
    expect(ratio).toBeLessThanOrEqual(N / lo);
    // how long the storm lasts: the minutes from the first scan to the last
    const span = (r: typeof rand) => r.scans.wsus!.perMinute.at(-1)![0] - r.scans.wsus!.perMinute[0]![0] + 1;
    expect(span(rand)).toBeGreaterThanOrEqual(WINDOW_MIN - 5);
    expect(span(rand)).toBeLessThanOrEqual(WINDOW_MIN + 1);
    expect(span(none)).toBe(1);
    // in flight at WSUS: scans last 2-6 min (mean 4), so about 4 minutes' worth at once, against all of them
    expect(none.scans.wsus!.peakPerMinute.scans).toBe(N);
    const inFlight = (r: typeof rand) => Math.max(...r.series.wsusInFlight.map((x) => x ?? 0));
    expect(inFlight(none)).toBe(N);
    expect(inFlight(rand)).toBeLessThanOrEqual(6 * hi);
    expect(inFlight(rand)).toBeGreaterThanOrEqual(2 * lambda);
  });
});
