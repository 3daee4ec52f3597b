// The fleet runner: one scheduler (heap + policy lane), slots ordered by poll
// phase (grouped by time zone and power class first when the scenario has
// them), the same run however the loop is sliced, and scaled time.

import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Fleet } from '../agent/runtime/fleet.js';
import { InProcessTransport } from '../agent/runtime/transport.js';
import type { AgentEvent } from '../agent/core/types.js';
import { StubCore } from '../server-stub/core/index.js';
import { resolveScenario } from '../harness/scenario/resolve.js';
import { runFleet } from '../harness/run.js';
import { buildResults } from '../harness/output/results.js';
import { slotGroup } from '../agent/core/power.js';
import { T_POLICY } from '../agent/core/state.js';

const silent = pino({ level: 'silent' });

function fleetOf(input: Record<string, unknown>) {
  const sc = resolveScenario(input);
  const stub = new StubCore(sc.stub);
  const events: string[] = [];
  const fleet = new Fleet({
    clients: sc.clients,
    ctx: { seed: sc.seed, start: sc.start, catalogue: stub.catalogue, defaultPolicyInterval: sc.settings.policyPollingInterval, model: sc.model, actions: sc.actions },
    applicability: stub.catalogue,
    transport: new InProcessTransport(stub, sc.model.requestTimeout),
    sink: (t: number, c: number, e: AgentEvent) => events.push(`${t} ${c} ${e.ev}`),
    processes: [stub.mp],
  });
  return { sc, fleet, events };
}

