// WSUS location and scan retries (client-behaviour.md section 3 and "Easy to get wrong";
// DESIGN.md "Agent loop" 3):
// - every online scan starts with a WSUSLocationRequest to the MP, then the WUA scan;
//   an empty location fails the scan;
// - on a retry-class error the client waits 30 min and retries the same SUP; after the 4th
//   failure it waits 2 more minutes and moves to another SUP; it sticks to its last
//   successful SUP;
// - 0x80072EE2 is not a retry code: no retry, never a SUP switch;
// - 501 (UPDATE_SOURCE_SCAN) states: 2 running, 3 completed, 4 pending retry, 5 failed.

import { describe, expect, it } from 'vitest';
import { CoreKit, DAY, HOUR, MIN, T0 } from './helpers/kit.js';
import { HR, SCAN_STATE, TOPIC } from '../agent/core/constants.js';
import type { Reply } from '../agent/core/types.js';

const SUPS = ['http://sup1.stub.test:8530', 'http://sup2.stub.test:8530', 'http://sup3.stub.test:8530'];
const u32 = (x: number) => x >>> 0;

/** The client's own representation of a retry code (as its settings hold it). */
function settingsCode(k: CoreKit, hr: number): number {
  const c = k.sc.settings.scanRetryCodes.find((x) => u32(x) === u32(hr));
  expect(c, `0x${u32(hr).toString(16)} is a configured retry code`).toBeDefined();
  return c!;
}

function wsusScans(k: CoreKit, c = 0) {
  return k.requests.filter((r) => r.client === c && r.req.kind === 'wsus.scan') as { t: number; client: number; req: { kind: 'wsus.scan'; sup: string } }[];
}

function scanStates(k: CoreKit, c = 0) {
  return k.of('state.queued', c).filter((r) => r.e.topicType === TOPIC.UPDATE_SOURCE_SCAN);
}

/** A hook failing the first n WSUS scans with `code`. */
function failFirstScans(n: number, code: number) {
  let i = 0;
  return (req: { kind: string }, _t: number, normal: () => Reply): Reply => {
    if (req.kind === 'wsus.scan' && i < n) {
      i++;
      return { kind: 'error', req: 'wsus.scan', code };
    }
    return normal();
  };
}

describe('WSUS location before every online scan', () => {
  it('each online scan, retries included, sends location.wsus then wsus.scan at its start', () => {
    const k = new CoreKit({ deployments: [], actions: [{ kind: 'manualScan', at: '1d' }] });
    k.hook = failFirstScans(2, settingsCode(k, 0x8024401c));
    k.runUntil(T0 + 2 * DAY);
    const online = k.scans().filter((r) => r.e.online);
    expect(online.map((r) => r.e.trigger)).toEqual(['firstPolicy', 'retry', 'retry', 'manualScan']);
    for (const s of online) {
      const at = k.requests.filter((r) => r.t === s.t && (r.req.kind === 'location.wsus' || r.req.kind === 'wsus.scan'));
      expect(at.map((r) => r.req.kind)).toEqual(['location.wsus', 'wsus.scan']);
    }
    const loc = k.requests.filter((r) => r.req.kind === 'location.wsus');
    expect(loc).toHaveLength(4);
    // the request names the update source (content ID and version) of the catalogue
    for (const r of loc) expect(r.req).toMatchObject({ contentId: k.stub.catalogue.updateSourceId, contentVersion: k.stub.catalogue.updateSourceVersion });
  });

  // an empty WSUS location does not fail the scan: test/scan-waiting-location.test.ts
});

