// Issue 10, CLI output: every latency table of the summary has p95 beside
// p50/p90/p99, each duration column is in one unit (chosen from its largest
// value), and the paths written are printed at the end (run and merge).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as hdr from 'hdr-histogram-js';
import { cli, type CliResult } from './helpers/cli.js';
import { columnInUnit, unitFor } from '../harness/output/summary.js';

let dir: string;
let run: CliResult;
let results: any;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'suca-summary-'));
  // over HTTP (embedded stubs, virtual time): both tables, the state-message parts and the wire operations
  run = await cli('run', '--transport', 'http', '--clients', '10', '--duration', '1d', '--out', join(dir, 'out'), '--trace', join(dir, 'trace.ndjson'), '--series-ndjson', join(dir, 'series.ndjson'), '--quiet', '--log-level', 'silent');
  results = JSON.parse(readFileSync(join(dir, 'out', 'results.json'), 'utf8'));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** The table whose head starts with `head`: its rows split into label and cells. */
function tableAfter(out: string, head: string, labels: number): { head: string[]; rows: { label: string; cells: string[] }[] } {
  const lines = out.split('\n');
  const i = lines.findIndex((l) => l.trimStart().startsWith(head));
  expect(i, head).toBeGreaterThan(-1);
  const cols = lines[i]!.trim().split(/\s{2,}/);
  const rows: { label: string; cells: string[] }[] = [];
  for (const l of lines.slice(i + 1)) {
    if (!l.startsWith('    ')) break;
    const parts = l.trim().split(/\s{2,}/);
    rows.push({ label: parts.slice(0, labels).join(' '), cells: parts.slice(labels) });
  }
  return { head: cols, rows };
}

/** p95 of a results.json histogram, decoded here (not by the summary's code). */
function p95(name: string): number {
  const h = results.histograms[name];
  const d = hdr.decodeFromCompressedBase64(h.encoded, 32, false);
  const v = Math.min(d.getValueAtPercentile(95), d.maxValue) / (h.unit === 'wall-us' ? 1000 : 1);
  return v;
}

/** A cell "12.3 min" back to ms, and its unit. */
const parse = (c: string) => {
  const m = /^([\d.]+) (ms|s|min|h|d)$/.exec(c);
  expect(m, c).not.toBeNull();
  return { ms: Number(m![1]) * UNIT_MS[m![2]!]!, unit: m![2]! };
};

/** Within the rounding of what is printed: 3 significant figures from 1 unit up, 3 decimals below (and the 3-decimal µs -> ms rounding). */
const close = (printed: { ms: number; unit: string }, exact: number) =>
  expect(Math.abs(printed.ms - exact)).toBeLessThanOrEqual(Math.max(0.0011, 0.0005 * UNIT_MS[printed.unit]!, Math.abs(exact) * 0.006));

