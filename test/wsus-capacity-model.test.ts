// The WSUS capacity model on the stub core alone (server-stub/core/wsus-pool.ts):
// workers, the FIFO queue, 503 when it is full, the recycle at the private
// memory limit; StubCore's in-process scans through it; the HTTP server
// rendering the core's plan.

import { describe, expect, it, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { pino } from 'pino';
import { StubCore, WsusPool, type WsusPoolSpec } from '../server-stub/core/index.js';
import { serveRole, type RoleServer } from '../server-stub/http/server.js';
import { wsusHandler, wsusStats } from '../server-stub/http/wsus-handler.js';
import { InProcessTransport } from '../agent/runtime/transport.js';
import type { Reply } from '../agent/core/types.js';
import { scenario } from './helpers/kit.js';
import { ScenarioError } from '../harness/errors.js';

const spec = (o: Partial<WsusPoolSpec> = {}): WsusPoolSpec => ({
  workers: 2, queueLength: 3, serviceTimeMin: 1000, serviceTimeMax: 1000, serviceTimePerUpdate: 0,
  privateMemoryLimitMB: 0, baseMemoryMB: 100, memoryPerScanMB: 50, recycleTime: 60_000,
  refusal: { kind: 'hresult', code: 0x80244022 }, sups: null, ...o,
});

/**
 * An independent FIFO c-server queue with a waiting room of q: each arrival
 * scans the workers for the earliest free one and counts the waiting
 * requests by comparing every admitted start with now (no heap, no ring).
 */
function reference(c: number, q: number, arrivals: readonly { t: number; s: number }[]) {
  const free = new Array<number>(c).fill(-Infinity);
  const starts: number[] = [];
  const out: ({ start: number; done: number } | null)[] = [];
  for (const a of arrivals) {
    const waiting = starts.filter((x) => x > a.t).length;
    let w = 0;
    for (let i = 1; i < c; i++) if (free[i]! < free[w]!) w = i;
    if (free[w]! > a.t && waiting >= q) {
      out.push(null);
      continue;
    }
    const start = Math.max(a.t, free[w]!);
    free[w] = start + a.s;
    starts.push(start);
    out.push({ start, done: start + a.s });
  }
  return out;
}

describe('WSUS capacity model: the application pool', () => {
  it('serves with `workers` at once, queues up to queueLength, refuses the rest (503), and agrees with an independent queue simulation', () => {
    // arrivals in bursts faster than the pool serves, with varied service times
    let x = 12345;
    const rnd = () => ((x = (x * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const arrivals: { t: number; s: number }[] = [];
    let t = 0;
    for (let i = 0; i < 3000; i++) {
      t += Math.floor(rnd() * (i % 500 < 250 ? 200 : 2000)); // busy half, quiet half
      arrivals.push({ t, s: 200 + Math.floor(rnd() * 800) });
    }
    const c = 3;
    const q = 7;
    const pool = new WsusPool(spec({ workers: c, queueLength: q }), 1);
    const got = arrivals.map((a) => pool.admit(a.t, a.s));
    const want = reference(c, q, arrivals);
    expect(got.map((g) => (g.admitted ? { start: g.start, done: g.done } : null))).toEqual(want);
    const refused = want.filter((w) => w === null).length;
    expect(refused).toBeGreaterThan(100); // the bursts really overflowed it
    const k = pool.counters;
    expect(k.requests).toBe(arrivals.length);
    expect(k.queueFull).toBe(refused);
    expect(k.admitted + k.queueFull).toBe(k.requests);
    expect(k.queueMax).toBe(q);
    // busy time is the admitted service times; at most c requests in service plus q queued
    expect(k.busyMs).toBe(arrivals.reduce((s, a, i) => s + (want[i] !== null ? a.s : 0), 0));
    expect(k.concurrentMax).toBe(c + q);
    // the longest wait is q requests ahead served c at a time, each at most 1,000 ms
    expect(k.waitMaxMs).toBeLessThanOrEqual(Math.ceil((q + c) / c) * 1000);
  });

  it('a request that finds the queue full is refused only while the requests ahead have not started', () => {
    const pool = new WsusPool(spec({ workers: 2, queueLength: 3 }), 1);
    // 2 in service until 1,000, 3 queued (starts 1,000, 1,000, 2,000)
    const a = [0, 0, 0, 0, 0].map(() => pool.admit(0, 1000));
    expect(a.map((r) => r.admitted && r.start)).toEqual([0, 0, 1000, 1000, 2000]);
    expect(pool.admit(999, 1000)).toEqual({ admitted: false, why: 'queueFull' });
    // at 1,000 two of the queued start: room for two more
    expect(pool.queuedAt(1000)).toBe(1);
    expect(pool.admit(1000, 1000)).toMatchObject({ admitted: true, start: 2000 });
    expect(pool.admit(1000, 1000)).toMatchObject({ admitted: true, start: 3000 });
    expect(pool.admit(1000, 1000)).toEqual({ admitted: false, why: 'queueFull' });
  });

  it('recycles when private memory (base + per request in the pool) reaches the limit: what it held fails, it refuses for recycleTime, then serves again', () => {
    // base 100 + 50 per request: the 6th request in the pool makes 400 MB = the limit
    const pool = new WsusPool(spec({ workers: 2, queueLength: 10, privateMemoryLimitMB: 400, recycleTime: 60_000 }), 1);
    const held = [0, 0, 0, 0, 0].map(() => pool.admit(0, 1000));
    expect(held.every((h) => h.admitted)).toBe(true);
    expect(pool.counters.memoryMaxMB).toBe(100 + 5 * 50);
    expect(pool.admit(10, 1000)).toEqual({ admitted: false, why: 'recycled' });
    expect(pool.counters).toMatchObject({ recycles: 1, failedInRecycle: 6, memoryMaxMB: 400 });
    // the five admitted before fail when their answers are due
    for (const h of held) expect(h.admitted && pool.ticketValid(h.ticket)).toBe(false);
    expect(pool.admit(60_009, 1000)).toEqual({ admitted: false, why: 'recycling' });
    const back = pool.admit(60_010, 1000);
    expect(back).toMatchObject({ admitted: true, start: 60_010 }); // empty: no worker busy, no queue
    expect(back.admitted && pool.ticketValid(back.ticket)).toBe(true);
    expect(pool.counters.refusedRecycling).toBe(1);
  });

  it('service time: operations x a uniform draw in [min, max] plus the per-update cost, the same for the same (client, t)', () => {
    const pool = new WsusPool(spec({ serviceTimeMin: 100, serviceTimeMax: 300, serviceTimePerUpdate: 40 }), 7);
    for (let c = 0; c < 50; c++) {
      const s = pool.serviceTime(c, 1000 + c, 9, 100);
      expect(s).toBeGreaterThanOrEqual(9 * 100 + 100 * 40);
      expect(s).toBeLessThanOrEqual(9 * 300 + 100 * 40);
      expect(pool.serviceTime(c, 1000 + c, 9, 100)).toBe(s);
    }
  });
});

describe('WSUS capacity model in the stub core (in-process scans)', () => {
  const sups = ['http://sup1.stub.test:8530', 'http://sup2.stub.test:8530'];
  const scanReq = (client: number, sup = sups[0]!) => ({ kind: 'wsus.scan' as const, client, sup, held: [] as number[] });

  it('a scan is admitted with its answer late by queue wait + service time; beyond the queue it gets 0x80244022 at once (the work not done)', () => {
    const sc = scenario({ clients: 20, site: { sups, wsusPool: { workers: 1, queueLength: 2, serviceTimeMin: '1s', serviceTimeMax: '1s', serviceTimePerUpdate: '0', sups: [sups[0]!] } } });
    const core = new StubCore(sc.stub);
    const t = sc.start;
    const xs = [0, 1, 2, 3].map((c) => core.exchange(scanReq(c), t));
    // the in-process scan stands for GetConfig, GetCookie, its SyncUpdates rounds and GetExtendedUpdateInfo calls
    const ops = (c: number) => {
      const m = core.wsus.measure(c, t);
      return 2 + m.rounds + Math.ceil(m.sent / 50);
    };
    const s0 = ops(0) * 1000;
    expect(xs[0]!.delayMs).toBe(s0);
    expect(xs[1]!.delayMs).toBe(s0 + ops(1) * 1000);
    expect(xs[2]!.delayMs).toBe(s0 + ops(1) * 1000 + ops(2) * 1000);
    expect(xs[3]!.reply).toEqual({ kind: 'error', req: 'wsus.scan', code: 0x80244022 });
    expect(core.wsus.counters).toMatchObject({ scans: 3, scanFailures: 1 });
    // the other SUP has no pool (site.wsusPool.sups): at once
    expect(core.exchange(scanReq(4, sups[1]!), t).delayMs).toBe(0);
    // a client that moved SUP is counted by the server side
    expect(core.wsus.counters.supChanges).toBe(0);
    core.exchange(scanReq(0, sups[1]!), t + 60_000);
    expect(core.wsus.counters.supChanges).toBe(1);
  });

  it('overloadCode 0x80072EE2: a refused scan surfaces as the WinHTTP timeout (not a retry code)', () => {
    const sc = scenario({ clients: 5, site: { wsusPool: { workers: 1, queueLength: 0, serviceTimeMin: '1s', serviceTimeMax: '1s', overloadCode: '0x80072EE2' } } });
    const core = new StubCore(sc.stub);
    expect(core.exchange(scanReq(0, sc.stub.sups[0]), sc.start).delayMs).toBeGreaterThan(0); // a free worker takes it
    expect(core.exchange(scanReq(1, sc.stub.sups[0]), sc.start).reply).toEqual({ kind: 'error', req: 'wsus.scan', code: 0x80072ee2 });
  });

  it('through the in-process transport, answers held by a pool that recycles arrive as the refusal when due', () => {
    const sc = scenario({ clients: 10, site: { wsusPool: { workers: 1, queueLength: 10, serviceTimeMin: '100ms', serviceTimeMax: '100ms', serviceTimePerUpdate: '0', privateMemoryLimitMB: 300, baseMemoryMB: 100, memoryPerScanMB: 50 } } });
    const core = new StubCore(sc.stub);
    const tr = new InProcessTransport(core, 60_000);
    const got: { client: number; t: number; r: Reply }[] = [];
    tr.bind((client, t, r) => got.push({ client, t, r }));
    const sup = sc.stub.sups[0]!;
    // 100 + 50 x 4 = 300: the 4th request in the pool recycles it
    for (let c = 0; c < 3; c++) expect(tr.request(scanReq(c, sup), sc.start)).toBeNull();
    expect(tr.request(scanReq(3, sup), sc.start)).toEqual({ kind: 'error', req: 'wsus.scan', code: 0x80244022 });
    tr.deferred.onWake(sc.start + 3_600_000);
    expect(got.map((g) => g.r)).toEqual([0, 1, 2].map(() => ({ kind: 'error', req: 'wsus.scan', code: 0x80244022 })));
    expect(core.wsus.poolList[0]!.counters).toMatchObject({ recycles: 1, failedInRecycle: 4 });
  });

  it('the scenario fields are checked (all problems at once, with where)', () => {
    let err: unknown;
    try {
      scenario({ site: { wsusPool: { workers: 0, serviceTimeMin: '2s', serviceTimeMax: '1s', privateMemoryLimitMB: 100, sups: ['http://nowhere'], colour: 1 } } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScenarioError);
    const paths = (err as ScenarioError).issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['site.wsusPool.workers', 'site.wsusPool']));
    let err2: unknown;
    try {
      scenario({ site: { wsusPool: { serviceTimeMin: '2s', serviceTimeMax: '1s', privateMemoryLimitMB: 100, sups: ['http://nowhere'] } } });
    } catch (e) {
      err2 = e;
    }
    expect((err2 as ScenarioError).issues.map((i) => i.path).sort()).toEqual(['site.wsusPool.privateMemoryLimitMB', 'site.wsusPool.serviceTimeMin', 'site.wsusPool.sups[0]']);
  });

  it('off by default: no pool, no pool figures, scans answered at once', () => {
    const sc = scenario({ clients: 3 });
    expect(sc.stub.wsusPool).toBeUndefined();
    expect('wsusPool' in (sc.effective['site'] as object)).toBe(false);
    const core = new StubCore(sc.stub);
    expect(core.wsus.pools.size).toBe(0);
    expect(core.exchange(scanReq(0, sc.stub.sups[0]), sc.start).delayMs).toBe(0);
  });
});

describe('WSUS capacity model over HTTP: the server renders the core plan', () => {
  const servers: RoleServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });
  // a GetConfig envelope from the captures (test/fixtures/wusp), not from our codec
  const getConfig = readFileSync(new URL('./fixtures/wusp/get-config.request.xml', import.meta.url));
  const post = (url: string) =>
    new Promise<{ status: number; ms: number }>((resolve, reject) => {
      const t0 = performance.now();
      const u = new URL('/ClientWebService/client.asmx', url);
      const req = httpRequest(u, { method: 'POST', headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: '"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService/GetConfig"', 'Content-Length': getConfig.length } }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0 }));
      });
      req.on('error', reject);
      req.end(getConfig);
    });

  it('one worker, no queue: the first GetConfig is answered after its service time, the one behind it gets 503 at once', async () => {
    const sc = scenario({ clients: 2, site: { wsusPool: { workers: 1, queueLength: 0, serviceTimeMin: '300ms', serviceTimeMax: '300ms' } } });
    const core = new StubCore(sc.stub);
    const stats = wsusStats();
    const s = await serveRole('wsus', wsusHandler({ core, clock: () => sc.start }, stats, { requests: 0, bytes: 0, notFound: 0, badRange: 0 }), { logger: pino({ level: 'silent' }) });
    servers.push(s);
    const [a, b] = await Promise.all([post(s.url), post(s.url)]);
    const sorted = [a!, b!].sort((x, y) => x.status - y.status);
    expect(sorted.map((r) => r.status)).toEqual([200, 503]);
    expect(sorted[0]!.ms).toBeGreaterThanOrEqual(280);
    expect(stats.poolRefusals).toBe(1);
    expect(core.wsus.poolList[0]!.counters).toMatchObject({ requests: 2, admitted: 1, queueFull: 1 });
  });
});

