// Contract: the same small fleet through the in-process transport and over
// HTTP (real stub servers on port 0, real wire formats, virtual time in
// lockstep) gives the same trace, apart from the server URLs. The two paths
// cannot drift.

import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { resolveScenario } from '../harness/scenario/resolve.js';
import { runFleet, type TransportOptions } from '../harness/run.js';
import { buildResults } from '../harness/output/results.js';
import { smallWireFleet, serversAsRoles } from './helpers/fleets.js';

const silent = pino({ level: 'silent' });
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'suca-contract-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(name: string, input: Record<string, unknown>, transport: TransportOptions) {
  const sc = resolveScenario(input);
  const trace = join(dir, `${name}.ndjson`);
  const o = await runFleet(sc, { tracePath: trace, logger: silent, transport });
  const lines = readFileSync(trace, 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const e = JSON.parse(l);
      // the SUP is a URL: a stub host name in-process, 127.0.0.1:port over HTTP
      serversAsRoles(e);
      return JSON.stringify(e);
    });
  return { lines, results: buildResults(o) };
}

describe('contract: in-process and HTTP transports', () => {
  it('the same fleet gives the same trace', async () => {
    const input = smallWireFleet(6);
    const a = await run('inproc', input, { kind: 'in-process' });
    const b = await run('http', input, { kind: 'http' });
    expect(a.lines.length).toBeGreaterThan(500);
    expect(b.lines).toEqual(a.lines);
    expect(b.results.stateMessages.ingested).toBe(a.results.stateMessages.ingested);
    expect(b.results.compliance).toEqual(a.results.compliance);
    // and it really went over the wire: the full MS-WUSP sequence and the MP endpoints
    const ops = b.results.wire!.stub!;
    for (const op of ['GetConfig', 'GetAuthorizationCookie', 'GetCookie', 'RegisterComputer', 'StartCategoryScan', 'SyncUpdates', 'GetExtendedUpdateInfo', 'ReportEventBatch']) {
      expect(ops.wsus[op], op).toBeGreaterThan(0);
    }
    for (const ep of ['MP_ClientRegistration', 'MP_PolicyManager', 'MP_LocationManager', 'MP_RelayEndpoint', 'GET .sms_pol']) {
      expect(ops.mp[ep], ep).toBeGreaterThan(0);
    }
    expect(ops.wsus.GetConfig).toBe(a.results.scans.online);
    expect(Object.keys(ops.refused)).toEqual([]);
  });
});

describe('contract: machines off and resync over both transports', () => {
  it('power schedules, a lost upload and the resync it brings give the same trace in-process and over HTTP', async () => {
    const input = {
      ...smallWireFleet(4),
      power: { workstations: { fraction: 0.75 } },
      // the site asks for a resync 6 h after it sees the gap: the request rides ReplyAssignments over HTTP
      site: { minMissingMessageAge: '6h' },
      faults: [{ target: 'mp.state', from: '1d', to: '2d2h', lose: true }],
    };
    const a = await run('p-inproc', input, { kind: 'in-process' });
    // unsigned: signing is not what this compares (the first test and wire-shape run signed); measured, it is 30 % of an HTTP run's CPU
    const b = await run('p-http', input, { kind: 'http', sign: false });
    expect(a.lines.some((l) => l.includes('"ev":"power.off"'))).toBe(true);
    expect(a.lines.some((l) => l.includes('"ev":"state.resync"'))).toBe(true);
    expect(b.lines).toEqual(a.lines);
    expect(b.results.compliance).toEqual(a.results.compliance);
  });
});

