// The HTML report opened in headless Chromium as a user opens it (file://):
// console errors, warnings and page errors collected, every request that
// would leave the file refused and listed, and what each chart drew read
// back from its canvas. Shared by test/report-html.test.ts and
// test/report-scenario-screenshots.test.ts.

import { pathToFileURL } from 'node:url';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export interface ChartSeen {
  name: string;
  points: number;
  canvas: boolean;
  coloured: number;
  error: string | null;
  /** points per drawn bin (1: not binned) */
  binned: number;
}

export interface ReportPage {
  readonly page: Page;
  readonly charts: ChartSeen[];
  readonly text: string;
  readonly problems: string[];
  readonly outside: string[];
}

/** Every chart's data-chart name, points, and how many of its canvas pixels carry a series' colour. */
const READ_CHARTS = `(() => [...document.querySelectorAll('[data-chart]')].map((d) => {
  const c = d.querySelector('canvas');
  let coloured = 0;
  if (c) {
    // one readback of a copy: reading the chart's own canvas repeatedly makes Chromium warn
    const copy = document.createElement('canvas');
    copy.width = c.width;
    copy.height = c.height;
    const ctx = copy.getContext('2d', { willReadFrequently: true });
    ctx.drawImage(c, 0, 0);
    const px = ctx.getImageData(0, 0, c.width, c.height).data;
    for (let i = 0; i < px.length; i += 4) {
      // a series' colour, not the white background or the grey axes and grid
      if (px[i + 3] > 0 && Math.max(px[i], px[i + 1], px[i + 2]) - Math.min(px[i], px[i + 1], px[i + 2]) > 60) coloured++;
    }
  }
  return { name: d.dataset.chart, points: Number(d.dataset.points ?? 0), canvas: c !== null, coloured, error: d.getAttribute('data-error'), binned: Number(d.dataset.binned ?? 1) };
}))()`;

/** Opens the report file, waits for it to render and reads its charts and text; the caller closes `page`. */
export async function openReport(browser: Browser, file: string): Promise<ReportPage> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  const outside: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (/^(file|data|blob|about):/.test(url)) return route.continue();
    outside.push(url);
    return route.abort();
  });
  try {
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('body[data-rendered="true"]', { timeout: 15_000 });
    const charts = (await page.evaluate(READ_CHARTS)) as ChartSeen[];
    const text = (await page.evaluate('document.body.innerText')) as string;
    return { page, charts, text, problems, outside };
  } catch (err) {
    await page.close();
    throw err;
  }
}

/** Debian's Chromium, which .ci/run installs. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Headless Chromium with the flags this closed network needs (no background
 * networking: its connections are refused, many at a time); a clear error
 * naming the package when it is missing.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      process.env['CI']
        ? `${CHROMIUM} is missing: CI must install Debian's chromium (.ci/run does: apt-get install -y chromium)`
        : `${CHROMIUM} is missing: this test drives Debian's headless Chromium; install it with \`apt-get update && apt-get install -y chromium\``,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
