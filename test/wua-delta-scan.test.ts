// The WUA datastore across scans: a client's second online scan on the same
// SUP sends what it holds back as cached ids, so the server sends only what
// is new. Measured at a minimal WSUS written in the test (per scan session:
// SyncUpdates rounds, request bytes), and at the project's own stub WSUS,
// whose work (full / delta scans, updates sent, SyncUpdates rounds) counts the
// same in-process and over HTTP.

import { describe, expect, it, afterAll } from 'vitest';
import { pino } from 'pino';
import { resolveScenario } from '../harness/scenario/resolve.js';
import { runFleet } from '../harness/run.js';
import { buildResults } from '../harness/output/results.js';
import { StubCore } from '../server-stub/core/index.js';
import { clientGuid } from '../server-stub/core/clients.js';
import { applicableUpdates } from '../agent/core/machine.js';
import { minimalWsus, type MinimalWsus } from './helpers/minimal-wsus.js';
import { smallWireFleet } from './helpers/fleets.js';

const silent = pino({ level: 'silent' });
const servers: MinimalWsus[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe('WUA datastore: a later scan is a delta', () => {
  it('the second scan of a client sends fewer SyncUpdates rounds and fewer bytes than its first (minimal WSUS)', async () => {
    const sc = resolveScenario(smallWireFleet(4));
    const cat = new StubCore(sc.stub).catalogue;
    const w = await minimalWsus({ updates: cat.ids.map((id, u) => ({ id, revision: cat.revision[u]! })) });
    servers.push(w);
    // unsigned: the MP's signatures are not what this is about (30 % of an HTTP run's CPU, measured)
    await runFleet(sc, { logger: silent, transport: { kind: 'http', sign: false, external: { wsus: w.url } } });
    let compared = 0;
    for (let c = 0; c < 4; c++) {
      const s = w.of(clientGuid(sc.seed, c));
      if (s.length < 2) continue;
      const [first, second] = [s[0]!, s[1]!];
      // the first came with nothing cached; the server sent every update
      expect(first.cachedIdsOnFirstPage).toBe(0);
      expect(first.updatesSent).toBe(cat.size);
      // the second sent the 40 updates and the detectoid back: nothing new to send
      expect(second.cachedIdsOnFirstPage).toBe(cat.size + 1);
      expect(second.updatesSent).toBe(0);
      expect(second.syncRounds).toBeLessThan(first.syncRounds);
      expect(second.syncRequestBytes).toBeLessThan(first.syncRequestBytes);
      expect(second.syncResponseBytes).toBeLessThan(first.syncResponseBytes);
      expect(second.requestBytes).toBeLessThan(first.requestBytes);
      // and no GetExtendedUpdateInfo: the client has the extended info of what it holds
      expect(second.ops).not.toContain('GetExtendedUpdateInfo');
      compared++;
    }
    expect(compared).toBeGreaterThan(0);
  });

  it('the stub WSUS counts the same work in-process and over HTTP: full and delta scans, updates sent, SyncUpdates rounds', async () => {
    const input = smallWireFleet(6);
    const a = await runFleet(resolveScenario(input), { logger: silent, transport: { kind: 'in-process' } });
    // unsigned: the MP's signatures are not what this is about (30 % of an HTTP run's CPU, measured)
    const b = await runFleet(resolveScenario(input), { logger: silent, transport: { kind: 'http', sign: false } });
    const ca = a.stub.wsus.counters;
    const cb = b.stub.wsus.counters;
    expect(ca.deltaScans).toBeGreaterThan(0);
    expect(ca.fullScans).toBe(6); // one per client: the first
    expect(cb).toEqual(ca);
    // a delta scan still counts as one scan (the per-minute peak counts them all)
    expect(ca.scans).toBe(ca.fullScans + ca.deltaScans);
    expect(buildResults(b).scans.wsus!.served).toBe(buildResults(a).scans.online);
    // what the datastore saved: each client's updates were sent once (its full scan), the deltas sent none
    const sc = resolveScenario(input);
    let once = 0;
    for (let c = 0; c < 6; c++) once += applicableUpdates(sc.seed, a.stub.catalogue, c).length;
    expect(ca.updatesSent).toBe(once);
    // software pages of 30 and one driver pass per full scan; one page and the driver pass per delta
    expect(ca.syncRounds).toBe(2 * ca.deltaScans + [0, 1, 2, 3, 4, 5].reduce((n, c) => n + Math.max(1, Math.ceil(applicableUpdates(sc.seed, a.stub.catalogue, c).length / 30)) + 1, 0));
  });
});
