// The first compliance scan (seed 003: "When a client receives the machine policy, a
// compliance assessment scan is scheduled to start randomly within the next two hours";
// client-behaviour.md "Scan triggers": first scan after site-wide policy, random within
// 2 h of receiving policy, online).

import { describe, expect, it } from 'vitest';
import { CoreKit, DAY, HOUR, MIN, T0 } from './helpers/kit.js';

/** For each client: the time of the first policy.received enabling software updates, and its first scan. */
function firstScans(k: CoreKit) {
  type Scan = ReturnType<CoreKit['scans']>[number];
  const out = k.clients.map((_, c) => ({ client: c, enabledAt: NaN, scan: undefined as Scan | undefined }));
  // one pass over the events (events are in time order)
  for (const r of k.events) {
    const o = out[r.client]!;
    if (r.e.ev === 'policy.received' && r.e.softwareUpdatesEnabled && Number.isNaN(o.enabledAt)) o.enabledAt = r.t;
    else if (r.e.ev === 'scan.started' && o.scan === undefined) o.scan = r as Scan;
  }
  return out;
}

function stats(xs: number[]) {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { min: Math.min(...xs), max: Math.max(...xs), mean, distinct: new Set(xs).size };
}

describe('first compliance scan', () => {
  it('one client: trigger firstPolicy, non-forced, online, within 2 h of the policy that enabled software updates', () => {
    const k = new CoreKit({ deployments: [] });
    k.runUntil(T0 + 4 * HOUR);
    const rec = k.of('policy.received');
    expect(rec[0]!.e.softwareUpdatesEnabled).toBe(true);
    const scans = k.scans();
    expect(scans).toHaveLength(1);
    const s = scans[0]!;
    expect(s.e.trigger).toBe('firstPolicy');
    expect(s.e.online).toBe(true);
    expect(s.e.forced).toBe(false);
    expect(s.t).toBeGreaterThanOrEqual(rec[0]!.t);
    expect(s.t).toBeLessThan(rec[0]!.t + 2 * HOUR);
    // online: the WSUS location request and the WSUS scan are sent when it starts
    const kinds = k.requests.filter((r) => r.t === s.t).map((r) => r.req.kind);
    expect(kinds).toEqual(['location.wsus', 'wsus.scan']);
    const done = k.of('scan.completed');
    expect(done).toHaveLength(1);
    expect(done[0]!.e.online).toBe(true);
    expect(done[0]!.t - s.t).toBeGreaterThanOrEqual(2 * MIN);
    expect(done[0]!.t - s.t).toBeLessThan(6 * MIN);
  });

  it('200 clients: every first scan starts within firstScanWindow (2 h) of its enabling policy, times spread over the window', () => {
    const k = new CoreKit({ clients: 200, deployments: [] });
    k.runUntil(T0 + 4 * HOUR);
    const fs = firstScans(k);
    const delays: number[] = [];
    for (const f of fs) {
      expect(f.scan, `client ${f.client} scanned`).toBeDefined();
      expect(f.scan!.e.trigger).toBe('firstPolicy');
      expect(f.scan!.e.online).toBe(true);
      // the first policy of every client already enables software updates (site enabled at 0)
      expect(f.enabledAt).toBe(k.of('policy.received', f.client)[0]!.t);
      const dly = f.scan!.t - f.enabledAt;
      expect(dly).toBeGreaterThanOrEqual(0);
      expect(dly).toBeLessThan(2 * HOUR);
      delays.push(dly);
    }
    // uniform over [0, 2 h): not all equal, not bunched at one end
    const st = stats(delays);
    expect(st.distinct).toBeGreaterThan(190);
    expect(st.min).toBeLessThan(15 * MIN);
    expect(st.max).toBeGreaterThan(105 * MIN);
    expect(Math.abs(st.mean - HOUR)).toBeLessThan(12 * MIN);
    const inFirstHalf = delays.filter((d) => d < HOUR).length;
    expect(inFirstHalf).toBeGreaterThan(70);
    expect(inFirstHalf).toBeLessThan(130);
    // absolute start times spread too (policy within 60 min, + up to 2 h)
    const starts = fs.map((f) => f.scan!.t);
    expect(new Set(starts).size).toBeGreaterThan(190);
    expect(Math.max(...starts) - Math.min(...starts)).toBeGreaterThan(2 * HOUR);
    // exactly one firstPolicy scan per client
    expect(k.scans().filter((r) => r.e.trigger === 'firstPolicy')).toHaveLength(200);
  });

  it('honours a custom firstScanWindow', () => {
    const k = new CoreKit({ clients: 100, deployments: [], client: { firstScanWindow: '20m' } });
    k.runUntil(T0 + 3 * HOUR);
    const delays = firstScans(k).map((f) => f.scan!.t - f.enabledAt);
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(20 * MIN);
    }
    expect(Math.max(...delays)).toBeGreaterThan(15 * MIN);
    expect(new Set(delays).size).toBeGreaterThan(90);
  });

  it('site enables software updates at 1d: no scan (not even a manual cycle) before, first scan within 2 h of the first policy received after it', () => {
    // a Software Updates Scan Cycle at 12h, while the agent is disabled, does nothing
    const k = new CoreKit({ clients: 200, deployments: [], site: { softwareUpdatesEnabledAt: '1d' }, actions: [{ kind: 'manualScan', at: '12h' }] });
    k.runUntil(T0 + DAY + 4 * HOUR);
    expect(k.scans().filter((r) => r.t < T0 + DAY)).toHaveLength(0);
    expect(k.scans().filter((r) => r.e.trigger === 'manualScan')).toHaveLength(0);
    expect(k.requests.filter((r) => r.t < T0 + DAY && (r.req.kind === 'location.wsus' || r.req.kind === 'wsus.scan'))).toHaveLength(0);
    const delays: number[] = [];
    for (const f of firstScans(k)) {
      // policies before 1d say software updates are disabled
      const recs = k.of('policy.received', f.client);
      expect(recs.filter((r) => r.t < T0 + DAY).every((r) => !r.e.softwareUpdatesEnabled)).toBe(true);
      const firstAfter = recs.find((r) => r.t >= T0 + DAY)!;
      expect(firstAfter.t).toBeLessThan(T0 + DAY + HOUR); // the next 60-min poll
      expect(f.enabledAt).toBe(firstAfter.t);
      expect(f.scan!.e.trigger).toBe('firstPolicy');
      expect(f.scan!.e.online).toBe(true);
      const d = f.scan!.t - f.enabledAt;
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(2 * HOUR);
      delays.push(d);
    }
    const st = stats(delays);
    expect(st.distinct).toBeGreaterThan(190);
    expect(st.max - st.min).toBeGreaterThan(90 * MIN);
  });

  it('client.softwareUpdatesEnabled false: no scan at all, no WSUS traffic, policy says disabled', () => {
    const k = new CoreKit({
      clients: 20,
      client: { softwareUpdatesEnabled: false },
      actions: [{ kind: 'manualScan', at: '2d' }, { kind: 'deploymentEvaluation', at: '3d' }],
    });
    k.runUntil(T0 + 10 * DAY);
    expect(k.scans()).toHaveLength(0);
    expect(k.of('scan.completed')).toHaveLength(0);
    expect(k.of('reevaluation.started')).toHaveLength(0);
    expect(k.of('install.started')).toHaveLength(0);
    expect(k.requests.filter((r) => r.req.kind !== 'policy.assignments' && r.req.kind !== 'policy.body')).toHaveLength(0);
    const rec = k.of('policy.received');
    expect(rec.length).toBeGreaterThan(20 * 200);
    expect(rec.every((r) => !r.e.softwareUpdatesEnabled)).toBe(true);
  });

  it('the first scan happens once: later policies (unchanged or with a new deployment) do not schedule another', () => {
    const k = new CoreKit({
      clients: 10,
      catalogue: { restartFraction: 0 },
      deployments: [{ name: 'D', updates: { newest: 5 }, created: '2d', available: '2d', deadline: '3d' }],
    });
    k.runUntil(T0 + 5 * DAY);
    for (let c = 0; c < 10; c++) {
      const first = k.scans(c).filter((r) => r.e.trigger === 'firstPolicy');
      expect(first).toHaveLength(1);
      expect(first[0]!.t).toBeLessThan(T0 + 3 * HOUR);
      expect(k.scans(c)[0]!.e.trigger).toBe('firstPolicy');
    }
  });

  it('deployment work waits for the first scan: the first scan precedes every other scan even when a deployment is already in the first policy', () => {
    const k = new CoreKit({
      clients: 30,
      catalogue: { restartFraction: 0 },
      deployments: [{ name: 'D', updates: { newest: 5 }, created: '0', available: '0', deadline: '2d' }],
    });
    k.runUntil(T0 + 6 * HOUR);
    for (let c = 0; c < 30; c++) {
      const scans = k.scans(c);
      expect(scans[0]!.e.trigger).toBe('firstPolicy');
      const en = k.of('policy.received', c)[0]!;
      expect(en.e.deployments).toHaveLength(1);
      expect(scans[0]!.t - en.t).toBeLessThan(2 * HOUR);
      // the deployment's scans only start after the first scan completed
      const firstDone = k.of('scan.completed', c)[0]!.t;
      for (const s of scans.slice(1)) expect(s.t).toBeGreaterThanOrEqual(firstDone);
    }
  });
});