describe('retry-class failures', () => {
  it('a retry code fails the scan with retryAt = t + 30 min; the retry (trigger retry, rule kept) goes to the same SUP', () => {
    const k = new CoreKit({ deployments: [], site: { sups: SUPS.slice(0, 2) } });
    const code = settingsCode(k, 0x80244022);
    k.hook = failFirstScans(1, code);
    k.runUntil(T0 + 6 * HOUR);
    const f = k.of('scan.failed');
    expect(f).toHaveLength(1);
    expect(u32(f[0]!.e.code)).toBe(0x80244022);
    expect(f[0]!.e.retryAt).toBe(f[0]!.t + 30 * MIN);
    const scans = k.scans();
    expect(scans.map((r) => r.e.trigger)).toEqual(['firstPolicy', 'retry']);
    expect(scans[1]!.t).toBe(f[0]!.e.retryAt);
    expect(scans[1]!.e).toMatchObject({ rule: 'firstPolicy', online: true, forced: false });
    const w = wsusScans(k);
    expect(w).toHaveLength(2);
    expect(w[1]!.req.sup).toBe(w[0]!.req.sup);
    expect(f[0]!.e.sup).toBe(w[0]!.req.sup);
    const done = k.of('scan.completed');
    expect(done).toHaveLength(1);
    expect(done[0]!.e.sup).toBe(w[0]!.req.sup);
    // nothing else was started while the client waited for the retry
    expect(k.requests.filter((r) => r.t > f[0]!.t && r.t < scans[1]!.t && r.req.kind !== 'policy.assignments' && r.req.kind !== 'state.report')).toHaveLength(0);
  });

  it('after the 4th failure on a SUP: wait 30 + 2 min, then move to the other SUP', () => {
    const k = new CoreKit({ deployments: [], site: { sups: SUPS.slice(0, 2) } });
    k.hook = failFirstScans(4, settingsCode(k, 0x8024401c));
    k.runUntil(T0 + 8 * HOUR);
    const f = k.of('scan.failed');
    expect(f).toHaveLength(4);
    expect(f.map((r) => r.e.retryAt! - r.t)).toEqual([30 * MIN, 30 * MIN, 30 * MIN, 32 * MIN]);
    const w = wsusScans(k);
    expect(w).toHaveLength(5);
    const first = w[0]!.req.sup;
    const other = SUPS.slice(0, 2).find((s) => s !== first)!;
    expect(w.slice(0, 4).map((r) => r.req.sup)).toEqual([first, first, first, first]);
    expect(w[4]!.req.sup).toBe(other);
    expect(w[4]!.t).toBe(f[3]!.t + 32 * MIN);
    // every retry scan starts exactly at the retryAt announced by the failure before it
    const retries = k.scans().filter((r) => r.e.trigger === 'retry');
    expect(retries.map((r) => r.t)).toEqual(f.map((r) => r.e.retryAt));
    const done = k.of('scan.completed');
    expect(done).toHaveLength(1);
    expect(done[0]!.e.sup).toBe(other);
  });

  it('the client sticks to its last successful SUP afterwards', () => {
    const k = new CoreKit({
      deployments: [],
      site: { sups: SUPS.slice(0, 2) },
      actions: [{ kind: 'manualScan', at: '1d' }, { kind: 'manualScan', at: '2d' }, { kind: 'deploymentEvaluation', at: '3d' }],
    });
    k.hook = failFirstScans(4, settingsCode(k, 0x80244010));
    k.runUntil(T0 + 9 * DAY);
    const w = wsusScans(k);
    const moved = w[4]!.req.sup;
    expect(moved).not.toBe(w[0]!.req.sup);
    // manual scans, the evaluation cycle and the 7-day schedule: all on the SUP that last worked
    expect(w.length).toBeGreaterThanOrEqual(9);
    for (const r of w.slice(4)) expect(r.req.sup).toBe(moved);
    for (const d of k.of('scan.completed').filter((r) => r.e.online)) expect(d.e.sup).toBe(moved);
  });

  it('failures count per SUP since the last success: 3 failures, a success, then 4 more before a switch', () => {
    const k = new CoreKit({ deployments: [], site: { sups: SUPS.slice(0, 2) }, actions: [{ kind: 'manualScan', at: '1d' }] });
    const code = settingsCode(k, 0x8024401c);
    let n = 0;
    k.hook = (req, _t, normal): Reply => {
      if (req.kind !== 'wsus.scan') return normal();
      n++;
      // attempts 1-3 fail, 4 succeeds (first scan); attempts 5-8 fail, 9 succeeds (manual scan)
      return n <= 3 || (n >= 5 && n <= 8) ? { kind: 'error', req: 'wsus.scan', code } : normal();
    };
    k.runUntil(T0 + 2 * DAY);
    const f = k.of('scan.failed');
    expect(f.map((r) => r.e.retryAt! - r.t)).toEqual([30, 30, 30, 30, 30, 30, 32].map((m) => m * MIN));
    const sups = wsusScans(k).map((r) => r.req.sup);
    expect(sups).toHaveLength(9);
    expect(new Set(sups.slice(0, 8)).size).toBe(1);
    expect(sups[8]).not.toBe(sups[0]);
  });

  it('with 3 SUPs, each switch (every 4th failure) moves to a different SUP than the current one', () => {
    const k = new CoreKit({ deployments: [], site: { sups: SUPS } });
    k.hook = failFirstScans(16, settingsCode(k, 0x80072efe));
    k.runUntil(T0 + 2 * DAY);
    const sups = wsusScans(k).map((r) => r.req.sup);
    expect(sups).toHaveLength(17);
    for (let block = 0; block < 4; block++) {
      const b = sups.slice(block * 4, block * 4 + 4);
      expect(new Set(b).size).toBe(1);
      expect(SUPS).toContain(b[0]);
      expect(sups[block * 4 + 4]).not.toBe(b[0]);
    }
    const f = k.of('scan.failed');
    expect(f.map((r) => r.e.retryAt! - r.t)).toEqual(Array.from({ length: 16 }, (_, i) => (i % 4 === 3 ? 32 : 30) * MIN));
  });

  it('a retry follows the failed scan\'s rules: a non-forced schedule scan retries online (TTL still expired)', () => {
    const k = new CoreKit({ deployments: [], client: { reevaluationSchedule: '30d' } });
    const code = settingsCode(k, 0x80244022);
    k.hook = (req, t, normal): Reply => (req.kind === 'wsus.scan' && t >= T0 + 7 * DAY && t < T0 + 7 * DAY + 3 * HOUR ? { kind: 'error', req: 'wsus.scan', code } : normal());
    k.runUntil(T0 + 8 * DAY);
    const after = k.scans().filter((r) => r.t >= T0 + 7 * DAY);
    expect(after[0]!.e.trigger).toBe('schedule');
    expect(after.length).toBeGreaterThan(2);
    for (const s of after.slice(1)) expect(s.e).toMatchObject({ trigger: 'retry', rule: 'schedule', forced: false, online: true });
    expect(k.of('scan.completed').at(-1)!.e.online).toBe(true);
  });
});

