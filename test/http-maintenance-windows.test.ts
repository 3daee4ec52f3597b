// End to end over HTTP (embedded stub servers on port 0): the stub MP serves
// the CCM_ServiceWindow policy of the clients' collection next to the
// settings and the deployment; the agent reads it from the wire, and the
// installs that come due at the deadline wait for that window.

import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { resolveScenario } from '../harness/scenario/resolve.js';
import { runFleet } from '../harness/run.js';
import { buildResults } from '../harness/output/results.js';
import { smallWireFleet } from './helpers/fleets.js';

const silent = pino({ level: 'silent' });
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'suca-http-mw-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HOUR = 3_600_000;

describe('maintenance windows over HTTP', () => {
  it('installs wait for the window the MP served and start inside it', async () => {
    const W = '2026-01-07T10:00';
    const input = {
      ...smallWireFleet(5),
      // a UTC window of 3 h, 10 h after the deadline (start 2026-01-05T00:00Z + 2d)
      collections: [{ name: 'All', fraction: 1, maintenanceWindows: [{ start: W, duration: '3h', recurrence: 'none', type: 'softwareUpdates' }] }],
    };
    const sc = resolveScenario(input);
    const trace = join(dir, 'trace.ndjson');
    // unsigned: signing is not what this is about (test/contract-transports and wire-shape run signed); measured, it is 30 % of an HTTP run's CPU
    const o = await runFleet(sc, { tracePath: trace, logger: silent, transport: { kind: 'http', sign: false } });
    const events = readFileSync(trace, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { t: number; ev: string; until?: number | null; deployment?: string });
    const w0 = Date.parse(W + 'Z');
    const w1 = w0 + 3 * HOUR;
    const deadline = sc.start + 2 * 24 * HOUR;
    const waits = events.filter((e) => e.ev === 'install.waitingForWindow');
    const installs = events.filter((e) => e.ev === 'install.started');
    expect(waits.length).toBeGreaterThan(0);
    expect(installs.length).toBeGreaterThan(0);
    // every wait names the served window's start, and began at or after the deadline
    for (const e of waits) {
      expect(e.until).toBe(w0);
      expect(e.t).toBeGreaterThanOrEqual(deadline);
    }
    // every install of the required deployment starts inside the window, none at the deadline
    for (const e of installs) {
      expect(e.t).toBeGreaterThanOrEqual(w0);
      expect(e.t).toBeLessThan(w1);
    }
    // the windows came over the wire: one body fetch per client for its window (besides settings and deployment)
    const r = buildResults(o);
    expect(r.wire!.stub!.mp['GET .sms_pol']).toBeGreaterThanOrEqual(5 * 3);
    expect(Object.keys(r.wire!.stub!.refused)).toEqual([]);
  });
});
