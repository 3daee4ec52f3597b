// Deployment re-evaluation (seed 003 "Deployment reevaluation cycle",
// client-behaviour.md sections 1 and 4): every 7 days (+ up to 2 h) the client
// scans, and updates of its deployments that went missing are reinstalled from
// the cache, or downloaded again when the cache no longer has them. The
// Deployment Evaluation Cycle action does the same at once, with a forced
// online scan.

import { describe, expect, it } from 'vitest';
import { CoreKit, DAY, HOUR, T0 } from './helpers/kit.js';
import { U_CACHED, U_INSTALLED } from '../agent/core/state.js';
import { applicableUpdates } from '../agent/core/machine.js';
import { COMPLIANCE, DETECT, ENFORCE, TOPIC } from '../agent/core/constants.js';

const TTL = 24 * HOUR;
const MB = 1024 * 1024;

/** One required deployment of the 10 newest updates; installs at 3d; no restarts. */
function scenario(extra: Record<string, unknown> = {}) {
  return {
    catalogue: { restartFraction: 0 },
    deployments: [{ name: 'D', updates: { newest: 10 }, created: '1d', available: '1d', deadline: '3d' }],
    ...extra,
  };
}

/** When the client applied the policy that enabled software updates (its schedules count from there). */
function enabledAt(k: CoreKit, client = 0): number {
  return k.of('policy.received', client).find((r) => r.e.softwareUpdatesEnabled)!.t;
}

function lastOnlineBefore(k: CoreKit, t: number): number {
  const l = k.of('scan.completed').filter((r) => r.e.online && r.t <= t);
  return l.length > 0 ? l[l.length - 1]!.t : -Infinity;
}

function scanEnd(k: CoreKit, startedAt: number) {
  return k.of('scan.completed').find((r) => r.t >= startedAt)!;
}

/** The end of the beforeInstall scan that starts at `at` (seed 003: every install, reinstalls included, follows one). */
function preInstallEnd(k: CoreKit, at: number): number {
  const pre = k.scans().find((r) => r.t === at && r.e.trigger === 'beforeInstall');
  expect(pre, 'a beforeInstall scan right after the re-evaluation').toBeDefined();
  return k.of('scan.completed').find((r) => r.t > at)!.t;
}

describe('re-evaluation schedule', () => {
  it('runs every 7 days (+ up to 2 h) as a non-forced scan; with nothing missing it installs nothing', () => {
    const k = new CoreKit(scenario());
    k.runFor(15 * DAY);
    const from = enabledAt(k);
    const re = k.of('reevaluation.started');
    expect(re).toHaveLength(2);
    re.forEach((r, i) => {
      const nominal = from + (i + 1) * 7 * DAY;
      expect(r.t).toBeGreaterThanOrEqual(nominal);
      expect(r.t).toBeLessThan(nominal + 2 * HOUR);
      const scan = k.scans().find((s) => s.t === r.t)!;
      expect(scan.e.trigger).toBe('reevaluation');
      expect(scan.e.forced).toBe(false);
      expect(scan.e.online).toBe(r.t - lastOnlineBefore(k, r.t) >= TTL);
    });
    // the one install is the deadline's
    expect(k.of('install.started')).toHaveLength(1);
    expect(k.of('install.started')[0]!.t).toBeLessThan(T0 + 4 * DAY);
    expect(k.of('download.started')).toHaveLength(1);
  });

  it('follows client.reevaluationSchedule', () => {
    const k = new CoreKit(scenario({ client: { reevaluationSchedule: '2d' } }));
    k.runFor(7 * DAY);
    const from = enabledAt(k);
    const re = k.of('reevaluation.started');
    expect(re.length).toBe(3);
    re.forEach((r, i) => {
      expect(r.t - (from + (i + 1) * 2 * DAY)).toBeGreaterThanOrEqual(0);
      expect(r.t - (from + (i + 1) * 2 * DAY)).toBeLessThan(2 * HOUR);
    });
  });
});

