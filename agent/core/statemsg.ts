// The client's state-message store (CCM_StateMsg with its MessageSent flag).
// - every message gets the next per-client serial number when first queued;
// - a message for the same TopicID + TopicType that is still unsent is
//   overwritten in place and keeps its serial (so overwrites leave no serial
//   gap for the site to resync over);
// - unsent messages go to the MP in one bulk report every stateMessageCycle,
//   and stay queued until the MP accepted them.
// A sent report's array is never changed afterwards: the request, the
// state.sent event and the MP may all hold it.

import { C_STATE_PHASE, setCold, setScanState } from './state.js';
import { EMPTY_QUEUE, Q0 } from './state.js';
import type { ClientState } from './state.js';
import { T_STATE, U_Q402, U_Q500 } from './state.js';
import type { CoreCtx } from './types.js';
import { MSG_FLAGS, MSG_SENT_ONCE, MSG_SERIAL, MSG_STATE_ID, MSG_STRIDE, MSG_TIME, MSG_TOPIC, MSG_TOPIC_TYPE, scanParam, withSentOnce } from './types.js';
import { CI_ENFORCE, COMPLIANCE, ENFORCE, HR, MINUTE, TOPIC } from './constants.js';

/**
 * Priorities with their own send cycles. Seed 003: after an install it is "up
 * to 2 minutes before the new state is sent": the states an install ends with
 * (402 installed / pending restart / failed, 301 installed / pending restart /
 * failed, 300 compliant) are high priority and go out within
 * HIGH_PRIORITY_DELAY of being queued, in a report that takes the whole queue
 * with it (the client sends in bulk). Everything else waits for the state
 * message cycle (15 min). Which states a real client marks high is not
 * public beyond that sentence; these are the ones it describes.
 */
export const HIGH_PRIORITY_DELAY = 2 * MINUTE;

/** Is this state high priority (sent within HIGH_PRIORITY_DELAY)? */
export function isHighPriority(topicType: number, stateId: number): boolean {
  switch (topicType) {
    case TOPIC.CI_ENFORCEMENT:
      return stateId === CI_ENFORCE.INSTALLED || stateId === CI_ENFORCE.PENDING_RESTART || stateId === CI_ENFORCE.INSTALL_FAILED;
    case TOPIC.ASSIGNMENT_ENFORCEMENT:
      return stateId === ENFORCE.INSTALLED || stateId === ENFORCE.PENDING_RESTART || stateId === ENFORCE.INSTALL_FAILED;
    case TOPIC.ASSIGNMENT_COMPLIANCE:
      return stateId === COMPLIANCE.COMPLIANT;
    default:
      return false;
  }
}

function cycleOf(s: ClientState): number {
  return s.settings !== null ? s.settings.stateMessageCycle : 15 * MINUTE;
}

/** The client's next state-message cycle boundary strictly after t. statePhase is in [0, 1). */
export function nextStateBoundary(s: ClientState, t: number): number {
  const cycle = cycleOf(s);
  const phase = Math.floor(s.tm[s.tb + C_STATE_PHASE] * cycle);
  return phase + (Math.floor((t - phase) / cycle) + 1) * cycle;
}

function flagFor(topicType: number): number {
  return topicType === TOPIC.UPDATE_DETECTION ? U_Q500 : topicType === TOPIC.CI_ENFORCEMENT ? U_Q402 : 0;
}

/**
 * Queue (or overwrite) a state message. An unsent message for the same topic
 * is overwritten in place and keeps its serial, unless a report carrying it
 * failed in a way that may have reached the MP (a timeout or a dropped
 * connection: only the answer was lost): then the new state takes a new
 * serial and supersedes the old one, which the MP would otherwise drop as a
 * re-delivery, keeping the older state.
 */
export function queueState(s: ClientState, ctx: CoreCtx, t: number, topicType: number, stateId: number, topic: number, param = 0): void {
  let q = s.queue;
  // numbers in use (MSG_STRIDE a message) from Q0
  let n = q[0]!;
  if (topicType === TOPIC.UPDATE_SOURCE_SCAN) {
    setScanState(s, stateId);
    setCold(s, 'scanError', param);
  }
  // 500 and 501 carry UserParameters: the scan package version and (501) the scan's error
  if (topicType === TOPIC.UPDATE_DETECTION || topicType === TOPIC.UPDATE_SOURCE_SCAN) param = scanParam(ctx.catalogue.updateSourceVersion, param);
  const flag = flagFor(topicType);
  let supersedes = 0;
  // Per-update topics carry a "queued" bit so the common case (no unsent
  // message for that update) skips the search entirely.
  if (flag === 0 || (s.upd[s.ub + topic]! & flag) !== 0) {
    for (let i = Q0 + n - MSG_STRIDE; i >= Q0; i -= MSG_STRIDE) {
      if (q[i + MSG_TOPIC_TYPE] === topicType && q[i + MSG_TOPIC] === topic) {
        if (q[i + MSG_FLAGS]! % 2 !== MSG_SENT_ONCE) {
          q[i + MSG_STATE_ID] = stateId;
          q[i + MSG_TIME] = t;
          q[i + MSG_FLAGS] = param * 2;
          hurry(s, t, topicType, stateId);
          ctx.out.push({ type: 'event', e: { ev: 'state.queued', topicType, stateId, topic, serial: q[i + MSG_SERIAL]!, replaced: true, supersedes: 0 } });
          return;
        }
        supersedes = q[i + MSG_SERIAL]!;
        q.copyWithin(i, i + MSG_STRIDE, Q0 + n);
        n -= MSG_STRIDE;
        break;
      }
    }
  }
  const serial = ++s.serial;
  const o = Q0 + n;
  if (o + MSG_STRIDE > q.length) {
    const pool = ctx.store.queues;
    const b = pool.take(o + MSG_STRIDE, t);
    for (let i = Q0; i < o; i++) b[i] = q[i]!;
    pool.give(q);
    s.queue = q = b;
  }
  q[o + MSG_TOPIC_TYPE] = topicType;
  q[o + MSG_STATE_ID] = stateId;
  q[o + MSG_TOPIC] = topic;
  q[o + MSG_SERIAL] = serial;
  q[o + MSG_TIME] = t;
  q[o + MSG_FLAGS] = param * 2;
  q[0] = n + MSG_STRIDE;
  if (flag !== 0) s.upd[s.ub + topic] = s.upd[s.ub + topic]! | flag;
  ctx.out.push({ type: 'event', e: { ev: 'state.queued', topicType, stateId, topic, serial, replaced: supersedes !== 0, supersedes } });
  if (s.tm[s.tb + T_STATE] === Infinity && s.sending === null) s.tm[s.tb + T_STATE] = nextStateBoundary(s, t);
  hurry(s, t, topicType, stateId);
}

