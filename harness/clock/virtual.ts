// Virtual time: as fast as possible. The fleet runs in wall-time slices and
// yields to the event loop between them (signals, progress, I/O are seen);
// over HTTP, in lockstep: after an event that sent requests the loop waits for
// their answers, delivered at that event's simulated time, so a run is as
// deterministic over the wire as in-process.

import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Fleet } from '../../agent/runtime/fleet.js';
import type { ClockPlan } from '../plan.js';
import type { Clock, ClockFigures, LoopContext } from './clock.js';

const FIGURES: ClockFigures = { mode: 'virtual', timeFactor: null, lagMs: null, lagBoundMs: null, eluMax5s: null, eluBound: null, valid: true, invalidReason: null };

/** p.sliceMs: wall ms the loop runs before yielding to the event loop. */
export function virtualClock(p: Extract<ClockPlan, { mode: 'virtual' }>): Clock {
  const { start, end, sliceMs } = p;
  let fleet: Fleet | null = null;
  const now = () => performance.now();
  return {
    mode: 'virtual',
    lockstep: true,
    bind: (f) => (fleet = f),
    simNow: () => fleet?.now ?? start,
    // no due wall time in virtual time: now
    dueWallOf: () => performance.now(),
    async run({ fleet, wire, progress, signal }: LoopContext): Promise<void> {
      const pause = wire !== null ? () => wire.pending > 0 : undefined;
      for (;;) {
        if (signal.aborted) break;
        const done = fleet.runSlice(end, sliceMs, now, undefined, pause);
        if (wire !== null && wire.pending > 0) {
          // lockstep: the answers to this event's requests, at its simulated time
          await wire.settle();
          progress();
          continue;
        }
        if (done) break;
        progress();
        await yieldToLoop();
      }
    },
    figures: () => FIGURES,
  };
}
