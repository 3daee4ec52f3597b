// Contract: maintenance windows delivered by policy give the same install
// times in-process and over HTTP (real stub servers on port 0, CCM_ServiceWindow
// bodies with schedule tokens on the wire, virtual time in lockstep), for a
// small seeded fleet with time zones, local-time and UTC windows of two
// collections, and a window the site adds during the run.

import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TransportOptions } from '../harness/run.js';
import { smallWireFleet, tracedRun } from './helpers/fleets.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'suca-contract-windows-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (name: string, input: Record<string, unknown>, transport: TransportOptions) => tracedRun(dir, name, input, transport);

export const windowFleet = (clients: number): Record<string, unknown> => ({
  ...smallWireFleet(clients),
  seed: 7,
  timeZones: [{ zone: 'America/New_York', fraction: 0.5 }, { zone: 'Europe/Berlin', fraction: 0.5 }],
  collections: [
    { name: 'Nightly', fraction: 0.6, maintenanceWindows: [{ start: '2026-01-05T23:00', duration: '3h', recurrence: 'daily', localTime: true }] },
    { name: 'Servers', fraction: 0.5, maintenanceWindows: [
      { start: '2026-01-06T04:00', duration: '2h', recurrence: 'weekly', type: 'softwareUpdates' },
      // added by the site after the deadline: clients waiting for the weekly window take it at their next policy poll
      { start: '2026-01-07T09:00', duration: '4h', recurrence: 'none', type: 'softwareUpdates', created: '2d2h' },
    ] },
  ],
});

describe('contract: maintenance windows by policy over both transports', () => {
  it('the same fleet gives the same window waits and install times in-process and over HTTP', async () => {
    const input = windowFleet(8);
    const a = await run('w-inproc', input, { kind: 'in-process' });
    const b = await run('w-http', input, { kind: 'http' });
    const pick = (evs: Record<string, unknown>[], ev: string) => evs.filter((e) => e.ev === ev).map((e) => `${e.t} ${e.client} ${e.until ?? ''}`);
    const installs = pick(a.events, 'install.started');
    const waits = pick(a.events, 'install.waitingForWindow');
    // the mechanism is at work: some clients waited for a window, and every one installed
    expect(waits.length).toBeGreaterThan(0);
    expect(installs.length).toBeGreaterThan(0);
    expect(pick(b.events, 'install.started')).toEqual(installs);
    expect(pick(b.events, 'install.waitingForWindow')).toEqual(waits);
    expect(b.events.map((e) => JSON.stringify(e))).toEqual(a.events.map((e) => JSON.stringify(e)));
    expect(b.results.compliance).toEqual(a.results.compliance);
    // over HTTP the windows were policy bodies fetched from the stub
    expect(b.results.wire!.stub!.mp['GET .sms_pol']).toBeGreaterThan(a.results.wire?.stub?.mp['GET .sms_pol'] ?? 0);
    expect(Object.keys(b.results.wire!.stub!.refused)).toEqual([]);
  });
});
