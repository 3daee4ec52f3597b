// The HTML report end to end: rendered from a results object, opened from a
// file:// URL in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) with every non-file request refused, so it proves the
// report is self-contained; every chart must draw with data and the page
// must log no error or warning.

import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { cli, type CliResult } from './helpers/cli.js';
import { launchChromium, openReport } from './helpers/report-page.js';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import * as hdr from 'hdr-histogram-js';
import { renderReportHtml, reportCharts, writeReport, chartLibrary, type ReportInput } from '../harness/output/report-html.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const HTTP_CHARTS = ['http-requests', 'http-latency-mp', 'http-latency-wsus', 'http-latency-dp', 'http-errors'];
const ALL_CHARTS = [...HTTP_CHARTS, 'wsus-scans', 'state-messages', 'state-latency', 'backlog', 'compliance', 'work', 'latency-distribution', 'operation-latency'];

// ---------------------------------------------------------------- a synthetic results.json (schema 2, every new field)

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function encoded(values: number[]): string {
  const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 2 ** 40, numberOfSignificantValueDigits: 3, autoResize: true, useWebAssembly: false });
  for (const v of values) h.recordValue(Math.max(0, Math.round(v)));
  const s = hdr.encodeIntoCompressedBase64(h);
  h.destroy();
  return s;
}

const EVIL = '</script><script>window.__pwned=1</script><!--';

