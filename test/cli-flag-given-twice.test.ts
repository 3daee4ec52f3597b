// A flag of one value given twice (`--clients 5 --clients 0`, `--sign --no-sign`)
// is a configuration error naming the flag (exit 2), for every
// command; yargs made it an array, which the flag's own check took for a
// string (an internal error, exit 1, before). Flags meant to repeat
// (--threshold) still take every value.

import { describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';

describe('a flag given twice', () => {
  it('run: each repeated flag named with its values, exit 2, nothing run', async () => {
    const r = await cli('run', '--clients', '5', '--duration', '1d', '--clients', '0', '--duration', '2d', '--json');
    expect(r.code).toBe(2);
    expect(r.err).toContain('SUCA_ERR_INVALID_ARGUMENT: --clients given 2 times: give it once');
    expect(r.err).toContain('SUCA_ERR_INVALID_ARGUMENT: --duration given 2 times: give it once');
    expect(r.err).toContain('see: suca-fleet run --help');
    expect(r.out).toBe('');
  });

  it('stub and merge too', async () => {
    const s = await cli('stub', '--mp-port', '0', '--mp-port', '1');
    expect(s.code).toBe(2);
    expect(s.err).toContain('--mp-port given 2 times: give it once');
    const m = await cli('merge', 'a.json', 'b.json', '--out', 'x', '--out', 'y');
    expect(m.code).toBe(2);
    expect(m.err).toContain('--out given 2 times: give it once');
  });

  it('--sign and --no-sign together are one flag twice', async () => {
    const r = await cli('run', '--clients', '3', '--transport', 'http', '--sign', '--no-sign');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--sign given 2 times: give it once');
  });

  it('--threshold repeats: both are evaluated', async () => {
    const r = await cli('run', '--clients', '3', '--duration', '1d', '--quiet', '--log-level', 'warn', '--threshold', 'errors_rate<1', '--threshold', 'errors_rate<2');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('PASS  errors_rate<1');
    expect(r.out).toContain('PASS  errors_rate<2');
  });
});
