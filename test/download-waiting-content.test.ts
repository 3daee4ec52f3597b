// A download whose content is not on the DPs yet (client-behaviour.md section
// 4, "Timeouts: location 604800 s"): the MP's content location finds no DP
// (deployments[].contentDistributed), and the client does not fail the
// download: it asks again every model.contentLocationRetry until the content
// comes, or fails with 0x87D00607 (content not found) once its first location
// request is model.contentLocationTimeout old. Other work waiting meanwhile
// (a scan) makes the download yield; the timeout still counts from the first
// request.

import { describe, expect, it } from 'vitest';
import { CoreKit, DAY, HOUR, T0 } from './helpers/kit.js';
import { ENFORCE, HR, TOPIC } from '../agent/core/constants.js';
import type { Reply } from '../agent/core/types.js';

const CATALOGUE = { updates: 20, applicableFraction: 1, installedFraction: 0 };

function kit(contentDistributed: string | null, extra: Record<string, unknown> = {}): CoreKit {
  return new CoreKit({
    catalogue: CATALOGUE,
    deployments: [{ name: 'Rollup', updates: { newest: 5 }, available: '1d', deadline: '20d', contentDistributed }],
    ...extra,
  });
}

const locations = (k: CoreKit) => k.requests.filter((r) => r.req.kind === 'location.content').map((r) => r.t);

