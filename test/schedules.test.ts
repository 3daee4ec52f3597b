// Scan schedule and deployment re-evaluation schedule (client-behaviour.md section 1:
// "Scan schedule: 7 days (min 1 day), start = schedule + random <= 2 h";
// "Deployment re-evaluation: 7 days (min 1 day), +<= 2 h random"; DESIGN.md "Agent loop" 8).
// Nominal times count from when software updates were enabled on the client; the random
// delay is added to each occurrence and does not accumulate.

import { describe, expect, it } from 'vitest';
import { CoreKit, DAY, HOUR, MIN, T0 } from './helpers/kit.js';
import { resolveScenario } from '../harness/scenario/resolve.js';

/** When software updates were enabled on client c: the first policy.received saying so. */
function enabledAt(k: CoreKit, c: number): number {
  return k.of('policy.received', c).find((r) => r.e.softwareUpdatesEnabled)!.t;
}

/** Offsets of each occurrence from its nominal time E + n * interval (n = 1, 2, ...), checking n is consecutive. */
function offsets(times: number[], e: number, interval: number): number[] {
  return times.map((t, i) => t - (e + (i + 1) * interval));
}

describe('scan and re-evaluation schedules', () => {
  it('scan schedule every 1 d over 30 days: each scan within [nominal, nominal + 2 h), nominal = enable time + n days, no drift', () => {
    const clients = 6;
    const k = new CoreKit({ clients, deployments: [], client: { scanSchedule: '1d', reevaluationSchedule: '60d' } });
    k.runUntil(T0 + 30 * DAY + 4 * HOUR);
    const all: number[] = [];
    for (let c = 0; c < clients; c++) {
      const e = enabledAt(k, c);
      expect(e).toBeLessThan(T0 + HOUR);
      const times = k.scans(c).filter((r) => r.e.trigger === 'schedule').map((r) => r.t);
      // nominal E + 1d .. E + 30d all fall before the end; E + 31d does not
      expect(times).toHaveLength(30);
      const off = offsets(times, e, DAY);
      for (const o of off) {
        expect(o).toBeGreaterThanOrEqual(0);
        expect(o).toBeLessThan(2 * HOUR);
      }
      // not cumulative: the 30th scan is still within 2 h of E + 30 d (a cumulative delay would average 30 h late)
      expect(times[29]! - e - 30 * DAY).toBeLessThan(2 * HOUR);
      all.push(...off);
    }
    // random per occurrence: spread over the window
    expect(new Set(all).size).toBeGreaterThan(all.length - 3);
    expect(Math.min(...all)).toBeLessThan(15 * MIN);
    expect(Math.max(...all)).toBeGreaterThan(105 * MIN);
    const mean = all.reduce((a, b) => a + b, 0) / all.length;
    expect(Math.abs(mean - HOUR)).toBeLessThan(15 * MIN);
  });

  it('default 7 d scan schedule over 30 days with several clients: 4 scans at E + 7/14/21/28 d (+ < 2 h)', () => {
    const clients = 8;
    const k = new CoreKit({ clients, deployments: [], client: { reevaluationSchedule: '60d' } });
    k.runUntil(T0 + 30 * DAY);
    for (let c = 0; c < clients; c++) {
      const e = enabledAt(k, c);
      const times = k.scans(c).filter((r) => r.e.trigger === 'schedule').map((r) => r.t);
      expect(times).toHaveLength(4);
      for (const o of offsets(times, e, 7 * DAY)) {
        expect(o).toBeGreaterThanOrEqual(0);
        expect(o).toBeLessThan(2 * HOUR);
      }
      // each 7 days after the last online scan: the TTL has expired, so online
      for (const s of k.scans(c).filter((r) => r.e.trigger === 'schedule')) expect(s.e).toMatchObject({ forced: false, online: true });
      // nothing else scans in this scenario
      expect(k.scans(c).map((r) => r.e.trigger)).toEqual(['firstPolicy', 'schedule', 'schedule', 'schedule', 'schedule']);
    }
  });

  it('deployment re-evaluation every 7 d over 30 days: reevaluation.started and a reevaluation scan at E + n * 7 d (+ < 2 h)', () => {
    const clients = 8;
    const k = new CoreKit({ clients, deployments: [], client: { scanSchedule: '60d' } });
    k.runUntil(T0 + 30 * DAY);
    const all: number[] = [];
    for (let c = 0; c < clients; c++) {
      const e = enabledAt(k, c);
      const times = k.scans(c).filter((r) => r.e.trigger === 'reevaluation').map((r) => r.t);
      expect(times).toHaveLength(4);
      expect(k.of('reevaluation.started', c).map((r) => r.t)).toEqual(times);
      const off = offsets(times, e, 7 * DAY);
      for (const o of off) {
        expect(o).toBeGreaterThanOrEqual(0);
        expect(o).toBeLessThan(2 * HOUR);
      }
      all.push(...off);
    }
    expect(new Set(all).size).toBe(all.length);
    expect(Math.max(...all) - Math.min(...all)).toBeGreaterThan(HOUR);
  });

  it('custom re-evaluation schedule (3 d) honoured, independent of the scan schedule (1 d)', () => {
    const k = new CoreKit({ clients: 4, deployments: [], client: { scanSchedule: '1d', reevaluationSchedule: '3d' } });
    k.runUntil(T0 + 30 * DAY);
    for (let c = 0; c < 4; c++) {
      const e = enabledAt(k, c);
      const re = k.scans(c).filter((r) => r.e.trigger === 'reevaluation').map((r) => r.t);
      const sc = k.scans(c).filter((r) => r.e.trigger === 'schedule').map((r) => r.t);
      // nominal E + 3d .. E + 27d (9); E + 30 d (>= T0 + 30 d) is past the end
      expect(re).toHaveLength(9);
      expect(sc.length).toBeGreaterThanOrEqual(29);
      expect(sc.length).toBeLessThanOrEqual(30);
      // the two schedules can coincide: a scan may wait for the other one to finish (<= 6 min online)
      for (const o of offsets(re, e, 3 * DAY)) {
        expect(o).toBeGreaterThanOrEqual(0);
        expect(o).toBeLessThan(2 * HOUR + 6 * MIN);
      }
      for (const o of offsets(sc, e, DAY)) {
        expect(o).toBeGreaterThanOrEqual(0);
        expect(o).toBeLessThan(2 * HOUR + 6 * MIN);
      }
    }
  });

  it('both schedules at 7 d: in each period the first of the pair goes online, the other (within the TTL) stays offline', () => {
    const clients = 10;
    const k = new CoreKit({ clients, deployments: [] });
    k.runUntil(T0 + 29 * DAY);
    for (let c = 0; c < clients; c++) {
      const e = enabledAt(k, c);
      const scans = k.scans(c).filter((r) => r.e.trigger === 'schedule' || r.e.trigger === 'reevaluation');
      expect(scans).toHaveLength(8);
      for (let n = 1; n <= 4; n++) {
        const nominal = e + n * 7 * DAY;
        const pair = scans.filter((r) => r.t >= nominal && r.t < nominal + 3 * HOUR);
        expect(pair).toHaveLength(2);
        expect(new Set(pair.map((r) => r.e.trigger))).toEqual(new Set(['schedule', 'reevaluation']));
        expect(pair[0]!.e.online).toBe(true);
        expect(pair[1]!.e.online).toBe(false);
        // within 2 h of the nominal time, or right after the first of the pair when it was busy
        for (const s of pair) expect(s.t).toBeLessThan(nominal + 2 * HOUR + 6 * MIN);
      }
    }
  });

  it('schedules count from when software updates were enabled (site enables at 2d), not from the start', () => {
    const clients = 6;
    const k = new CoreKit({ clients, deployments: [], site: { softwareUpdatesEnabledAt: '2d' }, client: { scanSchedule: '3d', reevaluationSchedule: '5d' } });
    k.runUntil(T0 + 20 * DAY);
    for (let c = 0; c < clients; c++) {
      const e = enabledAt(k, c);
      expect(e).toBeGreaterThanOrEqual(T0 + 2 * DAY);
      expect(e).toBeLessThan(T0 + 2 * DAY + HOUR);
      const sc = k.scans(c).filter((r) => r.e.trigger === 'schedule').map((r) => r.t);
      const re = k.scans(c).filter((r) => r.e.trigger === 'reevaluation').map((r) => r.t);
      // E + 3d..E + 15d (5 scans), E + 5d..E + 15d (3 re-evaluations); E + 18 d is past 20 d
      expect(sc).toHaveLength(5);
      expect(re).toHaveLength(3);
      for (const o of [...offsets(sc, e, 3 * DAY), ...offsets(re, e, 5 * DAY)]) {
        expect(o).toBeGreaterThanOrEqual(0);
        expect(o).toBeLessThan(2 * HOUR + 6 * MIN);
      }
    }
  });

  it('custom scheduleRandomDelay bounds the random part (30 m), and 0 makes the schedule exact', () => {
    const a = new CoreKit({ clients: 5, deployments: [], client: { scanSchedule: '1d', reevaluationSchedule: '60d', scheduleRandomDelay: '30m' } });
    a.runUntil(T0 + 10 * DAY + 2 * HOUR);
    const b = new CoreKit({ clients: 5, deployments: [], client: { scanSchedule: '1d', reevaluationSchedule: '60d', scheduleRandomDelay: '0' } });
    b.runUntil(T0 + 10 * DAY + 2 * HOUR);
    for (let c = 0; c < 5; c++) {
      const ta = a.scans(c).filter((r) => r.e.trigger === 'schedule').map((r) => r.t);
      expect(ta).toHaveLength(10);
      for (const o of offsets(ta, enabledAt(a, c), DAY)) {
        expect(o).toBeGreaterThanOrEqual(0);
        expect(o).toBeLessThan(30 * MIN);
      }
      const tb = b.scans(c).filter((r) => r.e.trigger === 'schedule').map((r) => r.t);
      expect(tb).toHaveLength(10);
      expect(offsets(tb, enabledAt(b, c), DAY)).toEqual(new Array(10).fill(0));
    }
  });

  it('a schedule that fires while the client is busy is not lost and does not shift later occurrences', () => {
    // a manual scan every day at the exact second the (delay-free) schedule fires keeps the client busy
    const k = new CoreKit({
      deployments: [],
      model: { startWithin: '0' },
      client: { scanSchedule: '1d', reevaluationSchedule: '60d', scheduleRandomDelay: '0', firstScanWindow: '1m' },
      actions: Array.from({ length: 5 }, (_, i) => ({ kind: 'manualScan', at: `${i + 1}d` })),
    });
    k.runUntil(T0 + 7 * DAY);
    const e = enabledAt(k, 0);
    expect(e).toBe(T0);
    const man = k.scans().filter((r) => r.e.trigger === 'manualScan');
    const sch = k.scans().filter((r) => r.e.trigger === 'schedule');
    expect(man.map((r) => r.t)).toEqual([1, 2, 3, 4, 5].map((n) => T0 + n * DAY));
    expect(sch).toHaveLength(6);
    for (let n = 1; n <= 5; n++) {
      // the schedule ran right after the manual scan completed, offline (the manual scan reset the TTL)
      const done = k.of('scan.completed').find((r) => r.t > T0 + n * DAY)!;
      expect(sch[n - 1]!.t).toBe(done.t);
      expect(sch[n - 1]!.e.online).toBe(false);
    }
    // the 6th occurrence (no manual scan that day) is exactly on its nominal time
    expect(sch[5]!.t).toBe(T0 + 6 * DAY);
  });

  it('the scenario rejects schedules shorter than the client minimum (1 day)', () => {
    expect(() => resolveScenario({ client: { scanSchedule: '23h' } })).toThrow(/scanSchedule/);
    expect(() => resolveScenario({ client: { reevaluationSchedule: '12h' } })).toThrow(/reevaluationSchedule/);
    expect(() => resolveScenario({ client: { scanSchedule: '1d', reevaluationSchedule: '1d' } })).not.toThrow();
  });
});