describe('0x80072EE2 (WinHTTP timeout) is not a retry code', () => {
  it('fails with retryAt null, no retry scan, 501 failed', () => {
    const k = new CoreKit({ deployments: [], site: { sups: SUPS.slice(0, 2) } });
    k.hook = failFirstScans(1, HR.WINHTTP_TIMEOUT);
    k.runUntil(T0 + 6 * HOUR);
    const f = k.of('scan.failed');
    expect(f).toHaveLength(1);
    expect(u32(f[0]!.e.code)).toBe(0x80072ee2);
    expect(f[0]!.e.retryAt).toBeNull();
    expect(k.scans().map((r) => r.e.trigger)).toEqual(['firstPolicy']);
    // nothing left pending: no further WSUS traffic until the next trigger
    expect(wsusScans(k)).toHaveLength(1);
    expect(k.requests.filter((r) => r.req.kind === 'location.wsus')).toHaveLength(1);
    const st = scanStates(k).map((r) => r.e.stateId);
    expect(st).toEqual([SCAN_STATE.RUNNING, SCAN_STATE.FAILED]);
  });

  it('a client failing with 0x80072EE2 never switches SUP, however often it fails (scenario fault, 6 clients, 2 SUPs)', () => {
    const k = new CoreKit({
      clients: 6,
      deployments: [],
      site: { sups: SUPS.slice(0, 2) },
      faults: [{ target: 'wsus', from: '0', to: '6d', code: '0x80072EE2' }],
      actions: [1, 2, 3, 4, 5, 6].map((d) => ({ kind: 'manualScan', at: `${d}d12h` })),
    });
    k.runUntil(T0 + 7 * DAY);
    for (let c = 0; c < 6; c++) {
      const f = k.of('scan.failed', c);
      // first scan + manual scans on days 1..5 fail; the day-6 manual scan (after the fault) succeeds
      expect(f).toHaveLength(6);
      for (const r of f) {
        expect(u32(r.e.code)).toBe(0x80072ee2);
        expect(r.e.retryAt).toBeNull();
      }
      expect(k.scans(c).some((r) => r.e.trigger === 'retry')).toBe(false);
      const sups = wsusScans(k, c).map((r) => r.req.sup);
      expect(sups).toHaveLength(7);
      expect(new Set(sups).size).toBe(1);
      const done = k.of('scan.completed', c);
      expect(done).toHaveLength(1);
      expect(done[0]!.e.sup).toBe(sups[0]);
      // 501/5 (failed) at every failure, never 501/4 (pending retry)
      const st = scanStates(k, c);
      expect(st.filter((r) => r.e.stateId === SCAN_STATE.PENDING_RETRY)).toHaveLength(0);
      for (const r of f) expect(st.some((s) => s.t === r.t && s.e.stateId === SCAN_STATE.FAILED)).toBe(true);
    }
  });
});

