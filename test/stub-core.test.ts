// server-stub/core: the typed MP, WSUS and DP the clients talk to.

import { describe, expect, it } from 'vitest';
import { StubCore } from '../server-stub/core/index.js';
import { applicableUpdates, isApplicable, isInstalledAtStart } from '../agent/core/machine.js';
import { MSG_STRIDE, type Reply } from '../agent/core/types.js';
import { DETECT, TOPIC } from '../agent/core/constants.js';
import { scenario, DAY, HOUR } from './helpers/kit.js';

function stub(input: Record<string, unknown> = {}) {
  const sc = scenario({ clients: 50, ...input });
  return { sc, stub: new StubCore(sc.stub) };
}

const ok = <K extends Reply['kind']>(r: Reply, kind: K) => {
  expect(r.kind).toBe(kind);
  return r as Extract<Reply, { kind: K }>;
};

describe('stub MP: policy', () => {
  it('the policy version changes only when policy does, and replies are shared per version', () => {
    const { sc, stub: s } = stub({
      deployments: [
        { name: 'a', updates: [1, 2], available: '1d', deadline: '3d' },
        { name: 'b', updates: [3], created: '2d', available: '2d', deadline: null, targetFraction: 0.5 },
      ],
    });
    const at = (c: number, t: number) => ok(s.mp.assignments(c, sc.start + t), 'policy.assignments');
    const v0 = at(0, 0);
    expect(v0.assignments.map((a) => a.slot)).toEqual([0]);
    expect(at(0, HOUR)).toBe(v0); // same object: no work, no allocation for an unchanged policy
    const v1 = at(0, DAY);
    expect(v1.version).not.toBe(v0.version);
    expect(v1.deploymentIds).toEqual([s.mp.deployments[0]!.id]);
    // targeting: about half the clients get deployment b, deterministically
    const withB = Array.from({ length: 50 }, (_, c) => at(c, 2 * DAY).deploymentIds.length === 2).filter(Boolean).length;
    expect(withB).toBeGreaterThan(10);
    expect(withB).toBeLessThan(40);
    expect(Array.from({ length: 50 }, (_, c) => at(c, 2 * DAY).deploymentIds.length)).toEqual(Array.from({ length: 50 }, (_, c) => at(c, 3 * DAY).deploymentIds.length));
    expect(s.mp.counters.assignmentRequests).toBeGreaterThan(100);
  });

  it('bodies carry the settings (disabled before the site enables software updates) and deployments', () => {
    const { sc, stub: s } = stub({ site: { softwareUpdatesEnabledAt: '1d' } });
    const before = ok(s.mp.assignments(0, sc.start), 'policy.assignments');
    const body0 = ok(s.mp.body(0, sc.start, before.assignments[0]!), 'policy.body');
    expect(body0.settings!.softwareUpdatesEnabled).toBe(false);
    const after = ok(s.mp.assignments(0, sc.start + 2 * DAY), 'policy.assignments');
    const body1 = ok(s.mp.body(0, sc.start + 2 * DAY, after.assignments[0]!), 'policy.body');
    expect(body1.settings!.softwareUpdatesEnabled).toBe(true);
    const dep = ok(s.mp.body(0, sc.start + 2 * DAY, after.assignments[1]!), 'policy.body');
    expect(dep.deployment!.updates).toEqual(Array.from({ length: 10 }, (_, i) => 190 + i));
  });
});

describe('stub WSUS and DP', () => {
  it('which updates apply follows from (seed, client) and agrees with the machines', () => {
    const { sc, stub: s } = stub();
    for (let c = 0; c < 20; c++) {
      const r = ok(s.wsus.scan(c, sc.start, sc.stub.sups[0]!), 'wsus.scan');
      expect(r.applicable).toEqual(applicableUpdates(sc.seed, s.catalogue, c));
      // the whole list (branch-free, scaled thresholds) is the per-update rule, update by update
      expect(applicableUpdates(sc.seed, s.catalogue, c)).toEqual(Array.from({ length: s.catalogue.size }, (_, u) => u).filter((u) => isApplicable(sc.seed, s.catalogue, c, u)));
      for (let u = 0; u < s.catalogue.size; u++) {
        if (isInstalledAtStart(sc.seed, s.catalogue, c, u)) expect(isApplicable(sc.seed, s.catalogue, c, u)).toBe(true);
      }
      // the newest updates are on no machine yet
      for (let u = 190; u < 200; u++) expect(isInstalledAtStart(sc.seed, s.catalogue, c, u)).toBe(false);
    }
    // about applicableFraction of the catalogue applies
    const n = ok(s.wsus.scan(0, sc.start, sc.stub.sups[0]!), 'wsus.scan').applicable.length;
    expect(n).toBeGreaterThan(50);
    expect(n).toBeLessThan(150);
    expect(s.wsus.counters.scans).toBe(21);
    expect(s.wsus.peakPerMinute().scans).toBe(21);
  });

  it('an unknown SUP or DP is refused; faults apply in their window only', () => {
    const { sc, stub: s } = stub({ faults: [{ target: 'wsus', from: '1h', to: '2h', code: '0x80244022' }, { target: 'dp', from: '0', to: '1d', rate: 1, code: '0x80072EFD' }] });
    expect(ok(s.wsus.scan(0, sc.start, 'http://elsewhere'), 'error').code).toBe(0x80072efd);
    // faults are applied by StubCore for every transport
    const scan = (t: number) => s.handle({ kind: 'wsus.scan', client: 0, sup: sc.stub.sups[0]! }, sc.start + t);
    expect(ok(scan(90 * 60_000), 'error').code).toBe(0x80244022);
    ok(scan(2 * HOUR), 'wsus.scan');
    const download = (t: number, updates: number[]) => s.handle({ kind: 'dp.download', client: 0, dp: sc.stub.dps[0]!, updates, bytes: 0 }, sc.start + t);
    expect(ok(download(0, [1]), 'error').code).toBe(0x80072efd);
    const d = ok(download(DAY, [1, 2]), 'dp.download');
    expect(d.bytes).toBe(s.catalogue.bytes[1]! + s.catalogue.bytes[2]!);
    expect(s.faults.injected.get('wsus')).toBe(1);
  });

  it('an update source the MP does not know gets an empty WSUS location', () => {
    const { sc, stub: s } = stub();
    expect(ok(s.mp.wsusLocation(0, sc.start, s.catalogue.updateSourceId, 1), 'location.wsus').sups).toEqual(sc.stub.sups);
    expect(ok(s.mp.wsusLocation(0, sc.start, '{OTHER}', 1), 'location.wsus').sups).toEqual([]);
    expect(ok(s.mp.wsusLocation(0, sc.start, s.catalogue.updateSourceId, 9), 'location.wsus').sups).toEqual([]);
  });
});

