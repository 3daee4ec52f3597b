// Property tests (fast-check) for the CCM_ServiceWindow instance codec and the
// schedule tokens under it: decode(encode(x)) is x for every window the
// token can hold, through the whole policy body, and every mangled token is a
// WireError, never a wrong window.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { WireError } from '../agent/wire/errors.js';
import type { ScheduleToken, ServiceWindowPolicy } from '../agent/core/types.js';
import { decodePolicyBody, decodeScheduleToken, encodePolicyBody, encodeScheduleToken } from '../agent/wire/ccm/index.js';

const MIN = 60_000;
// whole minutes from 1970 to the end of 2033 (the token's 6-bit year)
const start = fc.integer({ min: 0, max: Math.floor(Date.UTC(2033, 11, 31, 23, 59) / MIN) }).map((m) => m * MIN);
const recur: fc.Arbitrary<ScheduleToken['recur']> = fc.oneof(
  fc.constant({ kind: 'none' as const }),
  fc.record({ kind: fc.constant('interval' as const), days: fc.integer({ min: 0, max: 31 }), hours: fc.integer({ min: 0, max: 23 }), minutes: fc.integer({ min: 0, max: 59 }) })
    .filter((r) => r.days + r.hours + r.minutes > 0),
  fc.record({ kind: fc.constant('weekly' as const), day: fc.integer({ min: 1, max: 7 }), weeks: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant('monthlyByWeekday' as const), day: fc.integer({ min: 1, max: 7 }), months: fc.integer({ min: 1, max: 12 }), week: fc.integer({ min: 0, max: 4 }) }),
  fc.record({ kind: fc.constant('monthlyByDate' as const), date: fc.integer({ min: 0, max: 31 }), months: fc.integer({ min: 1, max: 12 }) }),
);
const scheduleToken: fc.Arbitrary<ScheduleToken> = fc.record({
  start,
  // DayDuration 0..31, HourDuration 0..23, MinuteDuration 0..59
  durationMinutes: fc.integer({ min: 0, max: 31 * 1440 + 23 * 60 + 59 }),
  gmt: fc.boolean(),
  recur,
});
const window: fc.Arbitrary<ServiceWindowPolicy> = fc.record({
  id: fc.uuid().map((u) => `{${u.toUpperCase()}}`),
  type: fc.integer({ min: 1, max: 6 }),
  // a token with no duration would take a Duration property: the encoder writes none, so every token has one here
  schedules: fc.array(scheduleToken.filter((t) => t.durationMinutes > 0), { minLength: 1, maxLength: 4 }),
  offsetDays: fc.integer({ min: 0, max: 7 }),
});

describe('CCM_ServiceWindow codec properties', () => {
  it('a schedule token round-trips', () => {
    fc.assert(fc.property(scheduleToken, (t) => {
      const s = encodeScheduleToken(t);
      expect(s).toMatch(/^[0-9A-F]{16}$/);
      expect(decodeScheduleToken(s)).toEqual(t);
    }), { numRuns: 2000 });
  });

  it('a window policy body round-trips', () => {
    fc.assert(fc.property(window, fc.integer({ min: 1, max: 1000 }), (w, v) => {
      const xml = encodePolicyBody({ kind: 'window', policyId: '{P}', policyVersion: v, policySource: 'SMS:SUC', window: w }, () => '');
      const b = decodePolicyBody(xml, { updateIndexOf: () => undefined });
      expect(b).toEqual({ kind: 'window', policyId: '{P}', policyVersion: v, policySource: 'SMS:SUC', window: w });
    }), { numRuns: 500 });
  });

  it('a token with one hex digit changed is a WireError, or a valid token of its own (stable through our encoder)', () => {
    fc.assert(fc.property(scheduleToken, fc.integer({ min: 0, max: 15 }), fc.integer({ min: 1, max: 15 }), (t, pos, delta) => {
      const s = encodeScheduleToken(t);
      const d = ((parseInt(s[pos]!, 16) + delta) % 16).toString(16).toUpperCase();
      const m = s.slice(0, pos) + d + s.slice(pos + 1);
      try {
        const back = decodeScheduleToken(m);
        const again = encodeScheduleToken(back);
        // a change of the type digit re-reads the type's own bits, and unused bits are ignored: only stability holds
        expect(decodeScheduleToken(again)).toEqual(back);
        // the first DWORD (start, minute duration) has no unused bits: a change there is seen
        if (pos < 8) expect(again.slice(0, 8)).toBe(m.slice(0, 8));
      } catch (e) {
        expect(e).toBeInstanceOf(WireError);
        expect((e as WireError).code).toBe('SUCA_ERR_WIRE_FIELD');
      }
    }), { numRuns: 2000 });
  });
});
