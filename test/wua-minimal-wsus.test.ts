// The agent against a minimal WSUS written in the test (test/helpers/
// minimal-wsus.ts: hand-written WSUS 2025 answers, an Anonymous authorization
// plug-in, and a closed connection for every operation it does not implement,
// StartCategoryScan among them): online scans complete, the content comes from
// the (embedded) DP and the state reaches the (embedded) MP, over HTTP.

import { describe, expect, it, afterAll } from 'vitest';
import { pino } from 'pino';
import { resolveScenario } from '../harness/scenario/resolve.js';
import { runFleet } from '../harness/run.js';
import { buildResults } from '../harness/output/results.js';
import { StubCore } from '../server-stub/core/index.js';
import { minimalWsus, type MinimalWsus } from './helpers/minimal-wsus.js';
import { smallWireFleet } from './helpers/fleets.js';

const silent = pino({ level: 'silent' });
const servers: MinimalWsus[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe('agent against a minimal WSUS (Anonymous plug-in, no StartCategoryScan)', () => {
  it('completes online scans, downloads and state reports; no SimpleAuth call, no failed scan', async () => {
    const sc = resolveScenario(smallWireFleet(4));
    const cat = new StubCore(sc.stub).catalogue;
    const w = await minimalWsus({ updates: cat.ids.map((id, u) => ({ id, revision: cat.revision[u]! })), maxExtended: 25 });
    servers.push(w);
    // unsigned: the MP's signatures are not what this is about (30 % of an HTTP run's CPU, measured)
    const o = await runFleet(sc, { logger: silent, transport: { kind: 'http', sign: false, external: { wsus: w.url } } });
    const r = buildResults(o);

    expect(r.scans.online).toBeGreaterThan(4);
    expect(r.scans.failuresByCode).toEqual({});
    // every scan reached the end of the sequence: one ReportEventBatch per online scan
    expect(w.operations.get('ReportEventBatch')).toBe(r.scans.online);
    // StartCategoryScan was tried, the server closed the connection, and the scan went on
    expect(w.closed.get('StartCategoryScan')).toBe(r.scans.online);
    // Anonymous plug-in: no GetAuthorizationCookie, GetCookie without an authorization cookie
    expect(w.operations.get('GetAuthorizationCookie')).toBeUndefined();
    expect(w.authCookiesSeen).toBe(0);
    expect(w.operations.get('GetCookie')).toBe(r.scans.online);
    // registration required: each client registers once
    expect(w.registered.sort()).toEqual([0, 1, 2, 3].map((c) => `client${c}.suca-fleet.test`).sort());
    // MaxExtendedUpdatesPerRequest 25: 40 new updates take two GetExtendedUpdateInfo calls, none too big
    expect(w.oversizedExtended).toBe(0);
    expect(w.operations.get('GetExtendedUpdateInfo')).toBeGreaterThanOrEqual(2 * 4);
    // the agent's datastore: one full scan per client, the rest deltas
    expect(r.wire!.datastore.fullScans).toBe(4);
    expect(r.wire!.datastore.deltaScans).toBe(r.scans.online - 4);
    expect(r.wire!.datastore.updatesReceived).toBe(4 * 40);
    // nothing else was closed on: the agent asked for nothing else
    expect([...w.closed.keys()]).toEqual(['StartCategoryScan']);

    // the deployment's content came from the DP and the state reached the MP
    expect(r.wire!.agentOperations['dp GET']).toBeGreaterThan(0);
    expect(o.metrics.eventCount('download.completed')).toBeGreaterThan(0);
    expect(o.metrics.eventCount('install.completed')).toBeGreaterThan(0);
    expect(r.stateMessages.ingested).toBeGreaterThan(0);
    expect(r.compliance!.updates.installed).toBeGreaterThan(0);
  });
});
