// Time zones and maintenance windows of a scenario, turned into the data the
// pure core reads (agent/core/localtime.ts LocalModel): per zone a table of
// UTC offsets and their transitions over the run, from Intl (the runtime's tz
// database: real DST rules), built once here; per (collection set, zone) the
// merged window intervals in UTC, built on first use and memoised. The core
// never calls Intl: measured, Intl.DateTimeFormat#formatToParts costs ~3 us
// a call on this VM, more than a whole client wake, so it is only used here
// (one call per zone and 6 hours of the run, then a bisection per transition).

import type { LocalModel, ZoneTable } from '../../agent/core/localtime.js';
import { localToUtc } from '../../agent/core/localtime.js';
import type { ScheduleToken, ServiceWindowPolicy, WindowEntry, WindowSet } from '../../agent/core/types.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const STEP = 6 * HOUR;

export type WindowRecurrence =
  | 'none' | 'daily' | 'weekly'
  | { readonly monthly: { readonly week: 1 | 2 | 3 | 4 | 'last'; readonly day: Weekday; readonly offsetDays?: number | undefined } };

export type Weekday = 'sunday' | 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday';
export const WEEKDAYS: readonly Weekday[] = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

export interface WindowSpec {
  /** first occurrence, wall clock (epoch ms read as UTC) */
  readonly start: number;
  readonly duration: number;
  readonly recurrence: WindowRecurrence;
  readonly type: 'all' | 'softwareUpdates';
  /** start follows each client's local time (else UTC) */
  readonly localTime: boolean;
}

export interface CollectionSpec {
  readonly name: string;
  readonly fraction: number;
  readonly windows: readonly WindowSpec[];
}

/** Whether the runtime's tz database knows the zone. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Offset (local - UTC, ms) of a zone at an instant, from Intl. */
function intlOffset(fmt: Intl.DateTimeFormat, t: number): number {
  const p: Record<string, number> = {};
  for (const x of fmt.formatToParts(t)) if (x.type !== 'literal') p[x.type] = Number(x.value);
  const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour! % 24, p.minute!, p.second!);
  return wall - Math.floor(t / 1000) * 1000;
}