describe('download waiting for content', () => {
  it('no DP until contentDistributed: the location asked again every hour, then the download starts', () => {
    const k = kit('2d12h');
    k.runUntil(T0 + 4 * DAY);
    const w = k.of('download.waitingContent');
    // the first location goes at the available time plus the download's random delay (at most 2 h)
    expect(w.length).toBeGreaterThanOrEqual(34);
    expect(w.length).toBeLessThanOrEqual(37);
    expect(w[0]!.t).toBeGreaterThanOrEqual(T0 + DAY);
    for (let i = 0; i < w.length; i++) {
      expect(w[i]!.e.code).toBe(HR.CONTENT_NOT_FOUND);
      expect(w[i]!.e.retryAt).toBe(w[i]!.t + HOUR);
      expect(w[i]!.t).toBeLessThan(T0 + 2.5 * DAY);
      if (i > 0) expect(w[i]!.t).toBe(w[i - 1]!.e.retryAt);
    }
    // one location request a wait, and the one that found a DP
    expect(locations(k)).toEqual([...w.map((r) => r.t), w.at(-1)!.e.retryAt]);
    expect(k.stub.mp.counters.contentLocationNotFound).toBe(w.length);
    const started = k.of('download.started');
    expect(started).toHaveLength(1);
    expect(started[0]!.t).toBe(w.at(-1)!.e.retryAt);
    expect(started[0]!.t).toBeGreaterThanOrEqual(T0 + 2.5 * DAY);
    expect(k.of('download.completed')).toHaveLength(1);
    expect(k.of('download.failed')).toHaveLength(0);
    // the waits queue no state of their own: 301 goes from nothing to downloading, then downloaded
    const st301 = k.of('state.queued').filter((r) => r.e.topicType === TOPIC.ASSIGNMENT_ENFORCEMENT).map((r) => r.e.stateId);
    expect(st301).toEqual([ENFORCE.DOWNLOADING, ENFORCE.DOWNLOADED]);
  });

  it('content that never comes: download.failed 0x87D00607 when the first location request is 7 days old, the last try at the timeout', () => {
    const k = kit('30d');
    k.runUntil(T0 + 10 * DAY);
    const loc = locations(k);
    const first = loc[0]!;
    const failed = k.of('download.failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.e.code).toBe(HR.CONTENT_NOT_FOUND);
    // at the timeout, or just after it when a yield's scan (30 s offline) moved the last request
    expect(failed[0]!.t).toBeGreaterThanOrEqual(first + 7 * DAY);
    expect(failed[0]!.t).toBeLessThanOrEqual(first + 7 * DAY + 60_000);
    expect(loc.at(-1)).toBe(failed[0]!.t);
    // hourly, with no gap longer than the retry (the weekly scan cycle's yield adds its scan, not a day)
    for (let i = 1; i < loc.length; i++) expect(loc[i]! - loc[i - 1]!).toBeLessThanOrEqual(HOUR + 10 * 60_000);
    expect(loc.length).toBeGreaterThanOrEqual(7 * 24 - 2);
    expect(k.of('download.started')).toHaveLength(0);
    const st301 = k.of('state.queued').filter((r) => r.e.topicType === TOPIC.ASSIGNMENT_ENFORCEMENT).map((r) => r.e.stateId);
    expect(st301).toEqual([ENFORCE.DOWNLOAD_FAILED]);
  });

  it('a shorter timeout and retry from the model', () => {
    const k = kit('30d', { model: { contentLocationRetry: '10m', contentLocationTimeout: '1h' } });
    k.runUntil(T0 + 3 * DAY);
    const loc = locations(k);
    expect(loc.length).toBe(7);
    for (let i = 1; i < loc.length; i++) expect(loc[i]! - loc[i - 1]!).toBe(10 * 60_000);
    const failed = k.of('download.failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.t).toBe(loc[0]! + HOUR);
  });

  it('a manual scan during the wait runs within the hour; the download comes back after it with its timeout kept', () => {
    const k = kit('30d', { model: { contentLocationTimeout: '1d' }, actions: [{ kind: 'manualScan', at: '1d6h' }] });
    k.runUntil(T0 + 5 * DAY);
    const loc = locations(k);
    const scan = k.scans().find((r) => r.e.trigger === 'manualScan')!;
    expect(scan).toBeDefined();
    // the scan started at the first retry wake after the action, not a day later
    expect(scan.t).toBeGreaterThanOrEqual(T0 + DAY + 6 * HOUR);
    expect(scan.t).toBeLessThanOrEqual(T0 + DAY + 7 * HOUR);
    // the download came back (a beforeDownload scan, then the location) and failed a day after the first request
    expect(k.scans().some((r) => r.t > scan.t && r.e.trigger === 'beforeDownload')).toBe(true);
    const failed = k.of('download.failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.t).toBe(loc[0]! + DAY);
    expect(failed[0]!.e.code).toBe(HR.CONTENT_NOT_FOUND);
  });

  it('a workstation off at night keeps its wait: the download comes back at power-on and fails when the first request is 2 days old, not 2 days after the last power-on', () => {
    const k = kit('30d', {
      model: { contentLocationTimeout: '2d' },
      power: { workstations: { fraction: 1, onAt: '7h', offAt: '18h', spread: '0', weekendsOff: false } },
    });
    k.runUntil(T0 + 8 * DAY);
    const loc = locations(k);
    const offs = k.of('power.off').filter((r) => r.t > loc[0]!);
    // the wait spans nights: the machine went off (the job with it) at least once before the failure
    const failed = k.of('download.failed');
    expect(failed).toHaveLength(1);
    expect(offs.filter((r) => r.t < failed[0]!.t).length).toBeGreaterThanOrEqual(1);
    expect(failed[0]!.e.code).toBe(HR.CONTENT_NOT_FOUND);
    // the first answer at or after the timeout fails it: within the first hour of a day the machine is on
    expect(failed[0]!.t).toBeGreaterThanOrEqual(loc[0]! + 2 * DAY);
    expect(failed[0]!.t).toBeLessThan(loc[0]! + 2 * DAY + 14 * HOUR);
  });

  it('a content location that fails (MP unreachable) is asked again too, and fails with its own code at the timeout', () => {
    const k = kit(null, { model: { contentLocationTimeout: '3h' } });
    k.hook = (req, _t, normal): Reply => (req.kind === 'location.content' ? { kind: 'error', req: 'location.content', code: HR.MP_UNREACHABLE } : normal());
    k.runUntil(T0 + 3 * DAY);
    const w = k.of('download.waitingContent');
    expect(w).toHaveLength(3);
    for (const r of w) expect(r.e.code).toBe(HR.MP_UNREACHABLE);
    const failed = k.of('download.failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.e.code).toBe(HR.MP_UNREACHABLE);
    expect(failed[0]!.t).toBe(w[0]!.t + 3 * HOUR);
  });

  it('content on the DPs from the start (the default): no wait, one location request', () => {
    const k = kit(null);
    k.runUntil(T0 + 3 * DAY);
    expect(k.of('download.waitingContent')).toHaveLength(0);
    expect(locations(k)).toHaveLength(1);
    expect(k.of('download.completed')).toHaveLength(1);
  });
});

describe('waiting for content: the scenario fields', () => {
  it('a retry under 1 s is refused with its path; a negative contentDistributed like any bad duration', async () => {
    const { resolveScenario } = await import('../harness/scenario/resolve.js');
    expect(() => resolveScenario({ model: { contentLocationRetry: '500ms' } })).toThrow(/model\.contentLocationRetry: is under 1s/);
    expect(() => resolveScenario({ deployments: [{ name: 'X', updates: { newest: 1 }, available: '1d', deadline: '2d', contentDistributed: 'soon' }] })).toThrow(/deployments\[0\]\.contentDistributed/);
    const sc = resolveScenario({ deployments: [{ name: 'X', updates: { newest: 1 }, available: '1d', deadline: '2d', contentDistributed: '3d' }] });
    expect(sc.stub.deployments[0]!.contentDistributed).toBe(sc.start + 3 * DAY);
    expect(sc.model.contentLocationRetry).toBe(HOUR);
    expect(sc.model.contentLocationTimeout).toBe(7 * DAY);
  });
});
