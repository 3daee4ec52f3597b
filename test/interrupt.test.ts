// SIGINT or SIGTERM during a run: it stops, writes what it measured, marked partial.

import { describe, expect, it, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/suca-fleet.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'suca-int-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function interrupted(signal: NodeJS.Signals, extra: string[]) {
  const out = join(dir, signal);
  const child = spawn(process.execPath, [bin, 'run', '--out', out, '--log-level', 'silent', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  await new Promise((r) => setTimeout(r, 1500));
  child.kill(signal);
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  return { code, err, results: JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')), report: readFileSync(join(out, 'report.html'), 'utf8') };
}

describe('interrupting a run', () => {
  it('SIGINT in virtual time: partial results, exit 130', async () => {
    const r = await interrupted('SIGINT', ['--clients', '200000', '--duration', '60d']);
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
