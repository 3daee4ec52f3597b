// Install at the deadline and the restart that follows (seed 003 "Software
// update deployment process" and "Required system restart"; client-behaviour.md
// sections 1 "Restart", 2 (402 states) and 4).

import { describe, expect, it } from 'vitest';
import { CoreKit, DAY, HOUR, MIN, T0 } from './helpers/kit.js';
import { CI_ENFORCE, DETECT, TOPIC } from '../agent/core/constants.js';
import { U_INSTALLED, U_PENDING_RESTART } from '../agent/core/state.js';

const TTL = 24 * HOUR;

function dep(over: Record<string, unknown> = {}) {
  return { name: 'D', updates: { newest: 10 }, created: '1d', available: '1d', deadline: '3d', ...over };
}

function scanEnd(k: CoreKit, startedAt: number, client = 0) {
  return k.of('scan.completed', client).find((r) => r.t >= startedAt)!;
}

function lastOnlineBefore(k: CoreKit, t: number): number {
  const l = k.of('scan.completed').filter((r) => r.e.online && r.t <= t);
  return l.length > 0 ? l[l.length - 1]!.t : -Infinity;
}

/** The updates of the install (from the 402/8 messages queued when it started). */
function installSet(k: CoreKit, at: number): number[] {
  return k.of('state.queued').filter((r) => r.t === at && r.e.topicType === TOPIC.CI_ENFORCEMENT && r.e.stateId === CI_ENFORCE.INSTALLING).map((r) => r.e.topic);
}

describe('install at the deadline', () => {
  it('non-forced beforeInstall scan, install, then a forced offline afterInstall scan that never contacts WSUS', () => {
    const k = new CoreKit({ deployments: [dep()] });
    k.runFor(4 * DAY);
    const dl = k.of('deployment.deadline');
    expect(dl).toHaveLength(1);
    const t = dl[0]!.t;
    const before = k.scans().find((r) => r.t >= t)!;
    expect(before.t).toBe(t);
    expect(before.e.trigger).toBe('beforeInstall');
    expect(before.e.forced).toBe(false);
    expect(before.e.online).toBe(t - lastOnlineBefore(k, t) >= TTL);
    const beforeEnd = scanEnd(k, before.t);

    const started = k.of('install.started');
    const completed = k.of('install.completed');
    expect(started).toHaveLength(1);
    expect(completed).toHaveLength(1);
    expect(started[0]!.t).toBe(beforeEnd.t); // content already cached: no download in between
    const n = started[0]!.e.updates;
    expect(n).toBeGreaterThan(0);
    expect(completed[0]!.t - started[0]!.t).toBe(n * k.sc.model.installPerUpdate);
    expect(completed[0]!.e.updates).toBe(n);

    const after = k.scans().find((r) => r.t >= completed[0]!.t)!;
    expect(after.t).toBe(completed[0]!.t);
    expect(after.e).toMatchObject({ trigger: 'afterInstall', forced: true, online: false });
    const afterEnd = scanEnd(k, after.t);
    expect(afterEnd.e.online).toBe(false);
    expect(afterEnd.t - after.t).toBe(k.sc.model.offlineScan);
    const wsus = k.requests.filter((r) => r.t >= after.t && r.t <= afterEnd.t && (r.req.kind === 'wsus.scan' || r.req.kind === 'location.wsus'));
    expect(wsus).toHaveLength(0);
    // the offline scan sees the updates that need no restart as installed
    const set = installSet(k, started[0]!.t);
    const cat = k.stub.catalogue;
    const noRestart = set.filter((u) => cat.restartRequired[u] === 0);
    expect(afterEnd.e.installed - beforeEnd.e.installed).toBe(noRestart.length);
  });

  it('402 per update: 12 (downloading) and 13 (downloaded) with its download, 8 (installing) at the start, then 9 (pending restart) or 10 (installed) as the update needs', () => {
    const k = new CoreKit({ deployments: [dep()] });
    k.runFor(4 * DAY);
    const start = k.of('install.started')[0]!;
    const done = k.of('install.completed')[0]!;
    const dlStart = k.of('download.started')[0]!;
    const dlDone = k.of('download.completed')[0]!;
    expect(dlStart.e.updates).toBe(start.e.updates);
    const set = installSet(k, start.t);
    expect(set).toHaveLength(start.e.updates);
    const cat = k.stub.catalogue;
    const q402 = k.of('state.queued').filter((r) => r.e.topicType === TOPIC.CI_ENFORCEMENT && r.t <= done.t);
    for (const u of set) {
      const mine = q402.filter((r) => r.e.topic === u);
      const want = cat.restartRequired[u] === 1 ? CI_ENFORCE.PENDING_RESTART : CI_ENFORCE.INSTALLED;
      expect(mine.map((r) => [r.t, r.e.stateId]), `update ${u}`).toEqual([
        [dlStart.t, CI_ENFORCE.DOWNLOADING], [dlDone.t, CI_ENFORCE.DOWNLOADED], [start.t, CI_ENFORCE.INSTALLING], [done.t, want],
      ]);
    }
    expect(done.e.restartRequired).toBe(set.some((u) => cat.restartRequired[u] === 1));
    // every 402 is for an update of the install
    expect(q402.every((r) => set.includes(r.e.topic))).toBe(true);
  });
});

