// CCM_ServiceWindow policy bodies and SMS schedule tokens on the wire
// (agent/wire/ccm/policy.ts, schedule-token.ts): bodies written by hand in
// the test, in the WMI-XML instance form a site serves, read by our codec;
// our encoder's output compared with tokens and XML written from the
// documented layout (SMS_ScheduleMethods ReadFromString: two DWORDs, the
// high one first), and with the tokens the SDK documents as examples.

import { describe, expect, it } from 'vitest';
import { WireError } from '../agent/wire/errors.js';
import type { ScheduleToken, ServiceWindowPolicy } from '../agent/core/types.js';
import {
  decodePolicyBody, decodeScheduleToken, decodeSchedules, encodePolicyBody, encodeScheduleToken, serviceWindowFromInstance, decodePolicyDocument,
} from '../agent/wire/ccm/index.js';

const at = (s: string): number => Date.parse(s + 'Z');

/** A token from its fields, by the documented bit positions (independent of the codec). */
function token(f: { min: number; hour: number; day: number; month: number; year: number; durMin?: number; durHour?: number; durDay?: number; type: number; extra?: number; gmt?: boolean }): string {
  const hi = (f.min * 2 ** 26) + (f.hour * 2 ** 21) + (f.day * 2 ** 16) + (f.month * 2 ** 12) + ((f.year - 1970) * 2 ** 6) + (f.durMin ?? 0);
  const lo = ((f.durHour ?? 0) * 2 ** 27) + ((f.durDay ?? 0) * 2 ** 22) + (f.type * 2 ** 19) + (f.extra ?? 0) + (f.gmt === true ? 1 : 0);
  return hi.toString(16).toUpperCase().padStart(8, '0') + lo.toString(16).toUpperCase().padStart(8, '0');
}

const body = (props: string): string =>
  `<?xml version="1.0" encoding="utf-16"?>\r\n<Policy PolicyID="{A7C3E1D0-5B2F-4C8E-9D1A-3F6B8E2C4A10}" PolicyVersion="3.00" PolicyType="Machine" PolicySource="SMS:PS1" PolicyCategory="ServiceWindow">\r\n` +
  ` <PolicyRule PolicyRuleID="{A7C3E1D0-5B2F-4C8E-9D1A-3F6B8E2C4A10}">\r\n  <PolicyAction PolicyActionType="WMI-MOF"><![CDATA[instance of CCM_ServiceWindow {};]]></PolicyAction>\r\n` +
  `  <PolicyAction PolicyActionType="WMI-XML">\r\n   <instance class="CCM_ServiceWindow">\r\n` +
  `    <property name="PolicyID" type="8" key="true"><value>{A7C3E1D0-5B2F-4C8E-9D1A-3F6B8E2C4A10}</value></property>\r\n${props}\r\n   </instance>\r\n  </PolicyAction>\r\n </PolicyRule>\r\n</Policy>`;

