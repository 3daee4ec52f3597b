// state-resync (scenarios/): half the uploads are lost during the first 3
// hours (the first scans' reports) and during the hour after the deadline at
// 4d (the install results). The MP sees each gap when a later message
// arrives (the deployment's at 1d; the manual scan at 5d), asks for a resync
// at the first policy poll once the gap is 2,880 minutes old, and the client
// resends its full state. Predicted at the MP:
// - Unknown: the pairs (200 updates each) of about half the clients whose
//   first report went out in the first 3 hours, until ~1d + 48 h + a poll;
// - Required though installed: about half the deployment's pairs from the
//   deadline until ~5d + 48 h + a poll;
// - nothing Unknown or stale at the end, every lost state recovered.

import { describe, expect, it } from 'vitest';
import { DAY, HOUR, MIN, runLibrary } from './helpers/library-run.js';

const N = 1000;
const UPDATES = 200;

describe('scenario state-resync', () => {
  it('Unknown and stale Required for 48 h after lost uploads, then repaired by the resync', async () => {
    const r = await runLibrary('state-resync', '--clients', String(N), '--series-interval', '1m');
    const c = r.series.compliance;
    const v = (s: readonly number[], t: number) => s[Math.floor(t / MIN)]!;
    // first loss: whole clients Unknown (a lost first report holds all 200 states); half of those reporting in the window
    const unknown = v(c.unknown, 3 * HOUR + 30 * MIN);
    expect(unknown % UPDATES).toBe(0);
    const lostClients = unknown / UPDATES;
    const sd = Math.sqrt(N * 0.25);
    expect(lostClients).toBeGreaterThanOrEqual(0.5 * 0.85 * N - 4 * sd);
    expect(lostClients).toBeLessThanOrEqual(0.5 * N + 4 * sd);
    // unchanged while the gap is younger than 48 h (it cannot be older before 2d), repaired within a poll and a cycle after 1d1h15m + 48h
    expect(v(c.unknown, 2 * DAY)).toBe(unknown);
    expect(v(c.unknown, 3 * DAY + 2 * HOUR + 30 * MIN)).toBe(0);
    // second loss: the install results of about half the clients; the MP keeps them Required
    // the deployment's pairs: all Required just before the deadline (installed nowhere, the first loss repaired by then)
    const P = v(c.required, 4 * DAY - MIN);
    const stale = v(c.required, 4 * DAY + 3 * HOUR);
    expect(Math.abs(stale / P - 0.5)).toBeLessThanOrEqual(4 * Math.sqrt(0.25 / N) * 1.1);
    // no resync before the gap (seen at the 5d manual scan) is 48 h old; repaired within a poll and a cycle of 5d1h + 48h
    expect(v(c.required, 6 * DAY + 23 * HOUR)).toBeGreaterThanOrEqual(0.9 * stale);
    expect(v(c.required, 7 * DAY + 2 * HOUR + 30 * MIN)).toBe(0);
    expect(c.unknown.at(-1)).toBe(0);
    expect(c.required.at(-1)).toBe(0);
    // each client with a lost upload resynced (some twice: both losses)
    expect(r.events['state.resync']).toBeGreaterThanOrEqual(lostClients);
    expect(r.faultsInjected!['mp.state']).toBeGreaterThan(0);
  });
});
