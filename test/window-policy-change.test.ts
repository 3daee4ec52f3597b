// A maintenance window the site adds or deletes reaches each client at its
// next policy poll (the ReplyAssignments lists the CCM_ServiceWindow policy,
// or no longer does), and the core then judges held installs on the new
// windows at once.

import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { resolveScenario } from '../harness/scenario/resolve.js';
import { runFleet } from '../harness/run.js';

const silent = pino({ level: 'silent' });
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'suca-mw-change-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HOUR = 3_600_000;
const at = (s: string): number => Date.parse(s + 'Z');

type Ev = { t: number; client: string; ev: string; until?: number | null };

async function run(name: string, windows: Record<string, unknown>[]): Promise<Ev[]> {
  const sc = resolveScenario({
    clients: 40,
    seed: 11,
    duration: '4d',
    catalogue: { updates: 30, newUpdates: 5, applicableFraction: 1, installedFraction: 0 },
    deployments: [{ name: 'Monthly', updates: { newest: 5 }, available: '1d', deadline: '2d', maxRunTime: '30m' }],
    collections: [{ name: 'All', fraction: 1, maintenanceWindows: windows }],
  });
  const trace = join(dir, `${name}.ndjson`);
  await runFleet(sc, { tracePath: trace, logger: silent, transport: { kind: 'in-process' } });
  return readFileSync(trace, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Ev);
}

describe('window policy changes', () => {
  it('a window deleted before the deadline holds no install; one added while clients wait takes the installs', async () => {
    // the deadline is 2026-01-07T00:00Z; the policy polling interval is 1 h
    const daily = { start: '2026-01-05T00:00', duration: '2h', recurrence: 'daily', type: 'softwareUpdates' };
    const late = { start: '2026-01-07T12:00', duration: '3h', recurrence: 'none', type: 'softwareUpdates' };
    const added = { start: '2026-01-07T06:00', duration: '2h', recurrence: 'none', type: 'softwareUpdates', created: '2d3h' };

    // control: the daily window holds, installs start in its 00:00-02:00 occurrence at the deadline
    const base = await run('base', [daily, late]);
    const baseInstalls = base.filter((e) => e.ev === 'install.started');
    expect(baseInstalls.length).toBe(40);
    for (const e of baseInstalls) expect(e.t).toBeLessThan(at('2026-01-07T02:00'));

    // the daily window deleted 1 day 12 h in: every client polled since, so the late window takes the installs
    const removed = await run('removed', [{ ...daily, removed: '1d12h' }, late]);
    const rInstalls = removed.filter((e) => e.ev === 'install.started');
    expect(rInstalls.length).toBe(40);
    for (const e of rInstalls) {
      expect(e.t).toBeGreaterThanOrEqual(at(late.start));
      expect(e.t).toBeLessThan(at(late.start) + 3 * HOUR);
    }
    for (const e of removed.filter((x) => x.ev === 'install.waitingForWindow')) expect(e.until).toBe(at(late.start));

    // a window added at 03:00 (2d3h) that opens at 06:00: clients waiting for 12:00 pick it up at their next poll (within 1 h)
    const plus = await run('added', [{ ...daily, removed: '1d12h' }, late, added]);
    const aInstalls = plus.filter((e) => e.ev === 'install.started');
    expect(aInstalls.length).toBe(40);
    for (const e of aInstalls) {
      expect(e.t).toBeGreaterThanOrEqual(at(added.start));
      expect(e.t).toBeLessThan(at(added.start) + 2 * HOUR);
    }
    // they had been told to wait for the late window first (the added one did not exist at the deadline)
    const firstWait = new Map<string, number | null | undefined>();
    for (const e of plus) if (e.ev === 'install.waitingForWindow' && !firstWait.has(e.client)) firstWait.set(e.client, e.until);
    expect(firstWait.size).toBe(40);
    for (const u of firstWait.values()) expect(u).toBe(at(late.start));
  });
});
