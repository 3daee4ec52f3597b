// Scenario faults, applied by the stub: in a time window, a fraction of the
// requests to a target (and operation) get an effect: an HRESULT, an HTTP
// status, a delay, a reset, a SOAP fault or a dropped reply. Whether one
// request is hit is a hash of (seed, client, target, second), so runs repeat
// exactly.

import { unit } from '../../agent/core/prng.js';
import type { FaultSpec, FaultTarget } from './config.js';

const TARGET_SALT: Record<FaultTarget, number> = { 'mp.policy': 11, 'mp.location': 12, 'mp.state': 13, wsus: 14, dp: 15 };

export class Faults {
  private readonly byTarget = new Map<FaultTarget, FaultSpec[]>();
  /** requests failed per target */
  readonly injected = new Map<FaultTarget, number>();

  constructor(private readonly seed: number, specs: readonly FaultSpec[]) {
    for (const f of specs) {
      const l = this.byTarget.get(f.target) ?? [];
      l.push(f);
      this.byTarget.set(f.target, l);
    }
  }

  /** no fault in the scenario: match() is null for every request */
  get none(): boolean {
    return this.byTarget.size === 0;
  }

  /**
   * The fault that hits a request, or null. `operations` lists the wire
   * operations the request stands for (an in-process WSUS scan stands for the
   * whole MS-WUSP sequence); a fault naming an operation hits when it is listed.
   * `server` is the SUP of a wsus request or the DP of a dp request (its URL, as the MP
   * lists it): a fault naming a SUP or a DP hits only requests to that server.
   */
  match(target: FaultTarget, operations: readonly string[], t: number, client: number, server: string | null = null): FaultSpec | null {
    if (this.byTarget.size === 0) return null; // the common case costs one comparison per request
    const l = this.byTarget.get(target);
    if (l === undefined) return null;
    for (const f of l) {
      if (t < f.from || t >= f.to) continue;
      if (f.sup !== null && f.sup !== server) continue;
      if (f.dp !== undefined && f.dp !== null && f.dp !== server) continue;
      if (f.operation !== null && !operations.includes(f.operation)) continue;
      if (f.rate >= 1 || unit(this.seed, client, TARGET_SALT[target], Math.floor(t / 1000)) < f.rate) {
        this.injected.set(target, (this.injected.get(target) ?? 0) + 1);
        return f;
      }
    }
    return null;
  }
}
