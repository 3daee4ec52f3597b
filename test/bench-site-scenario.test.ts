// The site that npm run bench compares against the default scenario (issue 11:
// at most 15 % more wall time and heap per client) must be a valid scenario and
// must turn on what it claims to measure: maintenance windows that hold
// installs, machines that go off at night, fewer policy polls than the default.
// A bench whose "site" quietly ran without them would report a ratio of 1.

import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { resolveScenario } from '../harness/scenario/resolve.js';
import { runFleet } from '../harness/run.js';
import { SITE_POWER, SITE_SCENARIO, SITE_WINDOWS } from '../bench/site-scenario.js';

const silent = pino({ level: 'silent' });
const CLIENTS = 400;
const DAYS = 8;

async function counts(input: Record<string, unknown>) {
  const o = await runFleet(resolveScenario({ clients: CLIENTS, duration: `${DAYS}d`, ...input }, 'bench-site'), { logger: silent, sliceMs: 200 });
  const c = (n: Parameters<typeof o.metrics.eventCount>[0]) => o.metrics.eventCount(n);
  const r = { off: c('power.off'), waits: c('install.waitingForWindow'), polls: c('policy.requested'), events: o.fleet.events };
  o.metrics.destroy();
  return r;
}

describe('bench site scenario', () => {
  it('resolves through the strict schema, whole and in halves', () => {
    for (const s of [SITE_SCENARIO, SITE_WINDOWS, SITE_POWER]) expect(() => resolveScenario({ ...s }, 'bench-site')).not.toThrow();
    expect(SITE_WINDOWS.timeZones.length).toBeGreaterThanOrEqual(3);
    expect(SITE_WINDOWS.collections.some((c) => c.maintenanceWindows.some((w) => 'type' in w && w.type === 'softwareUpdates' && w.recurrence === 'weekly' && w.localTime))).toBe(true);
  });

  it('holds installs for windows, turns workstations off at night and polls less than the default scenario', async () => {
    const plain = await counts({});
    const site = await counts({ ...SITE_SCENARIO });
    // 2026-01-05 is a Monday: 8 days hold at least five weekday evenings, and each
    // workstation that is on goes off on each (laptops and weekends aside)
    const workstations = SITE_POWER.power.workstations.fraction * CLIENTS;
    expect(site.off).toBeGreaterThanOrEqual(Math.floor(0.9 * workstations * 5));
    expect(plain.off).toBe(0);
    // the deadline (3 d, local time) falls outside most windows: someone waits
    expect(site.waits).toBeGreaterThan(0);
    expect(plain.waits).toBe(0);
    // machines that are off do not poll: at most the on-hours' share of the default's polls
    // (workstations on 11 h of 24 on weekdays; laptops 9 h) plus the always-on rest
    const on = SITE_POWER.power;
    const share = 1 - on.workstations.fraction - on.laptops.fraction + on.workstations.fraction * (12.5 / 24) + on.laptops.fraction * (11 / 24);
    expect(site.polls).toBeLessThan(plain.polls * share);
  }, 120_000);
});
