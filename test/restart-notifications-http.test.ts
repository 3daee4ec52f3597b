// Restart notifications reach clients over HTTP as they do in-process: the
// settings travel in the client-settings policy body (SUCA_restartFinalCountdown,
// SUCA_restartReminderInterval, written only when on), so a small fleet
// through real stub servers gives the same reminders, snoozes, countdowns and
// restarts as through the in-process transport.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { resolveScenario } from '../harness/scenario/resolve.js';
import { runFleet, type TransportOptions } from '../harness/run.js';
import { smallWireFleet, serversAsRoles } from './helpers/fleets.js';

const silent = pino({ level: 'silent' });
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'suca-restart-http-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(name: string, input: Record<string, unknown>, transport: TransportOptions): Promise<string[]> {
  const trace = join(dir, `${name}.ndjson`);
  await runFleet(resolveScenario(input), { tracePath: trace, logger: silent, transport });
  return readFileSync(trace, 'utf8').trim().split('\n').map((l) => {
    const e = JSON.parse(l);
    serversAsRoles(e);
    return JSON.stringify(e);
  });
}

describe('restart notifications over HTTP', () => {
  it('the same reminders, snoozes, countdowns and restarts as in-process', async () => {
    const input = {
      ...smallWireFleet(6),
      client: { restartNotifications: true, restartCountdown: '6h', restartReminderInterval: '2h', restartFinalCountdown: '20m' },
      catalogue: { updates: 40, newUpdates: 5, maxSizeMB: 2, installedFraction: 0, restartFraction: 1 },
      users: { restartNowFraction: 0.3, snoozeFraction: 0.4 },
    };
    const a = await run('inproc', input, { kind: 'in-process' });
    // unsigned: signing is not what this compares (test/contract-transports and wire-shape run signed); measured, it is 30 % of an HTTP run's CPU
    const b = await run('http', input, { kind: 'http', sign: false });
    const count = (lines: string[], ev: string) => lines.filter((l) => l.includes(`"ev":"${ev}"`)).length;
    expect(count(a, 'restart.reminder')).toBeGreaterThan(0);
    expect(count(a, 'restart.countdown')).toBeGreaterThan(0);
    expect(b).toEqual(a);
  });
});