/** The offset table of a zone over [from, to]: samples every 6 h, each change bisected to the second. */
export function zoneTable(name: string, from: number, to: number): ZoneTable {
  const fmt = new Intl.DateTimeFormat('en-US', { timeZone: name, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
  const at = [-Infinity];
  const offset = [intlOffset(fmt, from)];
  let prev = offset[0]!;
  // 6-hourly samples: no zone changes its offset twice within 6 h; a year took 380 ms hourly, 95 ms at 6 h
  for (let t = from; t < to; t += STEP) {
    const o = intlOffset(fmt, t + STEP);
    if (o === prev) continue;
    let lo = t;
    let hi = t + STEP;
    while (hi - lo > 1000) {
      const mid = Math.floor((lo + hi) / 2000) * 1000;
      if (intlOffset(fmt, mid) === prev) lo = mid;
      else hi = mid;
    }
    at.push(hi);
    offset.push(o);
    prev = o;
  }
  return { name, at, offset };
}

/** Wall-clock starts of a window's occurrences from its start up to `to`. */
export function occurrences(w: WindowSpec, to: number): number[] {
  const out: number[] = [];
  const r = w.recurrence;
  if (r === 'none') return [w.start];
  if (r === 'daily' || r === 'weekly') {
    const step = r === 'daily' ? DAY : 7 * DAY;
    for (let t = w.start; t <= to; t += step) out.push(t);
    return out;
  }
  const s = new Date(w.start);
  const tod = w.start - Date.UTC(s.getUTCFullYear(), s.getUTCMonth(), s.getUTCDate());
  const wd = WEEKDAYS.indexOf(r.monthly.day);
  for (let y = s.getUTCFullYear(), m = s.getUTCMonth(); ; m++) {
    if (m === 12) { m = 0; y++; }
    let day: number;
    if (r.monthly.week === 'last') {
      const last = new Date(Date.UTC(y, m + 1, 0));
      day = last.getUTCDate() - ((last.getUTCDay() - wd + 7) % 7);
    } else {
      const first = new Date(Date.UTC(y, m, 1)).getUTCDay();
      day = 1 + ((wd - first + 7) % 7) + 7 * (r.monthly.week - 1);
    }
    const t = Date.UTC(y, m, day) + (r.monthly.offsetDays ?? 0) * DAY + tod;
    if (Date.UTC(y, m, 1) > to) break;
    if (t >= w.start && t <= to) out.push(t);
  }
  return out;
}

/**
 * A scenario window as the site's policy carries it (a CCM_ServiceWindow):
 * one schedule token, IsGMT unless the window follows local time; daily is a
 * 1-day interval, weekly a weekly token on the start's week day, monthly a
 * monthly-by-weekday token with the offset beside it (schedule-token.ts).
 */
export function windowPolicyOf(w: WindowSpec, id: string): ServiceWindowPolicy {
  const r = w.recurrence;
  const wd = new Date(w.start).getUTCDay() + 1;
  const recur: ScheduleToken['recur'] =
    r === 'none' ? { kind: 'none' }
    : r === 'daily' ? { kind: 'interval', days: 1, hours: 0, minutes: 0 }
    : r === 'weekly' ? { kind: 'weekly', day: wd, weeks: 1 }
    : { kind: 'monthlyByWeekday', day: WEEKDAYS.indexOf(r.monthly.day) + 1, months: 1, week: r.monthly.week === 'last' ? 0 : r.monthly.week };
  return {
    id,
    type: w.type === 'softwareUpdates' ? 4 : 1,
    schedules: [{ start: w.start, durationMinutes: Math.round(w.duration / MIN), gmt: !w.localTime, recur }],
    offsetDays: typeof r === 'object' ? (r.monthly.offsetDays ?? 0) : 0,
  };
}

/** Wall-clock starts of a schedule token's occurrences from its start up to `to` (offsetDays: monthly-by-weekday only). */
export function tokenOccurrences(t: ScheduleToken, offsetDays: number, to: number): number[] {
  const r = t.recur;
  if (r.kind === 'none') return [t.start];
  const out: number[] = [];
  if (r.kind === 'interval' || r.kind === 'weekly') {
    let first = t.start;
    let step: number;
    if (r.kind === 'interval') step = r.days * DAY + r.hours * HOUR + r.minutes * MIN;
    else {
      // the first of the token's week day on or after the start, then every N weeks
      first += ((r.day - 1 - new Date(t.start).getUTCDay() + 7) % 7) * DAY;
      step = r.weeks * 7 * DAY;
    }
    if (step <= 0) return [t.start];
    for (let x = first; x <= to; x += step) out.push(x);
    return out;
  }
  const s = new Date(t.start);
  const tod = t.start - Date.UTC(s.getUTCFullYear(), s.getUTCMonth(), s.getUTCDate());
  for (let y = s.getUTCFullYear(), m = s.getUTCMonth(); ; m += r.months) {
    while (m >= 12) { m -= 12; y++; }
    if (Date.UTC(y, m, 1) > to) break;
    const last = new Date(Date.UTC(y, m + 1, 0));
    let day: number;
    let extra = 0;
    if (r.kind === 'monthlyByDate') {
      // MonthDay 0: the last day; a date the month does not have: its last day
      day = r.date === 0 ? last.getUTCDate() : Math.min(r.date, last.getUTCDate());
    } else {
      const wd = r.day - 1;
      if (r.week === 0) day = last.getUTCDate() - ((last.getUTCDay() - wd + 7) % 7);
      else day = 1 + ((wd - new Date(Date.UTC(y, m, 1)).getUTCDay() + 7) % 7) + 7 * (r.week - 1);
      extra = offsetDays * DAY;
    }
    const x = Date.UTC(y, m, day) + extra + tod;
    if (x >= t.start && x <= to) out.push(x);
  }
  return out;
}

/**
 * The port that turns a client's window policies into merged UTC intervals
 * (ClientModel.serviceWindows): built on first use per (entries, zone) and
 * interned, so every client with the same windows and zone shares one
 * WindowSet (a client holds one pointer). Software-update windows (type 4)
 * take precedence over All-deployment ones (type 1); other types do not hold
 * updates. `tables[zone]` gives local-time windows their zone (-1 or none: UTC).
 */
export function serviceWindowResolver(tables: readonly ZoneTable[], from: number, to: number): (entries: readonly WindowEntry[], zone: number) => WindowSet {
  const memo = new Map<string, WindowSet>();
  return (entries, zone) => {
    let key = String(zone);
    for (const e of entries) key += `|${e.slot}.${e.version}`;
    let ws = memo.get(key);
    if (ws !== undefined) return ws;
    const table = zone >= 0 ? tables[zone] : undefined;
    const su: [number, number][] = [];
    const all: [number, number][] = [];
    for (const e of entries) {
      const w = e.window;
      if (w.type !== 1 && w.type !== 4) continue;
      for (const tok of w.schedules) {
        const dur = tok.durationMinutes * MIN;
        for (const o of tokenOccurrences(tok, w.offsetDays, to + DAY)) {
          const a = !tok.gmt && table !== undefined ? localToUtc(table, o) : o;
          if (a + dur < from) continue;
          (w.type === 4 ? su : all).push([a, a + dur]);
        }
      }
    }
    ws = Object.freeze({ entries: Object.freeze([...entries]), intervals: mergeIntervals(su.length > 0 ? su : all) });
    memo.set(key, ws);
    return ws;
  };
}

/** Merged [start, end, ...] of intervals (sorted by start; touching or overlapping ones join). */
export function mergeIntervals(iv: [number, number][]): Float64Array {
  iv.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: number[] = [];
  for (const [a, b] of iv) {
    const n = out.length;
    if (n > 0 && a <= out[n - 1]!) out[n - 1] = Math.max(out[n - 1]!, b);
    else out.push(a, b);
  }
  return Float64Array.from(out);
}

/** Business hours (Software Center): local time of day from..to (ms after midnight) on the given week days (0 = Sunday). */
export interface UsersSpec {
  readonly businessFrom: number;
  readonly businessTo: number;
  readonly businessDays: readonly number[];
  readonly outsideBusinessHoursFraction: number;
  readonly installDelayMean: number;
}

/** The time outside business hours over [from, to] as flat UTC intervals (the complement of the business hours of each day). */
export function offHoursOf(u: UsersSpec, table: ZoneTable | undefined, from: number, to: number): Float64Array {
  const busy: [number, number][] = [];
  for (let day = Math.floor(from / DAY) * DAY - DAY; day <= to + DAY; day += DAY) {
    if (!u.businessDays.includes(new Date(day).getUTCDay())) continue;
    const a = day + u.businessFrom;
    const b = day + u.businessTo;
    busy.push(table !== undefined ? [localToUtc(table, a), localToUtc(table, b)] : [a, b]);
  }
  const merged = mergeIntervals(busy);
  const out: number[] = [];
  let cur = from - 2 * DAY;
  for (let i = 0; i < merged.length; i += 2) {
    if (merged[i]! > cur) out.push(cur, merged[i]!);
    cur = Math.max(cur, merged[i + 1]!);
  }
  out.push(cur, to + 2 * DAY);
  return Float64Array.from(out);
}

/** The LocalModel of a scenario (null when it has no time zones, no collections with windows and no users modelled). */
export function buildLocalModel(zones: readonly { zone: string; fraction: number }[], collections: readonly CollectionSpec[], start: number, end: number, users: UsersSpec | null = null): LocalModel | null {
  if (zones.length === 0 && collections.length === 0 && users === null) return null;
  const u: UsersSpec = users ?? { businessFrom: 0, businessTo: 0, businessDays: [], outsideBusinessHoursFraction: 0, installDelayMean: 0 };
  // a day of margin either side: local times up to 14 h from UTC, windows that started before the run
  const from = start - 2 * DAY;
  const to = end + 2 * DAY;
  const tables = zones.map((z) => zoneTable(z.zone, from, to));
  const zoneCum: number[] = [];
  let c = 0;
  for (const z of zones) zoneCum.push((c += z.fraction));
  if (zoneCum.length > 0) zoneCum[zoneCum.length - 1] = 1;
  // the scenario's windows as the policies the stub MP serves (one entry per window, slots in order):
  // the same expansion as the windows a client receives, for the conformance check and core tests
  const resolver = serviceWindowResolver(tables, from, to);
  const entriesOf = collections.map((col, ci) => col.windows.map((w, wi) => ({ slot: ci * 64 + wi, version: 1, window: windowPolicyOf(w, `${ci}.${wi}`) })));
  const memo = new Map<number, Float64Array>();
  const windows = (mask: number, zone: number): Float64Array => {
    const key = mask * 4096 + zone;
    let w = memo.get(key);
    if (w !== undefined) return w;
    const entries: WindowEntry[] = [];
    collections.forEach((_, ci) => {
      if ((mask & (1 << ci)) !== 0) entries.push(...entriesOf[ci]!);
    });
    w = resolver(entries, tables[zone] !== undefined ? zone : -1).intervals;
    memo.set(key, w);
    return w;
  };
  const offMemo = new Map<number, Float64Array>();
  const offHours = (zone: number): Float64Array => {
    let o = offMemo.get(zone);
    if (o === undefined) offMemo.set(zone, (o = offHoursOf(u, tables[zone], from, to)));
    return o;
  };
  return {
    zones: tables, zoneCum, collections: collections.map((x) => x.fraction), windows,
    outsideBusinessHoursFraction: u.outsideBusinessHoursFraction, offHours, userInstallDelayMean: u.installDelayMean,
  };
}
