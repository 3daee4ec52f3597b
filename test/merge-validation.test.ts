// Issue 10, item 4: merge (and report, compare) check each results.json in
// depth through its schema and say what they merge. Each corrupt input is
// refused with exit 2 and a message naming the file and the path in it;
// 2 of 3 shards are flagged and count only their clients; results of
// different seeds are refused, and merged with --force and listed.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers/cli.js';

let dir: string;
const shards: string[] = [];
let otherSeed: string;
const read = (f: string) => JSON.parse(readFileSync(f, 'utf8'));
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'suca-mergeval-'));
  const run = async (name: string, ...extra: string[]) => {
    const r = await cli('run', '--clients', '30', '--duration', '2d', '--out', join(dir, name), '--log-level', 'silent', '--quiet', ...extra);
    expect(r.code, r.err).toBe(0);
    return join(dir, name, 'results.json');
  };
  for (const s of ['1/3', '2/3', '3/3']) shards.push(await run(`s${s[0]}`, '--shard', s));
  otherSeed = await run('seed2', '--shard', '3/3', '--seed', '2');
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** shard 2 of 3, changed by f, written beside the others */
function corrupt(name: string, f: (r: any) => void): string {
  const r = read(shards[1]!);
  f(r);
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(r));
  return file;
}

describe('merge refuses corrupt input, naming the file and the path', () => {
  const cases: [string, (r: any) => void, RegExp][] = [
    ['negative', (r) => (r.stateMessages.queued = -5), /stateMessages\.queued: .*(>=0|too small)/i],
    ['negative-event', (r) => (r.events['scan.started'] = -1), /events\.scan\.started: /],
    ['string', (r) => (r.scans.online = '12'), /scans\.online: .*expected number/i],
    ['no-histogram', (r) => delete r.histograms['state.latency'], /histograms\.state\.latency: missing: stateMessages\.latencyMs/],
    ['truncated', (r) => (r.series.scansOnline = r.series.scansOnline.slice(0, 3)), /series\.scansOnline: 3 values, series\.length says \d+ \(truncated/],
    ['truncated-errors', (r) => (r.series.compliance.installed = r.series.compliance.installed.slice(1)), /series\.compliance\.installed: \d+ values/],
  ];
  for (const [name, f, re] of cases) {
    it(name, async () => {
      const file = corrupt(name, f);
      const m = await cli('merge', shards[0]!, file, '--json');
      expect(m.code).toBe(2);
      expect(m.out).toBe('');
      expect(m.err).toContain(`${file}: not a results.json`);
      expect(m.err).toMatch(re);
      expect(m.err).not.toMatch(/\n\s+at /); // no stack trace
      // report and compare read through the same check
      const rep = await cli('report', file, '--html', join(dir, `${name}.html`));
      expect(rep.code).toBe(2);
      expect(rep.err).toMatch(re);
      const cmp = await cli('compare', shards[0]!, file);
      expect(cmp.code).toBe(2);
      expect(cmp.err).toMatch(re);
    });
  }
});

describe('merge says what it merges', () => {
  it('flags 2 of 3 shards and counts only their clients', async () => {
    const m = await cli('merge', shards[0]!, shards[1]!, '--out', join(dir, 'two'));
    expect(m.code, m.err).toBe(0);
    expect(m.err).toContain('warning: 2 of 3 shards merged (missing 3/3): the figures cover 20 of 30 clients');
    expect(m.out).toContain('INCOMPLETE: 2 of 3 shards (missing 3/3)');
    expect(m.out).toMatch(/^suca-fleet: default — 20 clients/);
    const r = read(join(dir, 'two', 'results.json'));
    expect(r.scenario.clients).toBe(20);
    expect(r.merged.missingShards).toEqual([3]);
    // all three: no warning, the whole fleet
    const all = await cli('merge', ...shards, '--json');
    expect(all.code, all.err).toBe(0);
    expect(all.err).not.toContain('warning');
    expect(JSON.parse(all.out).scenario.clients).toBe(30);
    expect(JSON.parse(all.out).merged.missingShards).toBeUndefined();
  });

  it('refuses results of different seeds, and with --force merges them and lists them', async () => {
    const m = await cli('merge', shards[0]!, shards[1]!, otherSeed, '--json');
    expect(m.code).toBe(2);
    expect(m.out).toBe('');
    expect(m.err).toContain(`${otherSeed}: seed 2, not 1 (as in ${shards[0]})`);
    expect(m.err).toContain('--force');
    const f = await cli('merge', shards[0]!, shards[1]!, otherSeed, '--force', '--out', join(dir, 'forced'));
    expect(f.code, f.err).toBe(0);
    expect(f.err).toContain(`warning: --force: ${otherSeed}: seed 2, not 1`);
    expect(f.out).toContain('merged from 3 files, seeds 1, 2 (--force)');
    const r = read(join(dir, 'forced', 'results.json'));
    expect(r.merged.from.map((x: any) => [x.file, x.seed])).toEqual([[shards[0], 1], [shards[1], 1], [otherSeed, 2]]);
    expect(r.merged.forced).toHaveLength(1);
  });
});