describe('scenario faults reach the client like real WSUS errors', () => {
  it('wsus 503 (0x80244022) from 0 to 3h: retries every 30 min (32 after each 4th) until the window ends, then completes', () => {
    const clients = 5;
    const k = new CoreKit({ clients, deployments: [], faults: [{ target: 'wsus', from: '0', to: '3h', code: '0x80244022' }] });
    k.runUntil(T0 + 8 * HOUR);
    let failures = 0;
    for (let c = 0; c < clients; c++) {
      const f = k.of('scan.failed', c);
      const scans = k.scans(c);
      const w = wsusScans(k, c);
      expect(f.length).toBeGreaterThan(0);
      failures += f.length;
      for (let i = 0; i < f.length; i++) {
        const r = f[i]!;
        expect(u32(r.e.code)).toBe(0x80244022);
        expect(r.t).toBeLessThan(T0 + 3 * HOUR);
        expect(r.e.sup).toBe(SUPS[0]);
        expect(r.e.retryAt! - r.t).toBe(((i + 1) % 4 === 0 ? 32 : 30) * MIN);
        // the retry starts at retryAt with a fresh location request
        expect(scans[i + 1]!.t).toBe(r.e.retryAt);
        expect(scans[i + 1]!.e).toMatchObject({ trigger: 'retry', rule: 'firstPolicy', online: true });
        expect(k.requests.some((q) => q.client === c && q.t === r.e.retryAt && q.req.kind === 'location.wsus')).toBe(true);
        // 501/4 pending retry at the failure
        expect(scanStates(k, c).some((s) => s.t === r.t && s.e.stateId === SCAN_STATE.PENDING_RETRY)).toBe(true);
      }
      // the first attempt at or after 3h succeeds
      expect(w.at(-1)!.t).toBeGreaterThanOrEqual(T0 + 3 * HOUR);
      expect(w.at(-1)!.t).toBeLessThan(T0 + 3 * HOUR + 32 * MIN);
      expect(w).toHaveLength(f.length + 1);
      const done = k.of('scan.completed', c);
      expect(done).toHaveLength(1);
      expect(done[0]!.e).toMatchObject({ online: true, sup: SUPS[0] });
      expect(scanStates(k, c).some((s) => s.t === done[0]!.t && s.e.stateId === SCAN_STATE.COMPLETED)).toBe(true);
    }
    expect(k.stub.wsus.counters.scanFailures).toBe(failures);
  });

  it('a fault on one SUP: clients on it move to the other after 4 failures and stay there; the others never fail', () => {
    const clients = 12;
    const k = new CoreKit({
      clients,
      deployments: [],
      site: { sups: SUPS.slice(0, 2) },
      faults: [{ target: 'wsus', from: '0', to: '2d', code: '0x8024401C', sup: SUPS[0] }],
      actions: [{ kind: 'manualScan', at: '1d' }, { kind: 'manualScan', at: '3d' }],
    });
    k.runUntil(T0 + 4 * DAY);
    let movers = 0;
    for (let c = 0; c < clients; c++) {
      const w = wsusScans(k, c).map((r) => r.req.sup);
      const f = k.of('scan.failed', c);
      if (w[0] === SUPS[0]) {
        movers++;
        expect(f).toHaveLength(4);
        expect(w.slice(0, 4)).toEqual([SUPS[0], SUPS[0], SUPS[0], SUPS[0]]);
        // everything after, including the scan after the fault window, on SUP 2
        for (const s of w.slice(4)) expect(s).toBe(SUPS[1]);
        // 4 failures, the successful retry on SUP 2, the manual scans at 1d and 3d
        expect(w).toHaveLength(7);
        expect(k.of('scan.completed', c).map((r) => r.e.sup)).toEqual([SUPS[1], SUPS[1], SUPS[1]]);
      } else {
        expect(f).toHaveLength(0);
        expect(w).toEqual([SUPS[1], SUPS[1], SUPS[1]]);
        expect(k.of('scan.completed', c).map((r) => r.e.sup)).toEqual([SUPS[1], SUPS[1], SUPS[1]]);
      }
    }
    expect(movers).toBeGreaterThan(0);
    expect(movers).toBeLessThan(clients);
  });

  it('an MP location fault with a retry code fails the scan before WSUS is contacted and is retried in 30 min', () => {
    const k = new CoreKit({ deployments: [], faults: [{ target: 'mp.location', from: '0', to: '4h', code: '0x80072EFD' }] });
    k.runUntil(T0 + 8 * HOUR);
    const f = k.of('scan.failed');
    expect(f.length).toBeGreaterThan(0);
    const w = wsusScans(k);
    expect(w).toHaveLength(1);
    expect(w[0]!.t).toBeGreaterThanOrEqual(T0 + 4 * HOUR);
    for (const r of f) {
      expect(u32(r.e.code)).toBe(0x80072efd);
      expect(r.e.retryAt).not.toBeNull();
      expect([30 * MIN, 32 * MIN]).toContain(r.e.retryAt! - r.t);
    }
    expect(k.of('scan.completed')).toHaveLength(1);
  });
});

