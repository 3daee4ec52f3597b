// The HTML report of two library scenarios, patch-tuesday and wsus-overload,
// run by name in-process (virtual time, at their shipped size: 2,000 clients,
// a few seconds each, so the screenshots show the figures README gives) with `--out`, opened
// from its file:// URL in headless Chromium (Debian's /usr/bin/chromium via
// playwright-core, every non-file request refused): every chart draws its
// data, the page logs no error or warning, and the chart that shows each
// scenario's phenomenon carries it (the deadline's install peak; the pool's
// refusals as scan failures). The README's screenshots of the two come from
// here: SUCA_SCREENSHOT_SCENARIOS=docs npx vitest run
// test/report-scenario-screenshots.test.ts writes docs/report-patch-tuesday.png
// and docs/report-wsus-overload.png (as SUCA_SCREENSHOT does for docs/report.png
// in test/report-html.test.ts); without it nothing under docs/ is touched.

import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { cli } from './helpers/cli.js';
import { launchChromium, openReport } from './helpers/report-page.js';
import { reportCharts, type ReportInput } from '../harness/output/report-html.js';
import type { Results } from '../harness/output/results-schema.js';


let browser: Browser | undefined;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'suca-report-scenarios-'));
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the scenario by name into DIR/results.json + DIR/report.html. */
async function runScenario(name: string): Promise<{ results: Results; html: string }> {
  const out = join(dir, name);
  const r = await cli('run', '--scenario', name, '--out', out, '--quiet', '--log-level', 'silent');
  expect(r.code, r.err).toBe(0);
  return { results: JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results, html: join(out, 'report.html') };
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
    const { results, html } = await runScenario('patch-tuesday');
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
    expectDrawn(await open(html, 'patch-tuesday'), expected);
  }, 180_000);

  it('wsus-overload: every chart draws; the scan chart holds the pool\'s refusals as scan failures', async () => {
    const { results, html } = await runScenario('wsus-overload');
    const s = results.series!;
    const pool = results.scans.wsus!.pool!;
    const expected = reportCharts(results as unknown as ReportInput);
    for (const c of ['wsus-scans', 'compliance', 'work']) expect(expected).toContain(c);
    // the red line of "WSUS scans": each refusal of a full queue is a failed scan (503 -> 0x80244022)
    expect(pool.queueFull).toBeGreaterThan(0);
    expect(sum(s.scanFailures)).toBe(pool.queueFull);
    expect(results.scans.failuresByCode).toEqual({ '0x80244022': pool.queueFull });
    expectDrawn(await open(html, 'wsus-overload'), expected);
  }, 180_000);
});
