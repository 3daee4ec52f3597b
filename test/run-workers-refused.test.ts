// run --workers N refuses, with exit 2 and the reason, what it does not do:
// virtual time over HTTP (one stub clock in lockstep across threads is not
// built), scaled time in-process, a shard of a shard. (An external MP is run:
// run-workers-external-mp.test.ts. Virtual
// time's refusals of coupled scenario models: run-workers-virtual-refused.test.ts;
// --trace and --series-ndjson in scaled time, no longer refused:
// run-workers-scaled-trace.test.ts.)

import { describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { EXIT } from '../harness/errors.js';

describe('run --workers refused', () => {
  it('in virtual time over HTTP: exit 2, the workers run in-process there', async () => {
    const r = await cli('run', '--clients', '10', '--duration', '1h', '--workers', '2', '--transport', 'http');
    expect(r.code).toBe(EXIT.CONFIG);
    expect(r.err).toMatch(/--workers 2 --clock virtual: in virtual time the workers run in-process .*not built/);
    expect(r.out).toBe('');
  });

  it('what it cannot combine with, every problem at once', async () => {
    const r = await cli('run', '--clock', 'scaled', '--workers', '3', '--shard', '1/2', '--trace', 'x.ndjson', '--series-ndjson', 'y.ndjson');
    expect(r.code).toBe(EXIT.CONFIG);
    // a shard splits across workers only against an external MP (run-workers-in-a-shard), not the embedded stubs
    expect(r.err).toContain('--workers 3 and --shard/--shards: the workers split a shard only in scaled time against an external MP');
    // an external MP is no longer among them (each worker's shard against it: run-workers-external-mp)
    expect(r.err).not.toContain('and --mp');
    // a trace and an NDJSON series are written with workers in scaled time too (merged): not among the problems
    expect(r.err).not.toMatch(/and --trace|and --series-ndjson/);
    const t = await cli('run', '--clock', 'scaled', '--transport', 'in-process', '--workers', '2');
    expect(t.code).toBe(EXIT.CONFIG);
    expect(t.err).toContain('--transport in-process runs in one thread');
    const v = await cli('run', '--workers', '2', '--shard', '1/2');
    expect(v.code).toBe(EXIT.CONFIG);
    expect(v.err).toContain('--workers 2 and --shard/--shards');
  });

  it('a count that is not 1 to 64', async () => {
    for (const v of ['0', '65', 'two', '-1']) {
      const r = await cli('run', '--clock', 'scaled', '--workers', v);
      expect(r.code, v).toBe(EXIT.CONFIG);
      expect(r.err).toContain(`--workers: '${v}' is not a whole number from 1 to 64`);
    }
  });
});
