// Restart notifications over a whole run (agent/core/restart.ts) with
// maintenance windows, time zones, power schedules and users who restart from
// the reminder or snooze it: the conformance checker finds no forced restart
// before its final countdown ended, no snooze past its limit, reminders at
// least restartReminderInterval apart, restarts still in windows; and it
// catches a trace that breaks those rules. Power events follow each client's
// local schedule (power.scheduleLocal).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { resolveScenario } from '../harness/scenario/resolve.js';
import { runFleet } from '../harness/run.js';
import { buildResults } from '../harness/output/results.js';
import { checkTrace, parseTrace } from '../harness/conformance/check.js';

const silent = pino({ level: 'silent' });
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'suca-restart-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SITE = {
  clients: 200,
  duration: '8d',
  client: { restartNotifications: true, restartCountdown: '8h', restartReminderInterval: '2h', restartFinalCountdown: '20m' },
  catalogue: { installedFraction: 0.3, restartFraction: 0.6 },
  users: { restartNowFraction: 0.2, snoozeFraction: 0.5 },
  timeZones: [{ zone: 'America/New_York', fraction: 0.5 }, { zone: 'Europe/Berlin', fraction: 0.5 }],
  collections: [{ name: 'Evenings', fraction: 0.6, maintenanceWindows: [{ start: '2026-01-05T20:00', duration: '3h', recurrence: 'daily', localTime: true }] }],
  power: { workstations: { fraction: 0.4 } },
  deployments: [{ name: 'D', updates: { newest: 10 }, created: '1d', available: '1d', deadline: '3d', localTime: true }],
};

describe('restart notifications over a whole run', () => {
  it('follow every rule, and the run is deterministic by seed', async () => {
    const sc = resolveScenario(SITE, 'restart');
    const trace = join(dir, 'a.ndjson');
    const o = await runFleet(sc, { tracePath: trace, logger: silent });
    const r = buildResults(o);
    const text = readFileSync(trace, 'utf8');
    const report = checkTrace(parseTrace(text), sc);
    expect(report.violations.slice(0, 5)).toEqual([]);
    for (const rule of ['restart.reminderInterval', 'restart.snoozeLimit', 'restart.countdownLength', 'restart.finalCountdown', 'restart.notEarly', 'window.restart', 'power.silence', 'power.scheduleLocal']) {
      expect(report.checks[rule] ?? 0, rule).toBeGreaterThan(0);
    }
    expect(r.events['restart.reminder']).toBeGreaterThan(0);
    expect(r.events['restart.snoozed']).toBeGreaterThan(0);
    expect(r.events['restart.countdown']).toBeGreaterThan(0);
    // the same seed, the same trace
    const trace2 = join(dir, 'b.ndjson');
    await runFleet(resolveScenario(SITE, 'restart'), { tracePath: trace2, logger: silent });
    expect(readFileSync(trace2, 'utf8')).toBe(text);
  });

  it('the checker catches a forced restart inside its countdown and a snooze past the countdown', () => {
    const sc = resolveScenario({ clients: 1, client: { restartNotifications: true } });
    const c = 'GUID:X';
    const t0 = sc.start + 3 * 86_400_000;
    const R = t0 + 90 * 60_000;
    const lines = [
      { t: t0, client: c, ev: 'restart.scheduled', at: R, deployment: 'x' },
      { t: t0, client: c, ev: 'restart.reminder', restartAt: R },
      // the countdown starts at R - 15 min: a snooze until R - 5 min goes past it
      { t: t0, client: c, ev: 'restart.snoozed', until: R - 5 * 60_000 },
      { t: R - 10 * 60_000, client: c, ev: 'restart.countdown', restartAt: R },
      { t: R - 5 * 60_000, client: c, ev: 'restart.started', user: false },
    ];
    const rules = checkTrace(lines, sc).violations.map((v) => v.rule);
    for (const want of ['restart.snoozeLimit', 'restart.countdownLength', 'restart.finalCountdown', 'restart.notEarly']) expect(rules).toContain(want);
  });
});