describe('stub MP: state-message ingest', () => {
  const msg = (type: number, state: number, topic: number, serial: number, t: number) => [type, state, topic, serial, t, 0];

  it('ingests into the compliance view once per (client, serial), in any order', () => {
    const { sc, stub: s } = stub();
    const t = sc.start + HOUR;
    s.mp.relay(3, t, [...msg(TOPIC.UPDATE_DETECTION, DETECT.REQUIRED, 5, 1, t - 1000), ...msg(TOPIC.UPDATE_DETECTION, DETECT.INSTALLED, 6, 3, t - 1000)]);
    s.mp.relay(3, t + 1, [...msg(TOPIC.UPDATE_DETECTION, DETECT.INSTALLED, 5, 2, t), ...msg(TOPIC.UPDATE_DETECTION, DETECT.REQUIRED, 6, 3, t)]);
    expect(s.mp.counters.stateMessagesIngested).toBe(3);
    expect(s.mp.counters.stateDuplicates).toBe(1);
    expect(s.mp.contiguousSerial(3)).toBe(3);
    expect(s.mp.gapsOpen()).toBe(0);
    expect(s.mp.updateStateAt(3 * s.catalogue.size + 5)).toBe(DETECT.INSTALLED);
    expect(s.mp.updateStateAt(3 * s.catalogue.size + 6)).toBe(DETECT.INSTALLED); // the duplicate changed nothing
    expect(s.mp.detectCounts[DETECT.INSTALLED]).toBe(2);
    expect(s.mp.detectCounts[DETECT.UNKNOWN]).toBe(50 * 200 - 2);
  });

  it('a state ID outside 0..3 for a 500 is ingested but leaves the compliance view alone', () => {
    const { sc, stub: s } = stub();
    s.mp.relay(2, sc.start, [...msg(TOPIC.UPDATE_DETECTION, 9, 4, 1, sc.start), ...msg(TOPIC.UPDATE_DETECTION, DETECT.REQUIRED, 5, 2, sc.start)]);
    expect(s.mp.counters.stateMessagesIngested).toBe(2);
    expect(s.mp.updateStateAt(2 * s.catalogue.size + 4)).toBe(DETECT.UNKNOWN);
    expect(s.mp.detectCounts[DETECT.REQUIRED]).toBe(1);
    expect([...s.mp.detectCounts].reduce((a, b) => a + b, 0)).toBe(50 * 200);
  });

  it('with a processing rate, messages wait in a backlog drained rate x interval at a time', () => {
    const { sc, stub: s } = stub({ site: { mpProcessingRate: 2, mpProcessingInterval: '10s' } });
    const t = sc.start;
    const flat: number[] = [];
    for (let i = 1; i <= 50; i++) flat.push(...msg(TOPIC.UPDATE_DETECTION, DETECT.REQUIRED, i, i, t));
    s.mp.relay(0, t, flat);
    expect(flat.length / MSG_STRIDE).toBe(50);
    expect(s.mp.backlog).toBe(50);
    expect(s.mp.nextDue()).toBe(t + 10_000);
    s.mp.onWake(t + 10_000);
    expect(s.mp.backlog).toBe(30);
    s.mp.onWake(s.mp.nextDue());
    s.mp.onWake(s.mp.nextDue());
    expect(s.mp.backlog).toBe(0);
    expect(s.mp.nextDue()).toBe(Infinity);
    expect(s.mp.counters.stateMessagesIngested).toBe(50);
  });

  it('an MP outage refuses reports without recording anything', () => {
    const { sc, stub: s } = stub({ faults: [{ target: 'mp.state', from: '0', to: '1h', code: '0x80072EFD' }] });
    const r = s.handle({ kind: 'state.report', client: 1, msgs: msg(TOPIC.UPDATE_DETECTION, 2, 1, 1, sc.start) }, sc.start);
    expect(ok(r, 'error').code).toBe(0x80072efd);
    expect(s.mp.counters.stateMessagesReceived).toBe(0);
    expect(s.mp.backlog).toBe(0);
  });
});