describe('WSUS capacity model in /metrics', () => {
  it('the WSUS server exports each pool by SUP (requests by outcome, queue max) once the scenario has one', async () => {
    const { startStubServers } = await import('../server-stub/http/index.js');
    const sc = scenario({ clients: 4, site: { wsusPool: { workers: 1, queueLength: 1, serviceTimeMin: '1s', serviceTimeMax: '1s' } } });
    const servers = await startStubServers({ config: sc.stub, logger: pino({ level: 'silent' }), clock: () => sc.start, verifySignatures: false });
    try {
      // the embedded HTTP stub is one WSUS, at its own URL, with one pool
      const sup = servers.core.cfg.sups[0]!;
      expect(servers.core.wsus.pools.size).toBe(1);
      // in-process requests through the same core: 1 served, 1 queued, 2 refused
      for (let c = 0; c < 4; c++) servers.core.exchange({ kind: 'wsus.scan', client: c, sup, held: [] }, sc.start);
      const text = await (await fetch(`${servers.urls.wsus}/metrics`)).text();
      const sample = (name: string) => {
        const line = text.split('\n').find((l) => l.startsWith(name + ' ') || l.startsWith(name + '{') && l.slice(0, l.lastIndexOf(' ')) === name);
        return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
      };
      const l = `{sup="${sup}"`;
      expect(sample(`suca_stub_wsus_pool_requests_total${l},outcome="admitted"}`)).toBe(2);
      expect(sample(`suca_stub_wsus_pool_requests_total${l},outcome="queue_full"}`)).toBe(2);
      expect(sample(`suca_stub_wsus_pool_queue_max${l}}`)).toBe(1);
      expect(sample('suca_stub_wsus_sup_changes_total')).toBe(0);
      expect(text).toContain('# TYPE suca_stub_wsus_pool_recycles_total counter');
    } finally {
      await servers.close();
    }
  });
});