/** 3 simulated days at 1 minute: 4,320 points per series. */
function synthetic(): ReportInput {
  const n = 3 * 24 * 60;
  const rnd = mulberry32(7);
  const z = () => new Array<number>(n).fill(0);
  const scansOnline = z(), scansOffline = z(), scanFailures = z(), wsusInFlight = z(), stateSent = z(), stateIngested = z(), backlog = z();
  const downloads = z(), downloadBytes = z(), installs = z(), restarts = z(), e1 = z(), e2 = z();
  const p50: (number | null)[] = new Array(n).fill(null);
  const p99: (number | null)[] = new Array(n).fill(null);
  const pairs = 20_000;
  const unknown = z(), notRequired = z(), required = z(), installed = z();
  let inFlight = 0;
  let queue = 0;
  for (let i = 0; i < n; i++) {
    const storm = i < 120 ? 60 * Math.exp(-i / 40) : i >= 1440 && i < 1560 ? 45 * Math.exp(-(i - 1440) / 30) : 0.3;
    scansOnline[i] = Math.round(storm * (0.6 + 0.8 * rnd()));
    scansOffline[i] = Math.round((i >= 2880 && i < 3000 ? 30 : 1) * rnd());
    scanFailures[i] = i >= 1500 && i < 1560 ? Math.round(8 * rnd()) : 0;
    inFlight = Math.max(0, Math.round(inFlight * 0.8 + scansOnline[i]! * 4 * rnd()));
    wsusInFlight[i] = inFlight;
    stateSent[i] = Math.round((scansOnline[i]! + scansOffline[i]!) * 6 * rnd() + 40 * rnd());
    queue += stateSent[i]!;
    const done = Math.min(queue, 300);
    queue -= done;
    stateIngested[i] = done;
    backlog[i] = queue;
    if (done > 0) {
      p50[i] = 200_000 + 600_000 * rnd() + queue * 100;
      p99[i] = p50[i]! * (1.5 + rnd());
    }
    downloads[i] = i >= 1440 && i < 1700 ? Math.round(12 * rnd()) : 0;
    downloadBytes[i] = downloads[i]! * 52_000_000;
    installs[i] = i >= 2880 && i < 3100 ? Math.round(10 * rnd()) : 0;
    restarts[i] = i >= 2970 && i < 3200 ? Math.round(6 * rnd()) : 0;
    e1[i] = scanFailures[i]!;
    e2[i] = i >= 2000 && i < 2040 ? Math.round(5 * rnd()) : 0;
    const known = pairs * (1 - Math.exp(-i / 50));
    const inst = i < 2880 ? pairs * 0.3 : pairs * (0.3 + 0.3 * (1 - Math.exp(-(i - 2880) / 90)));
    unknown[i] = Math.round(pairs - known);
    notRequired[i] = Math.round(known * 0.4);
    installed[i] = Math.round(Math.min(inst, known * 0.6));
    required[i] = pairs - unknown[i]! - notRequired[i]! - installed[i]!;
  }
  const sample = (k: number, f: () => number) => Array.from({ length: k }, f);
  const ms = (v: number[]) => ({ unit: 'ms', encoded: encoded(v) });
  // an hour of wall time at 1 s: 3,600 buckets, more than two per pixel (drawn binned), with a 503 burst at 40 min
  const W = 3600;
  const ep = (rate: number, base: number) => {
    const requests = Array.from({ length: W }, (_, i) => Math.round(rate * (0.7 + 0.6 * rnd()) * (i >= 2400 && i < 2460 ? 3 : 1)));
    const errors = requests.map((c, i) => (i >= 2400 && i < 2460 ? Math.round(c * 0.3) : 0));
    const q = (f: number) => requests.map((c, i) => (c === 0 ? null : Math.round(base * f * (1 + rnd()) * (i >= 2400 && i < 2460 ? 8 : 1) * 1000) / 1000));
    return { requests, errors, p50: q(1), p95: q(2.5), p99: q(5) };
  };
  const mp = ep(40, 2), wsus = ep(8, 30), dp = ep(1, 100);
  const e503 = wsus.errors.map((x, i) => x + mp.errors[i]!);
  return {
    schemaVersion: 2,
    tool: { name: 'suca-fleet', version: '0.1.0' },
    scenario: { name: `synthetic ${EVIL}`, seed: 7, clients: 1000, start: '2026-01-05T00:00:00.000Z', duration: '3d' },
    partial: true,
    reached: '2026-01-08T00:00:00.000Z',
    abortedBy: 'wsus_scans_per_min_max<30',
    mode: 'scaled',
    valid: false,
    clock: { mode: 'scaled', timeFactor: 60, lagBoundMs: 1000, invalidReason: 'scheduler lag p99 2500 ms > bound 1000 ms' },
    thresholds: [
      { expr: 'state_latency_p99<20m', metric: 'state_latency_p99', op: '<', limit: 1_200_000, value: 1_020_000, ok: true, by: null },
      { expr: 'wsus_scans_per_min_max<30', metric: 'wsus_scans_per_min_max', op: '<', limit: 30, value: 71, ok: false, by: 41 },
      { expr: `errors_rate<0.01 ${EVIL}`, metric: 'errors_rate', op: '<', limit: 0.01, value: null, ok: false, by: null },
    ],
    wall: { startedAt: '2026-01-10T09:30:00.000Z', elapsedMs: 3_600_400, eventsPerSecond: 5_000 },
    work: { installs: 900, restarts: 600 },
    wallSeries: {
      start: '2026-01-10T09:30:00.000Z',
      intervalMs: 1000,
      length: W,
      endpoints: { mp, wsus, dp },
      statuses: { '200': 180_000, '500': 120, '503': 2_400 },
      errorsByStatus: { '503': e503, '500': Array.from({ length: W }, (_, i) => (i % 600 === 0 ? 4 : 0)) },
      errorsByCode: { '0x80244022': e503.map((x) => Math.round(x * 0.9)), '0x8024401C': Array.from({ length: W }, (_, i) => (i >= 3000 && i < 3010 ? 2 : 0)) },
    },
    errors: { total: 2_280, byCode: { '0x80244022': { total: 2_160, scan: 2_000, download: 0, report: 160, policy: 0 }, '0x8024401C': { total: 120, scan: 120, download: 0, report: 0, policy: 0 } } },
    scans: { online: 12_345, offline: 3_456, failuresByCode: { '0x8024401C': 120 }, byTrigger: { firstPolicy: { online: 1000, offline: 0 }, schedule: { online: 9_000, offline: 0 }, beforeInstall: { online: 0, offline: 3_456 }, retry: { online: 2_345, offline: 0 }, manualScan: { online: 0, offline: 0 } }, wsus: { peakPerMinute: { scans: 71, at: '2026-01-05T00:03:00.000Z' } } },
    stateMessages: { latencyMs: { count: 5000, p50: 400_000, p90: 800_000, p99: 1_020_000, max: 1_500_000 } },
    operations: {
      'mp RequestAssignments': { count: 72_000, errors: 0, perSecond: 41.7, p50: 1.2, p90: 2.9, p99: 7.5, p999: 18.2, max: 64.1 },
      'wsus SyncUpdates': { count: 12_345, errors: 120, perSecond: 7.1, p50: 35.2, p90: 80.4, p99: 210.3, p999: 420.9, max: 1250 },
      'dp GET': { count: 2_000, errors: 3, perSecond: 1.2, p50: 120.5, p90: 300.2, p99: 900.1, p999: 1500.3, max: 2000.7 },
    },
    histograms: {
      'state.latency': ms(sample(5000, () => 60_000 + 900_000 * rnd() ** 2)),
      'state.waitForCycle': ms(sample(5000, () => 900_000 * rnd())),
      'state.waitInBacklog': ms(sample(5000, () => 100_000 * rnd() ** 4)),
      'scan.durationOnline': ms(sample(2000, () => 120_000 + 240_000 * rnd())),
      'scan.durationOffline': ms(sample(2000, () => 30_000)),
      'clock.lag': { unit: 'wall-ms', encoded: encoded(sample(3000, () => 5 * rnd() ** 3)) },
      'op.mp.RequestAssignments': { unit: 'wall-ms', encoded: encoded(sample(3000, () => 1 + 10 * rnd() ** 4)) },
      'op.wsus.SyncUpdates': { unit: 'wall-us', encoded: encoded(sample(3000, () => 30_000 + 200_000 * rnd() ** 5)) },
      [`op.dp.GET ${EVIL}`]: { unit: 'wall-ms', encoded: encoded(sample(3000, () => 100 + 900 * rnd() ** 3)) },
    },
    compliance: {
      deployments: [{ name: 'Monthly security updates', clients: { compliant: 700, nonCompliant: 250, unknown: 50 }, updateStates: { unknown: 500, notRequired: 4000, required: 1500, installed: 4000 } }],
    },
    series: {
      start: '2026-01-05T00:00:00.000Z',
      intervalMs: 60_000,
      scansOnline, scansOffline, scanFailures, wsusInFlight, stateSent, stateIngested,
      stateLatencyP50: p50, stateLatencyP99: p99, backlog, downloads, downloadBytes, installs, restarts,
      errors: { '0x8024401C': e1, '0x80072EE2': e2 },
      compliance: { unknown, notRequired, required, installed },
    },
  };
}

