// The embedded HTTP stubs serve each SUP of site.sups and each DP of site.dps
// on a port of its own: the MP lists them all, a fault naming one SUP or one
// DP hits that server alone, and a fleet over HTTP switches SUP and fails over
// between DPs as it does in-process, giving the same trace once each server's
// URL is read as the scenario's name it stands for.
//
// The wire is checked with requests written here from the documented shapes
// (the GetConfig fixture of test/fixtures/wusp, the DP content path
// /SMS_DP_SMSPKG$/Content_{GUID}.1/<file>), not with the project's encoders.

import { describe, expect, it, afterAll, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { resolveScenario } from '../harness/scenario/resolve.js';
import { runFleet, type TransportOptions } from '../harness/run.js';
import { buildResults } from '../harness/output/results.js';
import { startStubServers, MAX_SERVERS_PER_ROLE, type StubServers } from '../server-stub/http/index.js';
import { smallWireFleet } from './helpers/fleets.js';
import { evaluateThresholds, parseThreshold } from '../harness/thresholds.js';
import { cli, startStubCommand } from './helpers/cli.js';

const silent = pino({ level: 'silent' });
const SUPS = ['http://sup1.stub.test:8530', 'http://sup2.stub.test:8530'];
const DPS = ['http://dp1.stub.test/SMS_DP_SMSPKG$', 'http://dp2.stub.test/SMS_DP_SMSPKG$'];
const GET_CONFIG = readFileSync(new URL('./fixtures/wusp/get-config.request.xml', import.meta.url), 'utf8').trim();
const CWS = 'http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService';

let dir: string;
const open: StubServers[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'suca-per-server-'));
});
afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

async function serve(input: Record<string, unknown>, now = 0) {
  const sc = resolveScenario(input);
  // the clock stands still: the capacity model's waits would be wall time, so none (as in virtual time)
  const s = await startStubServers({ config: sc.stub, logger: silent, clock: () => sc.start + now, verifySignatures: false, poolWallPerSimulatedMs: 0 });
  open.push(s);
  return { sc, s };
}

function getConfig(sup: string) {
  return fetch(`${sup}/ClientWebService/client.asmx`, {
    method: 'POST',
    headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: `"${CWS}/GetConfig"` },
    body: GET_CONFIG,
  });
}

/** an update's DP content path, as a real DP names it (the stub's content id is the update id, its file windows-kb<KB>-x64.cab) */
function contentUrl(dp: string, s: StubServers, u: number) {
  const cat = s.core.catalogue;
  return `${dp}/SMS_DP_SMSPKG$/Content_${cat.ids[u]}.1/windows-kb${cat.kb[u]}-x64.cab`;
}

