// Deployments (seed 003 "Software update deployment process", client-behaviour.md
// section 4): policy arrival and the evaluation scan, pre-download at the
// available time, optional deployments, deadline randomization, targeting and
// the 300 / 301 / 302 state messages of a deployment.

import { describe, expect, it } from 'vitest';
import { CoreKit, DAY, HOUR, MIN, T0 } from './helpers/kit.js';
import { U_CACHED } from '../agent/core/state.js';
import { applicableUpdates, isInstalledAtStart } from '../agent/core/machine.js';
import { COMPLIANCE, ENFORCE, EVAL, TOPIC } from '../agent/core/constants.js';

const TTL = 24 * HOUR;

function dep(over: Record<string, unknown> = {}) {
  return { name: 'D', updates: { newest: 10 }, created: '1d', available: '1d2h', deadline: '4d', ...over };
}

/** Updates of the deployment the client still needs (applicable, not installed at start). */
function missing(k: CoreKit, client: number, d = 0): number[] {
  const app = new Set(applicableUpdates(k.sc.seed, k.stub.catalogue, client));
  return k.stub.mp.deployments[d]!.updates.filter((u) => app.has(u) && !isInstalledAtStart(k.sc.seed, k.stub.catalogue, client, u));
}

/** When the client last completed an online scan before t. */
function lastOnlineBefore(k: CoreKit, client: number, t: number): number {
  const l = k.of('scan.completed', client).filter((r) => r.e.online && r.t <= t);
  return l.length > 0 ? l[l.length - 1]!.t : -Infinity;
}

/** Deployment-level messages (300/301/302) of deployment d, in queue order, as "type/state". */
function depMessages(k: CoreKit, client = 0, d = 0): string[] {
  return k.of('state.queued', client)
    .filter((r) => r.e.topic === d && (r.e.topicType === 300 || r.e.topicType === 301 || r.e.topicType === 302))
    .map((r) => `${r.e.topicType}/${r.e.stateId}`);
}

describe('policy', () => {
  it('a deployment reaches the client at its next 60-minute policy poll after it was created, and starts an evaluation scan', () => {
    const k = new CoreKit({ clients: 8, deployments: [dep({ created: '1d', available: '1d' })] });
    k.runFor(2 * DAY);
    const created = T0 + DAY;
    const id = k.stub.mp.deployments[0]!.id;
    for (let c = 0; c < 8; c++) {
      const got = k.of('policy.received', c).find((r) => r.e.deployments.includes(id))!;
      expect(got, `client ${c}`).toBeDefined();
      expect(got.t).toBeGreaterThanOrEqual(created);
      expect(got.t - created).toBeLessThan(60 * MIN);
      // the poll before it came before the deployment existed, and polls are 60 min apart
      const polls = k.of('policy.requested', c).map((r) => r.t);
      const i = polls.indexOf(got.t);
      expect(polls[i - 1]!).toBeLessThan(created);
      expect(got.t - polls[i - 1]!).toBe(60 * MIN);
      // the evaluation scan: trigger newDeployment, non-forced, online only outside the TTL
      const scan = k.scans(c).find((r) => r.t >= got.t)!;
      expect(scan.t).toBe(got.t);
      expect(scan.e.trigger).toBe('newDeployment');
      expect(scan.e.forced).toBe(false);
      expect(scan.e.online).toBe(got.t - lastOnlineBefore(k, c, got.t) >= TTL);
      // ... whose end evaluates the deployment: 302/2
      const end = k.of('scan.completed', c).find((r) => r.t >= scan.t)!;
      const eval302 = k.of('state.queued', c).filter((r) => r.e.topicType === TOPIC.ASSIGNMENT_EVALUATION);
      expect(eval302.map((r) => [r.t, r.e.stateId, r.e.topic])).toEqual([[end.t, EVAL.SUCCEEDED, 0]]);
    }
  });

  it('a client polls no deployment before it is created', () => {
    const k = new CoreKit({ deployments: [dep({ created: '2d', available: '2d' })] });
    k.runFor(3 * DAY);
    const id = k.stub.mp.deployments[0]!.id;
    for (const r of k.of('policy.received')) expect(r.e.deployments.includes(id)).toBe(r.t >= T0 + 2 * DAY);
    expect(k.scans().filter((r) => r.e.trigger === 'newDeployment')).toHaveLength(1);
  });
});