/** The same run as schemaVersion 1 wrote it: no new fields, the state histograms under stateMessages. */
function schemaV1(r: ReportInput): ReportInput {
  const s = { ...r.series } as Record<string, unknown>;
  for (const k of ['wsusInFlight', 'stateLatencyP50', 'stateLatencyP99', 'downloadBytes', 'errors']) delete s[k];
  const h = r.histograms!;
  return {
    ...r,
    schemaVersion: 1,
    histograms: undefined,
    operations: undefined,
    wallSeries: undefined,
    wall: undefined,
    abortedBy: undefined,
    stateMessages: { ...r.stateMessages, histograms: { latency: h['state.latency']!.encoded!, waitForCycle: h['state.waitForCycle']!.encoded!, waitInBacklog: h['state.waitInBacklog']!.encoded! } },
    series: s as ReportInput['series'],
  };
}

function dataBlock(html: string): { n: number; series: Record<string, unknown[]>; charts: { id: string }[] } {
  const m = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  expect(m, 'the data block').not.toBeNull();
  return JSON.parse(m![1]!);
}

// ---------------------------------------------------------------- the browser and the runs, once per file

let browser: Browser | undefined;
let dir: string;

const input = synthetic();
/** renderReportHtml(input), rendered once (about a second of CPU): every test reads this page. */
let html: string;

type Seen = Awaited<ReturnType<typeof open>>;
interface CommandRun {
  readonly r: CliResult;
  /** results.json, the report rendered from it and what Chromium showed of it, when the run succeeded */
  readonly results?: ReportInput;
  readonly seen?: Promise<Seen>;
}

/** A promise a test awaits later: its rejection is that test's failure, not an unhandled one meanwhile. */
function later<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

let seenSynthetic: Promise<Seen>;
let seenV1: Promise<Seen>;
let seenEmpty: Promise<Seen>;
let httpRun: Promise<CommandRun>;
let realRun: Promise<CommandRun>;

