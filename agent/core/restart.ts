// Restart notifications: reminders, snooze and the final countdown before a
// required restart (client settings, Computer Restart group; client-behaviour.md
// section 1: "after deadline 90 min (max 20,160); final countdown 15 min;
// reminder 240 min"). Off unless the settings carry restartFinalCountdown:
// then the restart comes restartCountdown after the install, as before, with
// nothing shown.
//
// With notifications, once an install needs a restart due at R
// (restart.scheduled `at`, restartCountdown after the install, or the deadline
// for an install before it):
// - the restart itself is placed first: at R, or at the start of the next
//   maintenance window when the client's windows hold it (windows.ts
//   restartWindowFrom; restart.waitingForWindow is reported then, not at R).
//   That instant is the C_RESTART_AT slot of the client's row (coldOf), the forced restart.
// - the temporary notification (restart.reminder) is shown from
//   R - restartCountdown (at once after a deadline install), then again every
//   restartReminderInterval, until the final countdown starts at
//   restartAt - restartFinalCountdown: a dialog the user cannot close
//   (restart.countdown), ending in the forced restart (restart.started
//   user: false).
// - users: a share of clients (model.restartNowFraction) restarts from the
//   first reminder, at a random moment before the next step (a user restart:
//   restart.started user: true, never held by windows); a share after those
//   (model.restartSnoozeFraction) snoozes every reminder (restart.snoozed).
//   A snooze hides the notification until the next reminder, and never past
//   the start of the final countdown: that is the limit the settings allow.
//   Snoozing does not move the restart: in the product the deadline of the
//   restart is fixed once the install completes; the rest ignore the
//   notification until the countdown.
// - a machine off when a step was due (power.ts) takes it at power-on; a
//   final countdown that starts late still runs its whole interval.
//
// State: the C_RESTART_AT slot of the client's row (coldOf), T_RESTART (the next step) and two pending bits
// (P_RESTART_COUNTDOWN, P_RESTART_NOW). Which kind of user a client has is a
// stateless hash of (seed, client); the moment a restart-now user picks is a
// draw of the client's stream.

import { C_RESTART_AT, restartDeploymentOf } from './state.js';
import type { ClientState } from './state.js';
import { P_RESTART, P_RESTART_COUNTDOWN, P_RESTART_NOW, P_USER_RESTART, T_RESTART } from './state.js';
import type { AgentEvent, ClientSettings, CoreCtx } from './types.js';
import { randMs, unit } from './prng.js';
import { restartWindowFrom } from './windows.js';

const SALT_RESTART_USER = 0x2e57;

/** The final countdown of the client's settings (0: notifications not modelled). */
function finalCountdown(st: ClientSettings | null): number {
  return st !== null ? (st.restartFinalCountdown ?? 0) : 0;
}

/** Whether restart notifications are modelled for this client (its settings carry a final countdown). */
export function restartNotified(s: ClientState): boolean {
  return finalCountdown(s.settings) > 0;
}

/** When the pending required restart is due, to compare a new one with (Infinity: none). */
export function restartDueAt(s: ClientState): number {
  return restartNotified(s) ? s.tm[s.tb + C_RESTART_AT] : s.tm[s.tb + T_RESTART]!;
}

function emit(ctx: CoreCtx, e: AgentEvent): void {
  ctx.out.push({ type: 'event', e });
}

/**
 * An install at t needs a restart due at `at` (restartDeploymentOf(s) is set,
 * restart.scheduled emitted): without notifications T_RESTART is the
 * restart; with them the restart is placed and the first reminder comes.
 */
export function restartDue(s: ClientState, ctx: CoreCtx, t: number, at: number): void {
  const st = s.settings;
  const fc = finalCountdown(st);
  if (fc <= 0) {
    s.tm[s.tb + T_RESTART] = at;
    return;
  }
  const r = restartWindowFrom(s, ctx, at);
  if (r > at) {
    const d = s.deployments.find((x) => x.policy.index === restartDeploymentOf(s))!;
    emit(ctx, { ev: 'restart.waitingForWindow', deployment: d.policy.id, until: r === Infinity ? null : r });
  }
  s.tm[s.tb + C_RESTART_AT] = r;
  s.pending &= ~(P_RESTART_COUNTDOWN | P_RESTART_NOW);
  // the temporary notification covers the restartCountdown before the restart
  const first = at - st!.restartCountdown;
  if (first > t) s.tm[s.tb + T_RESTART] = first;
  else step(s, ctx, t, fc);
}

