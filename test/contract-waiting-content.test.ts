// Contract: a deployment whose content reaches the DPs late (deployments[].
// contentDistributed) gives the same waits, retries and downloads in-process
// and over HTTP (real stub servers on port 0: the MP answers the
// ContentLocationRequest with an empty <LocationRecords/> until then, the
// agent reads that as no DP), for a small seeded fleet in virtual time.

import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TransportOptions } from '../harness/run.js';
import { smallWireFleet, tracedRun } from './helpers/fleets.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'suca-contract-content-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (name: string, input: Record<string, unknown>, transport: TransportOptions) => tracedRun(dir, name, input, transport);

describe('contract: waiting for content over both transports', () => {
  it('the same waits, retries and downloads in-process and over HTTP; the stub counts the answers with no DP', async () => {
    const base = smallWireFleet(6);
    // on the DPs 10 h after the available time: the pre-downloads wait, then all download before the deadline
    const input = { ...base, seed: 11, deployments: [{ name: 'Monthly', updates: { newest: 5 }, available: '1d', deadline: '2d', contentDistributed: '1d10h' }] };
    const a = await run('c-inproc', input, { kind: 'in-process' });
    const b = await run('c-http', input, { kind: 'http' });
    const waits = a.events.filter((e) => e.ev === 'download.waitingContent');
    expect(waits.length).toBeGreaterThan(6 * 7);
    for (const w of waits) expect(w.code).toBe('0x87D00607');
    const completed = a.events.filter((e) => e.ev === 'download.completed');
    expect(new Set(completed.map((e) => e.client)).size).toBe(6);
    expect(a.events.filter((e) => e.ev === 'download.failed')).toHaveLength(0);
    expect(b.events.map((e) => JSON.stringify(e))).toEqual(a.events.map((e) => JSON.stringify(e)));
    expect(a.results.location.contentNotFound).toBe(waits.length);
    expect(b.results.location.contentNotFound).toBe(waits.length);
    expect(b.results.events['download.waitingContent']).toBe(waits.length);
  });
});