/** A run of the command to OUT/results.json. */
async function command(out: string, args: string[]): Promise<{ r: CliResult; results?: ReportInput }> {
  const r = await cli('run', ...args, '--out', out, '--log-level', 'silent');
  if (r.code !== 0) return { r };
  return { r, results: JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ReportInput };
}

// One Chromium for the file, and the pages and runs of every test started here, overlapped where
// they do not compete for this thread: Chromium starts while the pages render and the virtual run
// computes; Chromium then draws the pages (one after another, in its own processes) while the scaled
// HTTP run waits in real time. Each test awaits and checks its own.
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'suca-report-'));
  const launching = later(launchChromium());
  html = renderReportHtml(input);
  const v1Html = renderReportHtml(schemaV1(input));
  const emptyHtml = renderReportHtml({});
  // the virtual run is CPU on this thread: done before the scaled run, whose scheduler it would
  // delay (lag past the bound: exit 100); its report rendered before it too
  const real = await command(join(dir, 'run'), ['--clients', '100', '--duration', '2d']);
  const realHtml = real.results ? renderReportHtml(real.results) : '';
  const launched = launching.then((b) => (browser = b));
  // one page after another: each waits for the one before (its failure is that test's, not the next one's)
  const after = (p: Promise<unknown>) => p.then(() => undefined, () => undefined);
  seenSynthetic = later(launched.then(() => open(html, 'synthetic', process.env.SUCA_SCREENSHOT)));
  seenV1 = later(after(seenSynthetic).then(() => open(v1Html, 'v1')));
  seenEmpty = later(after(seenV1).then(() => open(emptyHtml, 'empty')));
  realRun = later(Promise.resolve({ ...real, seen: real.results ? later(after(seenEmpty).then(() => open(realHtml, 'run'))) : undefined }));
  const scenario = join(dir, 'http-scenario.json');
  // a burst of 503s from WSUS mid-run, so the errors chart has statuses and HRESULTs to draw
  writeFileSync(scenario, JSON.stringify({ model: { startWithin: '5m' }, faults: [{ target: 'wsus', operation: 'SyncUpdates', from: '2m', to: '30m', status: 503, rate: 0.5 }] }));
  // 40 simulated minutes at x240: 10 wall seconds, hidden behind the pages Chromium draws meanwhile.
  // Rejected: x480 (5 s): at load 18 on the 2 cores the run was invalid (event loop busy 100% of its
  // busiest 5 s, exit 100), measured; x240 passed at that load, but beside a busy loop its lag p99 reached
  // 1.07 s (exit 100): the bounds wide open, the page is the subject, not whether this machine keeps up
  const factor = '240';
  httpRun = later(
    command(join(dir, 'http'), ['--scenario', scenario, '--clients', '20', '--duration', '40m', '--transport', 'http', '--clock', 'scaled', '--time-factor', factor, '--lag-bound', '1h', '--elu-bound', '1', '--quiet']).then(async (h) => {
      await after(launched);
      await after((await realRun).seen ?? Promise.resolve());
      return { ...h, seen: h.results ? later(open(renderReportHtml(h.results), 'http', process.env.SUCA_SCREENSHOT_HTTP)) : undefined };
    }),
  );
  await after(seenEmpty);
  await after((await realRun).seen ?? Promise.resolve());
  await after(httpRun.then((h) => h.seen));
});
afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The widest chart canvas on the page, in CSS pixels (0 without charts). */
const WIDEST = `Math.max(...[...document.querySelectorAll('[data-chart] canvas')].map((c) => c.getBoundingClientRect().width), 0)`;

/**
 * Resolves when the page expression COND holds, polled in the page every 10 ms (page.waitForFunction
 * evaluates a string, which the report's Content-Security-Policy refuses); fails after 15 s.
 */
async function until(page: Page, cond: string): Promise<void> {
  const ok = await page.evaluate(`new Promise((done) => { const t0 = Date.now(); const f = () => ((${cond}) ? done(true) : Date.now() - t0 > 15000 ? done(false) : setTimeout(f, 10)); f(); })`);
  expect(ok, `page condition ${cond}`).toBe(true);
}

