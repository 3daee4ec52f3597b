// SIGINT or SIGTERM during a run: it stops, writes what it measured, marked
// partial. In-process: the signal comes from the io's emitter (a real signal
// to the bin: test/cli-bin.test.ts).

import { describe, expect, it, afterAll } from 'vitest';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testIo } from './helpers/cli.js';
import { main } from '../harness/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'suca-int-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function interrupted(signal: 'SIGINT' | 'SIGTERM', extra: string[]) {
  const out = join(dir, signal);
  const signals = new EventEmitter();
  const t = testIo({ signals });
  const done = main(['run', '--out', out, '--log-level', 'silent', ...extra], t.io);
  // the run yields to the event loop between slices: the timer fires during it
  setTimeout(() => signals.emit(signal, signal), 500);
  const code = await done;
  return { code, err: t.err(), results: JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')), report: readFileSync(join(out, 'report.html'), 'utf8') };
}

describe('interrupting a run', () => {
  it('SIGINT in virtual time: partial results, exit 130', async () => {
    // 5,000 clients, not 50,000: 60 simulated days of them are still running at 500 ms of wall time
    // (test/abort-on-fail relies on the same at a wall second), and the run is not ten times the size to set up
    const r = await interrupted('SIGINT', ['--clients', '5000', '--duration', '60d']);
    expect(r.code).toBe(130);
    expect(r.err).toMatch(/stopped by SIGINT at .*: results are partial/);
    expect(r.results.partial).toBe(true);
    expect(Date.parse(r.results.reached)).toBeLessThan(Date.parse(r.results.scenario.start) + 60 * 86_400_000);
    expect(r.results.events['policy.requested']).toBeGreaterThan(0);
    // the series stop where the run stopped: the interval reached holds the gauges at that point
    const reachedSlot = Math.floor((Date.parse(r.results.reached) - Date.parse(r.results.scenario.start)) / r.results.series.intervalMs);
    expect(r.results.series.compliance.unknown[reachedSlot]).toBe(r.results.compliance.updates.unknown);
    expect(r.results.series.compliance.unknown[reachedSlot + 1] ?? 0).toBe(0);
    // and the report is there, marked partial
    expect(r.report).toContain('PARTIAL');
    expect(r.report).toContain('</html>');
  });

  it('SIGTERM in scaled time: partial results, exit 143', async () => {
    const r = await interrupted('SIGTERM', ['--clients', '50', '--duration', '10d', '--clock', 'scaled', '--time-factor', '3600']);
    expect(r.code).toBe(143);
    expect(r.results.partial).toBe(true);
    expect(r.results.mode).toBe('scaled');
    expect(r.report).toContain('PARTIAL');
  });
});
