// merge reads pod logs: one results line per shard among log lines (kubectl logs of an Indexed Job).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers/cli.js';

let dir: string;
const shards: string[] = [];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'suca-podlog-'));
  for (const k of [1, 2]) {
    const r = await cli('run', '--clients', '40', '--duration', '1d', '--shard', `${k}/2`, '--json-line', '--quiet', '--log-level', 'silent');
    expect(r.code, r.err).toBe(0);
    shards.push(r.out.trim());
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('merge of pod logs', () => {
  it('takes the results lines and passes over log lines and text; equal to merging the files', async () => {
    const log = join(dir, 'pods.log');
    const pino = JSON.stringify({ level: 40, time: 1, msg: 'a log line, JSON too' });
    writeFileSync(log, [pino, shards[0], 'suca-fleet: some text', pino, shards[1], ''].join('\n'));
    const fromLog = await cli('merge', log, '--json', '--threshold', 'scans_online>0');
    expect(fromLog.code, fromLog.err).toBe(0);
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    writeFileSync(a, shards[0]!);
    writeFileSync(b, shards[1]!);
    const fromFiles = await cli('merge', a, b, '--json', '--threshold', 'scans_online>0');
    const x = JSON.parse(fromLog.out) as { shard: unknown; work: unknown; thresholds: { expr: string; ok: boolean }[]; merged: { from: { file: string }[] } };
    const y = JSON.parse(fromFiles.out) as typeof x;
    expect(x.shard).toEqual(y.shard);
    expect(x.work).toEqual(y.work);
    expect(x.thresholds).toEqual(y.thresholds);
    expect(x.thresholds.find((t) => t.expr === 'scans_online>0')?.ok).toBe(true);
    // each input named by its file and line
    expect(x.merged.from.map((f) => f.file)).toEqual([`${log}:2`, `${log}:5`]);
  });

  it('a results line cut short, or a log without results, is an error naming the file and line', async () => {
    const cut = join(dir, 'cut.log');
    writeFileSync(cut, [shards[0], shards[1]!.slice(0, 500)].join('\n'));
    const r = await cli('merge', cut);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${cut}:2: not a results.json`);
    const none = join(dir, 'none.log');
    writeFileSync(none, 'nothing here\n');
    const n = await cli('merge', none, cut);
    expect(n.code).toBe(2);
    expect(n.err).toContain('nor a log with results lines');
  });

  it('a bad --threshold is reported with the inputs\' problems', async () => {
    const r = await cli('merge', join(dir, 'missing.json'), join(dir, 'missing2.json'), '--threshold', 'nope');
    expect(r.code).toBe(2);
    expect(r.err).toContain('missing.json');
    expect(r.err).toContain('--threshold #1');
  });
});