/** A high-priority state brings the next send forward to HIGH_PRIORITY_DELAY from now. */
function hurry(s: ClientState, t: number, topicType: number, stateId: number): void {
  if (!isHighPriority(topicType, stateId)) return;
  const at = t + HIGH_PRIORITY_DELAY;
  const b = s.tb + T_STATE;
  if (s.sending === null ? s.tm[b]! > at : s.tm[b] === Infinity) s.tm[b] = at;
}

/**
 * The state-message cycle fired: every unsent message goes in one report. The
 * report is a copy of the queue (an array of its own, never changed
 * afterwards: the request, the state.sent event and the MP may all hold it),
 * and the queue's buffer goes back to the pool.
 */
export function sendStates(s: ClientState, ctx: CoreCtx, t: number): void {
  if (s.sending !== null) {
    s.tm[s.tb + T_STATE] = nextStateBoundary(s, t);
    return;
  }
  const q = s.queue;
  const n = q[0]!;
  if (n === 0) {
    s.tm[s.tb + T_STATE] = Infinity;
    return;
  }
  // slice: one copy of the doubles (a loop into new Array(n) starts from small-integer elements and converts them)
  const msgs = q.slice(Q0, Q0 + n);
  for (let i = 0; i < n; i += MSG_STRIDE) {
    const flag = flagFor(msgs[i + MSG_TOPIC_TYPE]!);
    if (flag !== 0) s.upd[s.ub + msgs[i + MSG_TOPIC]!] = s.upd[s.ub + msgs[i + MSG_TOPIC]!]! & ~flag;
  }
  ctx.store.queues.give(q);
  s.sending = msgs;
  s.queue = EMPTY_QUEUE;
  s.tm[s.tb + T_STATE] = Infinity;
  ctx.out.push({ type: 'send', req: { kind: 'state.report', client: s.idx, msgs } });
}

/**
 * Failures after which the MP may have the report all the same: no answer in
 * time, or the connection dropped mid-exchange. A refused connection or an
 * HTTP error status means the MP did not take it.
 */
function mayHaveArrived(code: number): boolean {
  return code === HR.WINHTTP_TIMEOUT || code === HR.WINHTTP_CONNECTION_ERROR;
}

/** The MP accepted (ok) or did not accept (code: the HRESULT) the report under way. */
export function onStateReply(s: ClientState, ctx: CoreCtx, t: number, ok: boolean, code = 0): void {
  const sent = s.sending;
  if (sent === null) return;
  s.sending = null;
  if (!ok) {
    // back to unsent, ahead of anything queued since; the bits mark them again so later overwrites find them
    for (let i = 0; i < sent.length; i += MSG_STRIDE) {
      const flag = flagFor(sent[i + MSG_TOPIC_TYPE]!);
      if (flag !== 0) s.upd[s.ub + sent[i + MSG_TOPIC]!] = s.upd[s.ub + sent[i + MSG_TOPIC]!]! | flag;
    }
    const pool = ctx.store.queues;
    const q = s.queue;
    const n = q[0]!;
    const back = pool.take(Q0 + sent.length + n, t);
    for (let i = 0; i < sent.length; i++) back[Q0 + i] = sent[i]!;
    for (let i = 0; i < n; i++) back[Q0 + sent.length + i] = q[Q0 + i]!;
    if (mayHaveArrived(code)) for (let i = Q0; i < Q0 + sent.length; i += MSG_STRIDE) back[i + MSG_FLAGS] = withSentOnce(back[i + MSG_FLAGS]!);
    back[0] = sent.length + n;
    pool.give(q);
    s.queue = back;
  }
  ctx.out.push({ type: 'event', e: { ev: 'state.sent', msgs: sent, ok, code: ok ? 0 : code } });
  // a high-priority send asked for while the report was on the wire stands (hurry())
  const cur = s.tm[s.tb + T_STATE]!;
  const nb = nextStateBoundary(s, t);
  s.tm[s.tb + T_STATE] = s.queue[0]! > 0 ? (cur > t && cur < nb ? cur : nb) : Infinity;
}

/** Unsent messages of a client (its queue). */
export function queuedMessages(s: ClientState): number {
  return s.queue[0]! / MSG_STRIDE;
}

/** Serial numbers in a flat message slice (for traces and tests). */
export function serialsOf(msgs: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = MSG_SERIAL; i < msgs.length; i += MSG_STRIDE) out.push(msgs[i]!);
  return out;
}
