// Machines off and on (issue 11 item 5, agent/core/power.ts): power schedules
// from stateless hashes, silence while off, missed timers firing at power-on
// (the morning boot storm), deadlines missed while off enforced after the
// grace period, machines that never return. Simulated clock (CoreKit).

import { describe, expect, it } from 'vitest';
import { CoreKit, DAY, HOUR, MIN, T0 } from './helpers/kit.js';
import { isOnAt, nextPowerChange, powerClass } from '../agent/core/power.js';

// T0 (2026-01-05) is a Monday
const WS = { workstations: { fraction: 1, onAt: '7h', offAt: '18h', spread: '1h', weekendsOff: true } };

/** on/off intervals of client 0 from its power events */
function offIntervals(k: CoreKit, client = 0): [number, number][] {
  const out: [number, number][] = [];
  let from = -1;
  for (const r of k.events) {
    if (r.client !== client) continue;
    if (r.e.ev === 'power.off') from = r.t;
    if (r.e.ev === 'power.on') {
      out.push([from, r.t]);
      from = -1;
    }
  }
  if (from >= 0) out.push([from, Infinity]);
  return out;
}

describe('power schedule (pure)', () => {
  it('a workstation is on in working hours of weekdays only, with the per-day spread', () => {
    const k = new CoreKit({ power: WS });
    const pm = k.sc.model.power!;
    expect(powerClass(pm, k.sc.seed, 0)).toBe(1);
    for (let day = 0; day < 14; day++) {
      const weekend = day % 7 === 5 || day % 7 === 6;
      const base = T0 + day * DAY;
      expect(isOnAt(pm, k.sc.seed, 0, base + 3 * HOUR)).toBe(false);
      expect(isOnAt(pm, k.sc.seed, 0, base + 12 * HOUR)).toBe(!weekend);
      expect(isOnAt(pm, k.sc.seed, 0, base + 20 * HOUR)).toBe(false);
      // the on-time lies in [7h, 8h): on at 8h, off before 7h
      expect(isOnAt(pm, k.sc.seed, 0, base + 8 * HOUR)).toBe(!weekend);
      expect(isOnAt(pm, k.sc.seed, 0, base + 7 * HOUR - 1)).toBe(false);
    }
  });

  it('nextPowerChange lands exactly on a flip', () => {
    const k = new CoreKit({ clients: 5, power: { ...WS, laptops: { fraction: 0, awayEvery: '7d', awayMin: '1d', awayMax: '3d' } } });
    const pm = k.sc.model.power!;
    for (let c = 0; c < 5; c++) {
      let t = T0;
      for (let i = 0; i < 20; i++) {
        const n = nextPowerChange(pm, k.sc.seed, c, t);
        expect(n).toBeGreaterThan(t);
        expect(isOnAt(pm, k.sc.seed, c, n)).not.toBe(isOnAt(pm, k.sc.seed, c, n - 1));
        expect(isOnAt(pm, k.sc.seed, c, n - 1)).toBe(isOnAt(pm, k.sc.seed, c, t));
        t = n;
      }
    }
  });

  it('a laptop is away for awayMin..awayMax days once per awayEvery', () => {
    const k = new CoreKit({ power: { laptops: { fraction: 1, onAt: '0', offAt: '23h', spread: '0', weekendsOff: false, awayEvery: '10d', awayMin: '2d', awayMax: '4d' } } });
    const pm = k.sc.model.power!;
    let awayDays = 0;
    for (let h = 0; h < 10 * 24; h++) if (!isOnAt(pm, k.sc.seed, 0, T0 + h * HOUR + 30 * MIN) && h % 24 < 23) awayDays++;
    expect(awayDays / 23).toBeGreaterThanOrEqual(2 - 1);
    expect(awayDays / 23).toBeLessThanOrEqual(4 + 1);
  });

  it('the schedule depends on seed and client only (stateless draws)', () => {
    const a = new CoreKit({ clients: 3, power: WS });
    const b = new CoreKit({ clients: 3, power: WS, deployments: [] });
    const pm = a.sc.model.power!;
    for (let h = 0; h < 72; h++) for (let c = 0; c < 3; c++) expect(isOnAt(pm, 1, c, T0 + h * HOUR)).toBe(isOnAt(b.sc.model.power!, 1, c, T0 + h * HOUR));
  });
});

