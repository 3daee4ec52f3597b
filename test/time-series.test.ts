// The time series of a run: one slot per simulated interval (1 minute by
// default), each adding up to the run's counters, gauges sampled at interval
// ends, per-interval state-message latency, errors by code, scan durations;
// and the same series streamed as NDJSON while the run goes.

import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import * as hdr from 'hdr-histogram-js';
import { resolveScenario } from '../harness/scenario/resolve.js';
import { runFleet } from '../harness/run.js';
import { buildResults, type Results } from '../harness/output/results.js';
import { SeriesNdjsonWriter } from '../harness/output/series-ndjson.js';

const silent = pino({ level: 'silent' });
const sum = (a: readonly (number | null)[]) => a.reduce<number>((x, y) => x + (y ?? 0), 0);
const MIN = 60_000;

let dir: string;
let storm: Results;
let ndjson: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'suca-series-'));
  const input = JSON.parse(readFileSync(new URL('../scenarios/patch-tuesday-storm.json', import.meta.url), 'utf8'));
  const sc = resolveScenario({ ...input, clients: 300, duration: '8d' });
  ndjson = join(dir, 'series.ndjson');
  const w = new SeriesNdjsonWriter(ndjson, sc.start);
  const o = await runFleet(sc, { logger: silent, onInterval: w.write });
  w.close();
  storm = buildResults(o);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('time series', () => {
  it('default to one simulated minute over the whole run', () => {
    expect(storm.series.intervalMs).toBe(MIN);
    expect(storm.series.length).toBe(8 * 24 * 60);
    for (const k of ['scansOnline', 'stateSent', 'stateIngested', 'wsusInFlight', 'backlog', 'errorsTotal', 'downloadBytes'] as const) {
      expect(storm.series[k]).toHaveLength(storm.series.length);
    }
    expect(storm.series.compliance!.installed).toHaveLength(storm.series.length);
  });

  it('add up to the run counters', () => {
    const s = storm.series;
    expect(sum(s.scansOnline!)).toBe(storm.scans.online);
    expect(sum(s.scansOffline!)).toBe(storm.scans.offline);
    expect(sum(s.scanFailures!)).toBe(storm.events['scan.failed']);
    expect(sum(s.stateSent!)).toBe(storm.stateMessages.delivered);
    expect(sum(s.stateIngested!)).toBe(storm.stateMessages.ingested);
    expect(sum(s.downloads!)).toBe(storm.work.downloads);
    expect(sum(s.downloadBytes!)).toBe(storm.work.downloadBytes);
    expect(sum(s.installs!)).toBe(storm.work.installs);
    expect(sum(s.restarts!)).toBe(storm.work.restarts);
    expect(sum(s.errorsTotal!)).toBe(storm.errors.total);
    // errors by code: each code's series adds up to its count, and the codes to the total
    expect(Object.keys(s.errors).sort()).toEqual(Object.keys(storm.errors.byCode).sort());
    for (const [code, a] of Object.entries(s.errors)) expect(sum(a)).toBe(storm.errors.byCode[code]!.total);
    // per server: the scans that ended online at each SUP (completed online, or failed), the downloads by DP
    const bySup = Object.values(s.scansBySup!).reduce((a, x) => a + sum(x), 0);
    // every online scan that reached a SUP ended at one (none waited for a location here), and only those
    expect(storm.events['scan.waitingLocation'] ?? 0).toBe(0);
    expect(bySup).toBeGreaterThan(0);
    expect(bySup).toBeLessThanOrEqual(storm.scans.online);
    const sups = (storm.scenario.effective as { site: { sups: string[] } }).site.sups;
    expect(Object.keys(s.scansBySup!).sort()).toEqual([...sups].sort());
    expect(Object.keys(s.downloadsByDp!)).toEqual(['http://dp1.stub.test/SMS_DP_SMSPKG$']);
    expect(sum(Object.values(s.downloadsByDp!)[0]!)).toBe(storm.work.downloads);
  });

  it('sample gauges at interval ends: the last interval holds the final backlog and compliance', () => {
    const s = storm.series;
    const last = s.length - 1;
    expect(s.backlog![last]).toBe(storm.stateMessages.backlogAtEnd);
    expect(s.compliance!.unknown[last]).toBe(storm.compliance!.updates.unknown);
    expect(s.compliance!.installed[last]).toBe(storm.compliance!.updates.installed);
    const pairs = storm.scenario.clients * (storm.scenario.effective as { catalogue: { updates: number } }).catalogue.updates;
    for (let i = 0; i < s.length; i += 97) {
      expect(s.compliance!.unknown[i]! + s.compliance!.notRequired[i]! + s.compliance!.required[i]! + s.compliance!.installed[i]!).toBe(pairs);
    }
    // the MP processes 50 messages/s: the storm builds a backlog that shows in the series
    expect(Math.max(...(s.backlog as number[]))).toBeGreaterThan(0);
    // at the start every pair is Unknown, at the end almost none
    expect(s.compliance!.unknown[0]).toBe(pairs);
    expect(s.compliance!.unknown[last]).toBeLessThan(pairs / 10);
  });

  it('count the online scans in flight at WSUS, and the errors of the fault windows by code', () => {
    const s = storm.series;
    let checked = 0;
    for (let i = 0; i + 1 < s.length; i++) {
      if (s.scansOnline![i]! === 0) continue;
      expect(s.wsusInFlight![i]).toBeGreaterThanOrEqual(1);
      if (s.scanFailures![i]! + s.scanFailures![i + 1]! > 0) continue;
      // an online scan lasts 2..6 minutes: those started in an interval are all in flight at once in it,
      // and still in flight in the next one
      expect(s.wsusInFlight![i]).toBeGreaterThanOrEqual(s.scansOnline![i]!);
      expect(s.wsusInFlight![i + 1]).toBeGreaterThanOrEqual(1);
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
    // the 503 window at 3d..3d4h: its code appears in those intervals only
    const e503 = s.errors['0x80244022']!;
    expect(sum(e503)).toBeGreaterThan(0);
    e503.forEach((v, i) => {
      if (v > 0) expect(i * MIN).toBeGreaterThanOrEqual(3 * 86_400_000);
    });
    expect(storm.errors.byCode['0x80244022']!.scan).toBe(storm.errors.byCode['0x80244022']!.total);
    // the MP state outage: failed reports counted under their code, as report errors
    expect(storm.errors.byCode['0x80072EFD']!.report).toBe(storm.stateMessages.reportsFailed);
  });

  it('keep the latency of the messages ingested in each interval, within the run histogram', () => {
    const s = storm.series;
    let intervals = 0;
    const maxAll = storm.stateMessages.latencyMs!.max;
    for (let i = 0; i < s.length; i++) {
      if (s.stateIngested![i] === 0) {
        expect(s.stateLatencyP50![i]).toBeNull();
        continue;
      }
      intervals++;
      expect(s.stateLatencyP50![i]).not.toBeNull();
      expect(s.stateLatencyP99![i]!).toBeGreaterThanOrEqual(s.stateLatencyP50![i]!);
      expect(s.stateLatencyP99![i]!).toBeLessThanOrEqual(maxAll * 1.001);
    }
    expect(intervals).toBeGreaterThan(100);
    // the backlog shows as latency: the worst interval's p99 is well above the 15-minute cycle
    expect(Math.max(...s.stateLatencyP99!.map((x) => x ?? 0))).toBeGreaterThan(15 * MIN);
  });

  it('measure scan durations (simulated) as the client model says', () => {
    const d = storm.scans.durationMs;
    expect(d.online.count).toBeGreaterThan(300);
    // an online scan takes 2..6 min; a failed one ends sooner (the WSUS error)
    expect(d.online.max).toBeLessThanOrEqual(6 * MIN * 1.001);
    expect(d.online.p50).toBeGreaterThanOrEqual(2 * MIN * 0.999);
    expect(d.offline.count).toBe(storm.scans.offline);
    // 30 s, to the histogram's 3 significant digits
    expect(Math.abs(d.offline.p50 - 30_000)).toBeLessThanOrEqual(30);
    const h = hdr.decodeFromCompressedBase64(storm.histograms['scan.durationOnline']!.encoded);
    expect(h.totalCount).toBe(d.online.count);
  });

  it('stream as NDJSON, a line per interval, the same figures as results.json', () => {
    const lines = readFileSync(ndjson, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(storm.series.length);
    const s = storm.series;
    for (const i of [0, 1, 59, 60, 4321, s.length - 1]) {
      const l = lines[i];
      expect(l.i).toBe(i);
      expect(Date.parse(l.t)).toBe(Date.parse(s.start) + i * MIN);
      expect(l.scansOnline).toBe(s.scansOnline![i]);
      expect(l.stateIngested).toBe(s.stateIngested![i]);
      expect(l.stateLatencyP99).toBe(s.stateLatencyP99![i]);
      expect(l.backlog).toBe(s.backlog![i]);
      expect(l.compliance.installed).toBe(s.compliance!.installed[i]);
    }
    const e = lines.reduce((a: number, l: { errors: Record<string, number> }) => a + Object.values(l.errors).reduce((x, y) => x + y, 0), 0);
    expect(e).toBe(storm.errors.total);
    // the keyed series per server, only the servers with a count in the line
    const dl = lines.reduce((a: number, l: { downloadsByDp: Record<string, number> }) => a + Object.values(l.downloadsByDp).reduce((x, y) => x + y, 0), 0);
    expect(dl).toBe(storm.work.downloads);
    const sc = lines.reduce((a: number, l: { scansBySup: Record<string, number> }) => a + Object.values(l.scansBySup).reduce((x, y) => x + y, 0), 0);
    expect(sc).toBe(Object.values(storm.series.scansBySup!).reduce((a, x) => a + sum(x), 0));
    expect(lines[0].scansBySup).toEqual({});
  });
});
