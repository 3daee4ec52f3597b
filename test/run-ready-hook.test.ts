// RunHooks.ready (run --workers: the worker posts 'ready' from it): called
// once the run is built (stub servers, fleet, HTTP client), right before the
// clock starts, and the instant it resolves to is the wall time of the
// scenario's simulated start: ahead, the run waits for it; passed, the gap
// shows as scheduler lag (never as a shifted simulated start).

import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { resolveScenario } from '../harness/scenario/resolve.js';
import { runFleet } from '../harness/run.js';
import { buildResults } from '../harness/output/results.js';

const silent = pino({ level: 'silent' });
// 10 clients whose first policy requests fall in the first 30 simulated s: 0.25 wall s at x120
const sc = () => resolveScenario({ clients: 10, duration: '1m', model: { startWithin: '30s' } });
const clock = { mode: 'scaled', timeFactor: 120, lagBoundMs: 3_600_000 } as const;

describe('RunHooks.ready', () => {
  it('is called once, after the build and before any event, and the run starts at the instant it gives', async () => {
    let calls = 0;
    let policyBefore = -1;
    let asked = 0;
    let events = 0;
    let firstEventAt = 0;
    const t0 = Date.now();
    const o = await runFleet(sc(), {
      logger: silent,
      clock,
      transport: { kind: 'http', sign: false },
      outputs: [{ name: 'seen', event: () => void (events++ === 0 && (firstEventAt = Date.now())) }],
      ready: async () => {
        calls++;
        asked = Date.now();
        policyBefore = events;
        return asked + 700;
      },
    });
    expect(calls).toBe(1);
    // nothing ran before the start instant
    expect(policyBefore).toBe(0);
    const r = buildResults(o);
    expect(r.events['policy.requested']).toBe(10);
    // 0.7 s waited, then 1 simulated minute at x120 (0.5 s)
    expect(Date.now() - asked).toBeGreaterThanOrEqual(1200);
    expect(asked).toBeGreaterThanOrEqual(t0);
    // the start ahead: the first event ran once the instant came, not before (a lower bound only: an
    // upper bound on lag, as this test had, is what a loaded CI machine breaks; 5 ms for the timer's grain)
    expect(firstEventAt).toBeGreaterThanOrEqual(asked + 700 - 5);
  });

  it('an instant already passed: the events of the gap run at once, late by it (lag), from the same simulated start', async () => {
    const o = await runFleet(sc(), { logger: silent, clock, transport: { kind: 'http', sign: false }, ready: async () => Date.now() - 2000 });
    const r = buildResults(o);
    expect(r.scenario.start).toBe(new Date(sc().start).toISOString());
    expect(r.events['policy.requested']).toBe(10);
    // every first request was due within the first 0.25 wall s of a start 2 s ago
    expect(r.clock.lagMs!.p50).toBeGreaterThanOrEqual(1500);
  });
});