describe('required deployment: content at the available time', () => {
  it('within 2 h of the available time: a non-forced beforeDownload scan, then the download of the missing updates', () => {
    const k = new CoreKit({ clients: 12, deployments: [dep()] });
    k.runFor(3 * DAY);
    const available = T0 + DAY + 2 * HOUR;
    const bw = k.sc.model.downloadBytesPerMs;
    const offsets: number[] = [];
    for (let c = 0; c < 12; c++) {
      const need = missing(k, c);
      const av = k.of('deployment.available', c);
      expect(av).toHaveLength(1);
      const t = av[0]!.t;
      expect(t).toBeGreaterThanOrEqual(available);
      expect(t).toBeLessThan(available + 2 * HOUR);
      offsets.push(t - available);
      const scan = k.scans(c).find((r) => r.t === t)!;
      expect(scan.e.trigger).toBe('beforeDownload');
      expect(scan.e.forced).toBe(false);
      expect(scan.e.online).toBe(t - lastOnlineBefore(k, c, t) >= TTL);
      const end = k.of('scan.completed', c).find((r) => r.t >= t)!;
      const started = k.of('download.started', c);
      const completed = k.of('download.completed', c);
      if (need.length === 0) {
        expect(started).toHaveLength(0);
        continue;
      }
      const bytes = need.reduce((a, u) => a + k.stub.catalogue.bytes[u]!, 0);
      expect(started.map((r) => [r.t, r.e.updates, r.e.bytes])).toEqual([[end.t, need.length, bytes]]);
      expect(completed.map((r) => [r.t, r.e.updates, r.e.bytes])).toEqual([[end.t + Math.ceil(bytes / bw), need.length, bytes]]);
      // content location, then the DP, for exactly those updates
      const reqs = k.requests.filter((r) => r.client === c && (r.req.kind === 'location.content' || r.req.kind === 'dp.download'));
      expect(reqs.map((r) => [r.t, r.req.kind])).toEqual([[end.t, 'location.content'], [end.t, 'dp.download']]);
      expect((reqs[1]!.req as { updates: readonly number[] }).updates).toEqual(need);
      for (const u of need) expect(k.clients[c]!.upd[k.clients[c]!.ub + u]! & U_CACHED).toBe(U_CACHED);
    }
    // randomized: not all clients at the same moment
    expect(new Set(offsets).size).toBeGreaterThan(1);
    expect(k.stub.dp.counters.downloads).toBe(k.of('download.completed').length);
  });

  it('without download randomization the download starts exactly at the available time', () => {
    const k = new CoreKit({ clients: 6, client: { downloadRandomDelay: '0' }, deployments: [dep()] });
    k.runFor(2 * DAY);
    const av = k.of('deployment.available');
    expect(av).toHaveLength(6);
    for (const r of av) expect(r.t).toBe(T0 + DAY + 2 * HOUR);
    expect(k.scans().filter((r) => r.e.trigger === 'beforeDownload').map((r) => r.t)).toEqual(av.map((r) => r.t));
  });

  it('a deployment whose updates the client does not need downloads nothing and reports compliant', () => {
    const probe = new CoreKit({ deployments: [] });
    const app = new Set(applicableUpdates(probe.sc.seed, probe.stub.catalogue, 0));
    const notApplicable = [...Array(probe.stub.catalogue.size).keys()].filter((u) => !app.has(u)).slice(0, 3);
    const k = new CoreKit({ deployments: [dep({ updates: notApplicable })] });
    k.runFor(6 * DAY);
    expect(k.of('deployment.available')).toHaveLength(1);
    expect(k.of('deployment.deadline')).toHaveLength(1);
    expect(k.of('download.started')).toHaveLength(0);
    expect(k.of('install.started')).toHaveLength(0);
    expect(k.requests.filter((r) => r.req.kind === 'location.content' || r.req.kind === 'dp.download')).toHaveLength(0);
    expect(depMessages(k)).toEqual([`302/${EVAL.SUCCEEDED}`, `300/${COMPLIANCE.COMPLIANT}`]);
  });
});

describe('optional deployment (no deadline)', () => {
  it('is evaluated, but nothing is downloaded or installed', () => {
    const k = new CoreKit({ clients: 5, deployments: [dep({ deadline: null })] });
    k.runFor(10 * DAY);
    for (const name of ['deployment.available', 'deployment.deadline', 'download.started', 'download.completed', 'install.started', 'install.completed', 'restart.scheduled'] as const) {
      expect(k.of(name), name).toHaveLength(0);
    }
    expect(k.requests.filter((r) => r.req.kind === 'location.content' || r.req.kind === 'dp.download')).toHaveLength(0);
    expect(k.stub.dp.counters.downloads).toBe(0);
    for (let c = 0; c < 5; c++) {
      expect(k.scans(c).some((r) => r.e.trigger === 'newDeployment')).toBe(true);
      expect(k.scans(c).some((r) => r.e.trigger === 'beforeDownload' || r.e.trigger === 'beforeInstall')).toBe(false);
      const want = missing(k, c).length > 0 ? COMPLIANCE.NON_COMPLIANT : COMPLIANCE.COMPLIANT;
      expect(depMessages(k, c)).toEqual([`302/${EVAL.SUCCEEDED}`, `300/${want}`]);
    }
  });
});

