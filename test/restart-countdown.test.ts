// Restart notifications, the final countdown (agent/core/restart.ts; client
// settings, Computer Restart: restart 90 min after the deadline, final
// countdown 15 min, reminders every 240 min, client-behaviour.md section 1).
// A client with restartNotifications sees the temporary notification from the
// install on, a reminder every restartReminderInterval, then a dialog it cannot
// close for restartFinalCountdown before the forced restart; maintenance
// windows still hold the restart, and the countdown ends where it happens.
// Simulated clock (CoreKit).

import { describe, expect, it } from 'vitest';
import { CoreKit, DAY, HOUR, MIN, T0 } from './helpers/kit.js';
import { resolveScenario } from '../harness/scenario/resolve.js';
import { ScenarioError } from '../harness/errors.js';
import { settingsFromInstance, settingsInstance } from '../agent/wire/ccm/policy.js';
import { isServer } from '../agent/core/enforcement.js';

const dep = (over: Record<string, unknown> = {}) => ({ name: 'D', updates: { newest: 10 }, created: '1d', available: '1d', deadline: '3d', ...over });
// every update needs a restart and is missing: one install, one restart
const CAT = { installedFraction: 0, restartFraction: 1 };
const at = (iso: string) => Date.parse(iso);

function restartRun(client: Record<string, unknown>, extra: Record<string, unknown> = {}, days = 5): CoreKit {
  const k = new CoreKit({ client, catalogue: CAT, deployments: [dep()], ...extra });
  k.runFor(days * DAY);
  return k;
}