describe('schedule tokens', () => {
  it('the SDK examples decode as documented: every 1 day / 1 week / 1 month, 1:00 AM', () => {
    // SMS_ServiceWindow ServiceWindowSchedules: 0034394008100008, 00343940081A2000, 0034394008284400
    const daily = decodeScheduleToken('0034394008100008');
    expect(new Date(daily.start).getUTCHours()).toBe(1);
    expect(daily.recur).toEqual({ kind: 'interval', days: 1, hours: 0, minutes: 0 });
    expect(decodeScheduleToken('00343940081A2000').recur).toMatchObject({ kind: 'weekly', weeks: 1 });
    expect(decodeScheduleToken('0034394008284400').recur).toEqual({ kind: 'monthlyByDate', date: 1, months: 1 });
    // the three share the first DWORD: one start, one duration
    expect(decodeScheduleToken('00343940081A2000').start).toBe(daily.start);
  });

  it('tokens built from the documented bit layout decode to their fields', () => {
    // second Tuesday of every month, 02:30 local, 4 h 15 min, from 2026-01-13
    const s = token({ min: 30, hour: 2, day: 13, month: 1, year: 2026, durMin: 15, durHour: 4, type: 4, extra: (3 * 2 ** 16) + (1 * 2 ** 12) + (2 * 2 ** 9) });
    expect(decodeScheduleToken(s)).toEqual({ start: at('2026-01-13T02:30'), durationMinutes: 255, gmt: false, recur: { kind: 'monthlyByWeekday', day: 3, months: 1, week: 2 } });
    // every 2 weeks on Saturday, 22:00 UTC, 1 day 3 h
    const w = token({ min: 0, hour: 22, day: 10, month: 1, year: 2026, durHour: 3, durDay: 1, type: 3, extra: (7 * 2 ** 16) + (2 * 2 ** 13), gmt: true });
    expect(decodeScheduleToken(w)).toEqual({ start: at('2026-01-10T22:00'), durationMinutes: 27 * 60, gmt: true, recur: { kind: 'weekly', day: 7, weeks: 2 } });
    // non-recurring, and the last day of every 3 months
    expect(decodeScheduleToken(token({ min: 5, hour: 0, day: 1, month: 2, year: 2026, durMin: 45, type: 1 })).recur).toEqual({ kind: 'none' });
    expect(decodeScheduleToken(token({ min: 0, hour: 3, day: 31, month: 1, year: 2026, durHour: 2, type: 5, extra: 3 * 2 ** 10 })).recur).toEqual({ kind: 'monthlyByDate', date: 0, months: 3 });
  });

  it('our encoder writes the documented bits', () => {
    const cases: [ScheduleToken, string][] = [
      [{ start: at('2026-01-05T22:00'), durationMinutes: 300, gmt: false, recur: { kind: 'interval', days: 1, hours: 0, minutes: 0 } },
        token({ min: 0, hour: 22, day: 5, month: 1, year: 2026, durHour: 5, type: 2, extra: 1 * 2 ** 3 })],
      [{ start: at('2026-01-10T02:00'), durationMinutes: 180, gmt: true, recur: { kind: 'weekly', day: 7, weeks: 1 } },
        token({ min: 0, hour: 2, day: 10, month: 1, year: 2026, durHour: 3, type: 3, extra: (7 * 2 ** 16) + (1 * 2 ** 13), gmt: true })],
      [{ start: at('2026-01-01T01:00'), durationMinutes: 240, gmt: false, recur: { kind: 'monthlyByWeekday', day: 3, months: 1, week: 2 } },
        token({ min: 0, hour: 1, day: 1, month: 1, year: 2026, durHour: 4, type: 4, extra: (3 * 2 ** 16) + (1 * 2 ** 12) + (2 * 2 ** 9) })],
      [{ start: at('2026-03-01T23:59'), durationMinutes: 5, gmt: true, recur: { kind: 'none' } },
        token({ min: 59, hour: 23, day: 1, month: 3, year: 2026, durMin: 5, type: 1, gmt: true })],
    ];
    for (const [t, want] of cases) expect(encodeScheduleToken(t)).toBe(want);
  });

  it('malformed tokens are refused with the place named', () => {
    const bad = (s: string): WireError => {
      try {
        decodeSchedules(s, 'X');
      } catch (e) {
        if (e instanceof WireError) return e;
        throw e;
      }
      throw new Error(`${s} was accepted`);
    };
    expect(bad('00343940').where).toBe('X');
    expect(bad('0034394008100008ZZ34394008100008').where).toBe('X[1]');
    // schedule type 7
    expect(bad(token({ min: 0, hour: 1, day: 1, month: 1, year: 2026, type: 7 })).message).toMatch(/type 7/);
    // month 13
    expect(bad(token({ min: 0, hour: 1, day: 1, month: 13, year: 2026, type: 1 })).code).toBe('SUCA_ERR_WIRE_FIELD');
    // seconds do not fit a token
    expect(() => encodeScheduleToken({ start: at('2026-01-01T01:00:30'), durationMinutes: 60, gmt: true, recur: { kind: 'none' } })).toThrow(WireError);
  });
});

