// Machines off and on (issue 11, item 5): power schedules, what a client does
// when it goes off, and what it catches up on when it comes back.
//
// Whether a client is on at t is a pure function of (seed, client, t) built
// from stateless hashes (prng.ts unit()), never of the client's PRNG stream:
// a client's power schedule is the same in any shard and does not shift the
// draws of the rest of its loop. A client keeps no power state but three
// slots of its timer row (state.ts): T_POWER (next transition), S_OFF_SINCE
// and S_SAVED_POLICY. Nothing per client is allocated.
//
// While off, a client does nothing: its timers are moved OFF_SHIFT into the
// far future (so nextDue and the fleet's heap see only T_POWER, and no
// closure or list is needed), its policy poll is parked out of the fleet's
// monotone lane, and replies are ignored. At power-on the timers come back
// unchanged: those that passed while off fire at once, as the real client's
// missed schedules do at startup (the morning boot storm: policy, scans and
// state reports of every workstation within minutes of the on-time).
//
// Schedules are in hours of the client's local day: its time zone
// (localtime.ts, drawn from the scenario's timeZones by client id; UTC
// without) with its real DST transitions. A wall-clock boundary (07:00) is
// turned into instants with the zone's two offsets either side of it, and the
// zone's transitions are boundaries too, so nextPowerChange lands exactly on
// the flip also when a change moves the clock over or back across an on/off
// time (a 02:30 on-time in a spring-forward gap flips at the jump itself).
// Measured: the zone costs lookups in a table of a few transitions per power
// change, nothing on other wakes: nextPowerChange over 20,000 clients x 10
// days of the bench's site scenario (BENCH_SITE=1 BENCH_POWER=1, three zones),
// 0.46-0.55 us a call in UTC, 0.65-0.73 us with the zones (290,000 calls,
// about 50 ms of a run's 9 s of CPU); the fleet bench's CPU time with and
// without this change is within its noise (9.0-9.8 s against 9.5-11.5 s).

import { C_REEVAL_NOMINAL, C_SCHEDULE_NOMINAL, F_AWAITING_POLICY, wantWorkAgain } from './state.js';
import type { ClientState } from './state.js';
import {
  P_FIRST, P_MANUAL_EVAL, P_MANUAL_SCAN, P_NEWDEP, P_REEVAL, P_SCHEDULE,
  S_OFF_SINCE, S_SAVED_POLICY, T_DEPLOYMENT, T_JOB, T_POLICY, T_POWER, T_RETRY, TIMERS,
} from './state.js';
import type { CoreCtx, PowerModel, PowerSchedule, ScanTrigger } from './types.js';
import { unit } from './prng.js';
import { offsetAt, zoneIndexOf, zoneOf, type ZoneTable } from './localtime.js';
import { DAY, HOUR, HR, MINUTE } from './constants.js';
import { onStateReply } from './statemsg.js';

/**
 * Timers of an off client are moved this far ahead (2^50 ms, 35,000 years):
 * far past any run, and timer + shift stays an exact integer in a double.
 */
export const OFF_SHIFT = 2 ** 50;

const SALT_CLASS = 0x90e1;
const SALT_ON = 0x90e2;
const SALT_OFF = 0x90e3;
const SALT_AWAY_AT = 0x90e4;
const SALT_AWAY_LEN = 0x90e5;
const SALT_GONE = 0x90e6;
const SALT_GONE_AT = 0x90e7;

/** 0: always on, 1: workstation, 2: laptop (stateless: a hash of seed and client). */
export function powerClass(pm: PowerModel, seed: number, client: number): 0 | 1 | 2 {
  const u = unit(seed, client, SALT_CLASS);
  if (u < pm.workstations.fraction) return 1;
  if (u < pm.workstations.fraction + pm.laptops.fraction) return 2;
  return 0;
}

/**
 * The group a client's record is stored in (fleet.ts orders slots by it
 * before the policy-poll phase): clients of one time zone and power class
 * are on at the same hours, so their boot storm and their polls while on
 * read one contiguous range of records instead of the whole fleet. 0 for
 * every client of a scenario without zones and power schedules (slot order,
 * and so the order of simultaneous events, as before).
 */
