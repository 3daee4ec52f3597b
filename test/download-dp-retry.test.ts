// A download whose DP fails (client-behaviour.md section 4, "Timeouts: ...
// download 864000 s"): the client tries the location's other DPs at once, and
// when every DP failed it asks again every model.downloadRetry (the content
// location, then the DPs), until the download started model.downloadTimeout
// ago; then download.failed with the last DP's code. A retry round is the same
// download going on: no second download.started, no second 301 "downloading".

import { describe, expect, it } from 'vitest';
import { CoreKit, DAY, HOUR, T0 } from './helpers/kit.js';
import { ENFORCE, HR, TOPIC } from '../agent/core/constants.js';
import type { Reply } from '../agent/core/types.js';

const CATALOGUE = { updates: 20, applicableFraction: 1, installedFraction: 0 };
const DP1 = 'http://dp1.stub.test/SMS_DP_SMSPKG$';
const DP2 = 'http://dp2.stub.test/SMS_DP_SMSPKG$';
/** BG_E_HTTP_ERROR_503, what BITS reports for a DP answering 503 */
const DP_503 = 0x801901f7;

function kit(extra: Record<string, unknown> = {}): CoreKit {
  return new CoreKit({
    catalogue: CATALOGUE,
    deployments: [{ name: 'Rollup', updates: { newest: 5 }, available: '1d', deadline: '20d' }],
    ...extra,
  });
}

const sent = (k: CoreKit, kind: string) => k.requests.filter((r) => r.req.kind === kind);
const dpAsked = (k: CoreKit) => sent(k, 'dp.download').map((r) => ({ t: r.t, dp: (r.req as { dp: string }).dp }));
const st301 = (k: CoreKit) => k.of('state.queued').filter((r) => r.e.topicType === TOPIC.ASSIGNMENT_ENFORCEMENT).map((r) => r.e.stateId);
const dpFails = (until: number) => (req: { kind: string }, t: number, normal: () => Reply): Reply =>
  req.kind === 'dp.download' && t < until ? { kind: 'error', req: 'dp.download', code: DP_503 } : normal();