describe('a lost update', () => {
  it('is reinstalled from the cache at the next re-evaluation, without a new download', () => {
    const k = new CoreKit(scenario({ actions: [{ kind: 'loseUpdate', at: '5d' }] }));
    k.runFor(9 * DAY);
    const lost = k.of('update.lost');
    expect(lost).toHaveLength(1);
    expect(lost[0]!.t).toBe(T0 + 5 * DAY);
    const u = lost[0]!.e.update;
    expect(k.stub.mp.deployments[0]!.updates).toContain(u);
    // it had been installed by the deadline's install
    const firstInstall = k.of('install.completed')[0]!;
    expect(firstInstall.t).toBeLessThan(lost[0]!.t);

    // nothing happens until the re-evaluation
    const re = k.of('reevaluation.started').find((r) => r.t > lost[0]!.t)!;
    expect(re.t).toBeGreaterThanOrEqual(enabledAt(k) + 7 * DAY);
    expect(k.of('install.started').filter((r) => r.t > lost[0]!.t && r.t < re.t)).toHaveLength(0);
    const scan = k.scans().find((r) => r.t === re.t)!;
    expect(scan.e.trigger).toBe('reevaluation');
    const end = scanEnd(k, re.t);

    // the scan finds it missing: 500/2 and the deployment non-compliant again
    const q = k.of('state.queued').filter((r) => r.t === end.t);
    expect(q.some((r) => r.e.topicType === TOPIC.UPDATE_DETECTION && r.e.topic === u && r.e.stateId === DETECT.REQUIRED)).toBe(true);
    expect(q.some((r) => r.e.topicType === TOPIC.ASSIGNMENT_COMPLIANCE && r.e.stateId === COMPLIANCE.NON_COMPLIANT)).toBe(true);

    // a beforeInstall scan right after it (seed 003: a scan before every install, reinstalls included),
    // then the reinstall from the cache
    const pre = k.scans().filter((r) => r.t > lost[0]!.t && r.e.trigger === 'beforeInstall');
    expect(pre).toHaveLength(1);
    expect(pre[0]!.t).toBe(end.t);
    const preEnd = k.of('scan.completed').find((r) => r.t > pre[0]!.t)!;
    const again = k.of('install.started').filter((r) => r.t > lost[0]!.t);
    expect(again).toHaveLength(1);
    expect(again[0]!.t).toBe(preEnd.t);
    expect(again[0]!.e.updates).toBe(1);
    expect(k.of('state.queued').filter((r) => r.t === again[0]!.t && r.e.topicType === TOPIC.CI_ENFORCEMENT).map((r) => r.e.topic)).toEqual([u]);
    expect(k.of('download.started').filter((r) => r.t > lost[0]!.t)).toHaveLength(0);
    expect(k.requests.filter((r) => r.t > lost[0]!.t && (r.req.kind === 'location.content' || r.req.kind === 'dp.download'))).toHaveLength(0);

    // installed again, reported installed, deployment compliant
    expect(k.client.upd[k.client.ub + u]! & U_INSTALLED).toBe(U_INSTALLED);
    const after = k.scans().find((r) => r.t >= again[0]!.t && r.e.trigger === 'afterInstall')!;
    const afterEnd = scanEnd(k, after.t);
    const q2 = k.of('state.queued').filter((r) => r.t === afterEnd.t);
    expect(q2.some((r) => r.e.topicType === TOPIC.UPDATE_DETECTION && r.e.topic === u && r.e.stateId === DETECT.INSTALLED)).toBe(true);
    expect(q2.some((r) => r.e.topicType === TOPIC.ASSIGNMENT_COMPLIANCE && r.e.stateId === COMPLIANCE.COMPLIANT)).toBe(true);
    expect(k.stub.mp.updateStateAt(u)).toBe(DETECT.INSTALLED);
    expect(k.stub.mp.deploymentState[0]).toBe(COMPLIANCE.COMPLIANT);
    const q301 = k.of('state.queued').filter((r) => r.t >= again[0]!.t && r.e.topicType === TOPIC.ASSIGNMENT_ENFORCEMENT).map((r) => r.e.stateId);
    expect(q301).toEqual([ENFORCE.INSTALLING, ENFORCE.INSTALLED]);
  });

  it('is downloaded again first when its content was evicted from the cache', () => {
    const base = {
      catalogue: { minSizeMB: 100, maxSizeMB: 100, restartFraction: 0 },
      client: { cacheSizeMB: 300, cacheMinRetention: '0', downloadRandomDelay: '0' },
    };
    const p = new CoreKit({ ...base, deployments: [] });
    const first = p.stub.catalogue.size - p.sc.stub.catalogue.newUpdates;
    const need = applicableUpdates(p.sc.seed, p.stub.catalogue, 0).filter((u) => u >= first);
    expect(need.length).toBeGreaterThanOrEqual(6);
    const A = need.slice(0, 3);
    const B = need.slice(3, 6);
    const k = new CoreKit({
      ...base,
      deployments: [
        { name: 'A', updates: A, created: '1d', available: '1d', deadline: '2d' },
        // B is downloaded at 4d (evicting all of A) and not installed within the run
        { name: 'B', updates: B, created: '4d', available: '4d', deadline: '20d' },
      ],
      actions: [{ kind: 'loseUpdate', at: '5d' }],
    });
    k.runFor(9 * DAY);
    const idA = k.stub.mp.deployments[0]!.id;
    expect(k.of('cache.evicted')[0]!.e).toEqual({ ev: 'cache.evicted', updates: 3, bytes: 300 * MB });
    const lost = k.of('update.lost')[0]!;
    expect(A).toContain(lost.e.update);
    // B's download (before the loss) had evicted all of A
    expect(k.of('cache.evicted')[0]!.t).toBeLessThan(lost.t);

    const re = k.of('reevaluation.started').find((r) => r.t > lost.t)!;
    const end = scanEnd(k, re.t);
    const seq = k.events
      .filter((r) => r.t >= end.t && ['download.started', 'download.completed', 'install.started', 'install.completed'].includes(r.e.ev))
      .slice(0, 4);
    expect(seq.map((r) => r.e.ev)).toEqual(['download.started', 'download.completed', 'install.started', 'install.completed']);
    const [ds, dc, is] = seq as [typeof seq[0], typeof seq[0], typeof seq[0]];
    expect(ds.t).toBe(preInstallEnd(k, end.t));
    expect(ds.e).toMatchObject({ deployment: idA, updates: 1, bytes: 100 * MB });
    expect(is.t).toBe(dc.t);
    expect(is.e).toMatchObject({ deployment: idA, updates: 1 });
    const dp = k.requests.filter((r) => r.t >= end.t && r.req.kind === 'dp.download');
    expect(dp).toHaveLength(1);
    expect((dp[0]!.req as { updates: readonly number[] }).updates).toEqual([lost.e.update]);
    expect(k.client.upd[k.client.ub + lost.e.update]! & (U_INSTALLED | U_CACHED)).toBe(U_INSTALLED | U_CACHED);
  });

  it('is reinstalled at once by the Deployment Evaluation Cycle action (forced online scan)', () => {
    const k = new CoreKit(scenario({ actions: [{ kind: 'loseUpdate', at: '5d' }, { kind: 'deploymentEvaluation', at: '5d1h' }] }));
    k.runFor(9 * DAY);
    const lost = k.of('update.lost')[0]!;
    const at = T0 + 5 * DAY + HOUR;
    const re = k.of('reevaluation.started').filter((r) => r.t > lost.t);
    expect(re[0]!.t).toBe(at);
    const scan = k.scans().find((r) => r.t === at)!;
    expect(scan.e).toMatchObject({ trigger: 'deploymentEvaluation', forced: true, online: true });
    // online though the last online scan is recent: it contacts WSUS
    const end = scanEnd(k, at);
    expect(k.requests.filter((r) => r.t >= at && r.t <= end.t && r.req.kind === 'wsus.scan')).toHaveLength(1);
    const again = k.of('install.started').filter((r) => r.t > lost.t);
    expect(again.map((r) => [r.t, r.e.updates])).toEqual([[preInstallEnd(k, end.t), 1]]);
    expect(k.of('download.started').filter((r) => r.t > lost.t)).toHaveLength(0);
    expect(k.client.upd[k.client.ub + lost.e.update]! & U_INSTALLED).toBe(U_INSTALLED);
    // the scheduled re-evaluation later finds nothing missing
    expect(re.length).toBeGreaterThanOrEqual(2);
    expect(k.of('install.started').filter((r) => r.t >= re[1]!.t)).toHaveLength(0);
  });

  it('a Software Updates Scan Cycle only reports it Required; the reinstall waits for a deployment evaluation', () => {
    const k = new CoreKit(scenario({ actions: [{ kind: 'loseUpdate', at: '5d' }, { kind: 'manualScan', at: '5d1h' }] }));
    k.runFor(9 * DAY);
    const lost = k.of('update.lost')[0]!;
    const u = lost.e.update;
    const scan = k.scans().find((r) => r.t === T0 + 5 * DAY + HOUR)!;
    expect(scan.e).toMatchObject({ trigger: 'manualScan', forced: true, online: true });
    const end = scanEnd(k, scan.t);
    expect(k.of('state.queued').some((r) => r.t === end.t && r.e.topicType === TOPIC.UPDATE_DETECTION && r.e.topic === u && r.e.stateId === DETECT.REQUIRED)).toBe(true);
    const re = k.of('reevaluation.started').find((r) => r.t > lost.t)!;
    const again = k.of('install.started').filter((r) => r.t > lost.t);
    expect(again).toHaveLength(1);
    expect(again[0]!.t).toBe(preInstallEnd(k, scanEnd(k, re.t).t));
  });
});
