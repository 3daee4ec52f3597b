// Restart notifications, what users do with them (agent/core/restart.ts):
// users.snoozeFraction of the clients snooze every reminder, each snooze lasting
// until the next reminder (restartReminderInterval) and never past the start of
// the final countdown, which nobody can close; snoozing never moves the forced
// restart. users.restartNowFraction restart from the first reminder, before the
// forced restart: a user restart (restart.started user: true), not held by
// maintenance windows. Which user a client has is a stateless draw of (seed,
// client). Simulated clock (CoreKit).

import { describe, expect, it } from 'vitest';
import { CoreKit, DAY, HOUR, MIN } from './helpers/kit.js';
import { restartUser } from '../agent/core/restart.js';

const dep = { name: 'D', updates: { newest: 10 }, created: '1d', available: '1d', deadline: '3d' };
const CAT = { installedFraction: 0, restartFraction: 1 };
const ON = { restartNotifications: true, restartCountdown: '12h', restartReminderInterval: '4h', restartFinalCountdown: '30m' };

function run(clients: number, users: Record<string, unknown>, extra: Record<string, unknown> = {}): CoreKit {
  const k = new CoreKit({ clients, client: ON, users, catalogue: CAT, deployments: [dep], ...extra });
  k.runFor(5 * DAY);
  return k;
}

describe('restart notifications: snooze and restart now', () => {
  it('a snoozing user snoozes every reminder until the next one, the last one until the countdown; the restart does not move', () => {
    const k = run(1, { snoozeFraction: 1 });
    expect(restartUser(k.ctx, 0)).toBe('snooze');
    const R = k.of('restart.scheduled')[0]!.e.at;
    const countdownAt = R - 30 * MIN;
    const reminders = k.of('restart.reminder');
    const snoozes = k.of('restart.snoozed');
    // the limit the settings allow: a snooze per reminder, each up to the interval, none past the countdown
    expect(snoozes.map((r) => r.t)).toEqual(reminders.map((r) => r.t));
    expect(snoozes.map((r) => r.e.until)).toEqual(reminders.map((r) => Math.min(r.t + 4 * HOUR, countdownAt)));
    expect(snoozes.length).toBe(Math.ceil((countdownAt - reminders[0]!.t) / (4 * HOUR)));
    expect(snoozes[snoozes.length - 1]!.e.until).toBe(countdownAt);
    expect(k.of('restart.countdown').map((r) => r.t)).toEqual([countdownAt]);
    expect(k.of('restart.started').map((r) => [r.t, r.e.user])).toEqual([[R, false]]);
  });

  it('a user who restarts from the first reminder: a user restart before the next step, no countdown, the updates complete', () => {
    const k = run(1, { restartNowFraction: 1 });
    expect(restartUser(k.ctx, 0)).toBe('now');
    const R = k.of('restart.scheduled')[0]!.e.at;
    const first = k.of('restart.reminder');
    expect(first).toHaveLength(1);
    const started = k.of('restart.started');
    expect(started).toHaveLength(1);
    expect(started[0]!.e.user).toBe(true);
    // within [first reminder, next reminder)
    expect(started[0]!.t).toBeGreaterThanOrEqual(first[0]!.t);
    expect(started[0]!.t).toBeLessThan(Math.min(first[0]!.t + 4 * HOUR, R - 30 * MIN));
    expect(k.of('restart.countdown')).toEqual([]);
    const rc = k.of('restart.completed')[0]!;
    expect(k.scans().find((r) => r.t >= rc.t)!.e.trigger).toBe('afterRestart');
  });

  it('shares of users follow the per-client draw, and the trace of each client shows what its user does', () => {
    const n = 100;
    const k = run(n, { restartNowFraction: 0.3, snoozeFraction: 0.4 });
    const kinds = Array.from({ length: n }, (_, c) => restartUser(k.ctx, c));
    // the draws follow the shares (binomial: 4 standard deviations)
    for (const [kind, p] of [['now', 0.3], ['snooze', 0.4], ['none', 0.3]] as const) {
      const got = kinds.filter((x) => x === kind).length;
      expect(Math.abs(got - n * p)).toBeLessThan(4 * Math.sqrt(n * p * (1 - p)));
    }
    let restarted = 0;
    for (let c = 0; c < n; c++) {
      if (k.of('restart.scheduled', c).length === 0) continue;
      restarted++;
      const user = k.of('restart.started', c).map((r) => r.e.user);
      const snoozed = k.of('restart.snoozed', c).length;
      const countdown = k.of('restart.countdown', c).length;
      if (kinds[c] === 'now') expect([user, snoozed, countdown], `client ${c}`).toEqual([[true], 0, 0]);
      else expect([user, snoozed > 0, countdown], `client ${c}`).toEqual([[false], kinds[c] === 'snooze', 1]);
    }
    expect(restarted).toBe(n);
  });

  it('a restart-now user is not held by maintenance windows', () => {
    const win = { collections: [{ name: 'C', fraction: 1, maintenanceWindows: [{ start: '2026-01-05T20:00', duration: '3h', recurrence: 'daily' }] }] };
    const k = run(1, { restartNowFraction: 1 }, win);
    const held = k.of('restart.waitingForWindow');
    expect(held).toHaveLength(1);
    const started = k.of('restart.started')[0]!;
    expect(started.e.user).toBe(true);
    expect(started.t).toBeLessThan(held[0]!.e.until!);
  });
});
