// required-though-installed (scenarios/): every update needs a restart, and
// an update installed but waiting for its restart is reported Required.
// Half the users install early (restart waits for the deadline at 5d); at the
// deadline the workstations install and restart after the 90-minute countdown,
// the servers (30 %) do not restart (suppressRestartServers); at 9d half of
// all clients restart. Predicted at the MP, from the deployment's applicable
// pairs P (all Required before the available time):
// - just before the deadline: ~N/2 clients installed, every pair still Required;
// - after the deadline's restarts and one reporting cycle: ~0.3 P Required;
// - after the 9d restarts and one cycle: ~0.3 x 0.5 P.

import { describe, expect, it } from 'vitest';
import { DAY, HOUR, MIN, runLibrary, sumBetween } from './helpers/library-run.js';

const N = 1000;

function expectShare(x: number, total: number, p: number, clients: number, what: string): void {
  // pairs are per client (5 of 10 updates on average, sd 1.6): the client-level binomial scaled by the mean pairs per client, 10 % for that spread
  const sd = Math.sqrt(clients * p * (1 - p)) * (total / clients) * 1.1;
  expect(Math.abs(x - p * total), `${what}: ${x}, expected ${(p * total).toFixed(0)} ± ${(4 * sd).toFixed(0)}`).toBeLessThanOrEqual(4 * sd);
}

describe('scenario required-though-installed', () => {
  it('clients installed but Required: before the deadline, then the servers with the restart suppressed until a restart', async () => {
    const r = await runLibrary('required-though-installed', '--clients', String(N), '--series-interval', '1m');
    const req = r.series.compliance.required;
    const inst = r.series.compliance.installed;
    const P = req[DAY / MIN - 1]!;
    const installedAtStart = inst[DAY / MIN - 1]!;
    expect(P).toBeGreaterThan(0);
    // before the deadline: about half the clients installed (users), none of it shows
    const early = sumBetween(r, r.series.installs, DAY, 5 * DAY);
    const sd = Math.sqrt(N * 0.25);
    expect(Math.abs(early - N / 2)).toBeLessThanOrEqual(4 * sd);
    expect(req[5 * DAY / MIN - 1]).toBe(P);
    expect(inst[5 * DAY / MIN - 1]).toBe(installedAtStart);
    // at the deadline: everyone else installs; the workstations restart (90 min countdown), users' restarts come due too
    // a client installs when one of the 10 updates applies to it: all but N / 2^10 (about 1), give or take 4 of them
    expect(r.work.installs).toBeLessThanOrEqual(N);
    expect(r.work.installs).toBeGreaterThanOrEqual(N - 5);
    const deadlineRestarts = sumBetween(r, r.series.restarts, 5 * DAY, 5 * DAY + 3 * HOUR);
    expect(Math.abs(deadlineRestarts - 0.7 * N)).toBeLessThanOrEqual(4 * Math.sqrt(N * 0.21));
    // the servers stay Required though installed, past the report cycle after the restarts
    const afterDeadline = req[(5 * DAY + 3 * HOUR) / MIN]!;
    expectShare(afterDeadline, P, 0.3, N, 'Required after the deadline (servers)');
    expect(req[9 * DAY / MIN - 1]).toBe(afterDeadline);
    // the restart action at 9d (half the clients, within 1 h): the servers among them turn Installed within a cycle
    const actionRestarts = sumBetween(r, r.series.restarts, 9 * DAY, 9 * DAY + 2 * HOUR);
    expect(Math.abs(actionRestarts - 0.5 * N)).toBeLessThanOrEqual(4 * Math.sqrt(N * 0.25));
    expectShare(req[(9 * DAY + 2 * HOUR) / MIN]!, P, 0.15, N, 'Required after the 9d restarts');
  });
});
