// abortOnFail: a threshold checked during the run stops it on failure:
// exit 99, results and report written, marked partial, with the threshold named.

import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { cli } from './helpers/cli.js';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'suca-abort-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));


// big enough that the run is still going at the first check (about a wall second in), and
// past 5 simulated days (delayAbortEval): 1,000 clients (was 5,000) for 60 days take 19 to 36
// wall s at load 10 to 13, far longer than the first checks need; 5,000 clients spent 3 wall s
// setting up the fleet and 8 reaching day 5. --series-interval 6h: 240 intervals over 60 d
// instead of the automatic 5,760, whose results.json and report.html (3.6 MB each) took a wall
// second to write (2.2 -> 1.2 s a run, measured); the series are not what these tests check
const BIG = ['--clients', '1000', '--duration', '60d', '--series-interval', '6h', '--log-level', 'warn', '--quiet'];

describe('abortOnFail', () => {
  it('--abort-on-fail stops the run at the first failed check: exit 99, partial results and report, threshold named', async () => {
    const out = join(dir, 'cli');
    const r = await cli('run', ...BIG, '--out', out, '--threshold', 'scans_online<10', '--abort-on-fail');
    expect(r.code).toBe(99);
    expect(r.err).toMatch(/threshold scans_online<10 failed during the run \(abortOnFail\): value [\d,]+; stopped at 2026-/);
    const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(res.partial).toBe(true);
    expect(res.abortedBy).toBe('scans_online<10');
    expect(Date.parse(res.reached)).toBeLessThan(Date.parse(res.scenario.start) + 60 * 86_400_000);
    expect(res.thresholds[0]).toMatchObject({ expr: 'scans_online<10', ok: false, abortOnFail: true });
    expect(res.thresholds[0].by).toBeGreaterThan(0);
    expect(r.out).toContain('PARTIAL: stopped at');
    expect(r.out).toContain('FAIL  scans_online<10');
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toMatch(/PARTIAL/);
  });

  it('from the scenario, with delayAbortEval: not checked before that simulated time', async () => {
    const sc = join(dir, 'sc.json');
    writeFileSync(sc, JSON.stringify({ thresholds: [{ threshold: 'scans_online<10', abortOnFail: true, delayAbortEval: '5d' }, 'state_latency_p99<1d'] }));
    const out = join(dir, 'sc');
    const r = await cli('run', ...BIG, '--scenario', sc, '--out', out);
    expect(r.code).toBe(99);
    const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(res.abortedBy).toBe('scans_online<10');
    expect(Date.parse(res.reached)).toBeGreaterThanOrEqual(Date.parse(res.scenario.start) + 5 * 86_400_000);
    // the other threshold is evaluated at the (early) end as usual
    expect(res.thresholds.map((t: { expr: string }) => t.expr)).toEqual(['scans_online<10', 'state_latency_p99<1d']);
  });

  it('an invalid run exits 100 even when a threshold failed or stopped it: its figures understate the load', async () => {
    // 2,000 clients (was 20,000): 10 simulated days at x4,000,000 are due within 216 ms of wall time, far behind a 1 ms lag bound either way
    const r = await cli('run', '--clients', '2000', '--duration', '10d', '--clock', 'scaled', '--time-factor', '4000000', '--lag-bound', '1ms', '--transport', 'in-process', '--log-level', 'warn', '--quiet', '--threshold', 'scans_online<10', '--abort-on-fail');
    expect(r.code).toBe(100);
    expect(r.err).toContain('run invalid');
  });

  it('a threshold that holds lets the run finish (exit 0, not partial)', async () => {
    const out = join(dir, 'ok');
    const r = await cli('run', '--clients', '200', '--duration', '3d', '--log-level', 'warn', '--quiet', '--out', out, '--threshold', 'state_latency_p99<1d', '--abort-on-fail');
    expect(r.code).toBe(0);
    const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(res.partial).toBe(false);
    expect(res.abortedBy).toBeNull();
  });

  it('bad use is a configuration error: --abort-on-fail without --threshold, a bad object in the scenario', async () => {
    expect((await cli('run', '--abort-on-fail')).code).toBe(2);
    const sc = join(dir, 'bad.json');
    writeFileSync(sc, JSON.stringify({ thresholds: [{ threshold: 'scans_online<10', abortOnFail: 'yes', delay: '1d' }] }));
    const r = await cli('run', '--scenario', sc, '--out', join(dir, 'never'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('thresholds[0]');
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });
});
