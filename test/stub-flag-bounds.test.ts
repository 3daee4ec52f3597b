// suca-fleet stub: every numeric flag bounded and quoted as given, all reported at once (exit 2, no stack), in-process.

import { describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';

describe('stub flag bounds', () => {
  it('ports, time factor, duration, clients and seed: each refused with what was given and its range, all at once', async () => {
    const r = await cli('stub', '--mp-port', 'abc', '--wsus-port', '70000', '--dp-port', '-1', '--time-factor', '-5', '--duration', '-1d', '--clients', '1e9', '--seed', 'x');
    expect(r.code).toBe(2);
    expect(r.err).toContain("--mp-port: 'abc' is not a whole number (from 0 to 65,535)");
    expect(r.err).toContain('--wsus-port 70000: out of range, from 0 to 65,535');
    expect(r.err).toContain('--dp-port -1: out of range, from 0 to 65,535');
    expect(r.err).toMatch(/--time-factor -5: out of range/);
    expect(r.err).toContain("--duration: '-1d' is not a duration");
    expect(r.err).toContain('--clients 1e9: out of range, from 1 to 10,000,000');
    expect(r.err).toContain("--seed: 'x' is not a whole number");
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(r.out).toBe('');
  });

  it('run --progress-every past an hour is refused, as one below 10 ms', async () => {
    for (const v of ['2h', '5ms']) {
      const r = await cli('run', '--progress-every', v);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`--progress-every ${v}: a duration from 10ms to 1h`);
    }
  });
});
