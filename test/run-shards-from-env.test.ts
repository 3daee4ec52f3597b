// run --shards N: the shard index from JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs), in-process.

import { describe, expect, it } from 'vitest';
import { cli, cliWith } from './helpers/cli.js';

describe('run --shards N with JOB_COMPLETION_INDEX', () => {
  it('index i runs shard i+1 of N: the same range as --shard', async () => {
    const byEnv = await cliWith({ env: { JOB_COMPLETION_INDEX: '1' } }, 'run', '--clients', '30', '--duration', '6h', '--shards', '3', '--json-line', '--quiet', '--log-level', 'silent');
    expect(byEnv.code, byEnv.err).toBe(0);
    const lines = byEnv.out.trim().split('\n');
    expect(lines.length).toBe(1);
    const a = JSON.parse(lines[0]!) as { shard: unknown; work: unknown; stateMessages: { ingested: number } };
    const byFlag = await cli('run', '--clients', '30', '--duration', '6h', '--shard', '2/3', '--json', '--quiet', '--log-level', 'silent');
    const b = JSON.parse(byFlag.out) as typeof a;
    expect(a.shard).toEqual({ index: 2, count: 3, firstClient: 10, clients: 10 });
    expect(a.shard).toEqual(b.shard);
    expect(a.work).toEqual(b.work);
    expect(a.stateMessages.ingested).toBe(b.stateMessages.ingested);
  });

  it('refuses, each with exit 2 and all at once: no index, a bad index, both --shard and --shards, --json with --json-line', async () => {
    const none = await cli('run', '--shards', '3', '--quiet');
    expect(none.code).toBe(2);
    expect(none.err).toContain('JOB_COMPLETION_INDEX is not set');
    const bad = await cliWith({ env: { JOB_COMPLETION_INDEX: 'x1' } }, 'run', '--shards', '3', '--quiet');
    expect(bad.err).toContain("JOB_COMPLETION_INDEX 'x1' is not a whole number");
    const both = await cliWith({ env: { JOB_COMPLETION_INDEX: '0' } }, 'run', '--shards', '3', '--shard', '1/3', '--json', '--json-line');
    expect(both.code).toBe(2);
    expect(both.err).toContain('--shard and --shards: choose one');
    expect(both.err).toContain('--json and --json-line: choose one');
    const zero = await cliWith({ env: { JOB_COMPLETION_INDEX: '0' } }, 'run', '--shards', '0');
    expect(zero.err).toContain('--shards 0: out of range, from 1 to');
  });
});
