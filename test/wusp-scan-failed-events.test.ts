// A failed scan is reported to WSUS: the client keeps an event 148
// (AGENT_DETECTION_FAILED, its HRESULT as Win32HResult and as 0x%08X) and
// sends it in its next ReportEventBatch, before that scan's 147
// (wire-protocols.md: "events 147 scan done, 148 scan failed"). Against the
// minimal WSUS written in the test, which reads the batches with regular
// expressions: the first scans fail on a SOAP fault (0x8024400E, not a retry
// code), a later scan of the same client succeeds and carries them.
import { describe, expect, it, afterAll } from 'vitest';
import { pino } from 'pino';
import { resolveScenario } from '../harness/scenario/resolve.js';
import { runFleet } from '../harness/run.js';
import { buildResults } from '../harness/output/results.js';
import { StubCore } from '../server-stub/core/index.js';
import { minimalWsus, type MinimalWsus } from './helpers/minimal-wsus.js';

const servers: MinimalWsus[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe('failed scans reach WSUS as events 148 in the next batch', () => {
  it('each client: one 148 per earlier failure, with its code, then the 147 of the scan that succeeded; nothing reported twice', async () => {
    const sc = resolveScenario({
      clients: 3,
      duration: '3d',
      catalogue: { updates: 20, newUpdates: 2, maxSizeMB: 1 },
      deployments: [],
      // a second scan for every client, after the fault window
      actions: [{ kind: 'manualScan', at: '1d', within: '1h' }, { kind: 'manualScan', at: '2d', within: '1h' }],
    });
    const cat = new StubCore(sc.stub).catalogue;
    // the first three scan sessions are the three clients' first scans (within 2 h of the start, the manual ones a day later)
    const w = await minimalWsus({
      updates: cat.ids.map((id, u) => ({ id, revision: cat.revision[u]! })),
      fault: (op, s) => (op === 'SyncUpdates' && s.id < 3 ? 'InternalServerError' : null),
    });
    servers.push(w);
    const o = await runFleet(sc, { logger: pino({ level: 'silent' }), transport: { kind: 'http', sign: false, external: { wsus: w.url } } });
    const r = buildResults(o);
    // SOAP fault InternalServerError: WU_E_PT_SOAPCLIENT_SOAPFAULT, not a retry code (no retry before the manual scans)
    expect(r.scans.failuresByCode).toEqual({ '0x8024400E': 3 });
    expect(r.scans.byTrigger.retry).toEqual({ online: 0, offline: 0 });
    const byClient = new Map<string, { eventId: number; win32HResult: number; strings: string[] }[]>();
    for (const e of w.events) byClient.set(e.client!, [...(byClient.get(e.client!) ?? []), e]);
    expect(byClient.size).toBe(3);
    for (const [client, evs] of byClient) {
      // the 2nd scan's batch: the first scan's 148, then its own 147; the 3rd scan's: its 147 alone
      expect(evs.map((e) => e.eventId), client).toEqual([148, 147, 147]);
      expect(evs[0]).toMatchObject({ win32HResult: 0x8024400e | 0, strings: ['0x8024400E'] });
      expect(evs[1]!.win32HResult).toBe(0);
    }
  }, 60_000);
});
