// Scenario faults applied by the stub (each effect), and what the clients do
// about them: a long MP outage, WSUS 503 bursts, lost answers and slow
// answers lose no state message and count none twice; at the end the site
// shows every client's real state.

import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { resolveScenario } from '../harness/scenario/resolve.js';
import { runFleet } from '../harness/run.js';
import { buildResults } from '../harness/output/results.js';
import { checkTrace, parseTrace } from '../harness/conformance/check.js';
import { U_REPORTED_MASK } from '../agent/core/state.js';
import { COMPLIANCE } from '../agent/core/constants.js';
import { ScenarioError } from '../harness/errors.js';
import { StubCore } from '../server-stub/core/index.js';

const silent = pino({ level: 'silent' });
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'suca-faults-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('faults', () => {
  it('an MP outage of hours, WSUS 503 bursts, lost and slow answers: nothing lost, nothing counted twice, final state at the site', async () => {
    const sc = resolveScenario({
      clients: 300,
      duration: '8d',
      site: { sups: ['http://sup1.stub.test:8530', 'http://sup2.stub.test:8530'] },
      faults: [
        // the MP down for 9 hours across the deadline
        { target: 'mp.state', from: '2d20h', to: '3d5h', status: 503 },
        { target: 'mp.policy', from: '2d20h', to: '3d5h', reset: true },
        // WSUS 503 bursts during the first-scan storm and at the deadline
        { target: 'wsus', from: '20m', to: '1h20m', rate: 0.6, status: 503 },
        { target: 'wsus', operation: 'SyncUpdates', from: '3d', to: '3d3h', rate: 0.5, status: 503 },
        // answers lost after the MP took the report, and slow answers
        { target: 'mp.state', from: '1d', to: '2d', rate: 0.3, drop: true },
        { target: 'mp.location', from: '0', to: '8d', rate: 0.1, delay: '5s' },
        { target: 'mp.location', from: '1d', to: '1d6h', rate: 0.2, delay: '2m' },
        // cookie faults the client recovers from
        { target: 'wsus', from: '0', to: '8d', rate: 0.05, soapFault: 'InvalidCookie' },
      ],
    });
    const trace = join(dir, 'faults.ndjson');
    const o = await runFleet(sc, { tracePath: trace, logger: silent });
    const r = buildResults(o);
    const report = checkTrace(parseTrace(readFileSync(trace, 'utf8')), sc);
    expect(report.violations.slice(0, 5)).toEqual([]);

    // the faults happened, and the clients reacted as the real client does
    expect(r.faultsInjected!['mp.state']).toBeGreaterThan(100);
    expect(r.scans.failuresByCode['0x80244022']).toBeGreaterThan(50); // 503 from WSUS, retried
    expect(r.events['scan.failed']).toBe(Object.values(r.scans.failuresByCode).reduce((a, b) => a + b, 0));
    expect(r.stateMessages.reportsFailed).toBeGreaterThan(100);
    expect(o.stub.recoveries).toBeGreaterThan(0);
    // lost answers: the MP had the report, the client sent it again, the MP counted it once
    expect(r.stateMessages.duplicates).toBeGreaterThan(0);
    expect(r.stateMessages.superseded).toBeGreaterThan(0); // a newer state after a lost answer took a new serial

    // nothing left behind, nothing counted twice
    expect(r.stateMessages.undeliveredAtEnd).toBe(0);
    expect(r.stateMessages.backlogAtEnd).toBe(0);
    expect(r.stateMessages.ingested! + r.stateMessages.duplicates!).toBe(r.stateMessages.received);

    // the site shows every client's real, final state for every update and deployment
    const U = o.stub.catalogue.size;
    const D = o.stub.mp.deployments.length;
    let checked = 0;
    for (const s of o.fleet.states) {
      for (let u = 0; u < U; u++) {
        expect(o.stub.mp.updateStateAt(s.idx * U + u), `client ${s.idx} update ${u}`).toBe(s.upd[s.ub + u]! & U_REPORTED_MASK);
        checked++;
      }
      for (const d of s.deployments) expect(o.stub.mp.deploymentState[s.idx * D + d.policy.index]).toBe(d.compliance);
    }
    expect(checked).toBe(300 * 200);
    expect(r.compliance!.deployments[0]!.clients.compliant).toBe(300);
    expect(o.fleet.states.every((s) => s.deployments[0]!.compliance === COMPLIANCE.COMPLIANT)).toBe(true);
  });

  it('each effect reaches an in-process client as the HRESULT the real client would report', () => {
    const sc = resolveScenario({
      clients: 1,
      faults: [
        { target: 'wsus', from: '0', to: '1h', status: 503 },
        { target: 'wsus', from: '1h', to: '2h', reset: true },
        { target: 'wsus', from: '2h', to: '3h', soapFault: 'ServerBusy' },
        { target: 'wsus', from: '3h', to: '4h', code: '0x80072EE2' },
        { target: 'dp', from: '0', to: '1h', status: 404 },
        { target: 'mp.state', from: '0', to: '1h', drop: true },
        { target: 'mp.policy', from: '0', to: '1h', delay: '10s' },
      ],
    });
    const stub = new StubCore(sc.stub);
    const H = 3_600_000;
    const scan = (t: number) => stub.exchange({ kind: 'wsus.scan', client: 0, sup: sc.stub.sups[0]! }, sc.start + t);
    expect(scan(0).reply).toEqual({ kind: 'error', req: 'wsus.scan', code: 0x80244022 });
    expect(scan(H).reply).toEqual({ kind: 'error', req: 'wsus.scan', code: 0x80072efe });
    expect(scan(2 * H).reply).toEqual({ kind: 'error', req: 'wsus.scan', code: 0x8024400e });
    expect(scan(3 * H).reply).toEqual({ kind: 'error', req: 'wsus.scan', code: 0x80072ee2 });
    expect(scan(4 * H).reply.kind).toBe('wsus.scan');
    expect(stub.exchange({ kind: 'dp.download', client: 0, dp: sc.stub.dps[0]!, updates: [1], bytes: 0 }, sc.start).reply).toMatchObject({ code: 0x80244019 });
    const dropped = stub.exchange({ kind: 'state.report', client: 0, msgs: [500, 2, 1, 1, sc.start, 0] }, sc.start);
    expect(dropped.dropped).toBe(true);
    expect(stub.mp.counters.stateMessagesIngested).toBe(1); // processed all the same
    const slow = stub.exchange({ kind: 'policy.assignments', client: 0, knownVersion: 0 }, sc.start);
    expect(slow.delayMs).toBe(10_000);
    expect(slow.reply.kind).toBe('policy.assignments');
  });

  it('a fault needs exactly one effect, an operation of its target, and soapFault only on WSUS', () => {
    try {
      resolveScenario({
        faults: [
          { target: 'wsus', from: '0', to: '1h' },
          { target: 'wsus', from: '0', to: '1h', status: 503, drop: true },
          { target: 'mp.state', operation: 'SyncUpdates', from: '0', to: '1h', drop: true },
          { target: 'dp', from: '0', to: '1h', soapFault: 'ServerBusy' },
        ],
      });
      throw new Error('not rejected');
    } catch (err) {
      const issues = (err as ScenarioError).issues.map((i) => `${i.path}: ${i.message}`);
      expect(issues).toEqual(expect.arrayContaining([
        expect.stringMatching(/^faults\[0\]: needs exactly one effect .* none/),
        expect.stringMatching(/^faults\[1\]: needs exactly one effect .* status, drop/),
        expect.stringMatching(/^faults\[2\]\.operation: "SyncUpdates" is not an operation of mp\.state/),
        expect.stringMatching(/^faults\[3\]\.soapFault: only applies to target "wsus"/),
      ]));
    }
  });
});
