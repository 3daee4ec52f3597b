// scenarios/content-not-distributed.json end to end (in-process, virtual
// time, 2,000 clients, 4 days): Patch Tuesday's deployment reaches policy at
// day 1 and its content the DPs 8 hours later; an out-of-band deployment's
// content never does. Clients wait for content, asking the MP's location
// every hour, download the first as soon as the DPs have it and stay waiting
// for the second (its 7-day location timeout is past the run's end).

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { scenarioFile, tracedScenario } from './helpers/scenario-run.js';

const file = scenarioFile('content-not-distributed');
const sc = JSON.parse(readFileSync(file, 'utf8')) as { clients: number };
const HOUR = 3_600_000;
type Ev = { t: number; client: string; ev: string; deployment?: string; code?: string; retryAt?: number };

const run = tracedScenario<Ev>('content-not-distributed', 'download.*,deployment.*');

describe('scenario content-not-distributed', () => {
  it('the late content: every client waits, asking every hour, and downloads once the DPs have it; all comply', () => {
    const start = Date.parse(run.r.scenario.start as string);
    const monthly = run.r.compliance!.deployments[0]!;
    const id = monthly.id;
    const waits = run.trace.filter((e) => e.ev === 'download.waitingContent' && e.deployment === id);
    const started = run.trace.filter((e) => e.ev === 'download.started' && e.deployment === id);
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
    const oob = run.r.compliance!.deployments[1]!;
    const waits = run.trace.filter((e) => e.ev === 'download.waitingContent' && e.deployment === oob.id);
    const waiting = new Set(waits.map((e) => e.client));
    expect(waiting.size).toBe(oob.clients.nonCompliant);
    expect(waiting.size).toBeGreaterThan(0.3 * sc.clients);
    expect(run.trace.filter((e) => e.ev === 'download.started' && e.deployment === oob.id)).toHaveLength(0);
    expect(run.r.events['download.failed']).toBe(0);
    // the stub MP counted every answer with no DP: both deployments' waits
    expect(run.r.location.contentNotFound).toBe(run.r.events['download.waitingContent']);
    // hourly from the available time (plus the pre-download delay, at most 2 h) to the run's end
    const start = Date.parse(run.r.scenario.start as string);
    const end = start + 4 * 24 * HOUR;
    const perClient = waits.length / waiting.size;
    expect(perClient).toBeGreaterThan((end - (start + 38 * HOUR)) / HOUR - 2);
    expect(perClient).toBeLessThanOrEqual((end - (start + 36 * HOUR)) / HOUR + 1);
  });
});
