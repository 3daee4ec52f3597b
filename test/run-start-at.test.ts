// run --start-at: a wall time for the simulated start (shards started apart line up); its flag checks, in-process.

import { describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';

describe('run --start-at', () => {
  it('refuses a time without its zone, a non-time, and the virtual clock, all at once', async () => {
    const noZone = await cli('run', '--clock', 'scaled', '--start-at', '2026-12-02T10:00:00', '--quiet');
    expect(noZone.code).toBe(2);
    expect(noZone.err).toContain("--start-at: '2026-12-02T10:00:00' is not an ISO 8601 time with its zone");
    const virtual = await cli('run', '--start-at', '2030-01-01T00:00:00Z', '--clients', 'x', '--quiet');
    expect(virtual.code).toBe(2);
    expect(virtual.err).toContain('--start-at 2030-01-01T00:00:00Z: only for --clock scaled');
    expect(virtual.err).toContain("--clients: 'x'");
  });

  it('a time already past when the run is ready exits 2 before anything runs, naming how late', async () => {
    const past = new Date(Date.now() - 5000).toISOString();
    const r = await cli('run', '--clock', 'scaled', '--time-factor', '600', '--clients', '10', '--duration', '1h', '--start-at', past, '--quiet', '--log-level', 'silent');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--start-at .*: [\d.]+ s in the past when the run was ready/);
    expect(r.out).toBe('');
  });

  it('a time ahead: the run waits for it, then runs its simulated duration', async () => {
    const t0 = Date.now();
    const at = new Date(t0 + 1500).toISOString();
    const r = await cli('run', '--clock', 'scaled', '--time-factor', '3600', '--clients', '10', '--duration', '1h', '--start-at', at, '--json', '--quiet', '--log-level', 'silent');
    expect([0, 100]).toContain(r.code);
    const res = JSON.parse(r.out) as { wall: { startedAt: string } };
    // nothing simulated before TIME: the run ends no earlier than TIME + 1 h / 3600 = TIME + 1 s
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(at) + 1000 - 50);
    expect(Date.parse(res.wall.startedAt)).toBeLessThan(Date.parse(at));
  });
});
