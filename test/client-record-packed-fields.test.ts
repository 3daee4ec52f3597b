// Three small integers of the client record live in ClientState.bits beside
// the F_* flags (agent/core/state.ts, issue 13): the last 501 state, the
// deployment whose install asked for the pending restart, the next scenario
// action. Each must read back what was written, leave the others and the
// flags alone, and refuse what its bits cannot hold; the scenario's limits
// must keep every real value inside those bits.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { actionIdxOf, createClient, F_AWAITING_POLICY, F_HAS_METADATA, metaKnownOf, P_FIRST, P_RESTART_NOW, P_SCHEDULE, restartDeploymentOf, scanStateOf, setActionIdx, setMetaKnown, setRestartDeployment, setScanState } from '../agent/core/state.js';
import { SCAN_STATE } from '../agent/core/constants.js';
import { LIMITS } from '../harness/scenario/limits.js';

describe('the small integers packed in the client record', () => {
  it('start as no 501 state, no restart deployment, the first action', () => {
    const s = createClient(7, 3, 10);
    expect([scanStateOf(s), restartDeploymentOf(s), actionIdxOf(s)]).toEqual([0, -1, 0]);
  });

  it('read back what was written, whatever the order, without touching each other or the flags', () => {
    const flags = fc.constantFrom(0, F_AWAITING_POLICY, F_HAS_METADATA, F_AWAITING_POLICY | F_HAS_METADATA);
    const write = fc.oneof(
      fc.record({ f: fc.constant('scan' as const), v: fc.integer({ min: 0, max: 6 }) }),
      fc.record({ f: fc.constant('restart' as const), v: fc.integer({ min: -1, max: LIMITS.deployments.max - 1 }) }),
      fc.record({ f: fc.constant('action' as const), v: fc.integer({ min: 0, max: LIMITS.listEntries.max }) }),
      fc.record({ f: fc.constant('flags' as const), v: flags }),
    );
    fc.assert(
      fc.property(fc.array(write, { maxLength: 30 }), (ws) => {
        const s = createClient(1, 0, 4);
        const want = { scan: 0, restart: -1, action: 0, flags: 0 };
        for (const w of ws) {
          if (w.f === 'scan') setScanState(s, w.v);
          else if (w.f === 'restart') setRestartDeployment(s, w.v);
          else if (w.f === 'action') setActionIdx(s, w.v);
          // the flags as agent.ts sets and clears them
          else s.bits = (s.bits & ~(F_AWAITING_POLICY | F_HAS_METADATA)) | w.v;
          want[w.f] = w.v;
          expect({ scan: scanStateOf(s), restart: restartDeploymentOf(s), action: actionIdxOf(s), flags: s.bits & (F_AWAITING_POLICY | F_HAS_METADATA) }).toEqual(want);
          // a small integer: V8 keeps it unboxed in the record
          expect(s.bits >= 0 && (s.bits | 0) === s.bits).toBe(true);
        }
      }),
    );
  });

  it('refuse a value their bits cannot hold, leaving the record as it was', () => {
    const s = createClient(1, 0, 4);
    setScanState(s, SCAN_STATE.COMPLETED);
    setRestartDeployment(s, 4);
    setActionIdx(s, 12);
    const before = s.bits;
    expect(() => setScanState(s, 8)).toThrow(RangeError);
    expect(() => setScanState(s, -1)).toThrow(RangeError);
    expect(() => setRestartDeployment(s, 31)).toThrow(RangeError);
    expect(() => setRestartDeployment(s, -2)).toThrow(RangeError);
    expect(() => setActionIdx(s, 16_384)).toThrow(RangeError);
    expect(() => setActionIdx(s, 1.5)).toThrow(RangeError);
    expect(s.bits).toBe(before);
  });

  it('metaKnown above the pending bits: each set, cleared and tested alone, the count intact', () => {
    const s = createClient(1, 0, 200);
    expect(metaKnownOf(s)).toBe(200);
    expect(s.pending & (P_FIRST | P_SCHEDULE | P_RESTART_NOW)).toBe(0);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(P_FIRST, P_SCHEDULE, P_RESTART_NOW), fc.boolean(), fc.integer({ min: 0, max: LIMITS.updates.max })), { maxLength: 30 }), (ops) => {
        const c = createClient(1, 0, 10);
        let bits = 0;
        let known = 10;
        for (const [p, on, k] of ops) {
          if (on) c.pending |= p;
          else c.pending &= ~p;
          bits = on ? bits | p : bits & ~p;
          setMetaKnown(c, k);
          known = k;
          expect(c.pending & (P_FIRST | P_SCHEDULE | P_RESTART_NOW)).toBe(bits);
          expect(metaKnownOf(c)).toBe(known);
        }
      }),
    );
    expect(() => setMetaKnown(s, LIMITS.updates.max + 1)).toThrow(RangeError);
    expect(metaKnownOf(s)).toBe(200);
  });

  it('hold every value the scenario limits allow: 501 states, deployment indexes, actions', () => {
    const s = createClient(1, 0, 4);
    for (const v of Object.values(SCAN_STATE)) {
      setScanState(s, v);
      expect(scanStateOf(s)).toBe(v);
    }
    setRestartDeployment(s, LIMITS.deployments.max - 1);
    expect(restartDeploymentOf(s)).toBe(LIMITS.deployments.max - 1);
    // a client past its last action holds actions.length
    setActionIdx(s, LIMITS.listEntries.max);
    expect(actionIdxOf(s)).toBe(LIMITS.listEntries.max);
  });
});
