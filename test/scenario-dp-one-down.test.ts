// scenarios/dp-one-down.json end to end (in-process, virtual time, 2,000
// clients, 4 days): as dp-outage, but a fault naming DP 1 (faults[].dp) makes
// it answer 503 from Patch Tuesday's available time to the end. The clients
// whose random first DP is DP 1 fail over to DP 2 at once; no client waits a
// round, every download completes on DP 2, and results.json's dps shows the
// split of the load.

import { describe, expect, it } from 'vitest';
import { scenarioFile, tracedScenario } from './helpers/scenario-run.js';
import { resolveScenario } from '../harness/scenario/resolve.js';
import { loadScenarioFile } from '../harness/scenario/extends.js';
import { cli } from './helpers/cli.js';

const DP1 = 'http://dp1.stub.test/SMS_DP_SMSPKG$';
const DP2 = 'http://dp2.stub.test/SMS_DP_SMSPKG$';
type Ev = { t: number; client: string; ev: string; dp?: string; code?: string; next?: string | null; retryAt?: number | null };

const run = tracedScenario<Ev>('dp-one-down', 'download.*');

describe('scenario dp-one-down', () => {
  it('extends dp-outage with one fault, on DP 1 alone', () => {
    const sc = resolveScenario(loadScenarioFile(scenarioFile('dp-one-down')).input);
    expect(sc.stub.dps).toEqual([DP1, DP2]);
    expect(sc.stub.faults).toHaveLength(1);
    expect(sc.stub.faults[0]).toMatchObject({ target: 'dp', dp: DP1, rate: 1 });
  });

  it('every failure is DP 1\'s and is followed at once by DP 2; no round, no failed download', () => {
    const retries = run.trace.filter((e) => e.ev === 'download.retrying');
    // about half the clients draw DP 1 first
    expect(retries.length).toBeGreaterThan(800);
    expect(retries.length).toBeLessThan(1200);
    for (const e of retries) expect(e).toMatchObject({ dp: DP1, next: DP2, retryAt: null, code: '0x80244022' });
    // at most one failover a client: DP 2 answers
    expect(new Set(retries.map((e) => e.client)).size).toBe(retries.length);
    expect(run.r.events['download.completed']).toBe(2000);
    expect(run.r.events['download.failed']).toBe(0);
    expect(run.r.compliance!.deployments[0]!.clients.compliant).toBe(2000);
  });

  it('results.json dps: DP 1 took only failed requests, DP 2 every download and all the bytes', () => {
    const dps = run.r.dps!;
    const retried = run.r.events['download.retrying']!;
    expect(Object.keys(dps)).toEqual([DP1, DP2]);
    expect(dps[DP1]).toEqual({ requests: retried, faulted: retried, downloads: 0, bytes: 0 });
    expect(dps[DP2]).toMatchObject({ requests: 2000, faulted: 0, downloads: 2000 });
    expect(dps[DP2]!.bytes).toBe(run.r.work.dpBytes);
    expect(run.r.faultsInjected!.dp).toBe(retried);
    // over time: every download completed came from DP 2, and download.completed names it
    expect(Object.keys(run.r.series.downloadsByDp!)).toEqual([DP2]);
    expect(run.r.series.downloadsByDp![DP2]!.reduce((a, b) => a + b, 0)).toBe(2000);
    for (const e of run.trace.filter((x) => x.ev === 'download.completed')) expect(e.dp).toBe(DP2);
  });

  it('the summary lists each DP with its requests, faulted requests and bytes', async () => {
    const r = await cli('run', '--scenario', scenarioFile('dp-one-down'), '--clients', '60', '--log-level', 'warn', '--quiet');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/DP 1 +\d+ requests \((\d+) faulted\), 0\.0 MB served: http:\/\/dp1\.stub\.test/);
    expect(r.out).toMatch(/DP 2 +60 requests \(0 faulted\), [\d.]+ GB served: http:\/\/dp2\.stub\.test/);
  });
});