describe('HRESULTs are compared as 32-bit codes, whatever their JS sign', () => {
  // The client must recognise 0x80244022 as a retry code whether the number was written
  // as an unsigned literal (as HR.* and the stubs produce it) or parsed as a signed int32.
  it('0x80244022 as an unsigned literal (HR.PT_HTTP_STATUS_SERVICE_UNAVAIL) is a retry-class failure', () => {
    const k = new CoreKit({ deployments: [] });
    k.hook = failFirstScans(1, HR.PT_HTTP_STATUS_SERVICE_UNAVAIL);
    k.runUntil(T0 + 6 * HOUR);
    const f = k.of('scan.failed');
    expect(f).toHaveLength(1);
    expect(f[0]!.e.retryAt).toBe(f[0]!.t + 30 * MIN);
    expect(k.scans().map((r) => r.e.trigger)).toEqual(['firstPolicy', 'retry']);
  });

  it('0x80244022 as a signed int32 is a retry-class failure too', () => {
    const k = new CoreKit({ deployments: [] });
    k.hook = failFirstScans(1, 0x80244022 | 0);
    k.runUntil(T0 + 6 * HOUR);
    const f = k.of('scan.failed');
    expect(f).toHaveLength(1);
    expect(f[0]!.e.retryAt).toBe(f[0]!.t + 30 * MIN);
  });

  it('a SUP the WSUS stub refuses (0x80072EFD, cannot connect) is a retry-class failure (retried in 30 min)', () => {
    const k = new CoreKit({ deployments: [] });
    const gone = 'http://gone.stub.test:8530';
    // the MP lists a dead SUP first; the stub answers scans to it with 0x80072EFD
    k.hook = (req, _t, normal): Reply => (req.kind === 'location.wsus' ? { kind: 'location.wsus', sups: [gone] } : normal());
    k.runUntil(T0 + 6 * HOUR);
    const f = k.of('scan.failed');
    expect(u32(f[0]!.e.code)).toBe(0x80072efd);
    expect(f[0]!.e.retryAt).toBe(f[0]!.t + 30 * MIN);
    // the MP keeps listing only this SUP: the client keeps retrying it (30, 30, 30, 32 min ...)
    expect(f.length).toBeGreaterThan(4);
    expect(f.slice(0, 4).map((r) => r.e.retryAt! - r.t)).toEqual([30, 30, 30, 32].map((m) => m * MIN));
    expect(k.scans().slice(1).every((r) => r.e.trigger === 'retry')).toBe(true);
  });
});
