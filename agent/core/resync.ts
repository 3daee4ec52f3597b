// State resync (issue 11 item 7; client-behaviour.md section 2: "server
// requests resync after serial-number gaps older than 48 h"). When the site
// asks (a new request number in ReplyAssignments: types.ts ReplyBody
// 'policy.assignments'.resync), the client queues its full current state
// with new serials, sent in the next cycle; the MP's gap for the lost serials
// was closed when it asked (server-stub/core/resync.ts), so nothing stays
// missing. What the full state holds:
//   - 500 for every update the client has reported a detection state for,
//   - 501 with the last scan state and its error,
//   - 302 / 300 / 301 for every deployment the client has evaluated / states for.
// 402 (per-update enforcement progress) is not resent: it is a step of an
// install, and the 500 and 300 of the same updates carry the outcome.

import { C_LAST_SCAN_AT, scanStateOf, setCold } from './state.js';
import type { ClientState } from './state.js';
import { D_EVALUATED, U_REPORTED_MASK } from './state.js';
import type { CoreCtx } from './types.js';
import { EVAL, TOPIC } from './constants.js';
import { queueState } from './statemsg.js';

export function resyncState(s: ClientState, ctx: CoreCtx, t: number, request: number): void {
  setCold(s, 'resyncSeen', request);
  let n = 0;
  const upd = s.upd;
  const b = s.ub;
  for (let u = 0; u < ctx.catalogue.size; u++) {
    const st = upd[b + u]! & U_REPORTED_MASK;
    if (st !== 0) {
      queueState(s, ctx, t, TOPIC.UPDATE_DETECTION, st, u);
      n++;
    }
  }
  if (s.tm[s.tb + C_LAST_SCAN_AT] !== -Infinity || scanStateOf(s) !== 0) {
    queueState(s, ctx, t, TOPIC.UPDATE_SOURCE_SCAN, scanStateOf(s), 0, s.cold.scanError);
    n++;
  }
  for (const d of s.deployments) {
    const i = d.policy.index;
    if ((d.flags & D_EVALUATED) !== 0) {
      queueState(s, ctx, t, TOPIC.ASSIGNMENT_EVALUATION, EVAL.SUCCEEDED, i);
      n++;
    }
    if (d.compliance >= 0) {
      queueState(s, ctx, t, TOPIC.ASSIGNMENT_COMPLIANCE, d.compliance, i);
      n++;
    }
    if (d.enforcement >= 0) {
      queueState(s, ctx, t, TOPIC.ASSIGNMENT_ENFORCEMENT, d.enforcement, i);
      n++;
    }
  }
  ctx.out.push({ type: 'event', e: { ev: 'state.resync', request, messages: n } });
}
