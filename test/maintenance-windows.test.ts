// Maintenance windows (client-behaviour.md section 1, use-maintenance-windows):
// required installs and restarts wait for a window of the client's
// collections; an install starts only if its maximum run time fits the time
// left, shortest maximum run time first, and runs past the window's end once
// started; deployments may allow installs or restarts outside windows;
// software-update windows take precedence and overlapping windows merge.

import { describe, expect, it } from 'vitest';
import { CoreKit, DAY, HOUR, MIN, T0 } from './helpers/kit.js';
import { CI_ENFORCE, ENFORCE, TOPIC } from '../agent/core/constants.js';
import { buildLocalModel, occurrences } from '../harness/scenario/localtime.js';
import { windowStartFor } from '../agent/core/windows.js';

// T0 is Monday 2026-01-05 00:00 UTC; the deadline (3d) is Thursday 00:00 UTC
const dep = (over: Record<string, unknown> = {}) => ({ name: 'D', updates: { newest: 10 }, created: '1d', available: '1d', deadline: '3d', ...over });
const evening = { start: '2026-01-05T20:00', duration: '3h', recurrence: 'daily' };
const base = (over: Record<string, unknown> = {}) => ({
  clients: 6,
  catalogue: { installedFraction: 0, restartFraction: 0 },
  collections: [{ name: 'Evenings', fraction: 1, maintenanceWindows: [evening] }],
  deployments: [dep()],
  ...over,
});
const at = (iso: string) => Date.parse(iso);

/** Whether [t, t + need] starts inside one of the daily 20:00-23:00 UTC windows. */
function inEvening(t: number, need = 0): boolean {
  const day = Math.floor(t / DAY) * DAY;
  return t >= day + 20 * HOUR && t + need <= day + 23 * HOUR;
}

