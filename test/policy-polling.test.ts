// Machine policy polling (DESIGN.md "Agent loop" 1; client-behaviour.md section 1:
// "Client policy polling interval: 60 min"): the client asks MP_PolicyManager for its
// assignments every policyPollingInterval, downloads only new or changed policy
// bodies, and applies nothing of a cycle whose assignments or bodies failed.

import { describe, expect, it } from 'vitest';
import { CoreKit, DAY, HOUR, MIN, T0 } from './helpers/kit.js';
import type { Reply, Request } from '../agent/core/types.js';

/** A scenario with no restart-requiring updates, so nothing shifts the polling cadence. */
const quiet = (extra: Record<string, unknown> = {}) => ({
  catalogue: { restartFraction: 0 },
  ...extra,
});

const depAt2d = [{ name: 'Patch Tuesday', updates: { newest: 10 }, created: '2d', available: '2d', deadline: '4d' }];

function bodies(k: CoreKit, client = 0) {
  return k.requests.filter((r) => r.client === client && r.req.kind === 'policy.body') as {
    t: number;
    client: number;
    req: Extract<Request, { kind: 'policy.body' }>;
  }[];
}

describe('machine policy polling', () => {
  it('polls every policyPollingInterval (60 min) exactly, the first poll within model.startWithin of the start', () => {
    const k = new CoreKit(quiet({ clients: 20, deployments: [] }));
    k.runUntil(T0 + 2 * DAY);
    for (let c = 0; c < 20; c++) {
      const polls = k.of('policy.requested', c).map((r) => r.t);
      const first = polls[0]!;
      expect(first).toBeGreaterThanOrEqual(T0);
      expect(first).toBeLessThan(T0 + 60 * MIN);
      for (let i = 1; i < polls.length; i++) expect(polls[i]! - polls[i - 1]!).toBe(60 * MIN);
      // every poll that fits in the two days happened
      expect(polls).toHaveLength(Math.floor((T0 + 2 * DAY - 1 - first) / HOUR) + 1);
      // one assignments request per poll, at the same time
      const asks = k.requests.filter((r) => r.client === c && r.req.kind === 'policy.assignments').map((r) => r.t);
      expect(asks).toEqual(polls);
    }
    // the clients' first polls are spread over the window, not all at the start
    const firsts = new Set(k.of('policy.requested').filter((r) => r.t < T0 + HOUR).map((r) => r.t));
    expect(firsts.size).toBe(20);
  });

  it('honours a custom policyPollingInterval', () => {
    const k = new CoreKit(quiet({ client: { policyPollingInterval: '25m' }, deployments: [] }));
    k.runUntil(T0 + 1 * DAY);
    const polls = k.of('policy.requested').map((r) => r.t);
    expect(polls.length).toBeGreaterThan(50);
    for (let i = 1; i < polls.length; i++) expect(polls[i]! - polls[i - 1]!).toBe(25 * MIN);
  });

  it('downloads policy bodies only on the first poll and when the policy changes (deployment created at 2d)', () => {
    const k = new CoreKit(quiet({ deployments: depAt2d }));
    k.runUntil(T0 + 4 * DAY);
    const polls = k.of('policy.requested').map((r) => r.t);
    const first = polls[0]!;
    const firstAfterDep = polls.find((t) => t >= T0 + 2 * DAY)!;
    expect(firstAfterDep).toBeLessThan(T0 + 2 * DAY + HOUR);

    const b = bodies(k);
    expect(b).toHaveLength(2);
    // first poll: the SUCA settings (slot 0) only; no deployment exists yet
    expect(b[0]!.t).toBe(first);
    expect(b[0]!.req.assignment.slot).toBe(0);
    // the poll after the deployment was created: only the new deployment body, settings unchanged
    expect(b[1]!.t).toBe(firstAfterDep);
    expect(b[1]!.req.assignment.slot).toBe(1);
    expect(b[1]!.req.assignment.id).toBe(k.stub.mp.deployments[0]!.id);
    // all ~95 other polls cost one assignments request and nothing else
    expect(k.requests.filter((r) => r.req.kind === 'policy.assignments')).toHaveLength(polls.length);
    expect(k.stub.mp.counters.bodyRequests).toBe(2);
    // polling cadence unchanged by the policy change
    for (let i = 1; i < polls.length; i++) expect(polls[i]! - polls[i - 1]!).toBe(HOUR);
  });

  it('reports policy.received with version, deployment ids and softwareUpdatesEnabled', () => {
    const k = new CoreKit(quiet({ deployments: depAt2d }));
    k.runUntil(T0 + 3 * DAY);
    const polls = k.of('policy.requested').map((r) => r.t);
    const rec = k.of('policy.received');
    // one policy.received per poll, at the poll's time (in-process replies are immediate)
    expect(rec.map((r) => r.t)).toEqual(polls);
    const before = rec.filter((r) => r.t < T0 + 2 * DAY);
    const after = rec.filter((r) => r.t >= T0 + 2 * DAY);
    expect(before.length).toBeGreaterThan(40);
    expect(after.length).toBeGreaterThan(20);
    const v1 = before[0]!.e.version;
    const v2 = after[0]!.e.version;
    expect(v1).toBeGreaterThan(0);
    expect(v2).not.toBe(v1);
    for (const r of before) {
      expect(r.e.version).toBe(v1);
      expect(r.e.deployments).toEqual([]);
      expect(r.e.softwareUpdatesEnabled).toBe(true);
    }
    const id = k.stub.mp.deployments[0]!.id;
    for (const r of after) {
      expect(r.e.version).toBe(v2);
      expect(r.e.deployments).toEqual([id]);
      expect(r.e.softwareUpdatesEnabled).toBe(true);
    }
    expect(k.client.policyVersion).toBe(v2);
  });

  it('reports softwareUpdatesEnabled false while the site has not enabled software updates', () => {
    const k = new CoreKit(quiet({ deployments: [], site: { softwareUpdatesEnabledAt: '1d' } }));
    k.runUntil(T0 + 2 * DAY);
    const rec = k.of('policy.received');
    for (const r of rec) expect(r.e.softwareUpdatesEnabled).toBe(r.t >= T0 + DAY);
    // the settings body is downloaded twice: disabled on the first poll, enabled on the first poll after 1d
    const b = bodies(k);
    expect(b.map((x) => x.req.assignment.slot)).toEqual([0, 0]);
    expect(b[0]!.t).toBe(rec[0]!.t);
    expect(b[1]!.t).toBe(rec.find((r) => r.t >= T0 + DAY)!.t);
    expect(b[1]!.req.assignment.version).not.toBe(b[0]!.req.assignment.version);
  });

  it('a failed assignments reply applies nothing; the next poll, one interval later, retries', () => {
    const k = new CoreKit(quiet({ deployments: [] }));
    let failed = 0;
    k.hook = (req, _t, normal): Reply => {
      if (req.kind === 'policy.assignments' && failed < 2) {
        failed++;
        return { kind: 'error', req: 'policy.assignments', code: 0x80072efd };
      }
      return normal();
    };
    k.runUntil(T0 + 6 * HOUR);
    const polls = k.of('policy.requested').map((r) => r.t);
    for (let i = 1; i < polls.length; i++) expect(polls[i]! - polls[i - 1]!).toBe(HOUR);
    const rec = k.of('policy.received');
    // nothing received on the first two polls
    expect(rec[0]!.t).toBe(polls[2]!);
    expect(rec).toHaveLength(polls.length - 2);
    // no body was asked for on a failed cycle; the settings body on the third poll
    const b = bodies(k);
    expect(b).toHaveLength(1);
    expect(b[0]!.t).toBe(polls[2]!);
    // no scan before settings arrived; the first scan within 2 h of the policy that enabled updates
    const scans = k.scans();
    expect(scans.length).toBeGreaterThan(0);
    expect(scans[0]!.t).toBeGreaterThanOrEqual(polls[2]!);
    expect(scans[0]!.t).toBeLessThan(polls[2]! + 2 * HOUR);
  });

  it('a failed policy body applies nothing (no settings, no version); the next poll downloads it again', () => {
    const k = new CoreKit(quiet({ deployments: [] }));
    let failed = false;
    k.hook = (req, _t, normal): Reply => {
      if (req.kind === 'policy.body' && !failed) {
        failed = true;
        return { kind: 'error', req: 'policy.body', code: 0x80004005 };
      }
      return normal();
    };
    const polls = () => k.of('policy.requested').map((r) => r.t);
    // run to just after the first poll
    k.runUntil(T0 + HOUR);
    const p0 = polls()[0]!;
    expect(k.of('policy.received')).toHaveLength(0);
    expect(k.client.settings).toBeNull();
    expect(k.client.policyVersion).toBe(0);
    k.runUntil(T0 + 5 * HOUR);
    const p = polls();
    expect(p[1]).toBe(p0 + HOUR);
    const b = bodies(k);
    expect(b.map((x) => x.t)).toEqual([p0, p0 + HOUR]);
    expect(b.map((x) => x.req.assignment.slot)).toEqual([0, 0]);
    const rec = k.of('policy.received');
    expect(rec[0]!.t).toBe(p0 + HOUR);
    expect(rec[0]!.e.softwareUpdatesEnabled).toBe(true);
    const scans = k.scans();
    expect(scans[0]!.t).toBeGreaterThanOrEqual(p0 + HOUR);
    expect(scans[0]!.t).toBeLessThan(p0 + 3 * HOUR);
  });

  it('a failed deployment body is not applied; the deployment arrives with the next poll and only its body is fetched again', () => {
    const k = new CoreKit(quiet({ deployments: depAt2d }));
    let failed = false;
    k.hook = (req, _t, normal): Reply => {
      if (req.kind === 'policy.body' && req.assignment.slot === 1 && !failed) {
        failed = true;
        return { kind: 'error', req: 'policy.body', code: 0x80004005 };
      }
      return normal();
    };
    k.runUntil(T0 + 3 * DAY);
    const b = bodies(k);
    expect(b.map((x) => x.req.assignment.slot)).toEqual([0, 1, 1]);
    expect(b[2]!.t - b[1]!.t).toBe(HOUR);
    const id = k.stub.mp.deployments[0]!.id;
    // the first policy.received listing the deployment is at the retry, not at the failed cycle
    const firstWithDep = k.of('policy.received').find((r) => r.e.deployments.length > 0)!;
    expect(firstWithDep.t).toBe(b[2]!.t);
    expect(firstWithDep.e.deployments).toEqual([id]);
    expect(k.of('policy.received').some((r) => r.t === b[1]!.t)).toBe(false);
    // the deployment's evaluation scan follows the successful delivery, not the failed one
    const nd = k.scans().filter((r) => r.e.trigger === 'newDeployment');
    expect(nd).toHaveLength(1);
    expect(nd[0]!.t).toBeGreaterThanOrEqual(b[2]!.t);
  });

  it('a cycle whose deployment body fails applies nothing, not even the settings body received with it', () => {
    // first policy carries settings (slot 0) and a deployment (slot 1); slot 1 fails once per client
    const clients = 20;
    const k = new CoreKit(quiet({ clients, deployments: [{ name: 'D', updates: { newest: 5 }, created: '0', available: '2d', deadline: '3d' }] }));
    const failed = new Set<number>();
    k.hook = (req, _t, normal): Reply => {
      if (req.kind === 'policy.body' && req.assignment.slot === 1 && !failed.has(req.client)) {
        failed.add(req.client);
        return { kind: 'error', req: 'policy.body', code: 0x80004005 };
      }
      return normal();
    };
    k.runUntil(T0 + HOUR);
    // after the failed first cycle: no policy version, no deployment, no client settings
    for (let c = 0; c < clients; c++) {
      expect(k.of('policy.received', c)).toHaveLength(0);
      expect(k.clients[c]!.policyVersion).toBe(0);
      expect(k.clients[c]!.deployments).toHaveLength(0);
      expect(k.clients[c]!.settings, `client ${c}: settings applied from a half-received policy`).toBeNull();
    }
    k.runUntil(T0 + 5 * HOUR);
    for (let c = 0; c < clients; c++) {
      const rec = k.of('policy.received', c)[0]!;
      expect(rec.e.softwareUpdatesEnabled).toBe(true);
      expect(rec.e.deployments).toHaveLength(1);
      // the first scan is random within 2 h of the policy.received that enabled software updates
      const first = k.scans(c)[0]!;
      expect(first.e.trigger).toBe('firstPolicy');
      expect(first.t, `client ${c}: first scan before the policy that enabled updates was received`).toBeGreaterThanOrEqual(rec.t);
      expect(first.t).toBeLessThan(rec.t + 2 * HOUR);
    }
  });

  it('a scenario mp.policy fault fails polls the same way, and polling recovers when it ends', () => {
    const k = new CoreKit(quiet({ deployments: [], faults: [{ target: 'mp.policy', from: '0', to: '5h', code: '0x80072EFD' }] }));
    k.runUntil(T0 + 10 * HOUR);
    const rec = k.of('policy.received');
    expect(rec.every((r) => r.t >= T0 + 5 * HOUR)).toBe(true);
    expect(rec[0]!.t).toBeLessThan(T0 + 6 * HOUR);
    expect(k.scans().every((r) => r.t >= rec[0]!.t)).toBe(true);
    const polls = k.of('policy.requested').map((r) => r.t);
    for (let i = 1; i < polls.length; i++) expect(polls[i]! - polls[i - 1]!).toBe(HOUR);
  });
});