describe('the embedded servers: a port per SUP and per DP', () => {
  it('starts a WSUS per SUP and a server per DP, in the scenario order, and the MP lists them all', async () => {
    const { s } = await serve({ clients: 2, site: { sups: [...SUPS, SUPS[0]], dps: DPS } });
    expect(s.urls.sups).toHaveLength(2); // the repeated URL is one server
    expect(s.urls.dps).toHaveLength(2);
    expect(new Set([s.urls.mp, ...s.urls.sups, ...s.urls.dps]).size).toBe(5);
    expect(s.urls.wsus).toBe(s.urls.sups[0]);
    expect(s.urls.dp).toBe(s.urls.dps[0]);
    for (const u of s.urls.sups) expect(await (await fetch(`${u}/health`)).json()).toMatchObject({ role: 'wsus', ok: true });
    for (const u of s.urls.dps) expect(await (await fetch(`${u}/health`)).json()).toMatchObject({ role: 'dp', ok: true });
    // what the MP hands out: the servers' URLs, not the scenario's names
    expect(s.core.cfg.sups).toEqual(s.urls.sups);
    expect(s.core.cfg.dps).toEqual(s.urls.dps);
    expect(s.served.get(SUPS[1]!)).toBe(s.urls.sups[1]);
    expect(s.served.get(DPS[1]!)).toBe(s.urls.dps[1]);
  });

  it('a fault naming one SUP answers 503 on that server alone', async () => {
    const { s } = await serve({ clients: 2, site: { sups: SUPS }, faults: [{ target: 'wsus', sup: SUPS[0], from: '0', to: '1d', status: 503 }] });
    const down = await getConfig(s.urls.sups[0]!);
    expect(down.status).toBe(503);
    await down.arrayBuffer();
    const up = await getConfig(s.urls.sups[1]!);
    expect(up.status).toBe(200);
    expect(await up.text()).toContain('<GetConfigResult>');
    expect(s.core.faults.injected.get('wsus')).toBe(1);
  });

  it('a fault naming one DP answers 503 on that DP alone; the other serves the file; requests counted per server', async () => {
    const { s } = await serve({ clients: 2, site: { dps: DPS }, faults: [{ target: 'dp', dp: DPS[1], from: '0', to: '1d', status: 503 }] });
    const ok = await fetch(contentUrl(s.urls.dps[0]!, s, 2));
    expect(ok.status).toBe(200);
    expect((await ok.arrayBuffer()).byteLength).toBe(s.core.catalogue.bytes[2]);
    const down = await fetch(contentUrl(s.urls.dps[1]!, s, 2));
    expect(down.status).toBe(503);
    await down.arrayBuffer();
    expect(s.core.faults.injected.get('dp')).toBe(1);
    // the DP role's figures: a file served, its bytes
    expect(s.core.dp.counters).toMatchObject({ downloads: 1, bytes: s.core.catalogue.bytes[2] });
    expect(s.requestsByServer()).toMatchObject({ 'sup[0]': 0, 'dp[0]': 1, 'dp[1]': 1 });
  });

  it('a capacity pool on SUP 1 alone: SUP 1 refuses what its one worker cannot take, SUP 2 has no pool and answers all', async () => {
    const { s } = await serve({ clients: 2, site: { sups: SUPS, wsusPool: { sups: [SUPS[0]], workers: 1, queueLength: 0, serviceTimeMin: '10s', serviceTimeMax: '10s' } } });
    // three at once to each: SUP 1 takes the first into its worker and refuses the others with 503
    const [a, b] = await Promise.all([
      Promise.all([0, 1, 2].map(() => getConfig(s.urls.sups[0]!))),
      Promise.all([0, 1, 2].map(() => getConfig(s.urls.sups[1]!))),
    ]);
    for (const r of [...a, ...b]) await r.arrayBuffer();
    expect(a.map((r) => r.status).sort()).toEqual([200, 503, 503]);
    expect(b.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(s.core.wsus.pools.size).toBe(1);
    expect([...s.core.wsus.pools.keys()]).toEqual([s.urls.sups[0]]);
  });

  it('a scenario with more SUPs than the servers take is refused, naming the field', async () => {
    const sups = Array.from({ length: MAX_SERVERS_PER_ROLE + 1 }, (_, i) => `http://sup${i}.stub.test:8530`);
    const sc = resolveScenario({ clients: 2, site: { sups } });
    await expect(startStubServers({ config: sc.stub, logger: silent, clock: () => sc.start })).rejects.toMatchObject({ code: 'SUCA_ERR_STUB_TOO_MANY_SERVERS' });
    const file = join(dir, 'many.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, JSON.stringify({ name: 'many', site: { sups } }));
    const r = await cli('run', '--scenario', file, '--transport', 'http', '--clients', '2', '--duration', '1h');
    expect(r.code).toBe(2);
    expect(r.err).toContain(`SUCA_ERR_INVALID_SCENARIO: ${file}: site.sups: ${MAX_SERVERS_PER_ROLE + 1} distinct SUPs`);
    // the stub command refuses it the same way, and in-process it runs
    const st = await cli('stub', '--scenario', file, '--duration', '1s');
    expect(st.code).toBe(2);
    expect(st.err).toContain('site.sups');
    expect((await cli('run', '--scenario', file, '--clients', '2', '--duration', '1h', '--json')).code).toBe(0);
  });

  it('suca-fleet stub: SUP k and DP k on consecutive ports from --wsus-port and --dp-port, each named', async () => {
    const file = join(dir, 'two.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, JSON.stringify({ name: 'two', site: { sups: SUPS, dps: DPS } }));
    // fixed ports below Linux's ephemeral range (32768-60999), where the other tests' port-0 servers
    // are; a base taken meanwhile by something else is tried again elsewhere
    let started: Awaited<ReturnType<typeof startStubCommand>> | null = null;
    let base = 0;
    for (let attempt = 0; started === null; attempt++) {
      base = 20000 + Math.floor(Math.random() * 12000);
      try {
        started = await startStubCommand('--scenario', file, '--wsus-port', String(base), '--dp-port', String(base + 10), '--log-level', 'silent');
      } catch (err) {
        if (attempt >= 4 || !String(err).includes('EADDRINUSE')) throw err;
      }
    }
    const { urls, stop } = started;
    try {
      const u = urls;
      expect(u.sups).toEqual([`http://127.0.0.1:${base}`, `http://127.0.0.1:${base + 1}`]);
      expect(u.dps).toEqual([`http://127.0.0.1:${base + 10}`, `http://127.0.0.1:${base + 11}`]);
      for (const x of [...u.sups, ...u.dps]) expect((await fetch(`${x}/health`)).status).toBe(200);
    } finally {
      expect(await stop()).toBe(0);
    }
    // overlapping ranges are refused before anything listens
    const bad = await cli('stub', '--scenario', file, '--wsus-port', '20000', '--dp-port', '20001', '--duration', '1s');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--wsus-port 20000 and --dp-port 20001: their ports overlap');
    const past = await cli('stub', '--scenario', file, '--wsus-port', '65535', '--duration', '1s');
    expect(past.code).toBe(2);
    expect(past.err).toContain('need ports 65535 to 65536, past 65535');
  });

  it('faults[].dp is checked: one of site.dps, and only on target dp', () => {
    expect(() => resolveScenario({ site: { dps: DPS }, faults: [{ target: 'dp', dp: 'http://dp9.stub.test', from: '0', to: '1h', status: 503 }] })).toThrow(/faults\[0\]\.dp: "http:\/\/dp9\.stub\.test" is not one of site\.dps/);
    expect(() => resolveScenario({ site: { dps: DPS }, faults: [{ target: 'wsus', dp: DPS[0], from: '0', to: '1h', status: 503 }] })).toThrow(/faults\[0\]\.dp: only applies to target "dp"/);
  });
});

/** A traced run; URLs of the embedded servers read back as the scenario's names (their place in site.sups / site.dps). */
async function traced(name: string, input: Record<string, unknown>, transport: TransportOptions) {
  const sc = resolveScenario(input);
  const trace = join(dir, `${name}.ndjson`);
  const o = await runFleet(sc, { tracePath: trace, logger: silent, transport });
  const results = buildResults(o);
  const names = new Map<string, string>();
  results.wire?.urls.sups?.forEach((u, k) => names.set(u, [...new Set(sc.stub.sups)][k]!));
  results.wire?.urls.dps?.forEach((u, k) => names.set(u, [...new Set(sc.stub.dps)][k]!));
  const text = readFileSync(trace, 'utf8').replace(/"(https?:\/\/127\.0\.0\.1:\d+)"/g, (m, u: string) => JSON.stringify(names.get(u) ?? u));
  return { lines: text.trim().split('\n'), events: text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>), results };
}

/** A small fleet over HTTP with one role external: another stub of the same scenario (the same content) stands for it. */
async function againstOther(seed: number, role: 'wsus' | 'dp') {
  const input = { ...smallWireFleet(3), seed };
  const { s: other } = await serve(input);
  const o = await runFleet(resolveScenario(input), { logger: silent, transport: { kind: 'http', external: { [role]: other.urls[role] } } });
  return { r: buildResults(o), other };
}

describe('an external DP or WSUS', () => {
  it('the embedded stubs serve no DP: what their DP would count is unknown (null), not 0, while the clients download from it', async () => {
    const { r, other } = await againstOther(16, 'dp');
    expect(r.work.downloads).toBe(3);
    expect(r.work.dpDownloads).toBeNull();
    expect(r.work.dpBytes).toBeNull();
    expect(r.dps).toBeNull();
    expect(r.wire!.urls.dps).toEqual([other.urls.dp]);
    expect(Object.keys(r.wire!.stub!.requestsByServer!).filter((k) => k.startsWith('dp'))).toEqual([]);
    // the other stub's DP served them
    expect(other.core.dp.counters.bytes).toBe(r.work.downloadBytes);
    // the embedded WSUS served the scans: its figures are there
    expect(r.scans.wsus!.served).toBeGreaterThan(0);
  });

  it('an external WSUS: the stub WSUS figures are unknown (scans.wsus null), and a threshold on them has no value', async () => {
    const { r, other } = await againstOther(17, 'wsus');
    expect(r.scans.online).toBeGreaterThan(0);
    expect(r.scans.wsus).toBeNull();
    expect(other.core.wsus.counters.scans).toBeGreaterThan(0);
    const [t] = evaluateThresholds(r, [parseThreshold('wsus_scans_per_min_max<1000', 'test')]);
    expect(t).toMatchObject({ value: null, ok: false });
    // the embedded DP is there: its figures stand
    expect(r.work.dpDownloads).toBeGreaterThan(0);
  });
});

describe('contract: SUP switching and DP failover over HTTP as in-process', () => {
  it('one DP down: every client fails over to the other, the same trace, the load on the DP that serves', async () => {
    const input = {
      ...smallWireFleet(6),
      seed: 14,
      site: { dps: DPS },
      faults: [{ target: 'dp', dp: DPS[0], from: '1d', to: '4d', status: 503 }],
    };
    const a = await traced('dp-inproc', input, { kind: 'in-process' });
    const b = await traced('dp-http', input, { kind: 'http' });
    const retries = a.events.filter((e) => e.ev === 'download.retrying');
    expect(retries.length).toBeGreaterThan(0);
    // every failure is DP 1's, and the client goes on to DP 2 at once
    for (const r of retries) expect(r).toMatchObject({ dp: DPS[0], next: DPS[1], code: '0x80244022', retryAt: null });
    expect(a.events.filter((e) => e.ev === 'download.completed')).toHaveLength(6);
    expect(b.lines).toEqual(a.lines);
    expect(b.results.faultsInjected).toEqual(a.results.faultsInjected);
    expect(b.results.work.dpBytes).toBe(a.results.work.dpBytes);
    // over HTTP, DP 1 took only the failed requests and DP 2 every file
    const per = b.results.wire!.stub!.requestsByServer!;
    expect(per['dp[0]']).toBe(retries.length);
    expect(per['dp[1]']).toBe(b.results.work.dpDownloads);
    // the downloads over time by DP: all DP 2's, under its server's URL over HTTP
    expect(Object.keys(a.results.series.downloadsByDp!)).toEqual([DPS[1]]);
    expect(b.results.series.downloadsByDp).toEqual({ [b.results.wire!.urls.dps![1]!]: a.results.series.downloadsByDp![DPS[1]!] });
  });

  it('one SUP down: clients retry, then fail over to the other SUP; a manual switch moves them; the same trace over HTTP', async () => {
    const base = smallWireFleet(6);
    const input = {
      ...base,
      seed: 15,
      site: { sups: SUPS },
      // 503 from day 1 to the end: a retry code, rendered over HTTP as the status it stands for
      faults: [{ target: 'wsus', sup: SUPS[0], from: '1d', to: '4d', status: 503 }],
      // and on day 3 every client is told to switch SUP (the console's notification)
      actions: [...(base.actions as object[]), { kind: 'switchSup', at: '3d6h', within: '1h', fraction: 1 }],
    };
    const a = await traced('sup-inproc', input, { kind: 'in-process' });
    const b = await traced('sup-http', input, { kind: 'http' });
    const failed = a.events.filter((e) => e.ev === 'scan.failed');
    expect(failed.length).toBeGreaterThan(0);
    for (const e of failed) expect(e).toMatchObject({ sup: SUPS[0], code: '0x80244022' });
    // a client whose scans failed on SUP 1 completes one on SUP 2 later
    const failedClient = failed[0]!.client;
    expect(a.events.some((e) => e.ev === 'scan.completed' && e.client === failedClient && e.sup === SUPS[1] && (e.t as number) > (failed[0]!.t as number))).toBe(true);
    const switched = a.events.filter((e) => e.ev === 'sup.switched');
    expect(switched).toHaveLength(6);
    for (const e of switched) expect([e.from, e.to].sort()).toEqual([...SUPS].sort());
    expect(b.lines).toEqual(a.lines);
    const per = b.results.wire!.stub!.requestsByServer!;
    expect(per['sup[0]']).toBeGreaterThan(0);
    expect(per['sup[1]']).toBeGreaterThan(0);
    // the scans over time by SUP, the same per server in both runs
    const urls = b.results.wire!.urls.sups!;
    expect(Object.keys(a.results.series.scansBySup!).sort()).toEqual([...SUPS].sort());
    expect(b.results.series.scansBySup![urls[0]!]).toEqual(a.results.series.scansBySup![SUPS[0]!]);
    expect(b.results.series.scansBySup![urls[1]!]).toEqual(a.results.series.scansBySup![SUPS[1]!]);
    // and as each stub WSUS counted the scans it served (scans.wsus.bySup), the same per SUP, and the clients' moves between them
    const served = (r: typeof a.results, names: readonly string[]) => names.map((n) => r.scans.wsus!.bySup[n] ?? 0);
    expect(served(b.results, urls)).toEqual(served(a.results, SUPS));
    expect(served(a.results, SUPS).every((x) => x > 0)).toBe(true);
    expect(b.results.scans.wsus!.supChanges).toBeGreaterThan(0);
  });
});