/** Opens the report from a file:// URL, waits for it to render and returns what every chart showed. */
async function open(html: string, name: string, screenshotTo?: string) {
  const file = join(dir, name + '.html');
  writeFileSync(file, html);
  const { page, charts, text, problems, outside } = await openReport(browser!, file);
  try {
    const pwned = await page.evaluate('window.__pwned === 1');
    // responsive: narrower window, narrower charts, still no errors. The page resizes its charts 120 ms
    // after the last resize event (report-browser/main.ts); wait for that redraw itself, not a fixed 400 ms
    // and 300 ms: at 1280 px the charts of the one-column sections are ~1,200 px wide, so a widest canvas
    // of at most 760 px is the redraw at 760, and one wider than 760 the redraw back (a page without
    // charts has nothing to redraw).
    const wide = (await page.evaluate(WIDEST)) as number;
    await page.setViewportSize({ width: 760, height: 900 });
    await until(page, `${WIDEST} <= 760`);
    const narrow = (await page.evaluate(WIDEST)) as number;
    await page.setViewportSize({ width: 1280, height: 900 });
    await until(page, `${wide} <= 760 || ${WIDEST} > 760`);
    const shot = join(dir, name + '.png');
    await page.screenshot({ path: shot, fullPage: true });
    if (screenshotTo) {
      mkdirSync(dirname(resolve(screenshotTo)), { recursive: true });
      copyFileSync(shot, screenshotTo);
    }
    return { charts, text, pwned, narrow, problems, outside, shot };
  } finally {
    await page.close();
  }
}

function expectDrawn(seen: Awaited<ReturnType<typeof open>>, expected: readonly string[]) {
  expect(seen.problems, 'console errors, warnings and page errors').toEqual([]);
  expect(seen.outside, 'requests that left the file').toEqual([]);
  expect(seen.pwned).toBe(false);
  expect(seen.charts.map((c) => c.name).sort()).toEqual([...expected].sort());
  for (const c of seen.charts) {
    expect(c.error, c.name).toBeNull();
    expect(c.canvas, `${c.name} has a canvas`).toBe(true);
    expect(c.points, `${c.name} data-points`).toBeGreaterThan(0);
    expect(c.coloured, `${c.name}: coloured pixels of its series`).toBeGreaterThan(50);
  }
  expect(seen.narrow).toBeGreaterThan(0);
  expect(seen.narrow).toBeLessThanOrEqual(760);
}

// ---------------------------------------------------------------- the tests