export function slotGroup(ctx: Pick<CoreCtx, 'seed' | 'model'>, client: number): number {
  const pm = ctx.model.power;
  return (zoneIndexOf(ctx, client) + 1) * 3 + (pm !== null ? powerClass(pm, ctx.seed, client) : 0);
}

/** When the client goes off for good (Infinity: never). */
export function goneAt(pm: PowerModel, seed: number, client: number): number {
  if (pm.neverReturn.fraction <= 0 || unit(seed, client, SALT_GONE) >= pm.neverReturn.fraction) return Infinity;
  return pm.start + Math.floor(unit(seed, client, SALT_GONE_AT) * pm.neverReturn.within);
}

/** Offsets are within +-14 h: the readings a wall time can have are those in effect 14 h either side. */
const OFFSET_SPAN = 14 * HOUR;

/**
 * The first instant after c at which the local wall clock of `zone` reads
 * `wall` (Infinity: none that the two offsets around it give): both readings
 * around a DST change are tried (the caller checks which one flips).
 */
function wallAfter(zone: ZoneTable | null, wall: number, c: number): number {
  if (zone === null) return wall > c ? wall : Infinity;
  const u1 = wall - offsetAt(zone, wall - OFFSET_SPAN);
  const u2 = wall - offsetAt(zone, wall + OFFSET_SPAN);
  let m = Infinity;
  if (u1 > c) m = u1;
  if (u2 > c && u2 < m) m = u2;
  return m;
}

/** The zone's next offset change after c (Infinity: none, or UTC). */
function transitionAfter(zone: ZoneTable | null, c: number): number {
  if (zone === null) return Infinity;
  const at = zone.at;
  for (let i = 1; i < at.length; i++) if (at[i]! > c) return at[i]!;
  return Infinity;
}

// dayInterval and awayInterval leave their interval here instead of in a new
// array per call: nextPowerChange walks several days and periods per power
// change (and isOnAt once per candidate), so the arrays were most of its
// allocation. The core is single-threaded and these are read right after the
// call that sets them.
let ivFrom = 0;
let ivTo = 0;

