// Power schedules in each client's local time (agent/core/power.ts with the
// zone tables of localtime.ts): a workstation in America/New_York that is off
// 22:00-06:00 New York time is off at those wall-clock hours on both sides of
// the spring-forward change of 8 March 2026, so in UTC its on-time moves an
// hour earlier; weekends are New York's; nextPowerChange lands exactly on
// every flip, also when an on-time falls in the skipped or the repeated hour.
// Expected instants come from the zone offsets that Intl gives for New York
// (not from our tables). Simulated clock (CoreKit).

import { describe, expect, it } from 'vitest';
import { CoreKit, DAY, HOUR, MIN } from './helpers/kit.js';
import { isOnAt, nextPowerChange } from '../agent/core/power.js';
import { zoneOf } from '../agent/core/localtime.js';

const NY = 'America/New_York';
const fmt = new Intl.DateTimeFormat('en-US', { timeZone: NY, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
/** New York's offset (local - UTC, ms) at a UTC instant, from Intl. */
function nyOffset(utc: number): number {
  const p = Object.fromEntries(fmt.formatToParts(new Date(utc)).map((x) => [x.type, x.value]));
  return Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!) - utc;
}
/** The UTC instant of a New York wall time (not in a gap or overlap). */
function nyInstant(y: number, mo: number, d: number, h: number, mi = 0): number {
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  const guess = wall - nyOffset(wall);
  return wall - nyOffset(guess);
}

const WS = (over: Record<string, unknown> = {}) => ({ workstations: { fraction: 1, onAt: '6h', offAt: '22h', spread: '0', weekendsOff: false, ...over } });

function nyKit(power: Record<string, unknown>, start = '2026-03-05T00:00:00Z', duration = '7d'): CoreKit {
  return new CoreKit({ start, duration, timeZones: [{ zone: NY, fraction: 1 }], power, deployments: [] });
}

describe('power schedules in the client\'s local time', () => {
  it('off 22:00-06:00 New York time on both sides of the spring-forward change', () => {
    // EST before 8 March 2026, EDT after: the same wall hours are an hour apart in UTC
    expect(nyOffset(Date.UTC(2026, 2, 6, 12))).toBe(-5 * HOUR);
    expect(nyOffset(Date.UTC(2026, 2, 10, 12))).toBe(-4 * HOUR);
    const k = nyKit(WS());
    k.runFor(7 * DAY);
    const on = k.of('power.on').map((r) => r.t);
    const off = k.of('power.off').map((r) => r.t);
    const wantOn: number[] = [];
    const wantOff: number[] = [];
    for (let d = 5; d <= 11; d++) {
      wantOn.push(nyInstant(2026, 3, d, 6));
      wantOff.push(nyInstant(2026, 3, d, 22));
    }
    // the run starts at 00:00Z = 19:00 New York on the 4th: on until 22:00 that evening
    wantOff.unshift(nyInstant(2026, 3, 4, 22));
    const end = k.sc.start + 7 * DAY;
    expect(on).toEqual(wantOn.filter((t) => t < end));
    expect(off).toEqual(wantOff.filter((t) => t < end));
    // 06:00 local is 11:00Z in EST and 10:00Z in EDT
    expect(new Date(on[0]!).toISOString()).toBe('2026-03-05T11:00:00.000Z');
    expect(new Date(on[on.length - 1]!).toISOString()).toBe('2026-03-11T10:00:00.000Z');
    // nothing of the client but power events while off
    for (let i = 0; i < off.length; i++) {
      const from = off[i]!;
      const to = on.find((t) => t > from) ?? Infinity;
      expect(k.events.filter((r) => r.t > from && r.t < to && r.e.ev !== 'power.on')).toEqual([]);
    }
  });

  it('weekends are New York\'s: Friday 20:00 local (Saturday 01:00Z) is on, Saturday noon local is off', () => {
    const k = nyKit(WS({ weekendsOff: true }));
    const pm = k.sc.model.power!;
    const z = zoneOf(k.ctx, 0);
    expect(z!.name).toBe(NY);
    const fri20 = nyInstant(2026, 3, 6, 20);
    expect(new Date(fri20).getUTCDay()).toBe(6); // a Saturday in UTC
    expect(isOnAt(pm, k.sc.seed, 0, fri20, z)).toBe(true);
    expect(isOnAt(pm, k.sc.seed, 0, fri20)).toBe(false); // as a UTC schedule would have it
    expect(isOnAt(pm, k.sc.seed, 0, nyInstant(2026, 3, 7, 12), z)).toBe(false);
    expect(isOnAt(pm, k.sc.seed, 0, nyInstant(2026, 3, 9, 12), z)).toBe(true);
  });

  it('nextPowerChange finds every flip, minute by minute, across the spring and autumn changes, on-times in the skipped and repeated hours included', () => {
    const cases = [
      // spring forward, 8 March 2026 02:00 EST -> 03:00 EDT: 02:30 does not exist that night
      { start: '2026-03-06T00:00:00Z', onAt: '2h30m', offAt: '22h' },
      { start: '2026-03-06T00:00:00Z', onAt: '6h', offAt: '22h' },
      // fall back, 1 November 2026 02:00 EDT -> 01:00 EST: 01:30 happens twice
      { start: '2026-10-30T00:00:00Z', onAt: '1h30m', offAt: '22h' },
      { start: '2026-10-30T00:00:00Z', onAt: '6h', offAt: '22h' },
    ];
    for (const c of cases) {
      const k = nyKit(WS({ onAt: c.onAt, offAt: c.offAt }), c.start, '5d');
      const pm = k.sc.model.power!;
      const z = zoneOf(k.ctx, 0);
      const from = k.sc.start;
      const to = from + 4 * DAY;
      const flips: number[] = [];
      for (let t = from; t < to; ) {
        const n = nextPowerChange(pm, k.sc.seed, 0, t, z);
        expect(n, c.onAt).toBeGreaterThan(t);
        if (n >= to) break;
        expect(isOnAt(pm, k.sc.seed, 0, n, z)).not.toBe(isOnAt(pm, k.sc.seed, 0, n - 1, z));
        flips.push(n);
        t = n;
      }
      // no flip missed: every minute's state follows from the flips found
      let state = isOnAt(pm, k.sc.seed, 0, from, z);
      let f = 0;
      for (let t = from; t < to; t += MIN) {
        while (f < flips.length && flips[f]! <= t) {
          state = !state;
          f++;
        }
        expect(isOnAt(pm, k.sc.seed, 0, t, z), `${c.onAt} at ${new Date(t).toISOString()}`).toBe(state);
      }
      expect(flips.length).toBeGreaterThanOrEqual(7);
    }
  });

  it('the on-time in the skipped hour: on at the jump itself (07:00Z = 03:00 EDT)', () => {
    const k = nyKit(WS({ onAt: '2h30m' }), '2026-03-06T00:00:00Z', '5d');
    const pm = k.sc.model.power!;
    const z = zoneOf(k.ctx, 0);
    const jump = Date.UTC(2026, 2, 8, 7);
    expect(nyOffset(jump - 1000)).toBe(-5 * HOUR);
    expect(nyOffset(jump)).toBe(-4 * HOUR);
    expect(nextPowerChange(pm, k.sc.seed, 0, nyInstant(2026, 3, 7, 23), z)).toBe(jump);
  });
});
