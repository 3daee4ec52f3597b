// run --workers in virtual time with the MP's rate-limited backlog
// (site.mpProcessingRate > 0): the site's one backlog is modelled in the
// main thread from every worker's reports, merged in the single thread's
// order (workers/backlog.ts), so two and three workers give one thread's
// figures: ingest counts, the latency histograms and their parts, the
// backlog and compliance series, the per-interval state latency percentiles
// (exact here, no longer among merged.approximate), compliance at the end,
// and the same trace. The library's patch-tuesday-storm scenario (its MP
// processes 50 messages a second, and has WSUS and MP faults) at 150
// clients for 8 days. Only series.wsusInFlight stays the merge's bound.

import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'suca-workers-backlog-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type R = Record<string, unknown> & { series: Record<string, unknown>; merged?: { approximate: string[] }; stateMessages: Record<string, { p99: number; max: number } & Record<string, number>> };
const NOT_COMPARED = ['wall', 'wallSeries', 'tool', 'merged', 'thresholds', 'shard'];
function comparable(r: R): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) if (!NOT_COMPARED.includes(k)) out[k] = v;
  out.series = { ...r.series, wsusInFlight: null };
  return out;
}

describe('run --workers in virtual time with a rate-limited MP backlog', () => {
  it('gives one thread\'s ingest figures, series, compliance and trace with two and three workers', async () => {
    const run = async (name: string, ...more: string[]) => {
      const r = await cli('run', '--scenario', 'patch-tuesday-storm', '--clients', '150', '--duration', '8d', '--out', join(dir, name), '--trace', join(dir, `${name}.trace`), '--quiet', '--log-level', 'warn', ...more);
      expect(r.code, r.err).toBe(0);
      return { r: JSON.parse(readFileSync(join(dir, name, 'results.json'), 'utf8')) as R, trace: readFileSync(join(dir, `${name}.trace`), 'utf8') };
    };
    // the three runs at once, each main(argv, io) with its own outputs: virtual time gives the same figures
    // whatever the wall order (what the test checks), and the single thread's slices interleave with the two
    // workers runs' threads (sequential: 12.3 s of the loaded 2-core VM)
    const [one, ...ms] = await Promise.all([run('one'), run('w2', '--workers', '2'), run('w3', '--workers', '3')]);
    // the backlog really held messages back: waits of seconds, not 0 as with immediate ingest
    expect(one.r.stateMessages.waitInBacklogMs!.max).toBeGreaterThan(1000);
    for (const [i, w] of ['2', '3'].entries()) {
      const m = ms[i]!;
      expect(comparable(m.r), `--workers ${w}`).toEqual(comparable(one.r));
      expect(m.r.merged!.approximate.join('\n')).not.toContain('stateLatencyP50');
      expect(m.trace === one.trace, `--workers ${w}: the trace`).toBe(true);
    }
  }, 180_000);
});
