// Maintenance windows on the client (client-behaviour.md section 1,
// use-maintenance-windows): installs and restarts of required deployments wait
// for a window of the client's collections. An install starts in a window only
// if its maximum run time fits the time left; of several that can start, the
// one with the shortest maximum run time goes first; once started it runs past
// the end of the window. A deployment may allow installs (overrideServiceWindows)
// or restarts (rebootOutsideOfServiceWindows) outside windows; installs and
// restarts a user starts from Software Center are not held.
//
// The windows come by policy: the CCM_ServiceWindow policies of the client's
// collections (server-stub/core/mp.ts), held as one pointer to a WindowSet
// that the ClientModel.serviceWindows port builds and interns per (window
// policies, time zone) -- merged UTC intervals, so clients with the same
// windows share one. A window added or deleted at the site reaches the client
// at its next policy cycle (applyWindowPolicies). Core tests without an MP
// may give the windows as scenario data instead (ctx.model.local.windows per
// collection set, collections derived from the seed); a model with the port
// uses policy only, so a client whose policy has no windows has none.

import type { ClientState, ClientDeployment, CoreStore } from './state.js';
import { D_USER_INSTALL, D_WAIT_MW, D_WANT_INSTALL, P_DEPLOYMENT_WORK, P_RESTART, P_WINDOW_RESTART, T_WINDOW, setCold, setSlotVersion, restartDeploymentOf } from './state.js';
import type { CoreCtx, PolicyAssignment, WindowEntry } from './types.js';
import { CI_ENFORCE, ENFORCE, TOPIC } from './constants.js';
import { queueState } from './statemsg.js';
import { collectionMaskOf, zoneIndexOf } from './localtime.js';

const NO_WINDOWS = new Float64Array(0);
const NO_ENTRIES: readonly WindowEntry[] = Object.freeze([]);

/** The client's merged windows (empty: none, installs and restarts are not held). */
export function clientWindows(s: ClientState, ctx: CoreCtx): Float64Array {
  if (s.cold.windows !== null) return s.cold.windows.intervals;
  return ctx.model.serviceWindows !== undefined ? NO_WINDOWS : windowsOf(ctx, s.idx);
}

/**
 * At a ReplyAssignments that starts a policy cycle: the window entries the
 * client keeps (listed with the same slot and version). A window the reply no
 * longer lists is dropped, and its slot forgotten so that it is fetched again
 * if it comes back.
 */
export function windowsAtAssignments(s: ClientState, assignments: readonly PolicyAssignment[], store: CoreStore): readonly WindowEntry[] | null {
  const cur = s.cold.windows;
  if (cur === null) return null;
  let keep: WindowEntry[] | null = null;
  const es = cur.entries;
  for (let i = 0; i < es.length; i++) {
    const e = es[i]!;
    let listed = false;
    for (const a of assignments) if (a.slot === e.slot && a.version === e.version) listed = true;
    if (listed) {
      if (keep !== null) keep.push(e);
    } else {
      keep ??= es.slice(0, i);
      setSlotVersion(s, e.slot, 0, store);
    }
  }
  return keep ?? es;
}

/**
 * At the end of a policy cycle: the windows kept plus those received
 * (`received`, null: none) become the client's windows. A change wakes held
 * installs and a held restart at once (T_WINDOW), to be judged on the new
 * windows: one added may open now, one removed may have been awaited.
 */
export function applyWindowPolicies(s: ClientState, ctx: CoreCtx, t: number, kept: readonly WindowEntry[] | null, received: WindowEntry[] | null): void {
  const port = ctx.model.serviceWindows;
  const keep = kept ?? NO_ENTRIES;
  const cur = s.cold.windows;
  if (port === undefined || (received === null && (cur === null || keep === cur.entries))) return;
  let entries: WindowEntry[] = received === null ? keep.slice() : keep.filter((e) => !received.some((r) => r.slot === e.slot)).concat(received);
  // one order for the port's interning key
  entries = entries.sort((a, b) => a.slot - b.slot);
  const next = port(entries, zoneIndexOf(ctx, s.idx));
  if (next === cur) return;
  setCold(s, 'windows', next);
  let held = (s.pending & P_WINDOW_RESTART) !== 0;
  for (const d of s.deployments) if ((d.flags & D_WAIT_MW) !== 0) held = true;
  if (held) s.tm[s.tb + T_WINDOW] = t;
}

