// The HTML report of three library scenarios, patch-tuesday, wsus-overload and dp-outage,
// run by name in-process (virtual time) with `--out`, opened
// from its file:// URL in headless Chromium (Debian's /usr/bin/chromium via
// playwright-core, every non-file request refused): every chart draws its
// data, the page logs no error or warning, and the chart that shows each
// scenario's phenomenon carries it (the deadline's install peak; the pool's
// refusals as scan failures; the DP failures as errors, the downloads after
// the outage). dp-outage runs at 500 clients here too. The README's screenshots of the two come from
// here: SUCA_SCREENSHOT_SCENARIOS=docs npx vitest run
// test/report-scenario-screenshots.test.ts writes docs/report-patch-tuesday.png
// and docs/report-wsus-overload.png (as SUCA_SCREENSHOT does for docs/report.png
// in test/report-html.test.ts), from runs at the scenarios' shipped size (2,000
// clients: the figures README gives); without it nothing under docs/ is touched
// and each runs at 500 clients (patch-tuesday over 12 d, not 14: the deadline at
// 10d12h and every time zone's window after it are inside), a quarter of the
// work, with the same checks: measured, 500 installs, 259 online scans in the
// deadline minute (> 0.4 x 500), and 70 refusals of the full queue.
//
// One Chromium; the runs start in beforeAll, Chromium launching beside the
// first and drawing the first report beside the second; each test checks its own.

import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { cli, type CliResult } from './helpers/cli.js';
import { launchChromium, openReport } from './helpers/report-page.js';
import { reportCharts, type ReportInput } from '../harness/output/report-html.js';
import type { Results } from '../harness/output/results-schema.js';


let browser: Browser | undefined;
let dir: string;

type Seen = Awaited<ReturnType<typeof open>>;
interface ScenarioRun {
  readonly r: CliResult;
  /** results.json and what Chromium showed of report.html, when the run succeeded */
  readonly results?: Results;
  readonly seen?: Promise<Seen>;
}
const runs = new Map<string, Promise<ScenarioRun>>();

/** A promise a test awaits later: its rejection is that test's failure, not an unhandled one meanwhile. */
function later<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

/** The size each runs at: the shipped one for README's screenshots, else smaller (see the top). */
const SIZE: Record<string, string[]> = process.env.SUCA_SCREENSHOT_SCENARIOS
  ? { 'patch-tuesday': [], 'wsus-overload': [], 'dp-outage': [] }
  : { 'patch-tuesday': ['--clients', '500', '--duration', '12d'], 'wsus-overload': ['--clients', '500'], 'dp-outage': ['--clients', '500'] };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'suca-report-scenarios-'));
  const launching = later(launchChromium().then((b) => (browser = b)));
  let opened: Promise<unknown> = launching;
  for (const name of ['patch-tuesday', 'wsus-overload', 'dp-outage']) {
    // the runs are CPU on this thread, one after the other; the pages are drawn in Chromium's processes
    const run = await runScenario(name);
    const after = opened.then(() => undefined, () => undefined);
    const seen = run.results ? later(after.then(() => open(run.html, name))) : undefined;
    opened = seen ?? opened;
    runs.set(name, Promise.resolve({ r: run.r, results: run.results, seen }));
  }
  await opened.catch(() => undefined);
});
afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the scenario by name into DIR/results.json + DIR/report.html. */
async function runScenario(name: string): Promise<{ r: CliResult; results?: Results; html: string }> {
  const out = join(dir, name);
  const r = await cli('run', '--scenario', name, ...SIZE[name]!, '--out', out, '--quiet', '--log-level', 'silent');
  const html = join(out, 'report.html');
  if (r.code !== 0) return { r, html };
  return { r, results: JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results, html };
}

/** The run of NAME made in beforeAll: its exit code checked, its results and what its page showed. */
async function ran(name: string): Promise<{ results: Results; seen: Promise<Seen> }> {
  const { r, results, seen } = await runs.get(name)!;
  expect(r.code, r.err).toBe(0);
  return { results: results!, seen: seen! };
}

/** Opens report.html as the user would (file://), returns what every chart drew, and screenshots the page. */
async function open(file: string, name: string) {
  const { page, charts, text, problems, outside } = await openReport(browser!, file);
  try {
    const shot = join(dir, name + '.png');
    await page.screenshot({ path: shot, fullPage: true });
    const to = process.env.SUCA_SCREENSHOT_SCENARIOS;
    if (to) {
      mkdirSync(resolve(to), { recursive: true });
      copyFileSync(shot, join(resolve(to), `report-${name}.png`));
    }
    return { charts, text, problems, outside };
  } finally {
    await page.close();
  }
}

