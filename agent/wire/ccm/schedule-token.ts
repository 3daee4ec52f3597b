// SMS schedule tokens ("interval strings"): the 16 hex digits a site writes
// for a schedule (CCM_ServiceWindow Schedules, SMS_ServiceWindow
// ServiceWindowSchedules), several of them concatenated when a schedule has
// more than one. The layout is the one SMS_ScheduleMethods ReadFromString /
// WriteToString document (two DWORDs, the first 8 digits the high one), with
// the field widths the public decoders agree on and the SDK's examples check
// (0034394008100008 "every 1 day, 1:00 AM", 00343940081A2000 "every 1 week",
// 0034394008284400 "every 1 month"):
//
//   high: StartMinute 31-26 | StartHour 25-21 | StartDay 20-16 | StartMonth 15-12
//         | StartYear - 1970 11-6 | MinuteDuration 5-0
//   low:  HourDuration 31-27 | DayDuration 26-22 | type 21-19 | (by type) | IsGMT 0
//     1 non-recurring:       -
//     2 interval:            MinuteSpan 18-13 | HourSpan 12-8 | DaySpan 7-3
//     3 weekly:              Day 18-16 | ForNumberOfWeeks 15-13
//     4 monthly by weekday:  Day 18-16 | ForNumberOfMonths 15-12 | WeekOrder 11-9
//     5 monthly by date:     MonthDay 18-14 | ForNumberOfMonths 13-10
//
// Start times are to the minute and years 1970..2033 (6 bits); Day is
// 1 = Sunday .. 7 = Saturday; WeekOrder 0 = last, 1..4; MonthDay 0 = the last
// day of the month. The start is the wall clock (no offset): with IsGMT it is
// UTC, without it each client's local time. The "offset (days)" a site can
// add to a monthly-by-weekday window since 2207 has no public place in the
// token: policy.ts carries it as a property of its own (SUCA_OffsetDays).

import { WireError } from '../errors.js';
import type { ScheduleToken } from '../../core/types.js';

const fieldError = (msg: string, where: string): WireError => new WireError('SUCA_ERR_WIRE_FIELD', msg, where);

const TYPE = { none: 1, interval: 2, weekly: 3, monthlyByWeekday: 4, monthlyByDate: 5 } as const;
const MIN = 60_000;

function field(v: number, bits: number, name: string, where: string, min = 0): number {
  if (!Number.isInteger(v) || v < min || v >= 2 ** bits) throw fieldError(`${name} ${v} does not fit the schedule token (${min}..${2 ** bits - 1})`, where);
  return v;
}

/** One token as 16 upper-case hex digits. */
export function encodeScheduleToken(t: ScheduleToken, where = 'Schedules'): string {
  if (!Number.isFinite(t.start) || t.start % MIN !== 0) throw fieldError(`start ${t.start} is not a whole minute`, where);
  const d = new Date(t.start);
  const year = d.getUTCFullYear() - 1970;
  const dur = t.durationMinutes;
  if (!Number.isInteger(dur) || dur < 0 || dur >= 32 * 1440) throw fieldError(`duration ${dur} min does not fit the schedule token (under 32 days)`, where);
  const hi =
    (d.getUTCMinutes() << 26) | (d.getUTCHours() << 21) | (d.getUTCDate() << 16) | ((d.getUTCMonth() + 1) << 12)
    | (field(year, 6, 'start year - 1970', where) << 6) | (dur % 60);
  let lo = (Math.floor((dur % 1440) / 60) << 27) | (Math.floor(dur / 1440) << 22) | (TYPE[t.recur.kind] << 19) | (t.gmt ? 1 : 0);
  const r = t.recur;
  switch (r.kind) {
    case 'none':
      break;
    case 'interval':
      lo |= (field(r.minutes, 6, 'MinuteSpan', where) << 13) | (field(r.hours, 5, 'HourSpan', where) << 8) | (field(r.days, 5, 'DaySpan', where) << 3);
      break;
    case 'weekly':
      lo |= (field(r.day, 3, 'Day', where, 1) << 16) | (field(r.weeks, 3, 'ForNumberOfWeeks', where, 1) << 13);
      break;
    case 'monthlyByWeekday':
      if (r.day > 7) throw fieldError(`Day ${r.day} is not 1..7`, where);
      if (r.week > 4) throw fieldError(`WeekOrder ${r.week} is not 0..4`, where);
      lo |= (field(r.day, 3, 'Day', where, 1) << 16) | (field(r.months, 4, 'ForNumberOfMonths', where, 1) << 12) | (field(r.week, 3, 'WeekOrder', where) << 9);
      break;
    case 'monthlyByDate':
      if (r.date > 31) throw fieldError(`MonthDay ${r.date} is not 0..31`, where);
      lo |= (field(r.date, 5, 'MonthDay', where) << 14) | (field(r.months, 4, 'ForNumberOfMonths', where, 1) << 10);
      break;
  }
  if (r.kind === 'weekly' && r.day > 7) throw fieldError(`Day ${r.day} is not 1..7`, where);
  const hex = (x: number) => (x >>> 0).toString(16).toUpperCase().padStart(8, '0');
  return hex(hi) + hex(lo);
}