describe('HTML report', () => {
  it('is one self-contained file: library and data inlined, data escaped, each series once', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    // nothing to fetch: no src, no stylesheet link, no href but the empty data: favicon
    expect(html).not.toMatch(/<script[^>]*\ssrc\s*=/i);
    expect(html).not.toMatch(/<link[^>]*rel\s*=\s*["']?stylesheet/i);
    expect([...html.matchAll(/\shref\s*=\s*"([^"]*)"/gi)].map((m) => m[1])).toEqual(['data:,']);
    expect(html).toContain('uPlot');
    // the injected "</script>" never closes an element: three scripts, three closing tags
    expect(html.match(/<script/gi)!.length).toBe(3);
    expect(html.match(/<\/script/gi)!.length).toBe(3);
    expect(html).toContain('synthetic &lt;/script&gt;');
    const data = dataBlock(html);
    expect(data.n).toBe(4320);
    expect(data.charts.map((c) => c.id)).toEqual(ALL_CHARTS);
    const keys = Object.keys(data.series);
    expect(new Set(keys).size).toBe(keys.length);
    for (const k of keys) expect(data.series[k]!.length, k).toBe(k.startsWith('wall.') ? 3600 : 4320);
    // the wall-time section's series: requests per second per endpoint, a latency chart per endpoint
    expect(keys).toEqual(expect.arrayContaining(['wall.mp.requests', 'wall.wsus.requests', 'wall.dp.requests', 'wall.errors', 'wall.mp.p95', 'wall.dp.p99', 'wall.errorsByStatus.503', 'wall.errorsByCode.0x80244022']));
    expect(keys).not.toContain('downloadBytes'); // not charted: not embedded
    // one copy of each: the page stays far below two copies of its series
    expect(html.length).toBeLessThan(chartLibrary().bytes + 1_200_000);
    // errors are summed over the codes
    const e = data.series.errors as number[];
    const s = input.series!;
    expect(e[1510]).toBe((s.errors!['0x8024401C']![1510] as number) + (s.errors!['0x80072EE2']![1510] as number));
    expect(reportCharts(input)).toEqual(ALL_CHARTS);
  });

  it('copes with what is not measured: an empty object, schemaVersion 1, no series, no wall histograms', () => {
    expect(reportCharts({})).toEqual([]);
    expect(() => renderReportHtml({})).not.toThrow();
    expect(() => renderReportHtml(null as unknown as ReportInput)).not.toThrow();
    expect(() => renderReportHtml({ series: { start: 'never', intervalMs: -1 }, histograms: { x: { unit: 'ms', encoded: 'not base64 hdr' } }, thresholds: [null as never] })).not.toThrow();
    expect(reportCharts(schemaV1(input))).toEqual(['wsus-scans', 'state-messages', 'backlog', 'compliance', 'work', 'latency-distribution']);
    const noWall = { ...input, histograms: Object.fromEntries(Object.entries(input.histograms!).filter(([, h]) => h.unit === 'ms')) };
    expect(reportCharts(noWall)).toEqual(ALL_CHARTS.filter((c) => c !== 'operation-latency'));
    expect(renderReportHtml(noWall)).not.toContain('data-chart="operation-latency"');
    const f = join(dir, 'w.html');
    writeReport(f, input);
    expect(readFileSync(f, 'utf8')).toBe(html);
  });

  it('renders every chart with data in headless Chromium, offline, with no console error or warning', async () => {
    const seen = await seenSynthetic;
    expectDrawn(seen, ALL_CHARTS);
    const points = Object.fromEntries(seen.charts.map((c) => [c.name, c.points]));
    // 4,320 points on ~1,200 pixels: drawn binned, a mean line and its min and max band edges per series
    const scans = seen.charts.find((c) => c.name === 'wsus-scans')!;
    expect(scans.binned).toBeGreaterThan(1);
    expect(scans.points).toBe(3 * 4 * Math.ceil(4320 / scans.binned));
    expect(points.compliance).toBe(4 * 4320); // shares, stacked: not binned
    // the HTTP section: 3,600 wall seconds, binned too; requests of 3 endpoints and the failed line
    const reqs = seen.charts.find((c) => c.name === 'http-requests')!;
    expect(reqs.binned).toBeGreaterThan(1);
    expect(reqs.points).toBe(3 * 4 * Math.ceil(3600 / reqs.binned));
    for (const t of ['HTTP over wall time', 'Requests per second', 'Latency over time: MP (CCM_POST)', 'Latency over time: WSUS (MS-WUSP)', 'Latency over time: DP (content GET)', 'Errors per second by HTTP status and by HRESULT',
      'HTTP responses by status', 'Errors the clients saw, by HRESULT', '0x80244022', 'Scans by trigger', 'beforeInstall', 'Over simulated time', 'Distributions', 'ran', '2026-01-10 09:30:00 UTC', 'wall time', 'p95']) {
      expect(seen.text).toContain(t);
    }
    // the headline figures in their groups, in this order
    const page = html;
    const groups = ['State messages', 'Scans', 'Deployments', 'HTTP requests and errors', 'Run'].map((g) => page.indexOf(`<tr class="group"><th colspan="3">${g}</th>`));
    groups.forEach((i, k) => expect(i, `headline group ${k}`).toBeGreaterThanOrEqual(0));
    expect([...groups].sort((a, b) => a - b)).toEqual(groups);
    // a trigger with no scans is left out of its table
    expect(seen.text).not.toContain('manualScan');
    expect(html).toContain('<dt>wall time</dt><dd>1h</dd>');
    expect(points['latency-distribution']).toBeGreaterThan(5 * 50);
    for (const t of ['INVALID: scheduler lag p99 2500 ms > bound 1000 ms', 'PARTIAL: reached 2026-01-08T00:00:00.000Z', 'aborted by wsus_scans_per_min_max<30', 'PASS', 'FAIL', 'mp RequestAssignments', 'wsus SyncUpdates', 'dp GET', 'state_latency_p99', 'synthetic </script>']) {
      expect(seen.text).toContain(t);
    }
  });

  it('renders a schemaVersion 1 results.json and an empty one', async () => {
    expectDrawn(await seenV1, reportCharts(schemaV1(input)));
    const empty = await seenEmpty;
    expect(empty.problems).toEqual([]);
    expect(empty.charts).toEqual([]);
  });

  it('leaves out the sections a run does not have: an in-process run has no HTTP section, no thresholds panel', () => {
    const inProcess = { ...input, wallSeries: undefined, operations: {}, thresholds: [] };
    const html = renderReportHtml(inProcess);
    expect(reportCharts(inProcess)).toEqual(ALL_CHARTS.filter((c) => !HTTP_CHARTS.includes(c)));
    for (const t of ['HTTP over wall time', 'data-section="operations"', 'data-section="http-errors"', '<h2>Thresholds</h2>', 'no thresholds set', 'no operations measured']) expect(html).not.toContain(t);
    expect(html).toContain('data-section="triggers"');
  });

  it('with more than one DP, a table of them (results.json dps) and a chart of downloads by DP; with one, neither', () => {
    const n = (input.series as { length: number }).length;
    const two = {
      ...input,
      dps: { 'http://dp1.test/<x>': { requests: 12, faulted: 12, downloads: 0, bytes: 0 }, 'http://dp2.test/': { requests: 30, faulted: 0, downloads: 30, bytes: 4.5e9 } },
      series: { ...(input.series as object), downloadsByDp: { 'http://dp1.test/<x>': new Array(n).fill(0), 'http://dp2.test/': new Array(n).fill(1) } },
    };
    const html = renderReportHtml(two);
    expect(html).toContain('<h2>Distribution points</h2>');
    expect(html).toContain('<td>http://dp1.test/&lt;x&gt;</td><td class="num">12</td><td class="num">12</td><td class="num">0</td><td class="num">0 GB</td>');
    expect(html).toContain('<td class="num">30</td><td class="num">0</td><td class="num">30</td><td class="num">4.5 GB</td>');
    expect(reportCharts(two)).toContain('downloads-by-dp');
    const one = { ...two, dps: { 'http://dp2.test/': two.dps['http://dp2.test/'] }, series: { ...two.series, downloadsByDp: { 'http://dp2.test/': new Array(n).fill(1) } } };
    expect(renderReportHtml(one)).not.toContain('Distribution points');
    expect(reportCharts(one)).not.toContain('downloads-by-dp');
  });

  it('renders an HTTP run of the command: the wall-time section draws every chart, no console error', async () => {
    // run in beforeAll (20 clients, 40 simulated minutes over HTTP at x240, 503s from WSUS from 2m to 30m)
    const { r, results: res, seen: seeing } = await httpRun;
    expect(r.code, r.err).toBe(0);
    const results = res!;
    const ws = results.wallSeries!;
    expect(ws.intervalMs).toBe(1000);
    expect(Object.keys(ws.endpoints!)).toEqual(expect.arrayContaining(['mp', 'wsus']));
    // every response counted once by status: as many as the operations that got an answer
    expect(ws.statuses!['503']).toBeGreaterThan(0);
    const expected = reportCharts(results);
    for (const c of ['http-requests', 'http-latency-mp', 'http-latency-wsus', 'http-errors']) expect(expected).toContain(c);
    const seen = (await seeing)!;
    // a 10-second wall run on a loaded machine has few buckets (a chart of a few dots): every chart must
    // draw some of its series' colour; the synthetic test above holds the strict pixel count
    expect(seen.problems, 'console errors, warnings and page errors').toEqual([]);
    expect(seen.outside).toEqual([]);
    expect(seen.charts.map((c) => c.name)).toEqual(expected);
    for (const c of seen.charts) {
      expect(c.error, c.name).toBeNull();
      expect(c.points, c.name).toBeGreaterThan(0);
      expect(c.coloured, `${c.name}: coloured pixels`).toBeGreaterThan(0);
    }
    for (const t of ['HTTP over wall time', 'HTTP responses by status', '503', 'Scans by trigger', 'firstPolicy']) expect(seen.text).toContain(t);
  });

  it('renders the results.json of a real run of the command', async () => {
    // run in beforeAll: 100 clients, 2 simulated days
    const { r, results: res, seen } = await realRun;
    expect(r.code, r.err).toBe(0);
    const results = res!;
    const expected = reportCharts(results);
    for (const c of ['wsus-scans', 'state-messages', 'backlog', 'compliance', 'work', 'latency-distribution']) expect(expected).toContain(c);
    expectDrawn((await seen)!, expected);
  });
});
