// Business hours and users (Software Center; issue 11 item 2): clients whose
// user chose "install required software only outside my business hours"
// install before the deadline at the first moment outside them (their local
// time); users install available and optional deployments after a delay
// drawn from an exponential distribution; user restarts are traced as such.

import { describe, expect, it } from 'vitest';
import { CoreKit, DAY, HOUR, T0 } from './helpers/kit.js';
import { offsetAt, zoneIndexOf } from '../agent/core/localtime.js';

// T0 is Monday 2026-01-05 00:00 UTC
const required = { name: 'R', updates: { newest: 10 }, created: '1d', available: '1d8h', deadline: '4d' };
const catalogue = { installedFraction: 0, restartFraction: 0 };

/** Whether t is inside the default business hours (05:00-22:00 Monday to Friday) of the client's local time. */
function inBusinessHours(k: CoreKit, client: number, t: number): boolean {
  const z = zoneIndexOf(k.ctx, client);
  const local = z < 0 ? t : t + offsetAt(k.ctx.model.local!.zones[z]!, t);
  const d = new Date(local);
  const h = d.getUTCHours() + d.getUTCMinutes() / 60;
  return d.getUTCDay() >= 1 && d.getUTCDay() <= 5 && h >= 5 && h < 22;
}

describe('business hours', () => {
  it('opted-in clients install a required deployment before its deadline, outside their business hours', () => {
    const k = new CoreKit({
      clients: 10, catalogue, deployments: [required],
      timeZones: [{ zone: 'America/New_York', fraction: 0.5 }, { zone: 'Europe/Paris', fraction: 0.5 }],
      users: { outsideBusinessHoursFraction: 1 },
    });
    k.runFor(5 * DAY);
    const installs = k.of('install.started');
    expect(installs).toHaveLength(10);
    for (const r of installs) {
      expect(r.t).toBeLessThan(T0 + 4 * DAY);
      expect(inBusinessHours(k, r.client, r.t)).toBe(false);
    }
    // the install job starts at the first moment outside business hours from the available time:
    // the available time itself when it is outside them, else the end of that day's business hours
    for (let c = 0; c < 10; c++) {
      const avail = k.of('deployment.available', c)[0]!.t;
      const start = k.scans(c).find((r) => r.e.trigger === 'beforeInstall')!.t;
      expect(start === avail || (inBusinessHours(k, c, start - 60_000) && start > avail)).toBe(true);
    }
    // New York's 22:00 and Paris's 22:00 are different instants: both zones took part
    expect(new Set(installs.map((r) => zoneIndexOf(k.ctx, r.client))).size).toBe(2);
  });

  it('the business hours are the scenario\'s; clients that did not opt in install at the deadline', () => {
    const k = new CoreKit({ clients: 8, catalogue, deployments: [required], users: { outsideBusinessHoursFraction: 0.5, businessHours: { from: '07:00', to: '19:00' } } });
    k.runFor(5 * DAY);
    const installs = k.of('install.started');
    expect(installs).toHaveLength(8);
    const early = installs.filter((r) => r.t < T0 + 4 * DAY);
    const atDeadline = installs.filter((r) => r.t >= T0 + 4 * DAY);
    expect(early.length).toBeGreaterThan(0);
    expect(atDeadline.length).toBeGreaterThan(0);
    // Tuesday 19:00 UTC: the first moment outside 07:00-19:00 after the content was downloaded
    for (const r of early) expect(r.t).toBeGreaterThanOrEqual(T0 + DAY + 19 * HOUR);
    for (const r of early) expect(r.t).toBeLessThan(T0 + DAY + 20 * HOUR);
  });
});

describe('users of Software Center', () => {
  it('install an optional deployment after an exponentially distributed delay, a share of them', () => {
    const n = 60;
    const k = new CoreKit({
      clients: n, catalogue,
      deployments: [{ name: 'Optional', updates: { newest: 10 }, created: '1d', available: '1d', deadline: null, userInstallFraction: 0.5 }],
      users: { installDelayMean: '12h' },
    });
    k.runFor(9 * DAY);
    const installs = k.of('install.started');
    expect(installs.length).toBeGreaterThan(n * 0.3);
    expect(installs.length).toBeLessThan(n * 0.7);
    const delays = installs.map((r) => r.t - (T0 + DAY)).sort((a, b) => a - b);
    expect(delays[0]!).toBeGreaterThanOrEqual(0);
    // exponential with mean 12 h: the median is 12 h x ln 2 (8.3 h); allow for a small sample
    const median = delays[delays.length >> 1]!;
    expect(median).toBeGreaterThan(2 * HOUR);
    expect(median).toBeLessThan(20 * HOUR);
    // no deadline: never a deployment.deadline
    expect(k.of('deployment.deadline')).toEqual([]);
  });

  it('a user restart is traced as the user\'s, a required restart as not', () => {
    const k = new CoreKit({
      clients: 4, catalogue: { installedFraction: 0, restartFraction: 1 },
      deployments: [{ name: 'R', updates: { newest: 10 }, created: '1d', available: '1d', deadline: '2d' }],
      actions: [{ kind: 'restart', at: '4d' }],
    });
    k.runFor(5 * DAY);
    const r = k.of('restart.started');
    expect(r.filter((x) => x.e.user).map((x) => x.t)).toEqual(Array(4).fill(T0 + 4 * DAY));
    expect(r.filter((x) => !x.e.user).length).toBe(4);
  });
});
