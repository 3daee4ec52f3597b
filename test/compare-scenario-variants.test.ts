// `suca-fleet compare` on the two variants of the library's scenario pairs
// (first-scan-storm / -norandom, patch-tuesday / -randomized, wsus-overload /
// -timeout), each run by name in-process (virtual time) to results.json: the
// table shows the difference each pair is about, in the direction its
// mechanism gives, and its columns are the two files' figures and their ratio.
// README's Scenario library shows these commands at the shipped 2,000 clients;
// here each pair runs smaller (both variants at the same size), at the
// smallest size measured to keep every difference asserted:
// - wsus-overload at 1,000 clients: the pool still fills (16), 386 503s against
//   149, 41 SUP changes (at 500 there is none: the storm no longer makes four
//   refusals in a row);
// - first-scan-storm at 1,000 clients over 3 h (was 12 h): the first scans all
//   fall in the first 2 h; the peak is 1,000 against 15 (between N/120 and 4N/120);
// - patch-tuesday at 500 clients over 12 d (was 14 d): the deadline (10d12h) and
//   every time zone's window after it are inside; 500 installs in both, both compliant.

import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers/cli.js';
import type { Results } from '../harness/output/results-schema.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'suca-compare-variants-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Row {
  a: number | null;
  b: number | null;
  ratio: number | null;
}

/** A count, ratio or 0 as compare prints it ("2,000", "0.8735", "n/a"); durations and units are not needed here. */
const num = (s: string): number | null => (s === 'n/a' ? null : /^[\d,]+(\.\d+)?$/.test(s) ? Number(s.replaceAll(',', '')) : NaN);

/** Runs A and B by name (EXTRA: a smaller size, the same for both) and compares their results.json. */
async function runPair(a: string, b: string, ...extra: string[]): Promise<{ rows: Map<string, Row>; ra: Results; rb: Results }> {
  const files: string[] = [];
  for (const name of [a, b]) {
    const out = join(dir, name);
    const r = await cli('run', '--scenario', name, ...extra, '--out', out, '--quiet', '--log-level', 'silent');
    expect(r.code, r.err).toBe(0);
    files.push(join(out, 'results.json'));
  }
  const c = await cli('compare', files[0]!, files[1]!);
  expect(c.code, c.err).toBe(0);
  const lines = c.out.trim().split('\n');
  expect(lines[0]).toMatch(/^figure\s+.*results\.json\s+.*results\.json\s+B \/ A$/);
  const rows = new Map<string, Row>();
  for (const l of lines.slice(1)) {
    const [fig, va, vb, ratio] = l.trim().split(/\s+/);
    rows.set(fig!, { a: num(va!), b: num(vb!), ratio: num(ratio!) });
  }
  const read = (f: string) => JSON.parse(readFileSync(f, 'utf8')) as Results;
  return { rows, ra: read(files[0]!), rb: read(files[1]!) };
}

/** The row of a figure, whose ratio column is B / A to the 2 decimals printed. */
function row(rows: Map<string, Row>, fig: string): { a: number; b: number; ratio: number } {
  const r = rows.get(fig);
  expect(r, fig).toBeDefined();
  expect(r!.a, `${fig} A`).not.toBeNull();
  expect(r!.b, `${fig} B`).not.toBeNull();
  if (r!.a! > 0) expect(r!.ratio, `${fig} B / A`).toBeCloseTo(r!.b! / r!.a!, 2);
  return r as { a: number; b: number; ratio: number };
}

describe('compare on the scenario library pairs', () => {
  it('wsus-overload vs wsus-overload-timeout: the 503 variant retries and switches SUP, the 2EE2 variant neither, and stalls', async () => {
    const { rows, ra, rb } = await runPair('wsus-overload', 'wsus-overload-timeout', '--clients', '1000');
    const clients = ra.scenario.clients;
    // the same storm against the same pools: both fill their queue
    const queueMax = row(rows, 'wsus_pool_queue_max');
    expect(queueMax.a).toBe(ra.scans.wsus!.pool!.queueLength);
    expect(queueMax.b).toBe(queueMax.a);
    // each refusal is a failed scan in both; the timeout variant has fewer: no retry scans to refuse
    const p503 = row(rows, 'wsus_pool_503');
    const failed = row(rows, 'scans_failed');
    expect(failed.a).toBe(p503.a);
    expect(failed.b).toBe(p503.b);
    expect(p503.b).toBeGreaterThan(0);
    expect(p503.b).toBeLessThan(p503.a);
    // online scans: A = the first scans + one retry per refusal; B = the first scans and the ones before install (no retry)
    const online = row(rows, 'scans_online');
    expect(online.a).toBe(ra.scans.online);
    expect(online.a - p503.a).toBe(online.b);
    expect(ra.scans.byTrigger!.retry!.online).toBe(p503.a);
    expect(rb.scans.byTrigger!.retry?.online ?? 0).toBe(0);
    // the switch: after the 4th failure in a row on 0x80244022 (a retry code) only
    const sup = row(rows, 'wsus_sup_changes');
    expect(sup.a).toBeGreaterThan(0);
    expect(sup.a).toBeLessThanOrEqual(Math.floor(p503.a / 4));
    expect(sup.b).toBe(0);
    expect(sup.ratio).toBe(0);
    // compliance stalls in B: every client installs in A, fewer in B, and the compliant share is theirs
    const installs = row(rows, 'installs');
    expect(installs.a).toBe(clients);
    expect(installs.b).toBeLessThan(installs.a);
    const compliant = row(rows, 'deployment_compliant_ratio');
    expect(compliant.a).toBe(1);
    expect(compliant.b).toBeCloseTo(installs.b / clients, 4);
  }, 120_000);

  it('first-scan-storm vs -norandom: no randomization puts every first scan in one minute', async () => {
    const { rows, ra } = await runPair('first-scan-storm', 'first-scan-storm-norandom', '--clients', '1000', '--duration', '3h');
    const clients = ra.scenario.clients;
    const peak = row(rows, 'wsus_scans_per_min_max');
    expect(peak.b).toBe(clients);
    // with the 2 h window the busiest minute is about N/120 (a Poisson maximum: well under 4x that)
    expect(peak.a).toBeGreaterThan(clients / 120);
    expect(peak.a).toBeLessThan((4 * clients) / 120);
    expect(row(rows, 'wsus_in_flight_max').b).toBe(clients);
    const online = row(rows, 'scans_online');
    expect(online.a).toBe(online.b);
  }, 120_000);

  it('patch-tuesday vs -randomized: randomization lowers the deadline peak, the work stays the same', async () => {
    const { rows } = await runPair('patch-tuesday', 'patch-tuesday-randomized', '--clients', '500', '--duration', '12d');
    const peak = row(rows, 'wsus_scans_per_min_max');
    expect(peak.b).toBeLessThan(peak.a);
    expect(row(rows, 'installs').b).toBe(row(rows, 'installs').a);
    expect(row(rows, 'scans_online').b).toBe(row(rows, 'scans_online').a);
    expect(row(rows, 'deployment_compliant_ratio').b).toBe(row(rows, 'deployment_compliant_ratio').a);
  }, 120_000);
});
