// suca-fleet merge: two shards' results.json merge into the figures of one
// run over both fleets: the same histogram percentiles (merged HDR
// histograms, never averaged percentiles), the same counters and series.

import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { cli } from './helpers/cli.js';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as hdr from 'hdr-histogram-js';

let dir: string;
const read = (f: string) => JSON.parse(readFileSync(f, 'utf8'));

let whole: any;
let merged: any;
let files: { whole: string; a: string; b: string };
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'suca-merge-'));
  // the storm scenario, with the MP processing messages as they arrive, so no client waits behind another's
  const storm = read(fileURLToPath(new URL('../scenarios/patch-tuesday-storm.json', import.meta.url)));
  const sc = join(dir, 'storm.json');
  writeFileSync(sc, JSON.stringify({ ...storm, clients: 240, duration: '9d', site: { ...storm.site, mpProcessingRate: 0 }, thresholds: ['state_latency_p99<20m'] }));
  const run = async (name: string, ...extra: string[]) => {
    const r = await cli('run', '--scenario', sc, '--out', join(dir, name), '--log-level', 'warn', '--quiet', ...extra);
    expect([0, 99], r.err).toContain(r.code);
    return join(dir, name, 'results.json');
  };
  files = { whole: await run('whole'), a: await run('a', '--shard', '1/2'), b: await run('b', '--shard', '2/2') };
  const m = await cli('merge', files.a, files.b, '--out', join(dir, 'merged'));
  expect([0, 99], m.err).toContain(m.code);
  whole = read(files.whole);
  merged = read(join(dir, 'merged', 'results.json'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('merging results', () => {
  it('gives the percentiles of one run over both fleets, for every histogram', async () => {
    expect(read(files.a).shard).toMatchObject({ index: 1, count: 2, clients: 120 });
    for (const k of ['latencyMs', 'waitForCycleMs', 'waitInBacklogMs']) expect(merged.stateMessages[k], k).toEqual(whole.stateMessages[k]);
    expect(merged.scans.durationMs).toEqual(whole.scans.durationMs);
    expect(Object.keys(merged.histograms).sort()).toEqual(Object.keys(whole.histograms).sort());
    for (const name of Object.keys(whole.histograms)) {
      const w = hdr.decodeFromCompressedBase64(whole.histograms[name].encoded);
      const m = hdr.decodeFromCompressedBase64(merged.histograms[name].encoded);
      expect(m.totalCount, name).toBe(w.totalCount);
      for (const q of [1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 100]) expect(m.getValueAtPercentile(q), `${name} p${q}`).toBe(w.getValueAtPercentile(q));
    }
    // the shards' own percentiles differ from the whole's: the merge did not just pick one
    const a = read(files.a).stateMessages.latencyMs;
    const b = read(files.b).stateMessages.latencyMs;
    expect(a.count + b.count).toBe(whole.stateMessages.latencyMs.count);
    expect([a.p99, b.p99].every((x) => x === whole.stateMessages.latencyMs.p99) && [a.p50, b.p50].every((x) => x === whole.stateMessages.latencyMs.p50)).toBe(false);
  });

  it('adds every counter and series, and finds the joint WSUS peak', async () => {
    expect(merged.events).toEqual(whole.events);
    expect(merged.agentEvents).toBe(whole.agentEvents);
    expect(merged.errors).toEqual(whole.errors);
    expect(merged.scans.byTrigger).toEqual(whole.scans.byTrigger);
    expect(merged.scans.failuresByCode).toEqual(whole.scans.failuresByCode);
    expect(merged.scans.wsus.peakPerMinute).toEqual(whole.scans.wsus.peakPerMinute);
    expect(merged.scans.wsus.perMinute).toEqual(whole.scans.wsus.perMinute);
    for (const k of ['queued', 'overwritten', 'delivered', 'ingested', 'duplicates', 'reportsOk', 'reportsFailed', 'undeliveredAtEnd', 'ingestedPerSimSecond']) {
      expect(merged.stateMessages[k], k).toBe(whole.stateMessages[k]);
    }
    expect(merged.work).toEqual(whole.work);
    // each DP's figures, added DP by DP (the storm's one DP served every download)
    expect(Object.keys(whole.dps)).toHaveLength(1);
    expect(Object.values(whole.dps)[0]).toMatchObject({ downloads: whole.work.dpDownloads, bytes: whole.work.dpBytes });
    expect(merged.dps).toEqual(whole.dps);
    expect(Object.keys(whole.series.scansBySup)).toHaveLength(2);
    expect(merged.series.scansBySup).toEqual(whole.series.scansBySup);
    expect(merged.series.downloadsByDp).toEqual(whole.series.downloadsByDp);
    expect(merged.compliance).toEqual(whole.compliance);
    for (const k of ['scansOnline', 'scansOffline', 'scanFailures', 'stateSent', 'stateIngested', 'backlog', 'downloads', 'downloadBytes', 'installs', 'restarts', 'errorsTotal']) {
      expect(merged.series[k], k).toEqual(whole.series[k]);
    }
    expect(merged.series.compliance).toEqual(whole.series.compliance);
    expect(merged.series.errors).toEqual(whole.series.errors);
    expect(merged.shard).toEqual({ index: 1, count: 1, firstClient: 0, clients: 240 });
    expect(merged.merged.from.map((f: { shard: { index: number } }) => f.shard.index)).toEqual([1, 2]);
    expect(merged.merged.approximate.length).toBeGreaterThan(0);
  });

  it('leaves location.contentNotFound out when an input could not see it (a shard against an external MP)', async () => {
    const b = read(files.b);
    expect(b.location.contentNotFound).toBe(0);
    // a shard run with --mp: the clients count their location requests, the MP's no-DP answers are unseen
    delete b.location.contentNotFound;
    b.location.seenBy = 'clients';
    const bx = join(dir, 'b-external.json');
    writeFileSync(bx, JSON.stringify(b));
    const m = await cli('merge', files.a, bx, '--out', join(dir, 'merged-x'));
    expect([0, 99], m.err).toContain(m.code);
    const x = read(join(dir, 'merged-x', 'results.json'));
    expect(x.location.wsus).toBe(whole.location.wsus);
    expect(x.location.content).toBe(whole.location.content);
    expect('contentNotFound' in x.location).toBe(false);
    expect(merged.location).toEqual(whole.location);
  });

  it('evaluates the thresholds again on the merged figures, and writes the report', async () => {
    expect(merged.thresholds).toHaveLength(1);
    expect(merged.thresholds[0].value).toBe(whole.thresholds[0].value);
    expect(merged.thresholds[0].ok).toBe(whole.thresholds[0].ok);
    expect(existsSync(join(dir, 'merged', 'report.html'))).toBe(true);
  });

  it('refuses what cannot be merged: one file, a shard twice, series that do not line up, a file that is no results.json', async () => {
    const one = await cli('merge', files.a);
    expect(one.code).toBe(2);
    const twice = await cli('merge', files.a, files.a);
    expect(twice.code).toBe(2);
    expect(twice.err).toMatch(/shard 1\/2 is also in/);
    const overlap = await cli('merge', files.whole, files.b);
    expect(overlap.code).toBe(2);
    expect(overlap.err).toMatch(/shard 2\/2 \(clients 120\.\.239\) overlaps the whole fleet/);
    const other = join(dir, 'other');
    await cli('run', '--clients', '50', '--duration', '2d', '--out', other, '--log-level', 'warn', '--quiet');
    const misaligned = await cli('merge', files.a, join(other, 'results.json'));
    expect(misaligned.code).toBe(2);
    expect(misaligned.err).toMatch(/time series .* do not line up/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ schemaVersion: 2, series: { intervalMs: -1 } }));
    const r = await cli('merge', files.a, bad);
    expect(r.code).toBe(2);
    expect(r.err).toContain('SUCA_ERR_INVALID_ARGUMENT');
    expect(r.err).toContain('series.intervalMs');
    expect(r.err).toContain('histograms: missing');
    expect((await cli('merge', files.a, join(dir, 'missing.json'))).code).toBe(2);
  });
});
