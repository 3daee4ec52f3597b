// run --workers 2 --clock scaled writes --trace and --series-ndjson as a
// single scaled run does: the workers' lines merged into one trace in time
// order (then by client, trace-order.ts), every client's lines in its own
// order, a line for every event the merged results count; the NDJSON series a line per
// interval from the merged series (the same figures as results.json); and
// the state latency split (cycle wait, in flight) kept, its parts adding up
// to the total.

import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'suca-workers-trace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Line {
  t: number;
  client: string;
  ev: string;
}

describe('run --workers 2 --clock scaled --trace --series-ndjson', () => {
  it('one trace in time order, the series from the merge, the latency split kept', async () => {
    const trace = join(dir, 'trace.ndjson');
    const series = join(dir, 'series.ndjson');
    const r = await cli('run', '--clock', 'scaled', '--time-factor', '3600', '--lag-bound', '1h', '--elu-bound', '1', '--clients', '60', '--duration', '3h', '--workers', '2', '--trace', trace, '--series-ndjson', series, '--json', '--quiet', '--log-level', 'silent');
    expect(r.code, r.err.slice(-2000)).toBe(0);
    const res = JSON.parse(r.out) as {
      merged: { from: unknown[] };
      clock: { lagMs: { max: number } };
      events: Record<string, number>;
      series: { length: number; stateSent: number[]; stateIngested: number[] };
      stateMessages: { ingested: number; latencyMs: { count: number; mean: number }; waitForCycleMs: { count: number; mean: number } | null; inFlightMs: { count: number; mean: number } | null; waitInBacklogMs: { count: number; mean: number } };
    };
    expect(res.merged.from).toHaveLength(2);
    // the parts are gone: only the two files asked for
    expect(readdirSync(dir).sort()).toEqual(['series.ndjson', 'trace.ndjson']);
    const lines = readFileSync(trace, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line);
    // every event the merged results count is a line of the trace, no more
    const byEv: Record<string, number> = {};
    for (const l of lines) byEv[l.ev] = (byEv[l.ev] ?? 0) + 1;
    for (const [ev, n] of Object.entries(res.events)) expect(byEv[ev] ?? 0, ev).toBe(n);
    expect(Object.keys(byEv).every((ev) => ev in res.events)).toBe(true);
    // in time order, as far as a thread's own lines are: a wake's lines carry its due time, written when the loop gets
    // to it, a scheduler lag late, so a line is at most the lag (times the factor) before one above it, in one thread too
    const slack = res.clock.lagMs.max * 3600 * 2 + 1000;
    let top = -Infinity;
    for (const [i, l] of lines.entries()) {
      expect(l.t, `line ${i + 1}`).toBeGreaterThanOrEqual(top - slack);
      top = Math.max(top, l.t);
    }
    // both workers' clients are in it (60 clients, each polls policy first)
    expect(new Set(lines.map((l) => l.client)).size).toBe(60);
    expect(lines.filter((l) => l.ev === 'policy.requested').length).toBeGreaterThanOrEqual(60);
    // the series file: a line per interval, the merged series' figures
    const s = readFileSync(series, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { i: number; stateSent: number; stateIngested: number });
    expect(s.map((x) => x.i)).toEqual(Array.from({ length: res.series.length }, (_, i) => i));
    expect(s.map((x) => x.stateSent)).toEqual(res.series.stateSent);
    expect(s.map((x) => x.stateIngested)).toEqual(res.series.stateIngested);
    // the cycle wait and in-flight parts, told by the stub MP from the workers' shared send times
    const m = res.stateMessages;
    expect(m.ingested).toBeGreaterThan(0);
    expect(m.waitForCycleMs!.count).toBe(m.ingested);
    expect(m.inFlightMs!.count).toBe(m.ingested);
    // the parts add up to the total (means of histograms with 3 significant digits: within a percent)
    const sum = m.waitForCycleMs!.mean + m.inFlightMs!.mean + m.waitInBacklogMs.mean;
    expect(Math.abs(sum - m.latencyMs.mean)).toBeLessThanOrEqual(m.latencyMs.mean * 0.01 + 1);
    // in flight is a wall-clock moment at x1200, not the cycle wait: well under the total
    expect(m.inFlightMs!.mean).toBeLessThan(m.latencyMs.mean);
  }, 60_000);
});