/** The windows of the scenario's collections for client idx (ctx.model.local; core tests and the conformance check). */
export function windowsOf(ctx: CoreCtx, idx: number): Float64Array {
  const l = ctx.model.local;
  if (l === null || l.collections.length === 0) return NO_WINDOWS;
  const mask = collectionMaskOf(ctx, idx);
  if (mask === 0) return NO_WINDOWS;
  return l.windows(mask, Math.max(0, zoneIndexOf(ctx, idx)));
}

/** First window index whose end is after t (windows are sorted and disjoint). */
function firstEndingAfter(w: Float64Array, t: number): number {
  let lo = 0;
  let hi = w.length >> 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (w[2 * mid + 1]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * When work needing `need` ms may start at or after t: t itself when a window
 * holds t with `need` left, else the start of the first window long enough;
 * Infinity when none is (in the schedule the harness built).
 */
export function windowStartFor(w: Float64Array, t: number, need: number): number {
  for (let i = firstEndingAfter(w, t); 2 * i < w.length; i++) {
    const a = Math.max(w[2 * i]!, t);
    if (w[2 * i + 1]! - a >= need) return a;
  }
  return Infinity;
}

/** Whether t is inside a window. */
export function inWindow(w: Float64Array, t: number): boolean {
  const i = firstEndingAfter(w, t);
  return 2 * i < w.length && w[2 * i]! <= t;
}

/** When the install of d may start (t: now, later: wait), windows aside when it is allowed outside them. */
function installStart(ctx: CoreCtx, w: Float64Array, t: number, d: ClientDeployment): number {
  if (w.length === 0 || d.policy.overrideServiceWindows || (d.flags & D_USER_INSTALL) !== 0) return t;
  return windowStartFor(w, t, d.policy.maxRunTime);
}

/**
 * Hook at the install start point (startDeploymentWork): true holds the
 * install of deployment i now. A deployment that must wait for a window is
 * reported once (301 "waiting for maintenance window", 402 "waiting for MW"
 * per update, install.waitingForWindow) and the client is woken at the window
 * (T_WINDOW); one that could start but yields to another with a shorter
 * maximum run time is held silently.
 */
export function holdInstall(s: ClientState, ctx: CoreCtx, t: number, i: number): boolean {
  const w = clientWindows(s, ctx);
  const ds = s.deployments;
  const d = ds[i]!;
  if (waitForWindow(s, ctx, t, d, w)) return true;
  if (w.length > 0) {
    // ascending maximum run time among the installs that can start now
    for (let k = 0; k < ds.length; k++) {
      const e = ds[k]!;
      if (k === i || (e.flags & D_WANT_INSTALL) === 0) continue;
      const m = e.policy.maxRunTime;
      if ((m < d.policy.maxRunTime || (m === d.policy.maxRunTime && k < i)) && installStart(ctx, w, t, e) === t) return true;
    }
  }
  d.flags &= ~D_WAIT_MW;
  return false;
}

/**
 * Hook at the install itself (startInstall), after the pre-install scan and
 * any download: the window is judged again, since those took time. true: the
 * time left no longer fits; the install is wanted again and waits for the
 * next window (the caller ends the job).
 */
export function holdAtInstall(s: ClientState, ctx: CoreCtx, t: number, i: number): boolean {
  const d = s.deployments[i]!;
  if (!waitForWindow(s, ctx, t, d, clientWindows(s, ctx))) return false;
  d.flags |= D_WANT_INSTALL;
  s.pending |= P_DEPLOYMENT_WORK;
  return true;
}

/** Whether d must wait for a window at t; the wait is reported once and T_WINDOW set. */
function waitForWindow(s: ClientState, ctx: CoreCtx, t: number, d: ClientDeployment, w: Float64Array): boolean {
  const at = installStart(ctx, w, t, d);
  if (at > t) {
    if ((d.flags & D_WAIT_MW) === 0) {
      d.flags |= D_WAIT_MW;
      if (d.enforcement !== ENFORCE.WAITING_MW) {
        d.enforcement = ENFORCE.WAITING_MW;
        queueState(s, ctx, t, TOPIC.ASSIGNMENT_ENFORCEMENT, ENFORCE.WAITING_MW, d.policy.index);
      }
      const upd = s.upd;
      const b = s.ub;
      for (const u of d.policy.updates) if ((upd[b + u]! & 0b1100) === 0b1000) queueState(s, ctx, t, TOPIC.CI_ENFORCEMENT, CI_ENFORCE.WAITING_MW, u);
      ctx.out.push({ type: 'event', e: { ev: 'install.waitingForWindow', deployment: d.policy.id, until: at === Infinity ? null : at } });
    }
    if (at < s.tm[s.tb + T_WINDOW]) s.tm[s.tb + T_WINDOW] = at;
    return true;
  }
  return false;
}

/**
 * Hook at the restart start point (pump): true holds a required restart
 * outside a window until the next window opens (restart.waitingForWindow).
 * User restarts (user === true) are never held.
 */
export function holdRestart(s: ClientState, ctx: CoreCtx, t: number, user: boolean): boolean {
  if (user || restartDeploymentOf(s) < 0) return false;
  let d: ClientDeployment | undefined;
  for (const x of s.deployments) if (x.policy.index === restartDeploymentOf(s)) d = x;
  if (d === undefined || d.policy.rebootOutsideOfServiceWindows) return false;
  const w = clientWindows(s, ctx);
  if (w.length === 0 || inWindow(w, t)) return false;
  const at = windowStartFor(w, t, 0);
  if ((s.pending & P_WINDOW_RESTART) === 0) {
    ctx.out.push({ type: 'event', e: { ev: 'restart.waitingForWindow', deployment: d.policy.id, until: at === Infinity ? null : at } });
  }
  s.pending |= P_WINDOW_RESTART;
  if (at < s.tm[s.tb + T_WINDOW]) s.tm[s.tb + T_WINDOW] = at;
  return true;
}

/** T_WINDOW fired: a window opened; held installs and a held restart are tried again. */
export function windowOpened(s: ClientState): void {
  s.tm[s.tb + T_WINDOW] = Infinity;
  s.pending |= P_DEPLOYMENT_WORK;
  if ((s.pending & P_WINDOW_RESTART) !== 0) {
    s.pending &= ~P_WINDOW_RESTART;
    // a restart in between (the user's) completed the held one: restartDeployment is then -1
    if (restartDeploymentOf(s) >= 0) s.pending |= P_RESTART;
  }
}

/**
 * With restart notifications (restart.ts): the first moment from `at` at which
 * the pending required restart may happen: `at` itself when no window holds
 * it (no windows, `at` inside one, rebootOutsideOfServiceWindows), else the
 * start of the next window (Infinity: none in the run). Computed ahead, so the
 * final countdown ends where the restart happens, in the window, as a restart
 * held at its time by holdRestart does today.
 */
export function restartWindowFrom(s: ClientState, ctx: CoreCtx, at: number): number {
  if (restartDeploymentOf(s) < 0) return at;
  let d: ClientDeployment | undefined;
  for (const x of s.deployments) if (x.policy.index === restartDeploymentOf(s)) d = x;
  if (d === undefined || d.policy.rebootOutsideOfServiceWindows) return at;
  const w = windowsOf(ctx, s.idx);
  if (w.length === 0 || inWindow(w, at)) return at;
  return windowStartFor(w, at, 0);
}