describe('download: a DP that fails', () => {
  it('a DP down for 5 hours: the content location and the DP asked again every hour, then the download completes', () => {
    const k = kit();
    let outageEnd = Infinity;
    k.hook = (req, t, normal) => {
      // the outage begins with the first DP request and lasts 5 h
      if (req.kind === 'dp.download' && outageEnd === Infinity) outageEnd = t + 5 * HOUR;
      return dpFails(outageEnd)(req, t, normal);
    };
    k.runUntil(T0 + 4 * DAY);
    const started = k.of('download.started');
    expect(started).toHaveLength(1);
    const r = k.of('download.retrying');
    expect(r).toHaveLength(5);
    for (let i = 0; i < r.length; i++) {
      expect(r[i]!.e).toMatchObject({ deployment: expect.any(String), dp: DP1, code: DP_503, next: null, retryAt: r[i]!.t + HOUR });
      if (i > 0) expect(r[i]!.t).toBe(r[i - 1]!.e.retryAt);
    }
    // each round asks the location first, then the DP, at the same instant
    const asked = dpAsked(k);
    expect(asked.map((a) => a.t)).toEqual([started[0]!.t, ...r.map((x) => x.e.retryAt)]);
    expect(sent(k, 'location.content').map((x) => x.t)).toEqual(asked.map((a) => a.t));
    expect(k.of('download.completed')).toHaveLength(1);
    expect(k.of('download.completed')[0]!.t).toBeGreaterThanOrEqual(outageEnd);
    expect(k.of('download.failed')).toHaveLength(0);
    // no failure state, and one "downloading" for the whole download
    expect(st301(k)).toEqual([ENFORCE.DOWNLOADING, ENFORCE.DOWNLOADED]);
  });

  it('two DPs: the one asked fails, the other is asked at once and serves the download', () => {
    const k = kit({ site: { dps: [DP1, DP2] } });
    let failed: string | null = null;
    k.hook = (req, _t, normal) => {
      if (req.kind === 'dp.download' && failed === null) {
        failed = req.dp;
        return { kind: 'error', req: 'dp.download', code: HR.WINHTTP_CANNOT_CONNECT };
      }
      return normal();
    };
    k.runUntil(T0 + 4 * DAY);
    const r = k.of('download.retrying');
    expect(r).toHaveLength(1);
    const other = failed === DP1 ? DP2 : DP1;
    expect(r[0]!.e).toMatchObject({ dp: failed, code: HR.WINHTTP_CANNOT_CONNECT, next: other, retryAt: null });
    const asked = dpAsked(k);
    expect(asked).toEqual([{ t: r[0]!.t, dp: failed }, { t: r[0]!.t, dp: other }]);
    // one location request: the failover uses the list it has
    expect(sent(k, 'location.content')).toHaveLength(1);
    expect(k.of('download.completed')).toHaveLength(1);
  });

  it('two DPs both down: both tried in each round, one wait a round', () => {
    const k = kit({ site: { dps: [DP1, DP2] }, model: { downloadRetry: '30m' } });
    k.hook = dpFails(T0 + DAY + 4 * HOUR);
    k.runUntil(T0 + 4 * DAY);
    const r = k.of('download.retrying');
    const waits = r.filter((x) => x.e.next === null);
    const failovers = r.filter((x) => x.e.next !== null);
    expect(waits.length).toBeGreaterThanOrEqual(1);
    // a failover before every wait: each round asked both DPs
    expect(failovers).toHaveLength(waits.length);
    for (const w of waits) expect(w.e.retryAt).toBe(w.t + 30 * 60_000);
    const asked = dpAsked(k);
    for (const w of waits) expect(new Set(asked.filter((a) => a.t === w.t).map((a) => a.dp))).toEqual(new Set([DP1, DP2]));
    expect(k.of('download.completed')).toHaveLength(1);
  });

  it('a DP that never comes back: download.failed with its code once the download started downloadTimeout ago, the last round at the timeout', () => {
    const k = kit({ model: { downloadRetry: '5h', downloadTimeout: '1d' } });
    k.hook = dpFails(Infinity);
    k.runUntil(T0 + 6 * DAY);
    const started = k.of('download.started');
    expect(started).toHaveLength(1);
    const failed = k.of('download.failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.e.code).toBe(DP_503);
    expect(failed[0]!.t).toBe(started[0]!.t + DAY);
    const r = k.of('download.retrying');
    // rounds at +5 h, +10 h, +15 h, +20 h, then the last at the timeout (+24 h)
    expect(r.map((x) => x.e.retryAt! - started[0]!.t)).toEqual([5, 10, 15, 20, 24].map((h) => h * HOUR));
    expect(dpAsked(k).at(-1)!.t).toBe(failed[0]!.t);
    expect(st301(k)).toEqual([ENFORCE.DOWNLOADING, ENFORCE.DOWNLOAD_FAILED]);
    expect(k.stub.dp.counters.downloads).toBe(0);
  });

  it('downloadTimeout 0: the first DP failure fails the download, no failover, no round', () => {
    const k = kit({ site: { dps: [DP1, DP2] }, model: { downloadTimeout: '0' } });
    k.hook = dpFails(Infinity);
    k.runUntil(T0 + 3 * DAY);
    expect(k.of('download.retrying')).toHaveLength(0);
    expect(dpAsked(k)).toHaveLength(1);
    const failed = k.of('download.failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.t).toBe(k.of('download.started')[0]!.t);
    expect(failed[0]!.e.code).toBe(DP_503);
  });

  it('a manual scan during the wait runs within the round; the download comes back with a new start and its timeout kept', () => {
    const k = kit({ model: { downloadTimeout: '1d' }, actions: [{ kind: 'manualScan', at: '1d6h' }] });
    k.hook = dpFails(Infinity);
    k.runUntil(T0 + 5 * DAY);
    const scan = k.scans().find((r) => r.e.trigger === 'manualScan')!;
    expect(scan).toBeDefined();
    expect(scan.t).toBeLessThanOrEqual(T0 + DAY + 7 * HOUR);
    const started = k.of('download.started');
    // the download yielded to the scan and started again (like a power-off), its timeout from the first start
    expect(started.length).toBeGreaterThanOrEqual(2);
    const failed = k.of('download.failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.t).toBeGreaterThanOrEqual(started[0]!.t + DAY);
    expect(failed[0]!.t).toBeLessThanOrEqual(started[0]!.t + DAY + 60_000);
  });

  it('a workstation off at night keeps its download timeout: the download fails when its first start is 2 days old, not 2 days after the last power-on', () => {
    const k = kit({
      model: { downloadTimeout: '2d' },
      power: { workstations: { fraction: 1, onAt: '7h', offAt: '18h', spread: '0', weekendsOff: false } },
    });
    k.hook = dpFails(Infinity);
    k.runUntil(T0 + 8 * DAY);
    const started = k.of('download.started');
    const failed = k.of('download.failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.e.code).toBe(DP_503);
    // the nights between: the job went with the power, and each power-on started the download again
    expect(k.of('power.off').filter((r) => r.t > started[0]!.t && r.t < failed[0]!.t).length).toBeGreaterThanOrEqual(1);
    expect(started.length).toBeGreaterThanOrEqual(2);
    // the first round's failure at or after the timeout ends it: within the first hour the machine is on
    expect(failed[0]!.t).toBeGreaterThanOrEqual(started[0]!.t + 2 * DAY);
    expect(failed[0]!.t).toBeLessThan(started[0]!.t + 2 * DAY + 14 * HOUR);
    for (const r of k.of('download.retrying')) expect(r.e.retryAt).toBeLessThanOrEqual(started[0]!.t + 2 * DAY);
  });

  it('a round whose location finds no DP any more waits for content, with the location timeout from that request', () => {
    const k = kit({ model: { contentLocationTimeout: '3h' } });
    let firstDp = Infinity;
    k.hook = (req, t, normal): Reply => {
      if (req.kind === 'dp.download') {
        firstDp = Math.min(firstDp, t);
        return { kind: 'error', req: 'dp.download', code: DP_503 };
      }
      // after the first DP failure the content is gone from the DPs
      if (req.kind === 'location.content' && t > firstDp) return { kind: 'location.content', dps: [] };
      return normal();
    };
    k.runUntil(T0 + 3 * DAY);
    const r = k.of('download.retrying');
    expect(r).toHaveLength(1);
    const w = k.of('download.waitingContent');
    expect(w).toHaveLength(3);
    expect(w[0]!.t).toBe(r[0]!.e.retryAt);
    const failed = k.of('download.failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.e.code).toBe(HR.CONTENT_NOT_FOUND);
    expect(failed[0]!.t).toBe(w[0]!.t + 3 * HOUR);
  });

  it('a scenario DP outage (faults target dp): every client downloads after it, none fails', () => {
    const k = kit({ clients: 20, faults: [{ target: 'dp', from: '0', to: '2d', status: 503 }] });
    k.runUntil(T0 + 4 * DAY);
    expect(k.of('download.started')).toHaveLength(20);
    expect(k.of('download.completed')).toHaveLength(20);
    for (const c of k.of('download.completed')) expect(c.t).toBeGreaterThanOrEqual(T0 + 2 * DAY);
    expect(k.of('download.failed')).toHaveLength(0);
    const r = k.of('download.retrying');
    expect(r.length).toBeGreaterThanOrEqual(20 * 20);
    for (const x of r) expect(x.e.retryAt).toBe(x.t + HOUR);
  });
});

describe('download retry: the scenario fields', () => {
  it('defaults 1 h and 10 days (864000 s); a retry under 1 s is refused with its path', async () => {
    const { resolveScenario } = await import('../harness/scenario/resolve.js');
    const sc = resolveScenario({});
    expect(sc.model.downloadRetry).toBe(HOUR);
    expect(sc.model.downloadTimeout).toBe(864_000_000);
    expect(() => resolveScenario({ model: { downloadRetry: '10ms' } })).toThrow(/model\.downloadRetry: is under 1s/);
    expect(() => resolveScenario({ model: { downloadTimeout: 'soon' } })).toThrow(/model\.downloadTimeout/);
  });
});