describe('deadline', () => {
  it('is randomized up to 2 h after the configured deadline when client.disableDeadlineRandomization is false', () => {
    const k = new CoreKit({ clients: 20, client: { disableDeadlineRandomization: false }, deployments: [dep()] });
    k.runFor(5 * DAY);
    const deadline = T0 + 4 * DAY;
    const at = k.of('deployment.deadline');
    expect(at).toHaveLength(20);
    for (const r of at) {
      expect(r.t).toBeGreaterThanOrEqual(deadline);
      expect(r.t).toBeLessThan(deadline + 2 * HOUR);
      // enforcement starts then: the beforeInstall scan
      const scan = k.scans(r.client).find((s) => s.t === r.t)!;
      expect(scan.e.trigger).toBe('beforeInstall');
    }
    expect(new Set(at.map((r) => r.t)).size).toBeGreaterThan(10);
  });

  it('follows client.deadlineRandomDelay', () => {
    const k = new CoreKit({ clients: 20, client: { deadlineRandomDelay: '20m', disableDeadlineRandomization: false }, deployments: [dep()] });
    k.runFor(5 * DAY);
    const deadline = T0 + 4 * DAY;
    for (const r of k.of('deployment.deadline')) {
      expect(r.t - deadline).toBeGreaterThanOrEqual(0);
      expect(r.t - deadline).toBeLessThan(20 * MIN);
    }
  });

  it('is exactly the configured deadline by default (client.disableDeadlineRandomization: Yes)', () => {
    const k = new CoreKit({ clients: 20, deployments: [dep()] });
    k.runFor(5 * DAY);
    const at = k.of('deployment.deadline');
    expect(at).toHaveLength(20);
    for (const r of at) expect(r.t).toBe(T0 + 4 * DAY);
    const installs = k.of('install.started');
    expect(installs.length).toBeGreaterThan(10);
  });
});

describe('targetFraction', () => {
  it('selects a subset of the clients; the others never hear of the deployment', () => {
    const n = 40;
    const k = new CoreKit({ clients: n, deployments: [dep({ targetFraction: 0.5 })] });
    k.runFor(5 * DAY);
    const id = k.stub.mp.deployments[0]!.id;
    const targeted: number[] = [];
    for (let c = 0; c < n; c++) if (k.of('policy.received', c).some((r) => r.e.deployments.includes(id))) targeted.push(c);
    expect(targeted.length).toBeGreaterThan(n * 0.2);
    expect(targeted.length).toBeLessThan(n * 0.8);
    for (let c = 0; c < n; c++) {
      const isT = targeted.includes(c);
      expect(k.clients[c]!.deployments.length).toBe(isT ? 1 : 0);
      expect(k.of('deployment.deadline', c)).toHaveLength(isT ? 1 : 0);
      expect(depMessages(k, c).length > 0).toBe(isT);
      expect(k.of('install.completed', c)).toHaveLength(isT && missing(k, c).length > 0 ? 1 : 0);
      if (!isT) expect(k.scans(c).some((r) => r.e.trigger === 'newDeployment')).toBe(false);
    }
  });

  it('0 targets nobody, 1 targets everybody', () => {
    const none = new CoreKit({ clients: 10, deployments: [dep({ targetFraction: 0 })] });
    none.runFor(5 * DAY);
    expect(none.of('deployment.available')).toHaveLength(0);
    expect(none.clients.every((s) => s.deployments.length === 0)).toBe(true);
    const all = new CoreKit({ clients: 10, deployments: [dep({ targetFraction: 1 })] });
    all.runFor(5 * DAY);
    expect(all.clients.every((s) => s.deployments.length === 1)).toBe(true);
    expect(all.of('deployment.deadline')).toHaveLength(10);
  });
});

