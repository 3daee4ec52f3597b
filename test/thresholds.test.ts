// Thresholds on headline figures, their exit codes, and compare.

import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { cli } from './helpers/cli.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseThreshold, evaluateThresholds } from '../harness/thresholds.js';
import type { Results } from '../harness/output/results.js';

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'suca-thr-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));


describe('thresholds', () => {
  it('parse durations for time figures and numbers for the rest', async () => {
    expect(parseThreshold('state_latency_p99<20m', 'x')).toEqual({ expr: 'state_latency_p99<20m', metric: 'state_latency_p99', op: '<', limit: 1_200_000 });
    expect(parseThreshold(' errors_rate <= 0.01 ', 'x')).toMatchObject({ op: '<=', limit: 0.01 });
    expect(() => parseThreshold('latency<1', 'x')).toThrow(/not a metric/);
    expect(() => parseThreshold('state_latency_p99<soon', 'x')).toThrow(/not a duration/);
    expect(() => parseThreshold('errors_rate~1', 'x')).toThrow(/not a threshold/);
  });

  it('evaluate against results, saying by how much a failure missed', async () => {
    const r = { stateMessages: { latencyMs: { p99: 900_000 } }, scans: { wsus: { peakPerMinute: { scans: 700 } } } } as unknown as Results;
    const out = evaluateThresholds(r, [parseThreshold('state_latency_p99<20m', 'a'), parseThreshold('wsus_scans_per_min_max<500', 'b')]);
    expect(out.map((o) => [o.ok, o.value, o.by])).toEqual([[true, 900_000, null], [false, 700, 200]]);
  });

  it('a failing threshold exits 99 and names it and the miss; passing ones exit 0; results.json records them', async () => {
    const out = join(dir, 'o1');
    const fail = await cli('run', '--clients', '30', '--duration', '2d', '--log-level', 'silent', '--out', out, '--threshold', 'state_latency_p99<1m', '--threshold', 'errors_rate<0.5');
    expect(fail.code).toBe(99);
    expect(fail.out).toMatch(/FAIL {2}state_latency_p99<1m +value \S+, past the limit by \S+/);
    expect(fail.out).toMatch(/PASS {2}errors_rate<0\.5/);
    expect(fail.err).toContain('1 threshold(s) failed: state_latency_p99<1m');
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.thresholds.map((t: { ok: boolean }) => t.ok)).toEqual([false, true]);
    expect((await cli('run', '--clients', '30', '--duration', '2d', '--log-level', 'silent', '--threshold', 'state_latency_p99<1h')).code).toBe(0);
  });

  it('scenario thresholds are checked with the scenario (exit 2, path named)', async () => {
    const f = join(dir, 's.json');
    writeFileSync(f, JSON.stringify({ thresholds: ['state_latency_p99<20m', 'nonsense<1'] }));
    const r = await cli('run', '--scenario', f);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/thresholds\[1\]: "nonsense" is not a metric/);
  });

  it('an invalid run exits 100', async () => {
    const r = await cli('run', '--clients', '4000', '--duration', '1d', '--clock', 'scaled', '--time-factor', '4000000', '--lag-bound', '1ms', '--transport', 'in-process', '--log-level', 'silent');
    expect(r.code).toBe(100);
    expect(r.err).toContain('run invalid');
  });

  it('compare puts two runs side by side with ratios', async () => {
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    expect((await cli('run', '--clients', '20', '--duration', '4d', '--log-level', 'silent', '--out', a)).code).toBe(0);
    const f = join(dir, 'norand.json');
    writeFileSync(f, JSON.stringify({ clients: 20, duration: '4d', deployments: [{ name: 'Monthly security updates', updates: { newest: 10 }, available: '1d', deadline: '3d' }] }));
    expect((await cli('run', '--scenario', f, '--log-level', 'silent', '--out', b)).code).toBe(0);
    const r = await cli('compare', join(a, 'results.json'), join(b, 'results.json'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^figure/);
    expect(r.out).toMatch(/wsus_scans_per_min_max +\d+ +\d+ +[\d.]+|inf/);
    expect(r.out).toMatch(/installs +20 +20 +1\.00/);
    expect((await cli('compare', join(a, 'results.json'), join(dir, 'missing.json'))).code).toBe(2);
  });
});
