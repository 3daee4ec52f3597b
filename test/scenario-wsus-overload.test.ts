// scenarios/wsus-overload.json and wsus-overload-timeout.json end to end
// (in-process, virtual time, the files as shipped: 2,000 clients, 3 days, a
// few seconds): a first-scan storm against the WSUS capacity model.
// 503 variant: the queue fills, the pool answers 503 (0x80244022, a retry
// code), clients retry every 30 minutes and after the 4th failure move to the
// other SUP; the storm drains and every client complies. Timeout variant: the
// same overload surfaces as 0x80072EE2, which is no retry code: no retry, no
// switch, and the clients whose scan before the install failed stay
// non-compliant (the next trigger is the 7-day re-evaluation, after the run).

import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers/cli.js';
import type { Results } from '../harness/output/results-schema.js';
import { resolveScenario } from '../harness/scenario/resolve.js';
import { StubCore } from '../server-stub/core/index.js';

const MINUTE = 60_000;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'suca-wsus-overload-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string) => new URL(`../scenarios/${name}.json`, import.meta.url).pathname;
const scenarioOf = (name: string) => JSON.parse(readFileSync(file(name), 'utf8')) as { clients: number; client: { firstScanWindow: string }; site: { wsusPool: { workers: number; queueLength: number } } };

type Ev = { t: number; client: string; ev: string; trigger?: string; code?: string; retryAt?: number | null };

// the scans' lines only (--trace-events): what the checks read, 31 k of the whole trace's 0.83 M lines
async function run(name: string): Promise<{ r: Results; trace: Ev[] }> {
  const trace = join(dir, `${name}.ndjson`);
  const out = await cli('run', '--scenario', file(name), '--json', '--quiet', '--series-interval', '1m', '--trace', trace, '--trace-events', 'scan.*', '--log-level', 'warn');
  expect(out.code, out.err).toBe(0);
  const lines = readFileSync(trace, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Ev);
  return { r: JSON.parse(out.out) as Results, trace: lines };
}

