// `run --out DIR` where DIR cannot be made: a clear error and exit 2 before
// the run starts, never a hang. Node 20's mkdirSync(..., { recursive: true })
// never returns for a path under /proc (mkdir there answers ENOENT and the
// recursion retries the parent for ever): `run --out /proc/x` hung for 27
// minutes before harness/commands/common.ts made each level itself.

import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers/cli.js';

describe('run --out: a directory that cannot be made', () => {
  it('under /proc: exit 2 naming --out, no results, no hang', async () => {
    const r = await cli('run', '--clients', '5', '--duration', '1h', '--quiet', '--log-level', 'silent', '--out', '/proc/suca-x/y');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/SUCA_ERR_OUTPUT: --out \/proc\/suca-x\/y: cannot write there/);
  });

  it('several missing levels under a writable place are made', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'suca-out-'));
    try {
      const out = join(dir, 'a', 'b', 'c');
      const r = await cli('run', '--clients', '5', '--duration', '1h', '--quiet', '--log-level', 'silent', '--out', out);
      expect(r.code).toBe(0);
      expect(existsSync(join(out, 'results.json'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