describe('fleet runner', () => {
  it('gives the same run however the loop is sliced', () => {
    const input = { clients: 60, duration: '4d', actions: [{ kind: 'restart', at: '1d', within: '3h', fraction: 0.5 }] };
    const one = fleetOf(input);
    expect(one.fleet.runSlice(one.sc.end, 1e9, () => 0)).toBe(true);
    const many = fleetOf(input);
    for (let t = many.sc.start; t < many.sc.end; t += 7 * 60_000 + 13) many.fleet.runSlice(t, 1e9, () => 0);
    many.fleet.runSlice(many.sc.end, 1e9, () => 0);
    expect(many.events.length).toBeGreaterThan(5000);
    expect(many.events).toEqual(one.events);
  });

  it('visits clients in time order, ties by slot, and maps client ids to slots', () => {
    const { fleet, sc, events } = fleetOf({ clients: 40, duration: '3h', client: { softwareUpdatesEnabled: false } });
    fleet.runSlice(sc.end, 1e9, () => 0);
    const times = events.map((l) => Number(l.split(' ')[0]));
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1]!);
    // slots follow the first poll: the records of the first pollers come first
    const firstPollers = events.filter((l) => l.endsWith('policy.requested')).slice(0, 40).map((l) => Number(l.split(' ')[1]));
    expect(fleet.states.slice(0, 40).map((s) => s.idx)).toEqual(firstPollers);
    for (let c = 0; c < 40; c++) expect(fleet.states[fleet.slotOf[c]!]!.idx).toBe(c);
    // three polls per client in three hours: the lane lost none
    expect(events.filter((l) => l.endsWith('policy.requested'))).toHaveLength(120);
  });

  it('with time zones and power schedules, groups slots by (zone, power class), then by poll phase', () => {
    const { fleet, sc } = fleetOf({
      clients: 300, duration: '1d',
      timeZones: [{ zone: 'America/New_York', fraction: 0.5 }, { zone: 'Asia/Tokyo', fraction: 0.5 }],
      power: { workstations: { fraction: 0.5, onAt: '7h', offAt: '18h' }, laptops: { fraction: 0.3, onAt: '8h', offAt: '17h' } },
    });
    const ctx = { seed: sc.seed, model: sc.model };
    const groups = fleet.states.map((s) => slotGroup(ctx, s.idx));
    // both zones and all three classes occur, in six contiguous runs of slots
    expect(new Set(groups).size).toBe(6);
    for (let k = 1; k < groups.length; k++) expect(groups[k]).toBeGreaterThanOrEqual(groups[k - 1]!);
    expect(groups[0]).toBe(3); // zone 0 (New York), always on
    // within a group, by first poll (the fleet's T_POLICY before any wake)
    const polls = fleet.states.map((s) => s.tm[s.tb + T_POLICY]!);
    for (let k = 1; k < polls.length; k++) if (groups[k] === groups[k - 1]) expect(polls[k]).toBeGreaterThanOrEqual(polls[k - 1]!);
    // without zones and power schedules every client is in group 0: the order is the poll phase alone
    const plain = fleetOf({ clients: 50, duration: '1d' });
    expect(plain.fleet.states.every((s) => slotGroup({ seed: plain.sc.seed, model: plain.sc.model }, s.idx) === 0)).toBe(true);
  });

  it('scaled time runs the same events as virtual time, and records its lag', async () => {
    const sc = resolveScenario({ clients: 30, duration: '6h' });
    const virtual = buildResults(await runFleet(sc, { logger: silent }));
    const t0 = performance.now();
    const scaled = buildResults(await runFleet(sc, { logger: silent, clock: { mode: 'scaled', timeFactor: 36_000, lagBoundMs: 1000 } }));
    const wall = performance.now() - t0;
    // 6 simulated hours at x36,000 last 600 ms of wall time
    expect(wall).toBeGreaterThanOrEqual(550);
    expect(scaled.events).toEqual(virtual.events);
    expect(scaled.stateMessages.ingested).toBe(virtual.stateMessages.ingested);
    expect(scaled.mode).toBe('scaled');
    expect(scaled.clock.lagMs!.count).toBeGreaterThan(100);
    expect(scaled.valid).toBe(true);
  });

  it('a scaled run that cannot keep up is marked invalid, with the reason', async () => {
    // 500 clients, not 10,000 (nor the 2,000 of before): 2 simulated days at x4,000,000 are due within
    // 43 ms of wall time, and 500 clients still take about a second to run them, far behind the 5 ms
    // bound (the size is not the point)
    const sc = resolveScenario({ clients: 500, duration: '2d' });
    const r = buildResults(await runFleet(sc, { logger: silent, clock: { mode: 'scaled', timeFactor: 4_000_000, lagBoundMs: 5 } }));
    expect(r.valid).toBe(false);
    expect(r.clock.invalidReason).toMatch(/lag p99 \d+ ms exceeds the bound of 5 ms/);
    expect(r.clock.lagMs!.p99).toBeGreaterThan(5);
  });

  it('a scaled run whose event loop is saturated is invalid even when its scheduler lag is within bounds', async () => {
    // 2 simulated days due within 43 ms of wall time: the loop never waits (the lag bound is set out of reach);
    // 2,000 clients keep it busy for seconds, as 10,000 did for longer
    const sc = resolveScenario({ clients: 2_000, duration: '2d' });
    const r = buildResults(await runFleet(sc, { logger: silent, clock: { mode: 'scaled', timeFactor: 4_000_000, lagBoundMs: 3_600_000, eluBound: 0.9 } }));
    expect(r.clock.lagMs!.p99).toBeLessThanOrEqual(3_600_000);
    expect(r.wall.eventLoopUtilization.max5s).toBeGreaterThan(0.9);
    expect(r.clock.eluMax5s).toBe(r.wall.eventLoopUtilization.max5s);
    expect(r.valid).toBe(false);
    expect(r.clock.invalidReason).toMatch(/the event loop was busy \d+\.\d% of its busiest 5 s \(bound 90\.0%\)/);
    // a light one is not: 30 clients, mostly waiting
    const light = buildResults(await runFleet(resolveScenario({ clients: 30, duration: '6h' }), { logger: silent, clock: { mode: 'scaled', timeFactor: 36_000, lagBoundMs: 1000, eluBound: 0.9 } }));
    expect(light.wall.eventLoopUtilization.max5s).toBeLessThan(0.9);
    expect(light.valid).toBe(true);
  });
});