describe('CCM_ServiceWindow policy bodies', () => {
  it('a body as a site serves it (declaration, a MOF action, properties we do not read, two tokens) decodes to the window', () => {
    const t1 = token({ min: 0, hour: 1, day: 13, month: 1, year: 2026, durHour: 4, type: 4, extra: (3 * 2 ** 16) + (1 * 2 ** 12) + (2 * 2 ** 9) });
    const t2 = token({ min: 30, hour: 23, day: 3, month: 1, year: 2026, durHour: 2, type: 3, extra: (7 * 2 ** 16) + (1 * 2 ** 13), gmt: true });
    const xml = body(
      `    <property name="PolicyRuleID" type="8"><value>{A7C3E1D0-5B2F-4C8E-9D1A-3F6B8E2C4A10}</value></property>\r\n` +
      `    <property name="ServiceWindowID" type="8" key="true"><value>{0B1C2D3E-4F50-4617-8293-A4B5C6D7E8F9}</value></property>\r\n` +
      `    <property name="ServiceWindowType" type="19"><value>4</value></property>\r\n` +
      `    <property name="Schedules" type="8"><value> ${t1}${t2} </value></property>`,
    );
    const b = decodePolicyBody(xml, { updateIndexOf: () => undefined });
    expect(b.kind).toBe('window');
    expect(b.policyVersion).toBe(3);
    const want: ServiceWindowPolicy = {
      id: '{0B1C2D3E-4F50-4617-8293-A4B5C6D7E8F9}',
      type: 4,
      schedules: [
        { start: at('2026-01-13T01:00'), durationMinutes: 240, gmt: false, recur: { kind: 'monthlyByWeekday', day: 3, months: 1, week: 2 } },
        { start: at('2026-01-03T23:30'), durationMinutes: 120, gmt: true, recur: { kind: 'weekly', day: 7, weeks: 1 } },
      ],
      offsetDays: 0,
    };
    expect(b.kind === 'window' && b.window).toEqual(want);
  });

  it('a token without a duration takes the Duration property (minutes); SUCA_OffsetDays is read', () => {
    const t = token({ min: 0, hour: 2, day: 1, month: 1, year: 2026, type: 4, extra: (3 * 2 ** 16) + (1 * 2 ** 12) + (2 * 2 ** 9) });
    const inst = decodePolicyDocument(body(
      `    <property name="ServiceWindowID" type="8" key="true"><value>{W}</value></property>\r\n` +
      `    <property name="Schedules" type="8"><value>${t}</value></property>\r\n` +
      `    <property name="Duration" type="19"><value>90</value></property>\r\n` +
      `    <property name="SUCA_OffsetDays" type="19"><value>2</value></property>`,
    )).instances[0]!;
    const w = serviceWindowFromInstance(inst);
    // no ServiceWindowType: 1, all deployments (the SMS_ServiceWindow default)
    expect(w).toMatchObject({ id: '{W}', type: 1, offsetDays: 2 });
    expect(w.schedules[0]!.durationMinutes).toBe(90);
  });

  it('a window body without Schedules is refused at that property', () => {
    try {
      decodePolicyBody(body(`    <property name="ServiceWindowID" type="8" key="true"><value>{W}</value></property>`), { updateIndexOf: () => undefined });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(WireError);
      expect((e as WireError).where).toMatch(/property\[@name="Schedules"\]$/);
    }
  });

  it('our encoder writes the instance with the documented properties and the token', () => {
    const w: ServiceWindowPolicy = {
      id: '{0B1C2D3E-4F50-4617-8293-A4B5C6D7E8F9}',
      type: 4,
      schedules: [{ start: at('2026-01-01T01:00'), durationMinutes: 240, gmt: false, recur: { kind: 'monthlyByWeekday', day: 3, months: 1, week: 2 } }],
      offsetDays: 2,
    };
    const xml = encodePolicyBody({ kind: 'window', policyId: '{P}', policyVersion: 1, policySource: 'SMS:SUC', window: w }, () => '');
    const tok = token({ min: 0, hour: 1, day: 1, month: 1, year: 2026, durHour: 4, type: 4, extra: (3 * 2 ** 16) + (1 * 2 ** 12) + (2 * 2 ** 9) });
    expect(xml).toBe(
      '<Policy PolicyID="{P}" PolicyVersion="1.00" PolicyType="Machine" PolicySource="SMS:SUC" PolicyCategory="SUCA_ServiceWindow">' +
      '<PolicyRule PolicyRuleID="{P}"><PolicyAction PolicyActionType="WMI-XML"><instance class="CCM_ServiceWindow">' +
      '<property name="ServiceWindowID" type="8" key="true"><value>{0B1C2D3E-4F50-4617-8293-A4B5C6D7E8F9}</value></property>' +
      '<property name="ServiceWindowType" type="19"><value>4</value></property>' +
      `<property name="Schedules" type="8"><value>${tok}</value></property>` +
      '<property name="SUCA_OffsetDays" type="19"><value>2</value></property>' +
      '</instance></PolicyAction></PolicyRule></Policy>',
    );
  });
});
