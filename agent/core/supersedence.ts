// Supersedence on the machine (issue 11, Scope 6): WUA evaluates a superseded
// update as not applicable once its successor is installed, so the update
// becomes Not Required (500 state 1) at the next scan, online or offline (the
// rule is in the metadata the client holds). Only pairs whose successor the
// client's metadata knows count. O(pairs) per scan, nothing without supersedence.

import type { ClientState } from './state.js';
import { U_APPLICABLE, U_INSTALLED, U_PENDING_RESTART, metaKnownOf } from './state.js';

export function applySupersedence(s: ClientState, pairs: Uint16Array): void {
  const upd = s.upd;
  const b = s.ub;
  const known = metaKnownOf(s);
  for (let i = 0; i < pairs.length; i += 2) {
    const succ = pairs[i + 1]!;
    if (succ >= known) continue;
    if ((upd[b + succ]! & (U_INSTALLED | U_PENDING_RESTART)) === U_INSTALLED) {
      const u = pairs[i]!;
      upd[b + u] = upd[b + u]! & ~U_APPLICABLE;
    }
  }
}
