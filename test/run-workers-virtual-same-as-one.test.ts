// run --workers 2 in virtual time gives what one thread gives (issue 13):
// one scenario run as one process, as two workers, and as two shards merged
// (run --shard 1/2, 2/2, then merge), all through main(argv, io). The three
// agree on every counter, the exactly mergeable series and the compliance
// at the end; one thread and two workers write the same trace, byte for
// byte. The scenario has DP failures the clients retry, late, dropped and lost answers (the in-process
// transport's deferred replies, whose order at one millisecond is the
// single thread's push order: workers/trace-order.ts) and state resync
// (a lost upload's gap, asked for after minMissingMessageAge), with the
// MP's ingest immediate (site.mpProcessingRate 0) and no WSUS capacity
// model: the two site-wide models that couple clients, refused with workers
// (test/run-workers-virtual-refused.test.ts). Shards get no coupled model
// either: each shard's stub would model its own backlog and pool.
//
// Not compared (merged.approximate says so, for workers as for shards): the
// per-interval state latency percentiles and the WSUS in-flight peak, which
// the merge bounds (the highest input / the sum of peaks); and wall figures.

import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'suca-workers-virtual-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const scenario = join(dir, 'faulted.json');
writeFileSync(scenario, JSON.stringify({
  name: 'workers-faulted',
  clients: 160,
  duration: '5d',
  site: { mpProcessingRate: 0, minMissingMessageAge: '6h' },
  faults: [
    { target: 'mp.policy', from: '1d', to: '2d', rate: 0.5, delay: '2m' },
    { target: 'wsus', from: '12h', to: '3d', rate: 0.3, delay: '5s' },
    { target: 'wsus', from: '3d', to: '3d4h', rate: 0.5, code: '0x80244022' },
    { target: 'mp.state', from: '12h', to: '2d', rate: 0.3, drop: true },
    { target: 'mp.state', from: '2d', to: '4d', rate: 0.5, lose: true },
    { target: 'dp', from: '0d', to: '5d', rate: 0.3, delay: '1s' },
    // the pre-downloads' DP failures: failover and hourly rounds (the agent's DP retry)
    { target: 'dp', from: '1d', to: '1d6h', rate: 0.6, status: 503 },
  ],
}));

type R = Record<string, unknown> & {
  series: Record<string, unknown>;
  merged?: { approximate: string[]; from: { shard: { index: number } }[] };
  stateMessages: Record<string, unknown>;
};

const APPROXIMATE_SERIES = ['stateLatencyP50', 'stateLatencyP99', 'wsusInFlight'];
/** what describes the run itself, not the fleet: wall time, the tool, the merge's own account */
const NOT_COMPARED = ['wall', 'wallSeries', 'tool', 'merged', 'thresholds', 'shard'];

function comparable(r: R): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) if (!NOT_COMPARED.includes(k)) out[k] = v;
  const series: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r.series)) if (!APPROXIMATE_SERIES.includes(k)) series[k] = v;
  out.series = series;
  return out;
}

const read = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as R;

describe('run --workers 2 in virtual time, as one thread and as two shards merged', () => {
  it('gives the same counters, series and compliance three ways, and the same trace as one thread', async () => {
    // the four runs at once, each main(argv, io) with its own outputs: virtual time gives the same figures
    // whatever the wall order (what the test checks); the single-thread runs' slices interleave with the
    // workers' threads (one after the other: 11.8 s of the loaded 2-core VM)
    const [one, two, ...shards] = await Promise.all([
      cli('run', '--scenario', scenario, '--out', join(dir, 'one'), '--trace', join(dir, 'one.trace'), '--quiet', '--log-level', 'warn'),
      cli('run', '--scenario', scenario, '--workers', '2', '--out', join(dir, 'two'), '--trace', join(dir, 'two.trace'), '--quiet', '--log-level', 'warn'),
      ...[1, 2].map((k) => cli('run', '--scenario', scenario, '--shard', `${k}/2`, '--out', join(dir, `shard${k}`), '--quiet', '--log-level', 'warn')),
    ]);
    expect(one.code, one.err).toBe(0);
    expect(two.code, two.err).toBe(0);
    for (const s of shards) expect(s.code, s.err).toBe(0);
    const m = await cli('merge', join(dir, 'shard1', 'results.json'), join(dir, 'shard2', 'results.json'), '--out', join(dir, 'shards'));
    expect(m.code, m.err).toBe(0);

    const r1 = read(join(dir, 'one', 'results.json'));
    const r2 = read(join(dir, 'two', 'results.json'));
    const rs = read(join(dir, 'shards', 'results.json'));
    // the run really exercised what makes the order hard: late answers, timeouts, resync
    const faults = r1.faultsInjected as Record<string, number>;
    expect(faults['mp.policy']).toBeGreaterThan(0);
    expect(faults['mp.state']).toBeGreaterThan(0);
    expect(r1.stateMessages.duplicates as number).toBeGreaterThan(0);
    expect((r1.events as Record<string, number>)['state.resync']).toBeGreaterThan(0);
    expect((r1.events as Record<string, number>)['download.retrying']).toBeGreaterThan(0);
    // two workers' shards, tiling the fleet
    expect(r2.merged!.from.map((f) => f.shard.index)).toEqual([1, 2]);
    expect(comparable(r2)).toEqual(comparable(r1));
    expect(comparable(rs)).toEqual(comparable(r1));
    // what is left out above is bounded, and said to be
    for (const r of [r2, rs]) for (const k of ['stateLatencyP50', 'wsusInFlight']) expect(r.merged!.approximate.join('\n')).toContain(k);
    const t1 = readFileSync(join(dir, 'one.trace'), 'utf8');
    const t2 = readFileSync(join(dir, 'two.trace'), 'utf8');
    expect(t1.length).toBeGreaterThan(0);
    // byte for byte (a mismatch: the first differing line, not a 10 MB diff)
    if (t2 !== t1) {
      const a = t1.split('\n');
      const b = t2.split('\n');
      const i = a.findIndex((l, k) => l !== b[k]);
      expect({ line: i + 1, got: b[i] }).toEqual({ line: i + 1, got: a[i] });
    }
    expect(t2).toBe(t1);
  }, 180_000);

  it('the same trace as one thread where slots are grouped by time zone (patch-tuesday: three zones, clients whose deadline falls on one millisecond)', async () => {
    // the order of simultaneous wakes is the slots' (group, first poll, client): keyed without the group,
    // the workers' merge put one worker's clients at the deadline before the other's
    const args = ['run', '--scenario', 'patch-tuesday', '--clients', '60', '--duration', '11d', '--json', '--quiet', '--log-level', 'warn'];
    const [one, two] = await Promise.all([cli(...args, '--trace', join(dir, 'pt1.trace')), cli(...args, '--trace', join(dir, 'pt2.trace'), '--workers', '2')]);
    expect(one.code, one.err).toBe(0);
    expect(two.code, two.err).toBe(0);
    const a = readFileSync(join(dir, 'pt1.trace'), 'utf8').split('\n');
    const b = readFileSync(join(dir, 'pt2.trace'), 'utf8').split('\n');
    // the case is there: more than one client at the deadline's millisecond, of more than one zone
    const deadline = a.filter((l) => l.includes('"ev":"deployment.deadline"')).map((l) => (JSON.parse(l) as { t: number }).t);
    expect(deadline.filter((t) => t === deadline[0]).length).toBeGreaterThan(10);
    const i = a.findIndex((l, k) => l !== b[k]);
    expect({ line: i + 1, got: b[i] }).toEqual({ line: 0, got: undefined });
    expect(b.length).toBe(a.length);
  }, 120_000);
});
