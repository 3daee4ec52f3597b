// The scan-trigger table (client-behaviour.md "Scan triggers" and section 3; seed 003
// "Scan for software updates compliance types"):
//   schedule, reevaluation, beforeDownload, beforeInstall (and newDeployment): non-forced,
//     online only when the last online scan is older than the TTL (24 h);
//   manualScan, deploymentEvaluation: forced online, always contact WSUS, reset the TTL;
//   afterInstall, afterRestart: forced offline, never contact WSUS.
// An online scan sends the WSUS location request to the MP, then the WSUS scan; an offline
// scan sends neither.

import { describe, expect, it } from 'vitest';
import { CoreKit, DAY, HOUR, MIN, T0 } from './helpers/kit.js';
import type { ScanTrigger } from '../agent/core/types.js';
import { C_LAST_ONLINE_SCAN_AT, coldOf } from '../agent/core/state.js';

const TTL = 24 * HOUR;
const NON_FORCED_TTL: ScanTrigger[] = ['schedule', 'reevaluation', 'newDeployment', 'beforeDownload', 'beforeInstall'];
const FORCED_ONLINE: ScanTrigger[] = ['manualScan', 'deploymentEvaluation'];
const FORCED_OFFLINE: ScanTrigger[] = ['afterInstall', 'afterRestart'];

const WSUS_KINDS = new Set(['location.wsus', 'wsus.scan']);

type ScanStarted = ReturnType<CoreKit['scans']>[number];

/** Scans of one client with their completion time, and the last online completion before each start. */
function scanLog(k: CoreKit, c: number) {
  const out: { s: ScanStarted; doneAt: number; lastOnlineDone: number }[] = [];
  let lastOnline = -Infinity;
  let open: { s: ScanStarted; lastOnlineDone: number } | null = null;
  for (const r of k.events) {
    if (r.client !== c) continue;
    if (r.e.ev === 'scan.started') {
      expect(open, 'one scan at a time').toBeNull();
      open = { s: r as ScanStarted, lastOnlineDone: lastOnline };
    } else if (r.e.ev === 'scan.completed' || r.e.ev === 'scan.failed') {
      if (r.e.ev === 'scan.failed' && r.e.retryAt !== null) {
        out.push({ s: open!.s, doneAt: r.t, lastOnlineDone: open!.lastOnlineDone });
        open = null;
        continue;
      }
      if (r.e.ev === 'scan.completed' && r.e.online) lastOnline = r.t;
      out.push({ s: open!.s, doneAt: r.t, lastOnlineDone: open!.lastOnlineDone });
      open = null;
    }
  }
  return out;
}

/** WSUS-side requests (location.wsus, wsus.scan) a client sent in [from, to). */
function wsusRequests(k: CoreKit, c: number, from: number, to: number) {
  return k.requests.filter((r) => r.client === c && r.t >= from && r.t < to && WSUS_KINDS.has(r.req.kind));
}