/** One token from its 16 hex digits. */
export function decodeScheduleToken(s: string, where = 'Schedules'): ScheduleToken {
  if (!/^[0-9A-Fa-f]{16}$/.test(s)) throw fieldError(`${JSON.stringify(s.slice(0, 40))} is not a schedule token (16 hex digits)`, where);
  const hi = parseInt(s.slice(0, 8), 16);
  const lo = parseInt(s.slice(8), 16);
  const minute = hi >>> 26;
  const hour = (hi >>> 21) & 31;
  const day = (hi >>> 16) & 31;
  const month = (hi >>> 12) & 15;
  const year = 1970 + ((hi >>> 6) & 63);
  if (minute > 59 || hour > 23 || month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) {
    throw fieldError(`start ${year}-${month}-${day} ${hour}:${minute} is not a date and time`, where);
  }
  const durationMinutes = (hi & 63) + ((lo >>> 27) & 31) * 60 + ((lo >>> 22) & 31) * 1440;
  if ((hi & 63) > 59 || ((lo >>> 27) & 31) > 23) throw fieldError('MinuteDuration or HourDuration out of range', where);
  const type = (lo >>> 19) & 7;
  const base = { start: Date.UTC(year, month - 1, day, hour, minute), durationMinutes, gmt: (lo & 1) === 1 };
  const wday = (lo >>> 16) & 7;
  switch (type) {
    case TYPE.none:
      return { ...base, recur: { kind: 'none' } };
    case TYPE.interval: {
      const recur = { kind: 'interval' as const, minutes: (lo >>> 13) & 63, hours: (lo >>> 8) & 31, days: (lo >>> 3) & 31 };
      if (recur.minutes + recur.hours + recur.days === 0) throw fieldError('an interval token with no span', where);
      return { ...base, recur };
    }
    case TYPE.weekly: {
      const weeks = (lo >>> 13) & 7;
      if (wday < 1 || weeks < 1) throw fieldError(`weekly token: Day ${wday}, ForNumberOfWeeks ${weeks}`, where);
      return { ...base, recur: { kind: 'weekly', day: wday, weeks } };
    }
    case TYPE.monthlyByWeekday: {
      const months = (lo >>> 12) & 15;
      const week = (lo >>> 9) & 7;
      if (wday < 1 || months < 1 || week > 4) throw fieldError(`monthly-by-weekday token: Day ${wday}, ForNumberOfMonths ${months}, WeekOrder ${week}`, where);
      return { ...base, recur: { kind: 'monthlyByWeekday', day: wday, months, week } };
    }
    case TYPE.monthlyByDate: {
      const months = (lo >>> 10) & 15;
      if (months < 1) throw fieldError(`monthly-by-date token: ForNumberOfMonths ${months}`, where);
      return { ...base, recur: { kind: 'monthlyByDate', date: (lo >>> 14) & 31, months } };
    }
    default:
      throw fieldError(`schedule type ${type} is not 1..5`, where);
  }
}

/** The tokens of a Schedules string (concatenated 16-digit tokens). */
export function decodeSchedules(s: string, where = 'Schedules'): ScheduleToken[] {
  const t = s.trim();
  if (t.length === 0 || t.length % 16 !== 0) throw fieldError(`${JSON.stringify(t.slice(0, 40))} is not a run of 16-digit schedule tokens`, where);
  const out: ScheduleToken[] = [];
  for (let i = 0; i < t.length; i += 16) out.push(decodeScheduleToken(t.slice(i, i + 16), `${where}[${i / 16}]`));
  return out;
}

export function encodeSchedules(ts: readonly ScheduleToken[], where = 'Schedules'): string {
  return ts.map((t, i) => encodeScheduleToken(t, `${where}[${i}]`)).join('');
}