/** The on interval of local day `day` ([on, off) in local ms, left in ivFrom / ivTo); false on a day off. */
function dayInterval(ps: PowerSchedule, seed: number, client: number, day: number, cls: number): boolean {
  if (ps.weekendsOff) {
    const dow = (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
    if (dow === 0 || dow === 6) return false;
  }
  const base = day * DAY;
  ivFrom = base + ps.onAt + Math.floor(unit(seed, client, day, SALT_ON + cls) * ps.spread);
  ivTo = base + ps.offAt + Math.floor(unit(seed, client, day, SALT_OFF + cls) * ps.spread);
  return true;
}

/** The away interval of a laptop's period p ([from, to) in UTC ms, left in ivFrom / ivTo). */
function awayInterval(pm: PowerModel, seed: number, client: number, p: number): void {
  const l = pm.laptops;
  const len = l.awayMin + Math.floor(unit(seed, client, p, SALT_AWAY_LEN) * (l.awayMax - l.awayMin));
  ivFrom = pm.start + p * l.awayEvery + Math.floor(unit(seed, client, p, SALT_AWAY_AT) * (l.awayEvery - len));
  ivTo = ivFrom + len;
}

/** isOnAt with the client's class and end (goneAt) already drawn. */
function onAt(pm: PowerModel, seed: number, client: number, t: number, zone: ZoneTable | null, cls: number, gone: number): boolean {
  if (t >= gone) return false;
  if (cls === 0) return true;
  const ps = cls === 1 ? pm.workstations : pm.laptops;
  const local = zone === null ? t : t + offsetAt(zone, t);
  const day = Math.floor(local / DAY);
  if (!dayInterval(ps, seed, client, day, cls) || local < ivFrom || local >= ivTo) return false;
  if (cls === 2 && pm.laptops.awayEvery > 0) {
    const p = Math.floor((t - pm.start) / pm.laptops.awayEvery);
    awayInterval(pm, seed, client, p);
    if (t >= ivFrom && t < ivTo) return false;
  }
  return true;
}

/** Is the client's machine on at t? zone: the client's time zone (localtime.ts zoneOf; null: UTC). */
export function isOnAt(pm: PowerModel, seed: number, client: number, t: number, zone: ZoneTable | null = null): boolean {
  return onAt(pm, seed, client, t, zone, powerClass(pm, seed, client), goneAt(pm, seed, client));
}

/** The next time after t at which isOnAt changes (Infinity: never). */
export function nextPowerChange(pm: PowerModel, seed: number, client: number, t: number, zone: ZoneTable | null = null): number {
  const gone = goneAt(pm, seed, client);
  if (t >= gone) return Infinity;
  const cls = powerClass(pm, seed, client);
  if (cls === 0) return gone;
  const now = onAt(pm, seed, client, t, zone, cls, gone);
  const ps = cls === 1 ? pm.workstations : pm.laptops;
  let c = t;
  // walk the candidate boundaries (daily on/off in local time, DST changes, away start/end, gone)
  // until the state flips; bounded: a laptop away for awayMax days crosses about 2 boundaries a day
  for (let k = 0; k < 256; k++) {
    let next = gone;
    const day = Math.floor((zone === null ? c : c + offsetAt(zone, c)) / DAY);
    for (let dd = day; dd <= day + 8 && next === gone; dd++) {
      if (!dayInterval(ps, seed, client, dd, cls)) continue;
      next = Math.min(next, wallAfter(zone, ivFrom, c), wallAfter(zone, ivTo, c));
    }
    next = Math.min(next, transitionAfter(zone, c));
    if (cls === 2 && pm.laptops.awayEvery > 0) {
      const p = Math.floor((c - pm.start) / pm.laptops.awayEvery);
      for (let q = p; q <= p + 1; q++) {
        awayInterval(pm, seed, client, q);
        if (ivFrom > c) next = Math.min(next, ivFrom);
        else if (ivTo > c) next = Math.min(next, ivTo);
      }
    }
    if (next === Infinity) return Infinity;
    if (onAt(pm, seed, client, next, zone, cls, gone) !== now) return next;
    c = next;
  }
  return Infinity;
}

/** Is the client's machine off now? */
export function isOff(s: ClientState): boolean {
  return s.tm[s.tb + S_OFF_SINCE] !== Infinity;
}

/** First power check at the start of the run (a machine that is off at the start goes off at its first wake). */
export function initPower(s: ClientState, ctx: CoreCtx): void {
  s.tm[s.tb + T_POWER] = ctx.model.power !== null ? ctx.start : Infinity;
}

const BIT_OF: Partial<Record<ScanTrigger, number>> = {
  firstPolicy: P_FIRST, schedule: P_SCHEDULE, reevaluation: P_REEVAL, newDeployment: P_NEWDEP,
  manualScan: P_MANUAL_SCAN, deploymentEvaluation: P_MANUAL_EVAL,
};

/**
 * T_POWER fired. Returns true when the machine is (still) off: onWake does
 * nothing else then.
 */
export function powerWake(s: ClientState, ctx: CoreCtx, t: number): boolean {
  const pm = ctx.model.power;
  const tm = s.tm;
  const b = s.tb;
  if (pm === null) {
    tm[b + T_POWER] = Infinity;
    return isOff(s);
  }
  // the schedule is in the client's local time (its zone from the scenario's timeZones; null: UTC)
  const zone = zoneOf(ctx, s.idx);
  const want = isOnAt(pm, ctx.seed, s.idx, t, zone);
  if (isOff(s)) {
    if (want) {
      powerOn(s, ctx, t);
      tm[b + T_POWER] = nextPowerChange(pm, ctx.seed, s.idx, t, zone);
      return false;
    }
    tm[b + T_POWER] = nextPowerChange(pm, ctx.seed, s.idx, t, zone);
    return true;
  }
  if (want) {
    tm[b + T_POWER] = nextPowerChange(pm, ctx.seed, s.idx, t, zone);
    return false;
  }
  // Windows finishes installing updates (and a restart under way) before it
  // shuts down: the power-off waits for the end of that step.
  const j = s.job;
  if (j !== null && (j.phase === 'installing' || j.phase === 'restarting' || j.next === 'afterInstall' || j.next === 'afterRestart')) {
    tm[b + T_POWER] = tm[b + T_JOB] !== Infinity && tm[b + T_JOB] > t ? tm[b + T_JOB] + 1 : t + MINUTE;
    return false;
  }
  powerOff(s, ctx, t);
  tm[b + T_POWER] = nextPowerChange(pm, ctx.seed, s.idx, t, zone);
  return true;
}

function powerOff(s: ClientState, ctx: CoreCtx, t: number): void {
  const tm = s.tm;
  const b = s.tb;
  // a report on the wire is cut off: it may have reached the MP (a dropped connection)
  if (s.sending !== null) onStateReply(s, ctx, t, false, HR.WINHTTP_CONNECTION_ERROR);
  // a policy cycle under way is dropped; the next poll starts a new one
  s.bits &= ~F_AWAITING_POLICY;
  s.cycle = null;
  // the job under way is abandoned and asked for again at power-on
  const j = s.job;
  let abandoned: string | null = null;
  if (j !== null) {
    abandoned = j.kind;
    if (j.kind === 'scan' || j.kind === 'evaluate') s.pending |= BIT_OF[j.rule] ?? 0;
    else if (j.dep >= 0) wantWorkAgain(s, j);
    s.job = null;
    tm[b + T_JOB] = Infinity;
    tm[b + T_RETRY] = Infinity;
  }
  tm[b + S_SAVED_POLICY] = tm[b + T_POLICY]!;
  tm[b + T_POLICY] = Infinity;
  for (let i = b; i < b + TIMERS; i++) if (i !== b + T_POWER && tm[i] !== Infinity) tm[i] = tm[i]! + OFF_SHIFT;
  tm[b + S_OFF_SINCE] = t;
  ctx.out.push({ type: 'event', e: { ev: 'power.off', abandoned } });
}

function powerOn(s: ClientState, ctx: CoreCtx, t: number): void {
  const tm = s.tm;
  const b = s.tb;
  const offSince = tm[b + S_OFF_SINCE]!;
  for (let i = b; i < b + TIMERS; i++) if (i !== b + T_POWER && tm[i] !== Infinity) tm[i] = tm[i]! - OFF_SHIFT;
  tm[b + T_POLICY] = tm[b + S_SAVED_POLICY]!;
  tm[b + S_SAVED_POLICY] = Infinity;
  tm[b + S_OFF_SINCE] = Infinity;
  const st = s.settings;
  // A deadline that passed while the machine was off is enforced after the
  // grace period (client setting, 0 to 120 h) from power-on.
  const grace = st !== null ? st.gracePeriod : 0;
  let graced = 0;
  if (tm[b + T_DEPLOYMENT]! <= t) {
    let m = Infinity;
    for (const d of s.deployments) {
      if (d.deadlineAt <= t && grace > 0) {
        d.deadlineAt = t + grace;
        graced++;
      }
      m = Math.min(m, d.downloadAt, d.deadlineAt, d.userInstallAt);
    }
    tm[b + T_DEPLOYMENT] = m;
  }
  // a schedule missed while off runs once at startup, not once per missed cycle
  if (st !== null) {
    const cd = s.tm;
    const sn = s.tb + C_SCHEDULE_NOMINAL;
    const rn = s.tb + C_REEVAL_NOMINAL;
    if (cd[sn] !== Infinity) while (cd[sn]! + st.scanInterval <= t) cd[sn] += st.scanInterval;
    if (cd[rn] !== Infinity) while (cd[rn]! + st.reevaluationInterval <= t) cd[rn] += st.reevaluationInterval;
  }
  ctx.out.push({ type: 'event', e: { ev: 'power.on', offFor: t - offSince, graced } });
}
