// scenarios/dp-outage.json end to end (in-process, virtual time, 2,000
// clients, 4 days): Patch Tuesday's deployment becomes available at day 1
// while both DPs answer 503 for 10 hours, and one content request in five
// still fails for the 14 hours after. A client whose DP fails asks the other
// at once, and when both failed it asks again (the location, then the DPs)
// every hour; every client downloads after the outage and complies, none
// fails (the 10-day download timeout is past the run).

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { scenarioFile, tracedScenario } from './helpers/scenario-run.js';

const file = scenarioFile('dp-outage');
const sc = JSON.parse(readFileSync(file, 'utf8')) as { clients: number; site: { dps: string[] } };
const HOUR = 3_600_000;
type Ev = { t: number; client: string; ev: string; deployment?: string; dp?: string; code?: string; next?: string | null; retryAt?: number | null };

const run = tracedScenario<Ev>('dp-outage', 'download.*');

describe('scenario dp-outage', () => {
  it('during the outage every round asks both DPs, an hour apart; no download completes before it ends', () => {
    const start = Date.parse(run.r.scenario.start as string);
    const outageEnd = start + 34 * HOUR;
    const during = run.trace.filter((e) => e.ev === 'download.retrying' && e.t < outageEnd);
    expect(new Set(during.map((e) => e.client)).size).toBe(sc.clients);
    for (const e of during) {
      expect(e.code).toBe('0x80244022');
      expect(sc.site.dps).toContain(e.dp);
      if (e.next === null) expect(e.retryAt! - e.t).toBe(HOUR);
      else expect(e.next).not.toBe(e.dp);
    }
    // a failover to the other DP before each wait: both DPs tried in every round
    const waits = during.filter((e) => e.next === null).length;
    expect(during.length - waits).toBe(waits);
    const completed = run.trace.filter((e) => e.ev === 'download.completed');
    expect(completed).toHaveLength(sc.clients);
    for (const e of completed) expect(e.t).toBeGreaterThanOrEqual(outageEnd);
  });

  it('after it: a round that meets the flaky DPs fails over or waits again; every client downloads once, complies, none fails', () => {
    expect(run.r.events['download.started']).toBe(sc.clients);
    expect(run.r.events['download.completed']).toBe(sc.clients);
    expect(run.r.events['download.failed']).toBe(0);
    expect(run.r.compliance!.deployments[0]!.clients.compliant).toBe(sc.clients);
    // every failed DP request the stub injected is a retry a client saw, counted once as a download error
    expect(run.r.faultsInjected!.dp).toBe(run.r.events['download.retrying']);
    expect(run.r.errors.byCode['0x80244022']!.download).toBe(run.r.events['download.retrying']);
    // the DP served each download once
    expect(run.r.work.dpDownloads).toBe(sc.clients);
  });
});
