// Resync (issue 11 item 7; client-behaviour.md section 2): lost uploads (the
// 'lose' fault: the MP answers and drops the report) leave serial gaps; the
// stub MP asks for a resync in the policy reply once a gap is older than
// site.minMissingMessageAge (2,880 min default), and the client resends its
// full state, after which the site's view matches the client again.
// Simulated clock (CoreKit), in-process stub.

import { describe, expect, it } from 'vitest';
import { CoreKit, DAY, HOUR, MIN } from './helpers/kit.js';
import { scanStateOf, U_REPORTED_MASK } from '../agent/core/state.js';
import { TOPIC } from '../agent/core/constants.js';
import { DEFAULT_MIN_MISSING_MESSAGE_AGE } from '../server-stub/core/resync.js';

// uploads around the deployment's deadline (3 d) are answered and lost: the install's states never
// reach the site; the week's scans (7 d) bring later serials, and the gap opens when they arrive
const LOSE = { target: 'mp.state', from: '2d23h', to: '3d12h', lose: true };
const input = (site: Record<string, unknown> = {}) => ({ clients: 3, faults: [LOSE], site });

/** Does the MP's view of client c match what the client last reported, for every update and deployment? */
function viewMatches(k: CoreKit, c: number): { updates: number; deployments: number; scan: boolean } {
  const s = k.clients[c]!;
  const mp = k.stub.mp;
  const U = k.stub.catalogue.size;
  let updates = 0;
  for (let u = 0; u < U; u++) if (mp.updateStateAt(c * U + u) !== (s.upd[s.ub + u]! & U_REPORTED_MASK)) updates++;
  const D = Math.max(1, mp.deployments.length);
  let deployments = 0;
  for (const d of s.deployments) if (d.compliance >= 0 && mp.deploymentState[c * D + d.policy.index] !== d.compliance) deployments++;
  return { updates, deployments, scan: mp.scanState[c] === scanStateOf(s) };
}

describe('serial gaps and resync', () => {
  it('the default Min Missing Message Age is 2,880 min', () => {
    expect(DEFAULT_MIN_MISSING_MESSAGE_AGE).toBe(2880 * MIN);
    expect(new CoreKit().sc.stub.minMissingMessageAge).toBe(2880 * MIN);
  });

  it('lost uploads leave gaps; 48 h later the policy reply asks for a resync and the client resends its full state', () => {
    const k = new CoreKit(input());
    k.runFor(10 * DAY);
    expect(k.stub.mp.counters.stateReportsLost).toBeGreaterThan(0);
    for (let c = 0; c < 3; c++) {
      const rs = k.of('state.resync', c);
      expect(rs).toHaveLength(1);
      expect(rs[0]!.e.request).toBe(1);
      // asked at a policy poll, at least 48 h after the lost window ended (the gap opens when later serials arrive)
      expect(k.of('policy.requested', c).some((p) => p.t === rs[0]!.t)).toBe(true);
      expect(rs[0]!.t).toBeGreaterThanOrEqual(k.sc.start + 7 * DAY + 2880 * MIN);
      // the full state: one 500 per update it reported, its 501, and the deployment states
      const queued = k.of('state.queued', c).filter((q) => q.t === rs[0]!.t);
      expect(queued.length).toBe(rs[0]!.e.messages);
      expect(queued.filter((q) => q.e.topicType === TOPIC.UPDATE_DETECTION)).toHaveLength(k.stub.catalogue.size);
      expect(queued.filter((q) => q.e.topicType === TOPIC.UPDATE_SOURCE_SCAN)).toHaveLength(1);
      expect(queued.filter((q) => q.e.topicType === TOPIC.ASSIGNMENT_COMPLIANCE)).toHaveLength(1);
      // nothing is lost for good: the site's view is the client's again
      expect(viewMatches(k, c)).toEqual({ updates: 0, deployments: 0, scan: true });
    }
    expect(k.stub.mp.gapsOpen()).toBe(0);
    expect(k.stub.mp.resync.requests).toBe(3);
    expect(k.stub.mp.resync.serialsGivenUp).toBeGreaterThan(0);
  });

  it('without a resync in the run (a long Min Missing Message Age) the lost states stay lost', () => {
    const k = new CoreKit(input({ minMissingMessageAge: '30d' }));
    k.runFor(10 * DAY);
    expect(k.of('state.resync')).toHaveLength(0);
    expect(k.stub.mp.gapsOpen()).toBeGreaterThan(0);
    const wrong = [0, 1, 2].map((c) => viewMatches(k, c)).filter((v) => v.updates + v.deployments > 0 || !v.scan);
    expect(wrong.length).toBeGreaterThan(0);
  });

  it('a shorter site setting asks sooner, once per gap; the number only grows', () => {
    const k = new CoreKit(input({ minMissingMessageAge: '6h' }));
    k.runFor(10 * DAY);
    const rs = k.of('state.resync', 0);
    expect(rs.length).toBeGreaterThanOrEqual(1);
    expect(rs.map((r) => r.e.request)).toEqual(rs.map((_, i) => i + 1));
    expect(viewMatches(k, 0)).toEqual({ updates: 0, deployments: 0, scan: true });
  });

  it('no lost upload, no gap, no resync', () => {
    const k = new CoreKit({ clients: 3 });
    k.runFor(10 * DAY);
    expect(k.of('state.resync')).toHaveLength(0);
    expect(k.stub.mp.resync.requests).toBe(0);
    for (let c = 0; c < 3; c++) expect(viewMatches(k, c)).toEqual({ updates: 0, deployments: 0, scan: true });
  });

  it('a lost upload fault only applies to mp.state', () => {
    expect(() => new CoreKit({ faults: [{ target: 'wsus', from: '0', to: '1h', lose: true }] })).toThrow(/lose: only applies to target "mp.state"/);
  });

  it('the client acts once per request number, however often the reply repeats it', () => {
    const k = new CoreKit(input());
    k.runFor(10 * DAY);
    const polls = k.of('policy.requested', 0).filter((p) => p.t > k.of('state.resync', 0)[0]!.t);
    expect(polls.length).toBeGreaterThan(10 * (HOUR / HOUR));
    expect(k.of('state.resync', 0)).toHaveLength(1);
  });
});