describe('maintenance windows', () => {
  it('an install due outside a window waits for the next one: 301 state 10, 402 state 4, install.waitingForWindow', () => {
    const k = new CoreKit(base());
    k.runFor(5 * DAY);
    const waits = k.of('install.waitingForWindow');
    expect(waits.length).toBe(6);
    for (const w of waits) {
      expect(w.t).toBeGreaterThanOrEqual(T0 + 3 * DAY);
      expect(w.e.until).toBe(at('2026-01-08T20:00:00Z'));
      const q = k.of('state.queued', w.client).filter((r) => r.t === w.t);
      expect(q.some((r) => r.e.topicType === TOPIC.ASSIGNMENT_ENFORCEMENT && r.e.stateId === ENFORCE.WAITING_MW)).toBe(true);
      expect(q.some((r) => r.e.topicType === TOPIC.CI_ENFORCEMENT && r.e.stateId === CI_ENFORCE.WAITING_MW)).toBe(true);
    }
    const installs = k.of('install.started');
    expect(installs.length).toBe(6);
    for (const r of installs) {
      expect(r.t).toBeGreaterThanOrEqual(at('2026-01-08T20:00:00Z'));
      expect(inEvening(r.t, 60 * MIN)).toBe(true);
    }
  });

  it('no window, or a deployment that allows installs outside windows: installs at the deadline', () => {
    for (const k of [new CoreKit(base({ collections: [] })), new CoreKit(base({ deployments: [dep({ overrideServiceWindows: true })] }))]) {
      k.runFor(4 * DAY);
      expect(k.of('install.waitingForWindow')).toEqual([]);
      const installs = k.of('install.started');
      expect(installs.length).toBe(6);
      for (const r of installs) expect(r.t).toBeLessThan(T0 + 3 * DAY + HOUR);
    }
  });

  it('a window too short for the maximum run time is skipped; a longer one is taken', () => {
    const k = new CoreKit(base({
      collections: [{ name: 'C', fraction: 1, maintenanceWindows: [evening, { start: '2026-01-10T08:00', duration: '6h', recurrence: 'weekly' }] }],
      deployments: [dep({ maxRunTime: '4h' })],
    }));
    k.runFor(7 * DAY);
    for (const w of k.of('install.waitingForWindow')) expect(w.e.until).toBe(at('2026-01-10T08:00:00Z'));
    const installs = k.of('install.started');
    expect(installs.length).toBe(6);
    for (const r of installs) {
      expect(r.t).toBeGreaterThanOrEqual(at('2026-01-10T08:00:00Z'));
      expect(r.t + 4 * HOUR).toBeLessThanOrEqual(at('2026-01-10T14:00:00Z'));
    }
  });

  it('of installs that can start, the shortest maximum run time goes first', () => {
    const k = new CoreKit(base({
      clients: 4,
      deployments: [dep({ name: 'Long', updates: { newest: 10 }, maxRunTime: '120m' }), dep({ name: 'Short', updates: { newest: 20 }, maxRunTime: '30m' })],
    }));
    k.runFor(5 * DAY);
    const [long, short] = k.stub.mp.deployments.map((d) => d.id);
    for (let c = 0; c < 4; c++) {
      const order = k.of('install.started', c).map((r) => r.e.deployment);
      expect(order.length).toBeGreaterThanOrEqual(1);
      expect(order[0]).toBe(short);
      if (order.length > 1) expect(order[1]).toBe(long);
    }
  });

  it('an install started in a window runs past its end', () => {
    const k = new CoreKit(base({
      model: { installPerUpdate: '30m' },
      collections: [{ name: 'C', fraction: 1, maintenanceWindows: [{ start: '2026-01-05T20:00', duration: '65m', recurrence: 'daily' }] }],
    }));
    k.runFor(5 * DAY);
    const done = k.of('install.completed');
    expect(done.length).toBe(6);
    // several updates at 30 min each end well after 21:05
    expect(done.some((r) => r.t > at('2026-01-08T21:05:00Z'))).toBe(true);
    for (const r of k.of('install.started')) expect(r.t).toBeLessThanOrEqual(at('2026-01-08T20:05:00Z'));
  });

  it('a required restart outside a window waits for the next one; rebootOutsideOfServiceWindows and user restarts do not', () => {
    const over = { client: { restartCountdown: '4h' }, catalogue: { installedFraction: 0, restartFraction: 1 } };
    const k = new CoreKit(base(over));
    k.runFor(6 * DAY);
    const held = k.of('restart.waitingForWindow');
    expect(held.length).toBe(6);
    for (const h of held) expect(h.e.until).toBe(at('2026-01-09T20:00:00Z'));
    const started = k.of('restart.started');
    expect(started.length).toBe(6);
    for (const r of started) {
      expect(r.e.user).toBe(false);
      expect(inEvening(r.t)).toBe(true);
    }

    const free = new CoreKit(base({ ...over, deployments: [dep({ rebootOutsideOfServiceWindows: true })] }));
    free.runFor(6 * DAY);
    expect(free.of('restart.waitingForWindow')).toEqual([]);
    for (const r of free.of('restart.started')) expect(inEvening(r.t)).toBe(false);

    const user = new CoreKit(base({ actions: [{ kind: 'restart', at: '2d6h' }] }));
    user.runFor(3 * DAY);
    const u = user.of('restart.started');
    expect(u.length).toBe(6);
    for (const r of u) {
      expect(r.e.user).toBe(true);
      expect(r.t).toBe(T0 + 2 * DAY + 6 * HOUR);
    }
  });

  it('software-update windows take precedence over All-deployment windows, and overlapping windows merge', () => {
    const start = T0;
    const w = (h: number, dur: number, type: 'all' | 'softwareUpdates') => ({ start: start + h * HOUR, duration: dur * HOUR, recurrence: 'none' as const, type, localTime: false });
    const m = buildLocalModel([], [
      { name: 'A', fraction: 1, windows: [w(1, 2, 'all')] },
      { name: 'B', fraction: 1, windows: [w(10, 2, 'softwareUpdates'), w(11, 3, 'softwareUpdates'), w(14, 1, 'softwareUpdates')] },
    ], start, start + DAY)!;
    expect([...m.windows(0b01, 0)]).toEqual([start + 1 * HOUR, start + 3 * HOUR]);
    // B's three windows merge (touching at 14:00 too); A's All window no longer counts
    expect([...m.windows(0b11, 0)]).toEqual([start + 10 * HOUR, start + 15 * HOUR]);
    const sched = m.windows(0b11, 0);
    expect(windowStartFor(sched, start, 4 * HOUR)).toBe(start + 10 * HOUR);
    expect(windowStartFor(sched, start + 12 * HOUR, 4 * HOUR)).toBe(Infinity);
    expect(windowStartFor(sched, start + 12 * HOUR, 3 * HOUR)).toBe(start + 12 * HOUR);
  });

  it('monthly by week day: second Tuesday + 2 days, and the last Friday', () => {
    const o = occurrences({ start: at('2026-01-01T01:00:00Z'), duration: HOUR, recurrence: { monthly: { week: 2, day: 'tuesday', offsetDays: 2 } }, type: 'all', localTime: false }, at('2026-04-01T00:00:00Z'));
    // second Tuesdays: Jan 13, Feb 10, Mar 10 (2026); +2 days
    expect(o.map((t) => new Date(t).toISOString())).toEqual(['2026-01-15T01:00:00.000Z', '2026-02-12T01:00:00.000Z', '2026-03-12T01:00:00.000Z']);
    const last = occurrences({ start: at('2026-01-01T22:00:00Z'), duration: HOUR, recurrence: { monthly: { week: 'last', day: 'friday' } }, type: 'all', localTime: false }, at('2026-03-01T00:00:00Z'));
    expect(last.map((t) => new Date(t).toISOString())).toEqual(['2026-01-30T22:00:00.000Z', '2026-02-27T22:00:00.000Z']);
  });

  it('the scenario refuses windows outside 5 minutes to under 24 hours', async () => {
    const { resolveScenario } = await import('../harness/scenario/resolve.js');
    expect(() => resolveScenario(base({ collections: [{ name: 'C', fraction: 1, maintenanceWindows: [{ ...evening, duration: '24h' }] }] }))).toThrow(/maintenanceWindows\[0\]\.duration/);
    expect(() => resolveScenario(base({ collections: [{ name: 'C', fraction: 1, maintenanceWindows: [{ ...evening, duration: '4m' }] }] }))).toThrow(/5 minutes/);
  });
});
