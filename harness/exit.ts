// The one mapping from a finished run (or merged runs) to the process exit
// code and the line that explains it; run and merge both use it, so the order
// of precedence is written once: a signal, then an invalid run (its figures
// understate the load, so its thresholds say nothing, whichever failed), then a
// threshold that stopped the run, then thresholds failed at the end.

import { EXIT } from './errors.js';
import { formatValue, type ThresholdOutcome } from './thresholds.js';
import type { StopSignal } from './io.js';

export interface ExitInput {
  readonly valid: boolean;
  readonly clock: { readonly invalidReason: string | null };
  readonly abortedBy: string | null;
  readonly reached: string;
  readonly thresholds: readonly ThresholdOutcome[];
}

export interface Verdict {
  readonly code: number;
  /** for stderr (without the "suca-fleet: " prefix); null when the run passed */
  readonly message: string | null;
}

export function verdictOf(r: ExitInput, stoppedBy: StopSignal | null = null): Verdict {
  if (stoppedBy !== null) {
    return { code: stoppedBy === 'SIGINT' ? EXIT.INTERRUPTED : EXIT.TERMINATED, message: `stopped by ${stoppedBy} at ${r.reached}: results are partial` };
  }
  if (!r.valid) return { code: EXIT.INVALID, message: `run invalid: ${r.clock.invalidReason}` };
  if (r.abortedBy !== null) {
    const t = r.thresholds.find((x) => x.expr === r.abortedBy);
    return {
      code: EXIT.THRESHOLDS,
      message: `threshold ${r.abortedBy} failed during the run (abortOnFail)${t?.value != null ? `: value ${formatValue(t.metric, t.value)}` : ''}; stopped at ${r.reached}, results are partial`,
    };
  }
  const failed = r.thresholds.filter((t) => !t.ok);
  if (failed.length > 0) return { code: EXIT.THRESHOLDS, message: `${failed.length} threshold(s) failed: ${failed.map((t) => t.expr).join(', ')}` };
  return { code: EXIT.OK, message: null };
}