/** T_RESTART fired (onWake): the restart, or the next notification step. */
export function restartTimer(s: ClientState, ctx: CoreCtx, t: number): void {
  const fc = finalCountdown(s.settings);
  if (fc <= 0) {
    s.pending |= P_RESTART;
    return;
  }
  const p = s.pending;
  if ((p & P_RESTART_NOW) !== 0) {
    // the moment the user picked from the reminder: a user restart
    s.pending = (p & ~P_RESTART_NOW) | P_RESTART | P_USER_RESTART;
    return;
  }
  if ((p & P_RESTART_COUNTDOWN) !== 0) {
    if (t >= s.tm[s.tb + C_RESTART_AT]) s.pending |= P_RESTART;
    else s.tm[s.tb + T_RESTART] = s.tm[s.tb + C_RESTART_AT];
    return;
  }
  step(s, ctx, t, fc);
}

/** A notification step at t, before the countdown: a reminder, or the countdown when its time came. */
function step(s: ClientState, ctx: CoreCtx, t: number, fc: number): void {
  const countdownAt = s.tm[s.tb + C_RESTART_AT] - fc;
  if (t >= countdownAt) {
    s.pending |= P_RESTART_COUNTDOWN;
    // a countdown that starts late (the machine was off at its time) still runs its whole interval
    if (s.tm[s.tb + C_RESTART_AT] < t + fc) s.tm[s.tb + C_RESTART_AT] = restartWindowFrom(s, ctx, t + fc);
    emit(ctx, { ev: 'restart.countdown', restartAt: s.tm[s.tb + C_RESTART_AT] === Infinity ? null : s.tm[s.tb + C_RESTART_AT] });
    s.tm[s.tb + T_RESTART] = s.tm[s.tb + C_RESTART_AT];
    return;
  }
  emit(ctx, { ev: 'restart.reminder', restartAt: s.tm[s.tb + C_RESTART_AT] === Infinity ? null : s.tm[s.tb + C_RESTART_AT] });
  const next = Math.min(t + s.settings!.restartReminderInterval!, countdownAt);
  const user = restartUser(ctx, s.idx);
  if (user === 'now') {
    // "Restart" from the notification, at a moment before the next step
    s.pending |= P_RESTART_NOW;
    s.tm[s.tb + T_RESTART] = t + randMs(s, next - t);
    return;
  }
  if (user === 'snooze') emit(ctx, { ev: 'restart.snoozed', until: next });
  s.tm[s.tb + T_RESTART] = next;
}

/**
 * What the client's user does with restart notifications: restarts from the
 * first reminder ('now', model.restartNowFraction of the clients), snoozes
 * every reminder ('snooze', the next model.restartSnoozeFraction), or lets
 * them be. A stateless hash of (seed, client): the same in any shard.
 */
export function restartUser(ctx: Pick<CoreCtx, 'seed' | 'model'>, client: number): 'now' | 'snooze' | 'none' {
  const m = ctx.model;
  const now = m.restartNowFraction ?? 0;
  const snooze = m.restartSnoozeFraction ?? 0;
  if (now <= 0 && snooze <= 0) return 'none';
  const u = unit(ctx.seed, client, SALT_RESTART_USER);
  return u < now ? 'now' : u < now + snooze ? 'snooze' : 'none';
}

/** A restart started (required or the user's): the notifications of the pending one end. */
export function restartStarted(s: ClientState): void {
  s.tm[s.tb + C_RESTART_AT] = Infinity;
  s.pending &= ~(P_RESTART_COUNTDOWN | P_RESTART_NOW);
}
