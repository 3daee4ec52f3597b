// State-message latency and its three parts: waiting for the reporting cycle
// (queued -> the client sends the report), in flight (sent -> the MP takes it)
// and waiting in the MP backlog (taken -> processed). Each message's parts add
// up to its latency, so the means do too (to the histograms' 3 digits).

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { resolveScenario } from '../harness/scenario/resolve.js';
import { runFleet } from '../harness/run.js';
import { buildResults, type Results } from '../harness/output/results.js';

const silent = pino({ level: 'silent' });

function partsAddUp(r: Results): void {
  const s = r.stateMessages;
  expect(s.latencyMs!.count).toBe(s.ingested);
  for (const p of [s.waitForCycleMs, s.inFlightMs, s.waitInBacklogMs]) expect(p!.count).toBe(s.ingested);
  const sum = s.waitForCycleMs!.mean + s.inFlightMs!.mean + s.waitInBacklogMs!.mean;
  expect(Math.abs(sum - s.latencyMs!.mean)).toBeLessThanOrEqual(s.latencyMs!.mean * 0.002 + 1);
}

describe('state-message latency parts', () => {
  it('in-process: no time in flight; the backlog of a slow MP shows as its own part', async () => {
    const storm = JSON.parse(readFileSync(new URL('../scenarios/patch-tuesday-storm.json', import.meta.url), 'utf8'));
    const r = buildResults(await runFleet(resolveScenario({ ...storm, clients: 200, duration: '5d' }), { logger: silent }));
    expect(r.stateMessages.inFlightMs!.max).toBe(0);
    // the MP processes 50 messages a second: the first-scan storm waits in its backlog
    expect(r.stateMessages.waitInBacklogMs!.max).toBeGreaterThan(10_000);
    // no message waits more than one 15-minute cycle plus the MP outage's retries for its report
    expect(r.stateMessages.waitForCycleMs!.p50).toBeLessThanOrEqual(15 * 60_000);
    partsAddUp(r);
  });

  it('over HTTP in scaled time: the wire time, times the time factor, is the in-flight part (5 s of wall time at x240)', async () => {
    const sc = resolveScenario({ clients: 20, duration: '20m', model: { startWithin: '1m' }, client: { stateMessageCycle: '5m' } });
    const r = buildResults(await runFleet(sc, { logger: silent, clock: { mode: 'scaled', timeFactor: 240, lagBoundMs: 1000 }, transport: { kind: 'http', sign: false } }));
    expect(r.stateMessages.ingested).toBeGreaterThan(50);
    const f = r.stateMessages.inFlightMs;
    // a report takes a wall millisecond or so on loopback: 240 simulated ms or so
    expect(f!.p50).toBeGreaterThan(0);
    // and no more than the wall latency the transport measured for MP reports, times 240 (plus 100 ms of scheduling)
    expect(f!.max).toBeLessThanOrEqual((r.operations['mp Report']!.max + 100) * 240);
    partsAddUp(r);
  });
});
