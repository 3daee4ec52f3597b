// State-message priorities with their own send cycles (issue 11 item 7; seed
// 003: after an install it is "up to 2 minutes before the new state is
// sent"): the states an install ends with are high priority and leave within
// 2 min; a scan's 500 / 501 wait for the 15-minute cycle. Simulated clock.

import { describe, expect, it } from 'vitest';
import { CoreKit, DAY, MIN } from './helpers/kit.js';
import { HIGH_PRIORITY_DELAY, isHighPriority, serialsOf } from '../agent/core/statemsg.js';
import { CI_ENFORCE, COMPLIANCE, ENFORCE, TOPIC } from '../agent/core/constants.js';
import { C_STATE_PHASE, coldOf } from '../agent/core/state.js';

const CYCLE = 15 * MIN;

/** when the report carrying each serial of client c was sent (accepted) */
function sentAt(k: CoreKit, c = 0): Map<number, number> {
  const m = new Map<number, number>();
  for (const r of k.of('state.sent', c)) if (r.e.ok) for (const s of serialsOf(r.e.msgs)) m.set(s, r.t);
  return m;
}

describe('state-message priorities', () => {
  it('the states an install ends with are high priority; detection and scan states are not', () => {
    expect(HIGH_PRIORITY_DELAY).toBe(2 * MIN);
    expect(isHighPriority(TOPIC.CI_ENFORCEMENT, CI_ENFORCE.INSTALLED)).toBe(true);
    expect(isHighPriority(TOPIC.CI_ENFORCEMENT, CI_ENFORCE.PENDING_RESTART)).toBe(true);
    expect(isHighPriority(TOPIC.ASSIGNMENT_ENFORCEMENT, ENFORCE.INSTALLED)).toBe(true);
    expect(isHighPriority(TOPIC.ASSIGNMENT_COMPLIANCE, COMPLIANCE.COMPLIANT)).toBe(true);
    expect(isHighPriority(TOPIC.CI_ENFORCEMENT, CI_ENFORCE.INSTALLING)).toBe(false);
    expect(isHighPriority(TOPIC.UPDATE_DETECTION, 3)).toBe(false);
    expect(isHighPriority(TOPIC.UPDATE_SOURCE_SCAN, 3)).toBe(false);
  });

  it('after an install the new state reaches the MP within 2 minutes', () => {
    const k = new CoreKit({ clients: 5 });
    k.runFor(5 * DAY);
    let checked = 0;
    for (let c = 0; c < 5; c++) {
      const at = sentAt(k, c);
      for (const done of k.of('install.completed', c)) {
        const hp = k.of('state.queued', c).filter((q) => q.t === done.t && isHighPriority(q.e.topicType, q.e.stateId));
        expect(hp.length).toBeGreaterThan(0);
        for (const q of hp) {
          const sent = at.get(q.e.serial)!;
          expect(sent - q.t).toBeGreaterThan(0);
          expect(sent - q.t).toBeLessThanOrEqual(HIGH_PRIORITY_DELAY);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(5);
  });

  it('a scan\'s states wait for the client\'s 15-minute cycle', () => {
    const k = new CoreKit({ deployments: [] });
    k.runFor(3 * DAY);
    const phase = Math.floor(coldOf(k.client, C_STATE_PHASE) * CYCLE);
    const at = sentAt(k);
    const q500 = k.of('state.queued').filter((q) => q.e.topicType === TOPIC.UPDATE_DETECTION || q.e.topicType === TOPIC.UPDATE_SOURCE_SCAN);
    expect(q500.length).toBeGreaterThan(100);
    for (const q of q500) {
      const sent = at.get(q.e.serial);
      if (sent === undefined) continue; // overwritten before it left, or still queued at the end
      expect((sent - phase) % CYCLE).toBe(0);
    }
  });
});
