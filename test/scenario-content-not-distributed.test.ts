// scenarios/content-not-distributed.json end to end (in-process, virtual
// time, 2,000 clients, 4 days): Patch Tuesday's deployment reaches policy at
// day 1 and its content the DPs 8 hours later; an out-of-band deployment's
// content never does. Clients wait for content, asking the MP's location
// every hour, download the first as soon as the DPs have it and stay waiting
// for the second (its 7-day location timeout is past the run's end).

import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers/cli.js';
import type { Results } from '../harness/output/results-schema.js';

const file = new URL('../scenarios/content-not-distributed.json', import.meta.url).pathname;
const sc = JSON.parse(readFileSync(file, 'utf8')) as { clients: number };
const HOUR = 3_600_000;
type Ev = { t: number; client: string; ev: string; deployment?: string; code?: string; retryAt?: number };

let dir: string;
let r: Results;
let trace: Ev[];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'suca-content-'));
  const tracePath = join(dir, 't.ndjson');
  const out = await cli('run', '--scenario', file, '--json', '--quiet', '--trace', tracePath, '--trace-events', 'download.*,deployment.*', '--log-level', 'warn');
  expect(out.code, out.err).toBe(0);
  r = JSON.parse(out.out) as Results;
  trace = readFileSync(tracePath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Ev);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scenario content-not-distributed', () => {
  it('the late content: every client waits, asking every hour, and downloads once the DPs have it; all comply', () => {
    const start = Date.parse(r.scenario.start as string);
    const monthly = r.compliance!.deployments[0]!;
    const id = monthly.id;
    const waits = trace.filter((e) => e.ev === 'download.waitingContent' && e.deployment === id);
    const started = trace.filter((e) => e.ev === 'download.started' && e.deployment === id);
    expect(new Set(waits.map((e) => e.client)).size).toBe(sc.clients);
    expect(started).toHaveLength(sc.clients);
    for (const e of waits) {
      expect(e.code).toBe('0x87D00607');
      expect(e.retryAt! - e.t).toBe(HOUR);
      expect(e.t).toBeLessThan(start + 32 * HOUR);
    }
    // each download starts at the first hourly retry after the content came
    for (const e of started) {
      expect(e.t).toBeGreaterThanOrEqual(start + 32 * HOUR);
      expect(e.t).toBeLessThan(start + 33 * HOUR);
    }
    expect(monthly.clients.compliant).toBe(sc.clients);
  });

  it('the content that never comes: its clients wait to the end (no failure within the 7-day timeout), the MP answering each hour with no DP', () => {
    const oob = r.compliance!.deployments[1]!;
    const waits = trace.filter((e) => e.ev === 'download.waitingContent' && e.deployment === oob.id);
    const waiting = new Set(waits.map((e) => e.client));
    expect(waiting.size).toBe(oob.clients.nonCompliant);
    expect(waiting.size).toBeGreaterThan(0.3 * sc.clients);
    expect(trace.filter((e) => e.ev === 'download.started' && e.deployment === oob.id)).toHaveLength(0);
    expect(r.events['download.failed']).toBe(0);
    // the stub MP counted every answer with no DP: both deployments' waits
    expect(r.location.contentNotFound).toBe(r.events['download.waitingContent']);
    // hourly from the available time (plus the pre-download delay, at most 2 h) to the run's end
    const start = Date.parse(r.scenario.start as string);
    const end = start + 4 * 24 * HOUR;
    const perClient = waits.length / waiting.size;
    expect(perClient).toBeGreaterThan((end - (start + 38 * HOUR)) / HOUR - 2);
    expect(perClient).toBeLessThanOrEqual((end - (start + 36 * HOUR)) / HOUR + 1);
  });
});