describe('a client that is off', () => {
  it('does nothing but power events while off, and polls, scans and reports again at power-on', () => {
    const k = new CoreKit({ clients: 3, power: WS, deployments: [] });
    k.runFor(7 * DAY);
    for (let c = 0; c < 3; c++) {
      const offs = offIntervals(k, c);
      expect(offs.length).toBeGreaterThanOrEqual(5);
      for (const [from, to] of offs) {
        const inside = k.events.filter((r) => r.client === c && r.t > from && r.t < to);
        expect(inside.map((r) => r.e.ev)).toEqual([]);
        const at = k.events.filter((r) => r.client === c && (r.t === from || r.t === to)).map((r) => r.e.ev);
        expect(at).toContain(from === -1 ? 'power.on' : 'power.off');
      }
      // nothing is requested while off
      for (const [from, to] of offs) expect(k.requests.filter((q) => q.client === c && q.t > from && q.t < to)).toEqual([]);
    }
  });

  it('the boot storm: a poll past due while off is made at power-on', () => {
    const k = new CoreKit({ power: WS, deployments: [] });
    k.runFor(3 * DAY);
    const ons = k.of('power.on');
    expect(ons.length).toBeGreaterThanOrEqual(2);
    for (const on of ons.filter((o) => o.e.offFor > HOUR)) {
      expect(k.of('policy.requested').some((p) => p.t === on.t)).toBe(true);
    }
  });

  it('reports the scan it missed while off once, at power-on, not once per missed cycle', () => {
    // first scan before the weekend, then off from Friday evening to Monday: a daily schedule is missed twice
    const k = new CoreKit({ power: WS, deployments: [], client: { scanSchedule: '1d' } });
    k.runFor(10 * DAY);
    const sched = k.scans().filter((r) => r.e.trigger === 'schedule');
    for (let i = 1; i < sched.length; i++) expect(sched[i]!.t - sched[i - 1]!.t).toBeGreaterThan(HOUR);
    // a scheduled scan on the Monday after the weekend, right at power-on
    const monday = T0 + 7 * DAY;
    const on = k.of('power.on').find((o) => o.t > monday && o.t < monday + DAY)!;
    expect(sched.some((r) => r.t === on.t)).toBe(true);
  });

  it('a machine that never returns goes silent for good', () => {
    const k = new CoreKit({ clients: 4, power: { neverReturn: { fraction: 1, within: '2d' } }, deployments: [] });
    k.runFor(6 * DAY);
    for (let c = 0; c < 4; c++) {
      const off = k.of('power.off', c);
      expect(off).toHaveLength(1);
      expect(k.of('power.on', c)).toHaveLength(0);
      expect(off[0]!.t).toBeLessThan(T0 + 2 * DAY);
      expect(k.events.filter((r) => r.client === c && r.t > off[0]!.t)).toEqual([]);
    }
  });
});

describe('deadline while off and the grace period', () => {
  // the deadline falls on Saturday noon, when every workstation is off
  const dep = { name: 'd', updates: { newest: 10 }, available: '1d', deadline: '5d12h' };

  it('grace period 0: the deadline is enforced at power-on', () => {
    const k = new CoreKit({ clients: 3, power: WS, deployments: [dep] });
    k.runFor(9 * DAY);
    for (let c = 0; c < 3; c++) {
      const dl = k.of('deployment.deadline', c);
      expect(dl).toHaveLength(1);
      const on = k.of('power.on', c).find((o) => o.t >= T0 + 5 * DAY + 12 * HOUR)!;
      expect(dl[0]!.t).toBe(on.t);
    }
  });

  it('grace period 4h: enforced 4 h after power-on', () => {
    const k = new CoreKit({ clients: 3, power: WS, deployments: [dep], client: { gracePeriod: '4h' } });
    k.runFor(9 * DAY);
    for (let c = 0; c < 3; c++) {
      const dl = k.of('deployment.deadline', c);
      expect(dl).toHaveLength(1);
      const on = k.of('power.on', c).find((o) => o.t >= T0 + 5 * DAY + 12 * HOUR)!;
      expect(on.e.graced).toBe(1);
      expect(dl[0]!.t).toBe(on.t + 4 * HOUR);
      expect(k.of('install.started', c).every((r) => r.t >= on.t + 4 * HOUR)).toBe(true);
    }
  });

  it('refuses a grace period over 120 h', () => {
    expect(() => new CoreKit({ client: { gracePeriod: '121h' } })).toThrow(/client\.gracePeriod/);
  });
});
