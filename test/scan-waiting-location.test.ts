// An empty WSUS location reply (issue 11, Scope 6; client-behaviour.md
// section 3: "Empty location = content version mismatch"): the client does not
// fail the scan with a code of our own; it reports 501 state 1 "waiting for
// catalog location" and asks the MP again after scanRetryDelay, without
// counting a SUP failure or switching SUP, until a location comes.

import { describe, expect, it } from 'vitest';
import { CoreKit, DAY, MIN, T0 } from './helpers/kit.js';
import { SCAN_STATE, TOPIC } from '../agent/core/constants.js';
import type { Reply } from '../agent/core/types.js';

const SUPS = ['http://sup1.stub.test:8530', 'http://sup2.stub.test:8530'];

describe('empty WSUS location', () => {
  it('501/1, the location asked again every 30 min (no wsus.scan, no scan.failed), then the scan completes on the same SUP', () => {
    const k = new CoreKit({ deployments: [], site: { sups: SUPS }, actions: [{ kind: 'manualScan', at: '1d' }] });
    // the first scan completes normally; then the MP has no location for 3 requests
    let empty = 0;
    k.hook = (req, t, normal): Reply => {
      if (req.kind === 'location.wsus' && t >= T0 + DAY && empty < 3) {
        empty++;
        return { kind: 'location.wsus', sups: [] };
      }
      return normal();
    };
    k.runUntil(T0 + DAY - 1);
    const first = k.of('scan.completed');
    expect(first).toHaveLength(1);
    const sup = first[0]!.e.sup;
    k.runUntil(T0 + 2 * DAY);

    const w = k.of('scan.waitingLocation');
    expect(w).toHaveLength(3);
    expect(w[0]!.t).toBe(T0 + DAY);
    for (let i = 0; i < w.length; i++) {
      expect(w[i]!.e.retryAt).toBe(w[i]!.t + 30 * MIN);
      expect(w[i]!.e.version).toBe(k.stub.catalogue.updateSourceVersion);
      if (i > 0) expect(w[i]!.t).toBe(w[i - 1]!.e.retryAt);
    }
    expect(k.of('scan.failed')).toHaveLength(0);
    // one location request per attempt; WSUS is contacted only after the location came
    const loc = k.requests.filter((r) => r.t >= T0 + DAY && r.req.kind === 'location.wsus').map((r) => r.t);
    expect(loc).toEqual([...w.map((r) => r.t), w[2]!.e.retryAt]);
    const ws = k.requests.filter((r) => r.t >= T0 + DAY && r.req.kind === 'wsus.scan');
    expect(ws).toHaveLength(1);
    expect(ws[0]!.t).toBe(w[2]!.e.retryAt);
    expect((ws[0]!.req as { sup: string }).sup).toBe(sup);
    // 501: running, waiting for catalog location (x3, the unsent one overwritten in place), running, completed
    const st501 = k.of('state.queued').filter((r) => r.t >= T0 + DAY && r.e.topicType === TOPIC.UPDATE_SOURCE_SCAN);
    expect(st501.filter((r) => r.e.stateId === SCAN_STATE.WAITING_LOCATION).map((r) => r.t)).toEqual(w.map((r) => r.t));
    expect(st501.some((r) => r.e.stateId === SCAN_STATE.FAILED || r.e.stateId === SCAN_STATE.PENDING_RETRY)).toBe(false);
    expect(st501.at(-1)!.e.stateId).toBe(SCAN_STATE.COMPLETED);
    // the retries follow the manual scan's rules (forced online) and count no SUP failure
    const retries = k.scans().filter((r) => r.t > T0 + DAY);
    expect(retries.map((r) => [r.e.trigger, r.e.rule, r.e.online])).toEqual([['retry', 'manualScan', true], ['retry', 'manualScan', true], ['retry', 'manualScan', true]]);
    expect(k.client.cold.supFailures).toBe(0);
    const done = k.of('scan.completed').filter((r) => r.t > T0 + DAY);
    expect(done).toHaveLength(1);
    expect(done[0]!.e.sup).toBe(sup);
  });
});