describe('the summary', () => {
  it('state-message latency table: p50 p90 p95 p99 p99.9 max, every column in the unit of its largest value, p95 from the histogram', () => {
    expect(run.code, run.err).toBe(0);
    const t = tableAfter(run.out, 'simulated time', 1);
    // "simulated time" is the label column's head
    expect(t.head.slice(1)).toEqual(['p50', 'p90', 'p95', 'p99', 'p99.9', 'max']);
    const names = ['state.latency', 'state.waitForCycle', 'state.inFlight', 'state.waitInBacklog'];
    const keys = ['latencyMs', 'waitForCycleMs', 'inFlightMs', 'waitInBacklogMs'];
    expect(t.rows.map((r) => r.label)).toEqual(['queued -> ingested', 'waiting for the cycle', 'in flight to the MP', 'waiting in the MP backlog']);
    const exact = keys.map((k, i) => {
      const p = results.stateMessages[k];
      return [p.p50, p.p90, p95(names[i]!), p.p99, p.p999, p.max];
    });
    for (let j = 0; j < 6; j++) {
      const cells = t.rows.map((r) => parse(r.cells[j]!));
      // one unit per column, the one its largest value calls for
      const want = unitFor(Math.max(...exact.map((e) => e[j]!))).name;
      for (const c of cells) expect(c.unit).toBe(want);
      cells.forEach((c, i) => close(c, exact[i]![j]!));
    }
    // p95 sits between p90 and p99
    const q = exact[0]!;
    expect(q[2]).toBeGreaterThanOrEqual(q[1]!);
    expect(q[2]).toBeLessThanOrEqual(q[3]!);
  });

  it('wire operations table: p95 beside the others, one unit per column', () => {
    const t = tableAfter(run.out, 'operation', 4);
    expect(t.head).toEqual(['operation', 'count', 'errors', 'per s', 'p50', 'p90', 'p95', 'p99', 'p99.9', 'max']);
    const ops = Object.keys(results.operations);
    expect(t.rows.length).toBe(ops.length);
    for (let j = 0; j < 6; j++) {
      const exact = ops.map((k) => {
        const o = results.operations[k];
        return [o.p50, o.p90, p95('op.' + k.replace(' ', '.')), o.p99, o.p999, o.max][j]!;
      });
      const want = unitFor(Math.max(...exact)).name;
      t.rows.forEach((r, i) => {
        const c = parse(r.cells[j]!);
        expect(c.unit).toBe(want);
        close(c, exact[i]!);
      });
    }
  });

  it('the one-line latencies carry p95 too', () => {
    expect(run.out).toMatch(/latency queue -> ingest\s+p50 \S+  p95 \S+  p99/);
    expect(run.out).toMatch(/online scan duration\s+p50 \S+  p95 \S+  p99/);
  });

  it('prints the paths written at the end: results.json, report.html, trace, series NDJSON', () => {
    const tail = run.out.slice(run.out.lastIndexOf('\nWritten:\n'));
    for (const [what, path] of [['results.json', join(dir, 'out', 'results.json')], ['report.html', join(dir, 'out', 'report.html')], ['trace', join(dir, 'trace.ndjson')], ['series NDJSON', join(dir, 'series.ndjson')]] as const) {
      expect(tail).toMatch(new RegExp(`\\n  ${what.replace('.', '\\.')}\\s+${path.replace(/[.]/g, '\\.')}\\n`));
      expect(existsSync(path)).toBe(true);
    }
    // the last thing printed: nothing but the list after it
    expect(tail.split('\n').slice(2).filter((l) => l !== '').every((l) => l.startsWith('  '))).toBe(true);
  });

  it('merge prints what it wrote; a run without files prints no list', async () => {
    const m = await cli('merge', join(dir, 'out', 'results.json'), join(dir, 'out', 'results.json'), '--out', join(dir, 'merged'));
    // the same clients twice are refused: merge shard 1/1 with itself is not allowed, so run two shards
    expect(m.code).toBe(2);
    const s1 = await cli('run', '--clients', '20', '--duration', '1d', '--shard', '1/2', '--out', join(dir, 's1'), '--quiet', '--log-level', 'silent');
    const s2 = await cli('run', '--clients', '20', '--duration', '1d', '--shard', '2/2', '--out', join(dir, 's2'), '--quiet', '--log-level', 'silent');
    expect(s1.code + s2.code).toBe(0);
    const merged = await cli('merge', join(dir, 's1', 'results.json'), join(dir, 's2', 'results.json'), '--out', join(dir, 'merged'));
    expect(merged.code, merged.err).toBe(0);
    expect(merged.out).toContain(`\nWritten:\n  results.json  ${join(dir, 'merged', 'results.json')}\n  report.html   ${join(dir, 'merged', 'report.html')}\n`);
    const bare = await cli('run', '--clients', '20', '--duration', '1d', '--quiet', '--log-level', 'silent');
    expect(bare.out).not.toContain('Written:');
  }, 60_000);

  it('columnInUnit: the largest value picks the unit, null is "-"', () => {
    expect(columnInUnit([500, 20, null])).toEqual(['500 ms', '20.0 ms', '-']);
    expect(columnInUnit([1500, 20])).toEqual(['1.50 s', '0.020 s']);
    expect(columnInUnit([7.2 * 3_600_000, 45_000])).toEqual(['7.20 h', '0.013 h']);
    expect(columnInUnit([3 * 86_400_000])).toEqual(['3.00 d']);
    expect(columnInUnit([0, 0])).toEqual(['0 ms', '0 ms']);
  });
});