describe('restart notifications: the final countdown', () => {
  it('off (the default): no notification, the restart restartCountdown after the install, as before', () => {
    const k = restartRun({});
    const done = k.of('install.completed')[0]!;
    expect(k.of('restart.reminder')).toEqual([]);
    expect(k.of('restart.countdown')).toEqual([]);
    expect(k.of('restart.started').map((r) => [r.t, r.e.user])).toEqual([[done.t + k.sc.settings.restartCountdown, false]]);
    expect(k.sc.settings.restartFinalCountdown).toBeUndefined();
  });

  it('on: a reminder when the restart is scheduled, the countdown restartFinalCountdown before it, the forced restart at the same time as without', () => {
    const k = restartRun({ restartNotifications: true });
    const st = k.sc.settings;
    expect(st.restartFinalCountdown).toBe(15 * MIN);
    expect(st.restartReminderInterval).toBe(240 * MIN);
    const done = k.of('install.completed')[0]!;
    const sched = k.of('restart.scheduled')[0]!;
    const R = done.t + st.restartCountdown;
    expect(sched.e.at).toBe(R);
    // 90 min countdown < 240 min reminders: one reminder (at the schedule), then the countdown
    expect(k.of('restart.reminder').map((r) => [r.t, r.e.restartAt])).toEqual([[sched.t, R]]);
    expect(k.of('restart.countdown').map((r) => [r.t, r.e.restartAt])).toEqual([[R - st.restartFinalCountdown!, R]]);
    expect(k.of('restart.started').map((r) => [r.t, r.e.user])).toEqual([[R, false]]);
    // and the restart completes the updates as before
    const rc = k.of('restart.completed')[0]!;
    expect(k.scans().find((r) => r.t >= rc.t)!.e.trigger).toBe('afterRestart');
  });

  it('reminders every restartReminderInterval until the countdown starts', () => {
    const k = restartRun({ restartNotifications: true, restartCountdown: '12h', restartReminderInterval: '4h', restartFinalCountdown: '30m' });
    const sched = k.of('restart.scheduled')[0]!;
    const R = sched.e.at;
    const countdownAt = R - 30 * MIN;
    const want: number[] = [];
    // the first reminder covers restartCountdown before the restart: at the install, when it is scheduled
    for (let x = sched.t; x < countdownAt; x += 4 * HOUR) want.push(x);
    expect(want.length).toBe(3);
    expect(k.of('restart.reminder').map((r) => r.t)).toEqual(want);
    expect(k.of('restart.countdown').map((r) => r.t)).toEqual([countdownAt]);
    expect(k.of('restart.started').map((r) => r.t)).toEqual([R]);
  });

  it('an install before the deadline (the user\'s): reminders from restartCountdown before the deadline', () => {
    const k = restartRun({ restartNotifications: true }, { deployments: [dep({ userInstallFraction: 1 })] });
    const done = k.of('install.completed')[0]!;
    const deadline = T0 + 3 * DAY;
    expect(done.t).toBeLessThan(deadline - 90 * MIN);
    const sched = k.of('restart.scheduled')[0]!;
    expect(sched.e.at).toBe(deadline);
    expect(k.of('restart.reminder').map((r) => r.t)).toEqual([deadline - k.sc.settings.restartCountdown]);
    expect(k.of('restart.countdown').map((r) => r.t)).toEqual([deadline - 15 * MIN]);
    expect(k.of('restart.started').map((r) => r.t)).toEqual([deadline]);
  });

  it('a maintenance window holds the restart: the countdown ends at the window, the restart is in it', () => {
    const win = { collections: [{ name: 'C', fraction: 1, maintenanceWindows: [{ start: '2026-01-05T20:00', duration: '3h', recurrence: 'daily' }] }] };
    const without = restartRun({ restartCountdown: '4h' }, win);
    const k = restartRun({ restartNotifications: true, restartCountdown: '4h' }, win);
    const held = k.of('restart.waitingForWindow');
    const sched = k.of('restart.scheduled')[0]!;
    // the install ran in a window (20:00-23:00); its restart 4 h later is past the window's end: the next one's start
    const R = sched.e.at;
    const evening = (t: number) => Math.floor(t / DAY) * DAY + 20 * HOUR;
    expect(R - evening(R - 20 * HOUR)).toBeGreaterThanOrEqual(3 * HOUR);
    const W = evening(R) > R ? evening(R) : evening(R) + DAY;
    expect(W).toBe(at('2026-01-09T20:00:00Z'));
    expect(held.map((r) => [r.t, r.e.until])).toEqual([[sched.t, W]]);
    expect(k.of('restart.countdown').map((r) => [r.t, r.e.restartAt])).toEqual([[W - 15 * MIN, W]]);
    // reminders from the schedule every 4 h until the countdown
    const want: number[] = [];
    for (let x = sched.t; x < W - 15 * MIN; x += 4 * HOUR) want.push(x);
    expect(k.of('restart.reminder').map((r) => r.t)).toEqual(want);
    // the restart itself: where the run without notifications has it (held until the window opened)
    expect(without.of('restart.waitingForWindow').map((r) => r.e.until)).toEqual([W]);
    expect(k.of('restart.started').map((r) => r.t)).toEqual(without.of('restart.started').map((r) => r.t));
    expect(k.of('restart.started').map((r) => r.t)).toEqual([W]);
  });

  it('a machine off when the countdown was due shows it at power-on, for its whole interval', () => {
    // on 07:00-18:00 (no spread): the deadline (Thursday 00:00) is enforced at power-on, the 12 h restart
    // falls after 18:00, so the machine goes off in the reminder phase
    const power = { workstations: { fraction: 1, onAt: '7h', offAt: '18h', spread: '0', weekendsOff: false } };
    const k = restartRun({ restartNotifications: true, restartCountdown: '12h' }, { power });
    const sched = k.of('restart.scheduled')[0]!;
    const R = sched.e.at;
    const off = k.of('power.off').find((r) => r.t > sched.t)!;
    expect(off.t).toBe(at('2026-01-08T18:00:00Z'));
    expect(R - 15 * MIN).toBeGreaterThan(off.t);
    const on = k.of('power.on').find((r) => r.t > off.t)!;
    expect(on.t).toBe(at('2026-01-09T07:00:00Z'));
    expect(k.of('restart.countdown').map((r) => [r.t, r.e.restartAt])).toEqual([[on.t, on.t + 15 * MIN]]);
    expect(k.of('restart.started').map((r) => [r.t, r.e.user])).toEqual([[on.t + 15 * MIN, false]]);
  });

  it('a restart suppressed for the machine type shows no notification (servers still get theirs)', () => {
    const k = new CoreKit({ clients: 12, client: { restartNotifications: true }, enforcement: { serverFraction: 0.5 }, catalogue: CAT, deployments: [dep({ suppressRestartWorkstations: true })] });
    k.runFor(5 * DAY);
    const servers = new Set(k.of('restart.scheduled').map((r) => r.client));
    expect([...servers].sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, c) => c).filter((c) => isServer(k.ctx, c)));
    expect(servers.size).toBeGreaterThan(0);
    expect(servers.size).toBeLessThan(12);
    for (let c = 0; c < 12; c++) {
      const notified = k.of('restart.reminder', c).length + k.of('restart.countdown', c).length;
      expect(notified > 0, `client ${c}`).toBe(servers.has(c));
      expect(k.of('install.completed', c)).toHaveLength(1);
    }
  });

  it('settings: a countdown longer than the restart time is refused with its path; in policy only when on', () => {
    let err: unknown;
    try {
      resolveScenario({ client: { restartNotifications: true, restartCountdown: '10m', restartFinalCountdown: '15m' }, users: { restartNowFraction: 0.6, snoozeFraction: 0.6 } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScenarioError);
    expect((err as ScenarioError).issues.map((i) => i.path).sort()).toEqual(['client.restartFinalCountdown', 'users.snoozeFraction']);
    const on = resolveScenario({ client: { restartNotifications: true } }).settings;
    const off = resolveScenario({}).settings;
    const names = (x: typeof on) => settingsInstance(x).properties.map((p) => p.name);
    expect(names(on)).toEqual(expect.arrayContaining(['SUCA_restartFinalCountdown', 'SUCA_restartReminderInterval']));
    expect(names(off).filter((n) => n.startsWith('SUCA_restart'))).toEqual(['SUCA_restartCountdown']);
    expect(settingsFromInstance(settingsInstance(on))).toEqual(on);
  });
});