describe('faults over HTTP', () => {
  it('an MP outage of hours and WSUS 503 bursts over the wire: nothing lost, nothing counted twice, final state at the MP', async () => {
    const input = {
      clients: 8,
      // 3 simulated days (was 5): the last fault ends at 2d6h, and 18 h after it are 72 report
      // cycles of 15 min for the backlog to drain and every client to report its final state
      duration: '3d',
      catalogue: { updates: 30, newUpdates: 4, maxSizeMB: 1 },
      deployments: [{ name: 'Monthly', updates: { newest: 4 }, available: '1d', deadline: '2d' }],
      faults: [
        { target: 'mp.state', from: '1d20h', to: '2d6h', status: 503 },
        { target: 'mp.policy', from: '1d20h', to: '2d6h', reset: true },
        { target: 'wsus', operation: 'SyncUpdates', from: '10m', to: '2h', rate: 0.7, status: 503 },
        { target: 'wsus', operation: 'GetExtendedUpdateInfo', from: '2d', to: '2d1h', status: 503 },
      ],
    };
    const sc = resolveScenario(input);
    // unsigned: signing is not what this is about (the first test and wire-shape run signed); measured, it is 30 % of an HTTP run's CPU
    const o = await runFleet(sc, { logger: silent, transport: { kind: 'http', sign: false } });
    const r = buildResults(o);
    expect(r.scans.failuresByCode['0x80244022']).toBeGreaterThan(0);
    expect(r.stateMessages.reportsFailed).toBeGreaterThan(0);
    expect(r.wire!.stub!.refused).toEqual({});
    expect(r.stateMessages.undeliveredAtEnd).toBe(0);
    expect(r.stateMessages.duplicates).toBe(0);
    expect(r.stateMessages.ingested).toBe(r.stateMessages.delivered);
    // the site shows each client's final state
    const U = o.stub.catalogue.size;
    for (const s of o.fleet.states) {
      for (let u = 0; u < U; u++) expect(o.stub.mp.updateStateAt(s.idx * U + u)).toBe(s.upd[s.ub + u]! & 3);
      expect(o.stub.mp.contiguousSerial(s.idx)).toBe(s.serial);
    }
    expect(r.compliance!.deployments[0]!.clients.compliant).toBe(8);
  });
});

describe('MP delay faults over HTTP', () => {
  it('a delay fault on the MP holds the answer back by its duration, and the MP still does the work', async () => {
    const { startStubServers } = await import('../server-stub/http/index.js');
    const { CcmMpWire } = await import('../agent/runtime/http/mp-wire.js');
    const { Agent } = await import('undici');
    const sc = resolveScenario({ clients: 2, faults: [{ target: 'mp.location', from: '0', to: '1d', delay: '400ms' }, { target: 'mp.state', from: '0', to: '1d', delay: '300ms' }] });
    const servers = await startStubServers({ config: sc.stub, logger: silent, clock: () => sc.start, verifySignatures: false });
    const dispatcher = new Agent();
    try {
      const ids = servers.core.catalogue.ids;
      const { clientGuid } = await import('../server-stub/core/clients.js');
      const real = new CcmMpWire({ clientGuid: (i) => clientGuid(sc.seed, i), topicIdOf: (_t, u) => ids[u]!, updateSourceId: '', contentIdOf: () => 'C', now: () => sc.start, keys: null });
      await real.exchange({ kind: 'policy.assignments', client: 0, knownVersion: 0 }, servers.urls.mp, dispatcher, 5000); // registers
      let t0 = performance.now();
      const loc = await real.exchange({ kind: 'location.wsus', client: 0, contentId: servers.core.catalogue.updateSourceId, contentVersion: 1 }, servers.urls.mp, dispatcher, 5000);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(380);
      expect(loc).toEqual({ kind: 'location.wsus', sups: [servers.urls.wsus] });
      t0 = performance.now();
      const rep = await real.exchange({ kind: 'state.report', client: 0, msgs: [500, 2, 3, 1, sc.start, 0] }, servers.urls.mp, dispatcher, 5000);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(280);
      expect(rep).toEqual({ kind: 'state.report' });
      expect(servers.core.mp.counters.stateMessagesIngested).toBe(1);
    } finally {
      await dispatcher.close();
      await servers.close();
    }
  });

  it('with time zones, maintenance windows and local-time deployments: the same trace (the window fields of deployments travel in CCM_UpdateCIAssignment)', async () => {
    const input = {
      ...smallWireFleet(6),
      catalogue: { updates: 40, newUpdates: 5, maxSizeMB: 2, installedFraction: 0, restartFraction: 1 },
      timeZones: [{ zone: 'America/New_York', fraction: 0.5 }, { zone: 'Europe/Berlin', fraction: 0.5 }],
      collections: [{ name: 'Nights', fraction: 0.7, maintenanceWindows: [{ start: '2026-01-05T01:00', duration: '3h', recurrence: 'daily', localTime: true }] }],
      deployments: [
        { name: 'Local', updates: { newest: 5 }, available: '1d', deadline: '2d', localTime: true, maxRunTime: '30m' },
        { name: 'Anytime', updates: [3, 4], available: '1d', deadline: '2d6h', overrideServiceWindows: true, rebootOutsideOfServiceWindows: true },
      ],
    };
    const a = await run('inproc-mw', input, { kind: 'in-process' });
    // unsigned: signing is not what this compares (the first test and wire-shape run signed); measured, it is 30 % of an HTTP run's CPU
    const b = await run('http-mw', input, { kind: 'http', sign: false });
    expect(a.lines.some((l) => l.includes('"install.waitingForWindow"'))).toBe(true);
    expect(b.lines).toEqual(a.lines);
  });
});
