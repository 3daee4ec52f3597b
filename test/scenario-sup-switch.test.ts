// scenarios/sup-switch.json end to end (in-process, virtual time, 2,000
// clients, 4 days): SUP 1 stops answering for good at day 1 (0x80072EFD,
// cannot connect: a retry code). Each client that scans on it fails 4 times,
// 30 minutes apart, then moves to SUP 2 after 2 more minutes and makes a full
// scan there (its datastore holds SUP 1's revisions). At day 1 + 2 h the
// console's "Switch to next software update point" is used on 20 % of the
// clients, blind to where they are: the ones on SUP 1 move without the 2 hours
// of retries, the ones on SUP 2 are sent to the dead SUP and fail over back
// (with a delta scan: their datastore is still SUP 2's).

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { scenarioFile, tracedScenario } from './helpers/scenario-run.js';
import { cli } from './helpers/cli.js';

const file = scenarioFile('sup-switch');
const sc = JSON.parse(readFileSync(file, 'utf8')) as { clients: number; site: { sups: string[] }; actions: { fraction: number }[]; faults: { code: string; sup: string }[] };
const MINUTE = 60_000;
type Ev = { t: number; client: string; ev: string; sup?: string | null; retryAt?: number | null; from?: string; to?: string };

const run = tracedScenario<Ev>('sup-switch', 'scan.*,sup.switched');

describe('scenario sup-switch', () => {
  it('every client that scans on the dead SUP fails exactly 4 times and then moves: failures = 4 x failovers, all on SUP 1', () => {
    const [sup1, sup2] = sc.site.sups as [string, string];
    const code = sc.faults[0]!.code;
    const failures = run.r.scans.failuresByCode[code]!;
    expect(Object.keys(run.r.scans.failuresByCode)).toEqual([code]);
    expect(failures).toBe(run.r.faultsInjected!['wsus']);
    const failed = run.trace.filter((e) => e.ev === 'scan.failed');
    expect(failed.every((e) => e.sup === sup1)).toBe(true);
    const failovers = failed.filter((e) => e.retryAt! - e.t === 32 * MINUTE).length;
    expect(failovers * 4).toBe(failures);
    expect(failovers).toBeGreaterThan(0.3 * sc.clients);
    // no client is left on SUP 1: the last online scan of every client was served by SUP 2
    const lastSup = new Map<string, string | null | undefined>();
    for (const e of run.trace) if (e.ev === 'scan.completed' && e.sup !== null) lastSup.set(e.client, e.sup);
    expect([...lastSup.values()].filter((s) => s !== sup2)).toEqual([]);
    expect(run.r.compliance!.deployments[0]!.clients.compliant).toBe(sc.clients);
    // over time, by SUP: SUP 1's ended scans are its completed ones before day 1 and every failure; the trace's count per SUP
    const bySup = run.r.series.scansBySup!;
    const total = (a: readonly number[]) => a.reduce((x, y) => x + y, 0);
    for (const sup of [sup1, sup2]) {
      const ended = run.trace.filter((e) => (e.ev === 'scan.completed' || e.ev === 'scan.failed') && e.sup === sup).length;
      expect(total(bySup[sup]!), sup).toBe(ended);
    }
    const start = Date.parse(run.r.series.start);
    const day1 = (24 * 60 * MINUTE) / run.r.series.intervalMs;
    // after day 1 SUP 1 ends only failed scans
    expect(total(bySup[sup1]!.slice(day1))).toBe(failures);
    expect(start).toBe(Date.parse(run.r.scenario.start as string));
  });

  it('the server side sees every move: SUP changes = failovers + manual switches', () => {
    const failovers = run.r.scans.failuresByCode[sc.faults[0]!.code]! / 4;
    const manual = run.r.events['sup.switched']!;
    // each chosen client with a SUP to leave switches once (with two SUPs: always to the other)
    expect(manual).toBeGreaterThan(0.8 * sc.actions[0]!.fraction * sc.clients);
    expect(manual).toBeLessThanOrEqual(sc.actions[0]!.fraction * sc.clients * 1.2);
    expect(run.r.scans.wsus!.supChanges).toBe(failovers + manual);
  });

  it('a client served by another SUP than its datastore came from gets a full scan: full scans beyond the first = the clients that were on SUP 1', () => {
    const [sup1] = sc.site.sups as [string, string];
    const w = run.r.scans.wsus!;
    // SUP 1 served only first scans before it died; each of those clients later made one full scan
    // on SUP 2 (by failover or by the manual switch); the clients the manual switch sent to SUP 1 and
    // back hold SUP 2's revisions still: a delta scan
    expect(w.metadata.fullScans - sc.clients).toBe(w.bySup[sup1]);
    const manualFrom1 = run.trace.filter((e) => e.ev === 'sup.switched' && e.from === sup1).length;
    const manualFrom2 = run.r.events['sup.switched']! - manualFrom1;
    // failovers: the SUP 1 clients not rescued by the manual switch, plus those it sent there
    expect(run.r.scans.failuresByCode[sc.faults[0]!.code]! / 4).toBe(w.bySup[sup1]! - manualFrom1 + manualFrom2);
  });

  it('the summary lists the online scans that ended at each SUP', async () => {
    const r = await cli('run', '--scenario', file, '--clients', '60', '--log-level', 'warn', '--quiet');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/SUP 1 +\d+ online scans ended: http:\/\/sup1\.stub\.test:8530/);
    expect(r.out).toMatch(/SUP 2 +\d+ online scans ended: http:\/\/sup2\.stub\.test:8530/);
  });
});
