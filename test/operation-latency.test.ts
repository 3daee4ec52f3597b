// Per-operation wall latency over HTTP, measured from the time each request
// was meant to go out: a request waiting behind a slow one (a full p-limit
// slot, a busy connection) counts its wait, as a client's would (no
// coordinated omission).

import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import * as hdr from 'hdr-histogram-js';
import { resolveScenario } from '../harness/scenario/resolve.js';
import { runFleet } from '../harness/run.js';
import { buildResults } from '../harness/output/results.js';

const silent = pino({ level: 'silent' });

describe('operation latency', () => {
  it('counts the queueing behind a slow MP: measured from the intended send time, not from the send', async () => {
    // 8 clients poll within the same simulated second; one request at a time to the MP, 250 ms each
    const sc = resolveScenario({
      clients: 8,
      duration: '2m',
      model: { startWithin: '1s' },
      faults: [{ target: 'mp.policy', operation: 'RequestAssignments', from: '0', to: '1d', delay: '250ms' }],
    });
    const o = await runFleet(sc, {
      logger: silent,
      clock: { mode: 'scaled', timeFactor: 60, lagBoundMs: 1000 },
      transport: { kind: 'http', sign: false, concurrency: 1 },
    });
    const r = buildResults(o);
    const ra = r.operations['mp RequestAssignments']!;
    expect(ra.count).toBe(8);
    expect(ra.count).toBe(r.wire!.agentOperations['mp policy.assignments']);
    expect(ra.errors).toBe(0);
    // served one after another: the k-th waited for k-1 others, so the slowest waited ~8 x 250 ms
    expect(ra.min).toBeGreaterThanOrEqual(240);
    expect(ra.max).toBeGreaterThanOrEqual(7 * 250);
    expect(ra.p50).toBeGreaterThanOrEqual(3 * 250);
    // the histogram behind it is in results.json, in µs
    const h = r.histograms['op.mp.RequestAssignments']!;
    expect(h.unit).toBe('wall-us');
    const d = hdr.decodeFromCompressedBase64(h.encoded);
    expect(d.totalCount).toBe(8);
    expect(d.maxValue).toBeGreaterThanOrEqual(7 * 250 * 1000);
  });

  it('times every WSUS operation of a scan, DP downloads and MP state reports', async () => {
    const sc = resolveScenario({ clients: 10, duration: '1d6h', model: { startWithin: '5m' }, catalogue: { minSizeMB: 0.1, maxSizeMB: 1 } });
    const o = await runFleet(sc, { logger: silent, transport: { kind: 'http', sign: false } });
    const r = buildResults(o);
    const ops = r.wire!.agentOperations;
    for (const op of ['GetConfig', 'GetCookie', 'SyncUpdates', 'GetExtendedUpdateInfo']) {
      const f = r.operations[`wsus ${op}`]!;
      expect(f, op).toBeDefined();
      expect(f.count).toBe(ops[`wsus ${op}`]);
      expect(f.p50).toBeGreaterThan(0);
      expect(f.p999).toBeGreaterThanOrEqual(f.p99);
      expect(f.max).toBeGreaterThanOrEqual(f.p999);
    }
    expect(r.operations['dp GET']!.count).toBe(ops['dp GET']);
    expect(r.operations['mp Report']!.count).toBe(r.stateMessages.reportsOk + r.stateMessages.reportsFailed);
    expect(r.operations['mp WSUSLocationRequest']!.count).toBe(r.location.wsus);
    for (const [k, f] of Object.entries(r.operations)) {
      expect(r.histograms['op.' + k.replace(' ', '.')], k).toBeDefined();
      expect(f.perSecond).toBeGreaterThan(0);
    }
  });

  it('has no wall latencies in-process (no wire), and leaves results byte-identical run to run', async () => {
    const sc = resolveScenario({ clients: 20, duration: '1d' });
    const r = buildResults(await runFleet(sc, { logger: silent }));
    expect(r.operations).toEqual({});
    expect(Object.keys(r.histograms).filter((k) => k.startsWith('op.'))).toEqual([]);
  });
});
