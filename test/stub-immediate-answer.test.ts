// server-stub/core StubCore.immediate(): the in-process transport's way round
// exchange() when nothing can delay, drop or fail a request. It must answer
// what exchange() answers and count what exchange() counts, and step aside
// (null) whenever a fault or a WSUS capacity model could act.

import { describe, expect, it } from 'vitest';
import { StubCore } from '../server-stub/core/index.js';
import { InProcessTransport } from '../agent/runtime/transport.js';
import type { Reply, Request } from '../agent/core/types.js';
import { MSG_STRIDE } from '../agent/core/types.js';
import { scenario, DAY, HOUR } from './helpers/kit.js';

const DEPLOYMENTS = [
  { name: 'a', updates: [1, 2], available: '1d', deadline: '3d' },
  { name: 'b', updates: [3], created: '2d', available: '2d', deadline: null, targetFraction: 0.5 },
];

/** Every kind of request, for client c at offset t: built here from the typed request shapes, not by the agent core. */
function requests(core: StubCore, c: number, t: number): Request[] {
  const sup = core.cfg.sups[0]!;
  const a = core.mp.assignmentsAt(c, t);
  const msg = new Array<number>(MSG_STRIDE).fill(0);
  return [
    { kind: 'policy.assignments', client: c, knownVersion: 0 },
    ...a.assignments.map((x): Request => ({ kind: 'policy.body', client: c, assignment: x })),
    { kind: 'location.wsus', client: c, contentId: core.catalogue.updateSourceId, contentVersion: 1 },
    { kind: 'wsus.scan', client: c, sup, held: [] },
    { kind: 'wsus.scan', client: c, sup: core.cfg.sups[1] ?? sup },
    { kind: 'location.content', client: c, updates: [1] },
    { kind: 'dp.download', client: c, dp: core.cfg.dps[0]!, updates: [1, 2], bytes: core.catalogue.bytes[1]! + core.catalogue.bytes[2]! },
    { kind: 'state.report', client: c, msgs: msg },
  ];
}

describe('StubCore.immediate', () => {
  it('answers what exchange() answers, with the same counters, for every kind of request over days of policy changes', () => {
    const sc = scenario({ clients: 20, deployments: DEPLOYMENTS, site: { sups: ['http://sup1.stub.test:8530', 'http://sup2.stub.test:8530'] } });
    const viaExchange = new StubCore(sc.stub);
    const viaImmediate = new StubCore(sc.stub);
    let answered = 0;
    for (let h = 0; h < 4 * 24; h += 5) {
      const t = sc.start + h * HOUR;
      for (let c = 0; c < 20; c++) {
        for (const req of requests(viaExchange, c, t)) {
          const x = viaExchange.exchange(req, t);
          expect(x.delayMs).toBe(0);
          expect(x.dropped).toBe(false);
          const r = viaImmediate.immediate(req, t);
          expect(r).not.toBeNull();
          expect(r).toEqual(x.reply);
          answered++;
        }
      }
    }
    expect(answered).toBeGreaterThan(1000);
    expect(viaImmediate.mp.counters).toEqual(viaExchange.mp.counters);
    expect(viaImmediate.wsus.counters).toEqual(viaExchange.wsus.counters);
    expect(viaImmediate.dp.counters).toEqual(viaExchange.dp.counters);
    // scans from a client's other SUP are SUP changes, noted by both ways (the scenario has two SUPs)
    expect(sc.stub.sups.length).toBeGreaterThan(1);
    expect(viaImmediate.wsus.counters.supChanges).toBeGreaterThan(0);
  });

  it('steps aside when the scenario has a fault (of any target) or a WSUS pool, and the transport then uses exchange()', () => {
    const faulted = scenario({ clients: 4, faults: [{ target: 'mp.state', from: '1d', to: '2d', lose: true }] });
    const core = new StubCore(faulted.stub);
    const poll: Request = { kind: 'policy.assignments', client: 0, knownVersion: 0 };
    // even outside the fault's window and for another target: the fault decides that, in exchange()
    expect(core.immediate(poll, faulted.start)).toBeNull();
    const report: Request = { kind: 'state.report', client: 0, msgs: new Array(MSG_STRIDE).fill(0) };
    const transport = new InProcessTransport(core, 30_000);
    const delivered: Reply[] = [];
    transport.bind((_c, _t, r) => delivered.push(r));
    // inside the window the report is lost, as exchange() says: accepted, never ingested
    expect(transport.request(report, faulted.start + DAY + HOUR)).toEqual({ kind: 'state.report' });
    expect(core.mp.counters.stateReportsLost).toBe(1);

    const pooled = scenario({ clients: 4, site: { wsusPool: { workers: 1, queueLength: 1, serviceTimeMin: '1s', serviceTimeMax: '1s' } } });
    const pc = new StubCore(pooled.stub);
    expect(pc.immediate({ kind: 'wsus.scan', client: 0, sup: pooled.stub.sups[0]!, held: [] }, pooled.start)).toBeNull();
    // requests the pool does not see are still answered at once
    expect(pc.immediate(poll, pooled.start)).toEqual(pc.mp.assignmentsAt(0, pooled.start));
  });

  it('the policy epoch is right when lookups go back in time (the HTTP stub asks out of order)', () => {
    const sc = scenario({ clients: 8, deployments: DEPLOYMENTS });
    const a = new StubCore(sc.stub);
    const times = [3 * DAY, 0, 2 * DAY + HOUR, HOUR, 5 * DAY, DAY].map((x) => sc.start + x);
    for (const t of times) {
      const fresh = new StubCore(sc.stub);
      for (let c = 0; c < 8; c++) expect(a.mp.assignmentsAt(c, t).version).toBe(fresh.mp.assignmentsAt(c, t).version);
    }
    // and the versions did change across those times (deployments a and b were created on days 0 and 2)
    expect(new Set(times.map((t) => a.mp.assignmentsAt(0, t).version)).size).toBeGreaterThan(1);
  });
});