describe('restart', () => {
  it('starts restartCountdown (90 min) after the install, then a forced offline afterRestart scan reports the updates installed', () => {
    const k = new CoreKit({ deployments: [dep()] });
    k.runFor(5 * DAY);
    const done = k.of('install.completed')[0]!;
    expect(done.e.restartRequired).toBe(true);
    const afterInstallEnd = scanEnd(k, done.t);
    const sched = k.of('restart.scheduled');
    expect(sched).toHaveLength(1);
    expect(sched[0]!.t).toBe(afterInstallEnd.t);
    // the countdown runs from the end of the install
    expect(sched[0]!.e.at).toBe(done.t + 90 * MIN);
    expect(sched[0]!.e.deployment).toBe(k.stub.mp.deployments[0]!.id);
    const rs = k.of('restart.started');
    const rc = k.of('restart.completed');
    expect(rs.map((r) => r.t)).toEqual([sched[0]!.e.at]);
    expect(rc.map((r) => r.t)).toEqual([rs[0]!.t + k.sc.model.restartDuration]);
    const ar = k.scans().find((r) => r.t >= rc[0]!.t)!;
    expect(ar.t).toBe(rc[0]!.t);
    expect(ar.e).toMatchObject({ trigger: 'afterRestart', forced: true, online: false });
    const arEnd = scanEnd(k, ar.t);
    expect(k.requests.filter((r) => r.t >= ar.t && r.t <= arEnd.t && r.req.kind === 'wsus.scan')).toHaveLength(0);

    // the updates that waited for the restart: 500 stays 2 (Required) until the afterRestart scan, then 3
    const set = installSet(k, k.of('install.started')[0]!.t);
    const cat = k.stub.catalogue;
    const needRestart = set.filter((u) => cat.restartRequired[u] === 1);
    expect(needRestart.length).toBeGreaterThan(0);
    const q500 = k.of('state.queued').filter((r) => r.e.topicType === TOPIC.UPDATE_DETECTION && r.t > k.of('install.started')[0]!.t);
    for (const u of needRestart) {
      expect(q500.filter((r) => r.e.topic === u).map((r) => [r.t, r.e.stateId])).toEqual([[arEnd.t, DETECT.INSTALLED]]);
      expect(k.stub.mp.updateStateAt(u)).toBe(DETECT.INSTALLED);
    }
    for (const u of set.filter((x) => cat.restartRequired[x] === 0)) {
      expect(q500.filter((r) => r.e.topic === u).map((r) => [r.t, r.e.stateId])).toEqual([[afterInstallEnd.t, DETECT.INSTALLED]]);
    }
    // 402/10 for the updates after the restart
    const q402 = k.of('state.queued').filter((r) => r.e.topicType === TOPIC.CI_ENFORCEMENT && r.t === arEnd.t);
    for (const u of needRestart) expect(q402.some((r) => r.e.topic === u && r.e.stateId === CI_ENFORCE.INSTALLED)).toBe(true);
    expect(k.client.upd.some((f) => (f & U_PENDING_RESTART) !== 0)).toBe(false);
  });

  it('follows client.restartCountdown', () => {
    const k = new CoreKit({ client: { restartCountdown: '30m' }, deployments: [dep()] });
    k.runFor(5 * DAY);
    const done = k.of('install.completed')[0]!;
    expect(k.of('restart.scheduled').map((r) => r.e.at)).toEqual([done.t + 30 * MIN]);
    expect(k.of('restart.started').map((r) => r.t)).toEqual([done.t + 30 * MIN]);
  });

  it('suppressRestart: no automatic restart; the update stays Required until a user restarts', () => {
    const k = new CoreKit({ deployments: [dep({ suppressRestart: true })], actions: [{ kind: 'restart', at: '6d' }] });
    k.runFor(5 * DAY);
    expect(k.of('install.completed')[0]!.e.restartRequired).toBe(true);
    expect(k.of('restart.scheduled')).toHaveLength(0);
    expect(k.of('restart.started')).toHaveLength(0);
    const set = installSet(k, k.of('install.started')[0]!.t);
    const needRestart = set.filter((u) => k.stub.catalogue.restartRequired[u] === 1);
    expect(needRestart.length).toBeGreaterThan(0);
    for (const u of needRestart) {
      expect(k.client.upd[k.client.ub + u]! & (U_INSTALLED | U_PENDING_RESTART)).toBe(U_INSTALLED | U_PENDING_RESTART);
      expect(k.stub.mp.updateStateAt(u), `update ${u} at the site`).toBe(DETECT.REQUIRED);
    }
    // the user's restart at 6d completes the install
    k.runUntil(T0 + 7 * DAY);
    const rs = k.of('restart.started');
    expect(rs.map((r) => r.t)).toEqual([T0 + 6 * DAY]);
    const ar = k.scans().find((r) => r.e.trigger === 'afterRestart')!;
    expect(ar.t).toBe(k.of('restart.completed')[0]!.t);
    for (const u of needRestart) expect(k.stub.mp.updateStateAt(u)).toBe(DETECT.INSTALLED);
  });

  it('an install before the deadline (user, from Software Center) postpones the automatic restart to the deadline', () => {
    const k = new CoreKit({
      client: { downloadRandomDelay: '0' },
      deployments: [dep({ available: '1d', deadline: '4d', userInstallFraction: 1 })],
    });
    k.runFor(5 * DAY);
    const deadline = T0 + 4 * DAY;
    const inst = k.of('install.started');
    expect(inst.length).toBeGreaterThanOrEqual(1);
    // the install was not triggered by the deadline
    expect(inst[0]!.t).toBeLessThan(deadline);
    expect(inst[0]!.t).toBeGreaterThanOrEqual(T0 + DAY);
    expect(k.of('deployment.deadline')[0]!.t).toBe(deadline);
    const done = k.of('install.completed')[0]!;
    expect(done.e.restartRequired).toBe(true);
    const want = Math.max(done.t + 90 * MIN, deadline);
    expect(want).toBe(deadline); // (this seed's user installs well before the deadline)
    expect(k.of('restart.scheduled').map((r) => r.e.at)).toEqual([want]);
    expect(k.of('restart.started').map((r) => r.t)).toEqual([want]);
    // and no second install at the deadline: nothing is missing
    expect(k.of('install.completed')).toHaveLength(1);
  });

  it('an update that needs no restart (restartFraction 0): no restart at all, 402/10 at once', () => {
    const k = new CoreKit({ catalogue: { restartFraction: 0 }, deployments: [dep()] });
    k.runFor(6 * DAY);
    expect(k.of('install.completed').map((r) => r.e.restartRequired)).toEqual([false]);
    expect(k.of('install.started').map((r) => r.e.restartRequired)).toEqual([false]);
    expect(k.of('restart.scheduled')).toHaveLength(0);
    expect(k.of('restart.started')).toHaveLength(0);
    expect(k.scans().some((r) => r.e.trigger === 'afterRestart')).toBe(false);
    const done = k.of('install.completed')[0]!;
    const q402 = k.of('state.queued').filter((r) => r.e.topicType === TOPIC.CI_ENFORCEMENT && r.t === done.t);
    expect(q402.length).toBe(done.e.updates);
    expect(q402.every((r) => r.e.stateId === CI_ENFORCE.INSTALLED)).toBe(true);
    for (const r of q402) expect(k.stub.mp.updateStateAt(r.e.topic)).toBe(DETECT.INSTALLED);
  });

  it('a restart with no install pending completes without an afterRestart scan', () => {
    const k = new CoreKit({ catalogue: { restartFraction: 0 }, deployments: [dep()], actions: [{ kind: 'restart', at: '5d' }] });
    k.runFor(6 * DAY);
    expect(k.of('restart.scheduled')).toHaveLength(0);
    expect(k.of('restart.started').map((r) => r.t)).toEqual([T0 + 5 * DAY]);
    expect(k.of('restart.completed').map((r) => r.t)).toEqual([T0 + 5 * DAY + k.sc.model.restartDuration]);
    expect(k.scans().some((r) => r.e.trigger === 'afterRestart')).toBe(false);
  });
});
