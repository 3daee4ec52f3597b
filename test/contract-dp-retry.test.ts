// Contract: a DP outage (a `dp` fault: 503 for every content request in a
// window) gives the same DP failures, retry rounds and downloads in-process and
// over HTTP (real stub servers on port 0: the DP answers the agent's content
// GETs with 503, the agent reads the status as the same HRESULT), for a small
// seeded fleet in virtual time. The DP's name differs by transport (the
// scenario's name in-process, the stub server's origin over HTTP) and is
// compared as "DP".

import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TransportOptions } from '../harness/run.js';
import { smallWireFleet, tracedRun } from './helpers/fleets.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'suca-contract-dp-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(name: string, input: Record<string, unknown>, transport: TransportOptions) {
  const r = await tracedRun(dir, name, input, transport);
  for (const e of r.events) {
    if (typeof e.dp === 'string') e.dp = 'DP';
    if (typeof e.next === 'string') e.next = 'DP';
  }
  return r;
}

describe('contract: a DP outage over both transports', () => {
  it('the same DP failures, rounds and downloads in-process and over HTTP', async () => {
    const base = smallWireFleet(6);
    // the DP answers 503 from the available time to 6 h after it: every pre-download fails, then all download
    const input = {
      ...base,
      seed: 12,
      deployments: [{ name: 'Monthly', updates: { newest: 5 }, available: '1d', deadline: '3d' }],
      faults: [{ target: 'dp', from: '1d', to: '1d6h', status: 503 }],
    };
    const a = await run('d-inproc', input, { kind: 'in-process' });
    const b = await run('d-http', input, { kind: 'http' });
    const retries = a.events.filter((e) => e.ev === 'download.retrying');
    expect(retries.length).toBeGreaterThanOrEqual(6 * 4);
    for (const r of retries) expect(r).toMatchObject({ dp: 'DP', code: '0x80244022', next: null });
    const completed = a.events.filter((e) => e.ev === 'download.completed');
    expect(new Set(completed.map((e) => e.client)).size).toBe(6);
    expect(a.events.filter((e) => e.ev === 'download.failed')).toHaveLength(0);
    expect(a.events.filter((e) => e.ev === 'download.started')).toHaveLength(6);
    expect(b.events.map((e) => JSON.stringify(e))).toEqual(a.events.map((e) => JSON.stringify(e)));
    expect(b.results.events['download.retrying']).toBe(retries.length);
  });
});
