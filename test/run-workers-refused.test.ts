// run --workers N refuses, with exit 2 and the reason, what it does not do
// (yet): virtual time (lockstep across workers is not built), in-process
// transport, an external MP, a shard of a shard, a trace or an NDJSON series.

import { describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { EXIT } from '../harness/errors.js';

describe('run --workers refused', () => {
  it('with --clock virtual (the default): exit 2, lockstep not built yet', async () => {
    for (const args of [['--workers', '2'], ['--workers', '2', '--clock', 'virtual']]) {
      const r = await cli('run', '--clients', '10', '--duration', '1h', ...args);
      expect(r.code).toBe(EXIT.CONFIG);
      expect(r.err).toMatch(/--workers 2: only for --clock scaled; .*lockstep.* not built yet/);
      expect(r.out).toBe('');
    }
  });

  it('what it cannot combine with, every problem at once', async () => {
    const r = await cli('run', '--clock', 'scaled', '--workers', '3', '--mp', 'http://127.0.0.1:1', '--shard', '1/2', '--trace', 'x.ndjson', '--series-ndjson', 'y.ndjson');
    expect(r.code).toBe(EXIT.CONFIG);
    for (const flag of ['--mp', '--shard/--shards', '--trace', '--series-ndjson']) expect(r.err).toContain(`--workers 3 and ${flag}`);
    const t = await cli('run', '--clock', 'scaled', '--transport', 'in-process', '--workers', '2');
    expect(t.code).toBe(EXIT.CONFIG);
    expect(t.err).toContain('--transport in-process runs in one thread');
  });

  it('a count that is not 1 to 64', async () => {
    for (const v of ['0', '65', 'two', '-1']) {
      const r = await cli('run', '--clock', 'scaled', '--workers', v);
      expect(r.code, v).toBe(EXIT.CONFIG);
      expect(r.err).toContain(`--workers: '${v}' is not a whole number from 1 to 64`);
    }
  });
});