describe('scenario wsus-overload (503)', () => {
  let r: Results;
  let trace: Ev[];
  beforeAll(async () => {
    ({ r, trace } = await run('wsus-overload'));
  }, 120_000);

  it('the pool fills its queue and refuses the arrivals beyond what its workers serve: 503s = arrivals - served, served bounded by workers x time / service time', () => {
    const sc = scenarioOf('wsus-overload');
    const pool = r.scans.wsus!.pool!;
    expect(pool.workers).toBe(sc.site.wsusPool.workers);
    expect(pool.queueMax).toBe(sc.site.wsusPool.queueLength);
    expect(pool.requests).toBe(pool.admitted + pool.queueFull);
    expect(pool.recycles).toBe(0);
    // the clients saw every refusal as 0x80244022, and nothing else (no wait reached the 60 s request timeout)
    expect(r.scans.failuresByCode).toEqual({ '0x80244022': pool.queueFull });
    expect(pool.waitMaxMs).toBeLessThan(60_000);
    // the first 30 minutes hold first scans only (retries come 30 minutes after a failure):
    // arrivals A, refusals R; the two pools (one per SUP) serve at most workers x 30 min / mean service
    // each, plus what they hold (queue + workers) when the window closes
    const W = 30;
    const sum = (a: readonly (number | null)[]) => a.slice(0, W).reduce<number>((s, x) => s + (x ?? 0), 0);
    const A = sum(r.series.scansOnline!);
    const R = sum(r.series.errors['0x80244022']!);
    // the mean service time of a first (full) scan, from the mechanism: each client's operations
    // (GetConfig, GetCookie, SyncUpdates rounds, GetExtendedUpdateInfo per 50) at the mean
    // per-operation time, plus the per-update cost of what it is sent
    const rs = resolveScenario(JSON.parse(readFileSync(file('wsus-overload'), 'utf8')));
    const core = new StubCore(rs.stub);
    const ps = rs.stub.wsusPool!;
    let total = 0;
    for (let c = 0; c < rs.clients; c++) {
      const m = core.wsus.measure(c, rs.start);
      total += (2 + m.rounds + Math.ceil(m.sent / 50)) * ((ps.serviceTimeMin + ps.serviceTimeMax) / 2) + m.sent * ps.serviceTimePerUpdate;
    }
    const meanService = total / rs.clients;
    const pools = Object.keys(pool.bySup).length;
    expect(pools).toBe(2);
    const firstMinute = r.series.scansOnline!.findIndex((x) => (x ?? 0) > 0);
    const capacity = (pools * pool.workers * (W - firstMinute) * MINUTE) / meanService;
    const held = pools * (pool.queueLength + pool.workers);
    expect(A - R).toBeLessThanOrEqual(capacity * 1.1 + held);
    expect(A - R).toBeGreaterThanOrEqual(capacity * 0.9 - held);
    expect(R).toBeGreaterThan(A / 4);
  });

  it('every 503 is retried 30 minutes later; the 4th failure in a row moves the client to the other SUP, and the server side sees exactly those moves', () => {
    const failures = r.scans.failuresByCode['0x80244022']!;
    expect(r.scans.byTrigger['retry']!.online).toBe(failures);
    const retries = trace.filter((e) => e.ev === 'scan.failed');
    expect(retries.length).toBe(failures);
    // client-behaviour.md: wait 30 min; after the 4th failure 2 more minutes, then the next SUP
    const plain = retries.filter((e) => e.retryAt! - e.t === 30 * MINUTE).length;
    const switched = retries.filter((e) => e.retryAt! - e.t === 32 * MINUTE).length;
    expect(plain + switched).toBe(failures);
    // per client, every 4th consecutive failure is a switch
    const run = new Map<string, number>();
    let fourth = 0;
    for (const e of trace) {
      if (e.ev === 'scan.completed') run.set(e.client, 0);
      if (e.ev !== 'scan.failed') continue;
      const k = (run.get(e.client) ?? 0) + 1;
      if (k === 4) fourth++;
      run.set(e.client, k % 4);
    }
    expect(switched).toBe(fourth);
    expect(switched).toBeGreaterThan(100);
    expect(r.scans.wsus!.supChanges).toBe(switched);
    expect(r.events['sup.switched']).toBe(0); // no manual switch here
    // a client served on another SUP than before gets a full scan there: at most one per move
    expect(r.scans.wsus!.metadata.fullScans - r.scenario.clients).toBeGreaterThan(0);
    expect(r.scans.wsus!.metadata.fullScans - r.scenario.clients).toBeLessThanOrEqual(switched);
    // the storm drains: every client complies in the end
    expect(r.compliance!.deployments[0]!.clients.compliant).toBe(r.scenario.clients);
  });
});

describe('scenario wsus-overload-timeout (0x80072EE2)', () => {
  let r: Results;
  let trace: Ev[];
  beforeAll(async () => {
    ({ r, trace } = await run('wsus-overload-timeout'));
  }, 120_000);

  it('the same overload surfaces as 0x80072EE2: no retry, no SUP switch, and the clients whose scan before the install failed stay non-compliant', () => {
    const pool = r.scans.wsus!.pool!;
    expect(pool.queueFull).toBeGreaterThan(100);
    expect(r.scans.failuresByCode).toEqual({ '0x80072EE2': pool.queueFull });
    expect(r.scans.byTrigger['retry']!.online).toBe(0);
    expect(r.scans.wsus!.supChanges).toBe(0);
    expect(trace.filter((e) => e.ev === 'scan.failed').every((e) => e.retryAt === null)).toBe(true);
    // the deployment's install starts with a scan; when it fails the install fails (301 state 6) and
    // nothing retries it within the run: exactly those clients are non-compliant at the end
    const trigger = new Map<string, string>();
    const stuck = new Set<string>();
    for (const e of trace) {
      if (e.ev === 'scan.started') trigger.set(e.client, e.trigger!);
      if (e.ev === 'scan.failed' && trigger.get(e.client) === 'beforeInstall') stuck.add(e.client);
    }
    const c = r.compliance!.deployments[0]!.clients;
    expect(stuck.size).toBeGreaterThan(50);
    expect(c.nonCompliant + c.unknown).toBe(stuck.size);
    expect(c.compliant).toBe(r.scenario.clients - stuck.size);
  });
});
