// patch-tuesday and patch-tuesday-randomized (scenarios/): a monthly
// deployment available 8d18h (Tuesday 18:00 UTC), deadline 10d12h (Thursday
// 12:00 UTC); half the clients install only in a 01:00-05:00 local window,
// in New York (40 %), Berlin (40 %) and Tokyo (20 %). What the mechanism
// predicts, checked from results.json:
// - TTL expiry waves: the last online scans are a week old at the available
//   time and 42 h old at the deadline (TTL 24 h), so every client scans
//   online for the new deployment, and every unwindowed client again before
//   its install at the deadline;
// - randomization off: the M unwindowed clients all scan and install in the
//   deadline minute; on: spread over 120 minutes, a peak per minute of the
//   largest of ~121 Poisson(M/120) counts;
// - windowed clients install in three waves at 01:00 local: 16:00 UTC
//   (Tokyo), 00:00 UTC (Berlin), 06:00 UTC (New York), each its zone's share;
// - 95 % Installed at the MP only once New York's window has run (its
//   windowed clients are 20 % of the fleet).

import { describe, expect, it } from 'vitest';
import { DAY, HOUR, MIN, runLibrary, sumBetween } from './helpers/library-run.js';
import type { LibraryResults as Results } from './helpers/library-run.js';

const N = 1000;
const AVAILABLE = 8 * DAY + 18 * HOUR;
const DEADLINE = 10 * DAY + 12 * HOUR;

function poissonCdf(lambda: number, k: number): number {
  let term = Math.exp(-lambda);
  let sum = term;
  for (let i = 1; i <= k; i++) sum += (term *= lambda / i);
  return sum;
}
function maxPoissonQuantile(lambda: number, m: number, q: number): number {
  let k = 0;
  while (Math.pow(poissonCdf(lambda, k), m) < q) k++;
  return k;
}
/** within 4 standard deviations of a binomial(n, p) */
function expectBinomial(x: number, n: number, p: number, what: string): void {
  const sd = Math.sqrt(n * p * (1 - p));
  expect(Math.abs(x - n * p), `${what}: ${x}, expected ${n * p} ± ${(4 * sd).toFixed(1)}`).toBeLessThanOrEqual(4 * sd);
}
function peakBetween(r: Results, values: readonly number[], from: number, to: number): number {
  let m = 0;
  for (let i = from / MIN; i < to / MIN; i++) m = Math.max(m, values[i]!);
  return m;
}

describe('scenario patch-tuesday', () => {
  it('TTL waves, the deadline wave with and without randomization, window waves per time zone, time to 95 % Installed', async () => {
    const flags = ['--clients', String(N), '--duration', '11d12h', '--series-interval', '1m'];
    const [off, on] = await Promise.all([runLibrary('patch-tuesday', ...flags), runLibrary('patch-tuesday-randomized', ...flags)]);
    for (const r of [off, on]) {
      // a client installs when one of the 10 updates applies to it: all but N / 2^10 (about 1), give or take 4 of them
      expect(r.work.installs).toBeLessThanOrEqual(N);
      expect(r.work.installs).toBeGreaterThanOrEqual(N - 5);
      // TTL expiry wave at the available time: every client online for the new deployment
      expect(sumBetween(r, r.series.scansOnline, AVAILABLE, AVAILABLE + 2 * HOUR)).toBe(N);
      // window waves at 01:00 local, each with its zone's share of the windowed half
      expectBinomial(sumBetween(r, r.series.installs, DEADLINE + 4 * HOUR, DEADLINE + 8 * HOUR), N, 0.5 * 0.2, 'Tokyo wave');
      expectBinomial(sumBetween(r, r.series.installs, DEADLINE + 12 * HOUR, DEADLINE + 16 * HOUR), N, 0.5 * 0.4, 'Berlin wave');
      expectBinomial(sumBetween(r, r.series.installs, DEADLINE + 18 * HOUR, DEADLINE + 22 * HOUR), N, 0.5 * 0.4, 'New York wave');
    }
    // the unwindowed clients: installs within 3 hours of the deadline (2 h randomization + the scan and install)
    const M = sumBetween(off, off.series.installs, DEADLINE, DEADLINE + 3 * HOUR);
    expectBinomial(M, N, 0.5, 'unwindowed clients');
    expect(sumBetween(on, on.series.installs, DEADLINE, DEADLINE + 3 * HOUR)).toBe(M);
    // off: every one of them scans online (TTL expired) in the deadline minute
    expect(peakBetween(off, off.series.scansOnline, DEADLINE, DEADLINE + 3 * HOUR)).toBe(M);
    expect(off.series.scansOnline[DEADLINE / MIN]).toBe(M);
    // on: the largest of ~121 Poisson(M/120) minutes, 0.1-99.9 % band
    const lambda = M / 120;
    const peakOn = peakBetween(on, on.series.scansOnline, DEADLINE, DEADLINE + 3 * HOUR);
    expect(peakOn).toBeGreaterThanOrEqual(maxPoissonQuantile(lambda, 121, 0.001));
    expect(peakOn).toBeLessThanOrEqual(maxPoissonQuantile(lambda, 121, 0.999));
    // time to 95 % Installed at the MP (the deployment's pairs: all other updates are installed everywhere)
    for (const r of [off, on]) {
      const c = r.series.compliance;
      // before the available time the deployment's applicable pairs are all Required (installed nowhere)
      const pairs = c.required[AVAILABLE / MIN - 1]!;
      expect(pairs).toBeGreaterThan(0);
      const i95 = c.required.findIndex((req, i) => i > AVAILABLE / MIN && req <= 0.05 * pairs);
      const t95 = i95 * MIN;
      // New York's window: 06:00-10:00 UTC the day after the deadline (+ its report within the 15-minute cycle)
      expect(t95).toBeGreaterThan(DEADLINE + 18 * HOUR);
      expect(t95).toBeLessThanOrEqual(DEADLINE + 22 * HOUR + 15 * MIN);
      expect(c.required.at(-1)).toBe(0);
    }
  });
});