/** Checks every scan of every client against the table; returns how many scans of each trigger ran online/offline. */
function checkAllScans(k: CoreKit) {
  const seen = new Map<string, number>();
  for (let c = 0; c < k.clients.length; c++) {
    const log = scanLog(k, c);
    for (const { s, doneAt, lastOnlineDone } of log) {
      const tr = s.e.trigger;
      expect(s.e.rule).toBe(tr); // no retries in these runs
      if (FORCED_ONLINE.includes(tr)) {
        expect(s.e.forced, tr).toBe(true);
        expect(s.e.online, tr).toBe(true);
      } else if (FORCED_OFFLINE.includes(tr)) {
        expect(s.e.forced, tr).toBe(true);
        expect(s.e.online, tr).toBe(false);
      } else if (NON_FORCED_TTL.includes(tr)) {
        expect(s.e.forced, tr).toBe(false);
        expect(s.e.online, `${tr} at ${s.t - T0}, last online ${lastOnlineDone - T0}`).toBe(s.t - lastOnlineDone >= TTL);
      } else {
        expect(tr).toBe('firstPolicy');
        expect(s.e.online).toBe(true);
      }
      const reqs = wsusRequests(k, c, s.t, doneAt);
      if (s.e.online) {
        expect(reqs.map((r) => [r.t, r.req.kind])).toEqual([[s.t, 'location.wsus'], [s.t, 'wsus.scan']]);
      } else {
        expect(reqs).toEqual([]);
        expect(doneAt - s.t).toBe(30_000); // model.offlineScan
      }
      const key = `${tr}:${s.e.online ? 'online' : 'offline'}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    // every WSUS request belongs to an online scan
    const online = log.filter((x) => x.s.e.online).length;
    expect(k.requests.filter((r) => r.client === c && r.req.kind === 'location.wsus')).toHaveLength(online);
    expect(k.requests.filter((r) => r.client === c && r.req.kind === 'wsus.scan')).toHaveLength(online);
  }
  return seen;
}

const restartAll = { catalogue: { restartFraction: 1, applicableFraction: 1 } };

describe('scan triggers: forced / online per the table', () => {
  it('a long mixed run: every scan of every client follows the table and the 24 h TTL', () => {
    const k = new CoreKit({
      clients: 8,
      duration: '22d',
      catalogue: { restartFraction: 0.5, applicableFraction: 1 },
      deployments: [
        { name: 'A', updates: { newest: 5 }, created: '1d', available: '1d', deadline: '3d' },
        { name: 'B', updates: [150, 151, 152], created: '9d', available: '10d', deadline: '12d' },
      ],
      actions: [
        { kind: 'manualScan', at: '5d', within: '1d' },
        { kind: 'deploymentEvaluation', at: '15d', within: '1d' },
        { kind: 'restart', at: '17d' },
      ],
    });
    k.runUntil(T0 + 22 * DAY);
    const seen = checkAllScans(k);
    for (const tr of ['firstPolicy', 'schedule', 'reevaluation', 'newDeployment', 'beforeDownload', 'beforeInstall', 'manualScan', 'deploymentEvaluation', 'afterInstall', 'afterRestart']) {
      const n = (seen.get(`${tr}:online`) ?? 0) + (seen.get(`${tr}:offline`) ?? 0);
      expect(n, `${tr} happened`).toBeGreaterThan(0);
    }
    // the TTL rule made both outcomes happen for the non-forced triggers as a whole
    const nonForced = (o: string) => NON_FORCED_TTL.reduce((a, tr) => a + (seen.get(`${tr}:${o}`) ?? 0), 0);
    expect(nonForced('online')).toBeGreaterThan(0);
    expect(nonForced('offline')).toBeGreaterThan(0);
  });

  it('schedule: online when the last online scan is older than 24 h, offline after a manual scan within 24 h', () => {
    const base = { deployments: [], client: { reevaluationSchedule: '30d' } };
    const a = new CoreKit(base);
    a.runUntil(T0 + 8 * DAY);
    const sa = a.scans().filter((r) => r.e.trigger === 'schedule');
    expect(sa).toHaveLength(1);
    expect(sa[0]!.e).toMatchObject({ forced: false, online: true });
    expect(sa[0]!.t).toBeGreaterThanOrEqual(T0 + 7 * DAY);

    const b = new CoreKit({ ...base, actions: [{ kind: 'manualScan', at: '6d12h' }] });
    b.runUntil(T0 + 8 * DAY);
    const sb = b.scans().filter((r) => r.e.trigger === 'schedule');
    expect(sb).toHaveLength(1);
    expect(sb[0]!.e).toMatchObject({ forced: false, online: false });
    expect(wsusRequests(b, 0, sb[0]!.t, sb[0]!.t + 30_000)).toEqual([]);
    checkAllScans(a);
    checkAllScans(b);
  });

  it('reevaluation: online outside the TTL, offline within it (after a deployment evaluation cycle)', () => {
    const base = { deployments: [], client: { scanSchedule: '30d' } };
    const a = new CoreKit(base);
    a.runUntil(T0 + 8 * DAY);
    const ra = a.scans().filter((r) => r.e.trigger === 'reevaluation');
    expect(ra).toHaveLength(1);
    expect(ra[0]!.e).toMatchObject({ forced: false, online: true });
    // a reevaluation.started accompanies the scan
    expect(a.of('reevaluation.started').map((r) => r.t)).toEqual([ra[0]!.t]);

    const b = new CoreKit({ ...base, actions: [{ kind: 'deploymentEvaluation', at: '6d20h' }] });
    b.runUntil(T0 + 8 * DAY);
    const rb = b.scans().filter((r) => r.e.trigger === 'reevaluation');
    expect(rb).toHaveLength(1);
    expect(rb[0]!.e).toMatchObject({ forced: false, online: false });
    checkAllScans(a);
    checkAllScans(b);
  });

  it('newDeployment: the evaluation scan after a new deployment arrives is non-forced and follows the TTL', () => {
    const dep = [{ name: 'D', updates: { newest: 5 }, created: '2d', available: '5d', deadline: '6d' }];
    const a = new CoreKit({ clients: 3, deployments: dep });
    a.runUntil(T0 + 2 * DAY + 2 * HOUR);
    const b = new CoreKit({ clients: 3, deployments: dep, actions: [{ kind: 'manualScan', at: '1d22h' }] });
    b.runUntil(T0 + 2 * DAY + 2 * HOUR);
    for (let c = 0; c < 3; c++) {
      const na = a.scans(c).filter((r) => r.e.trigger === 'newDeployment');
      const nb = b.scans(c).filter((r) => r.e.trigger === 'newDeployment');
      expect(na).toHaveLength(1);
      expect(nb).toHaveLength(1);
      // at the poll that delivered the deployment
      const got = a.of('policy.received', c).find((r) => r.e.deployments.length > 0)!;
      expect(na[0]!.t).toBe(got.t);
      expect(na[0]!.e).toMatchObject({ forced: false, online: true });
      expect(nb[0]!.e).toMatchObject({ forced: false, online: false });
    }
    checkAllScans(a);
    checkAllScans(b);
  });

  it('beforeDownload online (TTL expired) then beforeInstall offline (within TTL), then afterInstall and afterRestart offline', () => {
    const k = new CoreKit({
      clients: 3,
      ...restartAll,
      client: { downloadRandomDelay: '1h' },
      deployments: [{ name: 'D', updates: { newest: 5 }, created: '2d', available: '3d6h', deadline: '3d8h' }],
    });
    k.runUntil(T0 + 4 * DAY);
    for (let c = 0; c < 3; c++) {
      const by = (tr: ScanTrigger) => k.scans(c).filter((r) => r.e.trigger === tr);
      const bd = by('beforeDownload');
      const bi = by('beforeInstall');
      expect(bd).toHaveLength(1);
      expect(bi).toHaveLength(1);
      expect(bd[0]!.t).toBeGreaterThanOrEqual(T0 + 3 * DAY + 6 * HOUR);
      expect(bd[0]!.t).toBeLessThan(T0 + 3 * DAY + 7 * HOUR);
      expect(bd[0]!.e).toMatchObject({ forced: false, online: true });
      expect(bi[0]!.t).toBe(T0 + 3 * DAY + 8 * HOUR);
      expect(bi[0]!.e).toMatchObject({ forced: false, online: false });
      const ai = by('afterInstall');
      const ar = by('afterRestart');
      expect(ai).toHaveLength(1);
      expect(ar).toHaveLength(1);
      expect(ai[0]!.t).toBe(k.of('install.completed', c)[0]!.t);
      expect(ar[0]!.t).toBe(k.of('restart.completed', c)[0]!.t);
      for (const s of [ai[0]!, ar[0]!]) {
        expect(s.e).toMatchObject({ forced: true, online: false });
        expect(wsusRequests(k, c, s.t, s.t + 30_000)).toEqual([]);
      }
    }
    checkAllScans(k);
  });

  it('beforeDownload offline (right after the newDeployment scan) and beforeInstall online (TTL expired at the deadline)', () => {
    const k = new CoreKit({
      clients: 3,
      ...restartAll,
      deployments: [{ name: 'D', updates: { newest: 5 }, created: '2d', available: '2d', deadline: '4d' }],
    });
    k.runUntil(T0 + 5 * DAY);
    for (let c = 0; c < 3; c++) {
      const by = (tr: ScanTrigger) => k.scans(c).filter((r) => r.e.trigger === tr);
      expect(by('newDeployment')[0]!.e.online).toBe(true);
      expect(by('beforeDownload')).toHaveLength(1);
      expect(by('beforeDownload')[0]!.e).toMatchObject({ forced: false, online: false });
      expect(by('beforeInstall')).toHaveLength(1);
      expect(by('beforeInstall')[0]!.e).toMatchObject({ forced: false, online: true });
      expect(by('afterInstall')[0]!.e).toMatchObject({ forced: true, online: false });
      expect(by('afterRestart')[0]!.e).toMatchObject({ forced: true, online: false });
    }
    checkAllScans(k);
  });

  it('manualScan: forced online even within the TTL, and it resets the TTL (a schedule scan after it is offline)', () => {
    const base = { deployments: [], client: { scanSchedule: '2d', reevaluationSchedule: '30d' } };
    const ctl = new CoreKit(base);
    ctl.runUntil(T0 + 2 * DAY + 4 * HOUR);
    expect(ctl.scans().filter((r) => r.e.trigger === 'schedule')[0]!.e.online).toBe(true);

    const k = new CoreKit({ ...base, actions: [{ kind: 'manualScan', at: '1d20h' }, { kind: 'manualScan', at: '1d21h' }] });
    k.runUntil(T0 + 2 * DAY + 4 * HOUR);
    const man = k.scans().filter((r) => r.e.trigger === 'manualScan');
    expect(man.map((r) => r.t)).toEqual([T0 + DAY + 20 * HOUR, T0 + DAY + 21 * HOUR]);
    // the second is 1 h after the first: still online
    for (const m of man) {
      expect(m.e).toMatchObject({ forced: true, online: true });
      expect(wsusRequests(k, 0, m.t, m.t + 1).map((r) => r.req.kind)).toEqual(['location.wsus', 'wsus.scan']);
    }
    const sch = k.scans().filter((r) => r.e.trigger === 'schedule');
    expect(sch).toHaveLength(1);
    expect(sch[0]!.e).toMatchObject({ forced: false, online: false });
    checkAllScans(k);
  });

  it('deploymentEvaluation: forced online within the TTL, starts a re-evaluation, and resets the TTL', () => {
    const base = { deployments: [], client: { scanSchedule: '2d', reevaluationSchedule: '30d' } };
    const k = new CoreKit({ ...base, actions: [{ kind: 'deploymentEvaluation', at: '4h' }, { kind: 'deploymentEvaluation', at: '1d22h' }] });
    k.runUntil(T0 + 2 * DAY + 4 * HOUR);
    const ev = k.scans().filter((r) => r.e.trigger === 'deploymentEvaluation');
    expect(ev.map((r) => r.t)).toEqual([T0 + 4 * HOUR, T0 + DAY + 22 * HOUR]);
    // the first comes at most 4 h after the first scan: within the TTL, still online
    expect(ev[0]!.t - k.of('scan.completed')[0]!.t).toBeLessThan(TTL);
    for (const e of ev) expect(e.e).toMatchObject({ forced: true, online: true });
    expect(k.of('reevaluation.started').map((r) => r.t)).toEqual(ev.map((r) => r.t));
    const sch = k.scans().filter((r) => r.e.trigger === 'schedule');
    expect(sch).toHaveLength(1);
    expect(sch[0]!.e.online).toBe(false);
    checkAllScans(k);
  });

  it('afterRestart stays offline even when the last online scan is days old (restart postponed 2 d)', () => {
    const k = new CoreKit({
      clients: 3,
      ...restartAll,
      client: { restartCountdown: '2d' },
      deployments: [{ name: 'D', updates: { newest: 5 }, created: '1d', available: '1d', deadline: '2d' }],
    });
    k.runUntil(T0 + 6 * DAY);
    for (let c = 0; c < 3; c++) {
      const ar = k.scans(c).filter((r) => r.e.trigger === 'afterRestart');
      expect(ar).toHaveLength(1);
      const lastOnline = Math.max(...k.of('scan.completed', c).filter((r) => r.e.online && r.t < ar[0]!.t).map((r) => r.t));
      expect(ar[0]!.t - lastOnline).toBeGreaterThan(TTL);
      expect(ar[0]!.e).toMatchObject({ forced: true, online: false });
      const done = k.of('scan.completed', c).find((r) => r.t > ar[0]!.t)!;
      expect(done.e.online).toBe(false);
      expect(done.e.sup).toBeNull();
    }
    checkAllScans(k);
    // offline scans do not refresh the TTL: the afterRestart scan did not move lastOnlineScanAt
    for (let c = 0; c < 3; c++) {
      const lastOnlineDone = k.of('scan.completed', c).filter((r) => r.e.online).at(-1)!.t;
      expect(coldOf(k.clients[c]!, C_LAST_ONLINE_SCAN_AT)).toBe(lastOnlineDone);
    }
  });

  it('an online scan that completes records the SUP; the WSUS request carries it', () => {
    const k = new CoreKit({ deployments: [], actions: [{ kind: 'manualScan', at: '1d' }] });
    k.runUntil(T0 + 2 * DAY);
    const sup = k.sc.stub.sups[0]!;
    for (const r of k.requests.filter((x) => x.req.kind === 'wsus.scan')) expect(r.req).toMatchObject({ sup });
    const done = k.of('scan.completed');
    expect(done).toHaveLength(2);
    for (const d of done) expect(d.e).toMatchObject({ online: true, sup });
    // online scan duration within model.onlineScanMin..onlineScanMax
    const starts = k.scans();
    for (let i = 0; i < 2; i++) {
      expect(done[i]!.t - starts[i]!.t).toBeGreaterThanOrEqual(2 * MIN);
      expect(done[i]!.t - starts[i]!.t).toBeLessThan(6 * MIN);
    }
  });
});