function expectDrawn(seen: Awaited<ReturnType<typeof open>>, expected: readonly string[]) {
  expect(seen.problems, 'console errors, warnings and page errors').toEqual([]);
  expect(seen.outside, 'requests that left the file').toEqual([]);
  expect(seen.charts.map((c) => c.name)).toEqual([...expected]);
  for (const c of seen.charts) {
    expect(c.error, c.name).toBeNull();
    expect(c.canvas, `${c.name} has a canvas`).toBe(true);
    expect(c.points, `${c.name} data-points`).toBeGreaterThan(0);
    expect(c.coloured, `${c.name}: coloured pixels of its series`).toBeGreaterThan(50);
  }
}

const sum = (a: readonly (number | null)[] | null | undefined) => (a ?? []).reduce<number>((s, x) => s + (x ?? 0), 0);

describe('HTML report of library scenarios in headless Chromium', () => {
  it('patch-tuesday: every chart draws; the work chart holds every install, the hour after the deadline the busiest', async () => {
    const { results, seen } = await ran('patch-tuesday');
    const s = results.series!;
    const expected = reportCharts(results as unknown as ReportInput);
    for (const c of ['wsus-scans', 'state-messages', 'backlog', 'compliance', 'work', 'latency-distribution']) expect(expected).toContain(c);
    // what the "work" chart draws: one install per client (every client installs the deployment)
    expect(sum(s.installs)).toBe(results.work!.installs);
    expect(results.work!.installs).toBe(results.scenario.clients);
    // randomization off: every unwindowed client scans online in the deadline minute (the WSUS peak)
    // and installs within the hour after it (its scan, 2-6 min, then the install): the largest hour of
    // installs, against each time zone's windowed share at its window's opening
    const start = Date.parse(s.start);
    const at = Math.round((Date.parse(results.scans.wsus!.peakPerMinute!.at!) - start) / s.intervalMs);
    expect(new Date(start + at * s.intervalMs).toISOString()).toBe('2026-01-15T12:00:00.000Z'); // 10d12h after the start
    const hour = 3_600_000 / s.intervalMs;
    const inHour = (i: number) => sum(s.installs!.slice(i, i + hour));
    expect(inHour(at)).toBe(s.scansOnline![at]);
    expect(inHour(at)).toBeGreaterThan(results.scenario.clients * 0.4); // half the clients are unwindowed
    for (let i = 0; i + hour <= s.installs!.length; i += hour) if (i !== at) expect(inHour(i), `installs in hour ${i / hour}`).toBeLessThan(inHour(at));
    expectDrawn(await seen, expected);
  }, 180_000);

  it('wsus-overload: every chart draws; the scan chart holds the pool\'s refusals as scan failures', async () => {
    const { results, seen } = await ran('wsus-overload');
    const s = results.series!;
    const pool = results.scans.wsus!.pool!;
    const expected = reportCharts(results as unknown as ReportInput);
    for (const c of ['wsus-scans', 'compliance', 'work']) expect(expected).toContain(c);
    // the red line of "WSUS scans": each refusal of a full queue is a failed scan (503 -> 0x80244022)
    expect(pool.queueFull).toBeGreaterThan(0);
    expect(sum(s.scanFailures)).toBe(pool.queueFull);
    expect(results.scans.failuresByCode).toEqual({ '0x80244022': pool.queueFull });
    expectDrawn(await seen, expected);
  }, 180_000);

  it('dp-outage: every chart draws; the work chart holds every DP failure as an error, every download after the outage', async () => {
    const { results, seen } = await ran('dp-outage');
    const s = results.series!;
    const expected = reportCharts(results as unknown as ReportInput);
    expect(expected).toContain('work');
    // the red line of "Deployment work and errors": each retried DP failure (503 -> 0x80244022) is an error
    const retried = results.events['download.retrying']!;
    expect(retried).toBeGreaterThan(results.scenario.clients);
    expect(sum(s.errorsTotal)).toBe(retried);
    expect(results.errors.byCode).toEqual({ '0x80244022': { total: retried, scan: 0, download: retried, report: 0, policy: 0 } });
    // the blue line: one download a client, none before the outage ends (day 1 + 10 h)
    expect(sum(s.downloads)).toBe(results.scenario.clients);
    const outageEnd = (34 * 3_600_000) / s.intervalMs;
    expect(sum(s.downloads!.slice(0, outageEnd))).toBe(0);
    // two DPs: the downloads by DP get a chart of their own, a line a DP, adding up to the downloads
    expect(expected).toContain('downloads-by-dp');
    const byDp = (s as unknown as { downloadsByDp: Record<string, number[]> }).downloadsByDp;
    expect(Object.keys(byDp)).toHaveLength(2);
    expect(Object.values(byDp).reduce((a, x) => a + sum(x), 0)).toBe(results.scenario.clients);
    expectDrawn(await seen, expected);
  }, 180_000);
});
