// run --shards S --workers N --mp URL (scaled time): a pod of an Indexed Job
// using its cores. Pod K's N workers run shards (K-1)N+1 .. KN of S x N,
// whose ranges join into exactly shard K/S's clients; the pod writes its
// merge as shard K/S of the whole fleet, so that `merge` of the pods' logs
// checks them as shards. Two pods (JOB_COMPLETION_INDEX 0 and 1, started
// together by --start-at) against `suca-fleet stub`, in-process through
// main(argv, io), then merged.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { shardOf } from '../harness/scenario/resolve.js';
import { workerShard } from '../harness/workers/pool.js';
import { cli, cliWith } from './helpers/cli.js';
import { useStubScenario } from './helpers/stub-scenario.js';

const F = 600;
const CLIENTS = 13;
// every client's first policy poll within the first 10 simulated minutes (1 wall second at x600)
const SCENARIO = { name: 'pods-with-workers', clients: CLIENTS, duration: '20m', start: '2026-01-05T00:00:00Z', model: { startWithin: '10m' } };

const stub = useStubScenario('suca-podw-', SCENARIO, F);

interface Res {
  scenario: { start: string; clients: number };
  shard: { index: number; count: number; firstClient: number; clients: number };
  merged?: { from: { shard: { index: number; count: number } }[]; missingShards?: number[] };
  errors: { total: number };
  wire?: { agentOperations?: Record<string, number> };
}

describe('run --shards S --workers N --mp URL', () => {
  it('the workers\' sub-shards join into exactly the pod\'s shard, for any fleet size, shard count and workers', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 2, max: 64 }), fc.integer({ min: 1, max: 64 }), (clients, S, N) => {
        fc.pre(S * N <= clients);
        for (let K = 1; K <= S; K++) {
          const pod = shardOf(`${K}/${S}`, clients);
          const parts = Array.from({ length: N }, (_, k) => shardOf(workerShard(pod, k, N), clients));
          // contiguous, in order, none empty, and together the pod's range
          expect(parts[0]!.firstClient).toBe(pod.firstClient);
          for (let k = 1; k < N; k++) expect(parts[k]!.firstClient).toBe(parts[k - 1]!.firstClient + parts[k - 1]!.clients);
          expect(parts.every((p) => p.clients > 0)).toBe(true);
          expect(parts.reduce((a, p) => a + p.clients, 0)).toBe(pod.clients);
        }
      }),
      { numRuns: 100 },
    );
    // the whole fleet (no shard): worker k of N
    expect(workerShard({ index: 1, count: 1, firstClient: 0, clients: 10 }, 2, 3)).toBe('3/3');
  });

  it('two pods of two workers each: each pod\'s results are its shard, and merge gives the whole fleet', async () => {
    const start = new Date(Math.ceil((Date.now() + 4000) / 1000) * 1000).toISOString();
    const pod = (index: number) => cliWith({ env: { JOB_COMPLETION_INDEX: String(index) } }, 'run', '--scenario', stub.file, '--clock', 'scaled', '--time-factor', String(F), '--shards', '2', '--workers', '2', '--mp', stub.urls.mp, '--start-at', start, '--lag-bound', '1h', '--elu-bound', '1', '--out', join(stub.dir, `pod${index}`), '--quiet', '--log-level', 'silent');
    const rs = await Promise.all([pod(0), pod(1)]);
    for (const r of rs) expect(r.code, r.err).toBe(0);
    const pods = [0, 1].map((i) => JSON.parse(readFileSync(join(stub.dir, `pod${i}`, 'results.json'), 'utf8')) as Res);
    // 13 clients: shard 1/2 is 0..5, 2/2 is 6..12; each the whole fleet's shard, not "a fleet of 6"
    expect(pods.map((p) => p.shard)).toEqual([{ index: 1, count: 2, firstClient: 0, clients: 6 }, { index: 2, count: 2, firstClient: 6, clients: 7 }]);
    for (const p of pods) {
      expect(p.scenario.clients).toBe(CLIENTS);
      expect(p.merged!.missingShards).toBeUndefined();
      expect(p.errors.total).toBe(0);
    }
    // pod K's workers ran shards 2K-1 and 2K of 4
    expect(pods.map((p) => p.merged!.from.map((f) => `${f.shard.index}/${f.shard.count}`))).toEqual([['1/4', '2/4'], ['3/4', '4/4']]);
    const w = JSON.parse(readFileSync(join(stub.dir, 'pod1', 'workers', 'worker-2-of-2.results.json'), 'utf8')) as Res;
    // shard 4/4 of 13: floor(3 x 13 / 4) = 9 .. 12
    expect(w.shard).toEqual({ index: 4, count: 4, firstClient: 9, clients: 4 });
    // one start for both pods, on the stub's clock
    expect(pods[1]!.scenario.start).toBe(pods[0]!.scenario.start);
    // the pods merged as shards 1/2 and 2/2: the whole fleet, nothing missing, every client's first policy poll
    const m = await cli('merge', join(stub.dir, 'pod0', 'results.json'), join(stub.dir, 'pod1', 'results.json'), '--json');
    expect(m.code, m.err).toBe(0);
    const merged = JSON.parse(m.out) as Res;
    expect(merged.shard).toEqual({ index: 1, count: 1, firstClient: 0, clients: CLIENTS });
    expect(merged.merged!.missingShards).toBeUndefined();
    expect(merged.wire!.agentOperations!['mp policy.assignments']).toBeGreaterThanOrEqual(CLIENTS);
  }, 60_000);

  it('refused where a shard cannot be split: without an external MP, or more sub-shards than clients', async () => {
    const inProcess = await cliWith({ env: { JOB_COMPLETION_INDEX: '0' } }, 'run', '--shards', '2', '--workers', '2', '--clients', '10', '--duration', '1h');
    expect(inProcess.code).toBe(2);
    expect(inProcess.err).toContain('--workers 2 and --shard/--shards: the workers split a shard only in scaled time against an external MP');
    const few = await cli('run', '--scenario', stub.file, '--clock', 'scaled', '--time-factor', String(F), '--shard', '1/4', '--workers', '4', '--mp', stub.urls.mp, '--quiet', '--log-level', 'silent');
    expect(few.code).toBe(2);
    expect(few.err).toContain(`--workers 4 in shard 1/4: 4 x 4 sub-shards of ${CLIENTS} clients leave some empty; at most 3 workers a shard`);
  });
});