describe('300 / 301 / 302 state messages of a deployment', () => {
  it('with a restart: 302/2, 300/2, 301/7, 301/8, 301/1, 301/5, then after the restart 300/1 and 301/4 (the documented order)', () => {
    const k = new CoreKit({ deployments: [dep()] });
    k.runFor(6 * DAY);
    expect(k.of('install.completed')[0]!.e.restartRequired).toBe(true);
    expect(depMessages(k)).toEqual([
      `302/${EVAL.SUCCEEDED}`, `300/${COMPLIANCE.NON_COMPLIANT}`,
      `301/${ENFORCE.DOWNLOADING}`, `301/${ENFORCE.DOWNLOADED}`,
      `301/${ENFORCE.INSTALLING}`, `301/${ENFORCE.PENDING_RESTART}`,
      // client-behaviour.md section 4: "402/10 per update, 300 IsCompliant=True, 301/4"
      `300/${COMPLIANCE.COMPLIANT}`, `301/${ENFORCE.INSTALLED}`,
    ]);
    // each at its step
    const q = k.of('state.queued').filter((r) => r.e.topicType >= 300 && r.e.topicType <= 302);
    const at = (type: number, st: number) => q.find((r) => r.e.topicType === type && r.e.stateId === st)!.t;
    const evalScan = k.scans().find((r) => r.e.trigger === 'newDeployment')!;
    const evalEnd = k.of('scan.completed').find((r) => r.t >= evalScan.t)!.t;
    expect(at(302, EVAL.SUCCEEDED)).toBe(evalEnd);
    expect(at(300, COMPLIANCE.NON_COMPLIANT)).toBe(evalEnd);
    expect(at(301, ENFORCE.DOWNLOADING)).toBe(k.of('download.started')[0]!.t);
    expect(at(301, ENFORCE.DOWNLOADED)).toBe(k.of('download.completed')[0]!.t);
    expect(at(301, ENFORCE.INSTALLING)).toBe(k.of('install.started')[0]!.t);
    expect(at(301, ENFORCE.PENDING_RESTART)).toBe(k.of('install.completed')[0]!.t);
    const afterRestart = k.scans().find((r) => r.e.trigger === 'afterRestart')!;
    const afterRestartEnd = k.of('scan.completed').find((r) => r.t >= afterRestart.t)!.t;
    expect(at(301, ENFORCE.INSTALLED)).toBe(afterRestartEnd);
    expect(at(300, COMPLIANCE.COMPLIANT)).toBe(afterRestartEnd);
    // in serial order: every 402/10 of the restart, then 300/1, then 301/4
    const serialOf = (type: number, st: number) => q.find((r) => r.e.topicType === type && r.e.stateId === st)!.e.serial;
    const installed402 = k.of('state.queued', 0).filter((r) => r.e.topicType === 402 && r.e.stateId === 10 && r.t === afterRestartEnd);
    expect(installed402.length).toBeGreaterThan(0);
    expect(Math.max(...installed402.map((r) => r.e.serial))).toBeLessThan(serialOf(300, COMPLIANCE.COMPLIANT));
    expect(serialOf(300, COMPLIANCE.COMPLIANT)).toBeLessThan(serialOf(301, ENFORCE.INSTALLED));
    // the site's view of the deployment ends compliant
    expect(k.stub.mp.deploymentState[0]).toBe(COMPLIANCE.COMPLIANT);
  });

  it('without a restart: 301/4 at the end of the install and 300/1 after the forced offline scan', () => {
    const k = new CoreKit({ catalogue: { restartFraction: 0 }, deployments: [dep()] });
    k.runFor(6 * DAY);
    expect(depMessages(k)).toEqual([
      `302/${EVAL.SUCCEEDED}`, `300/${COMPLIANCE.NON_COMPLIANT}`,
      `301/${ENFORCE.DOWNLOADING}`, `301/${ENFORCE.DOWNLOADED}`,
      `301/${ENFORCE.INSTALLING}`, `301/${ENFORCE.INSTALLED}`, `300/${COMPLIANCE.COMPLIANT}`,
    ]);
    const done = k.of('install.completed')[0]!;
    const q = k.of('state.queued').filter((r) => r.e.topicType === 301 && r.e.stateId === ENFORCE.INSTALLED);
    expect(q[0]!.t).toBe(done.t);
    const afterInstall = k.scans().find((r) => r.e.trigger === 'afterInstall')!;
    const end = k.of('scan.completed').find((r) => r.t >= afterInstall.t)!;
    expect(k.of('state.queued').find((r) => r.e.topicType === 300 && r.e.stateId === COMPLIANCE.COMPLIANT)!.t).toBe(end.t);
    expect(k.stub.mp.deploymentState[0]).toBe(COMPLIANCE.COMPLIANT);
  });
});
