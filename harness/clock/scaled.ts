// Scaled time: simulated time runs at timeFactor x the wall clock. Each event
// runs at its own simulated time once the wall clock reaches its due time;
// how late it ran is recorded (HDR, wall ms). One timer for the whole fleet:
// the loop sleeps until the next due time, at most 50 ms at a time so
// asynchronous replies and signals are seen. A run is invalid when the lag p99
// or the busiest 5 s of event-loop utilisation passes its bound.

import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Histogram } from 'hdr-histogram-js';
import type { Fleet } from '../../agent/runtime/fleet.js';
import type { ClockPlan } from '../plan.js';
import { round3, type Clock, type ClockFigures, type LoopContext } from './clock.js';

/** How long after the end the loop waits for answers still on their way, beyond the request timeout (wall ms). */
const GRACE_MS = 1000;
/**
 * Wall ms catchUp() runs due events for at most (the fleet checks the clock
 * every 1,024 events, so a little more). Short: the answer whose end called
 * it waits that long to be read, and its latency counts the wait.
 */
const CATCH_UP_MS = 4;

export function scaledClock(o: Extract<ClockPlan, { mode: 'scaled' }>): Clock {
  const { start: simStart, end, requestTimeout } = o;
  const factor = o.timeFactor;
  const now = () => performance.now();
  let fleet: Fleet | null = null;
  let wallStart: number | null = null;
  const dueWall = (t: number) => (wallStart ?? now()) + (t - simStart) / factor;
  /** set while run() drives the fleet (see catchUp) */
  let catchUp: (() => void) | null = null;
  return {
    mode: 'scaled',
    lockstep: false,
    catchUp: () => catchUp?.(),
    bind: (f) => (fleet = f),
    simNow: () => (wallStart === null ? (fleet?.now ?? simStart) : Math.max(fleet!.now, simStart + (now() - wallStart) * factor)),
    // before the run starts there is no due wall time: now
    dueWallOf: (t) => (wallStart === null ? now() : dueWall(t)),
    async run({ fleet, wire, progress, lag, signal, startWallEpochMs }: LoopContext): Promise<void> {
      // aligned to another clock: simulated time begins at startWallEpochMs (ahead: the loop waits for it; behind: events run late, as lag)
      const at = startWallEpochMs ?? o.startWallEpochMs;
      const behind = at === undefined ? 0 : Date.now() - at;
      const start = (wallStart = now() - behind);
      const record = (t: number) => lag.recordValue(Math.max(0, Math.round(now() - dueWall(t))));
      // a function, not a narrowed property read: the signal changes while the loop awaits
      const aborted = (): boolean => signal.aborted;
      // The loop below runs due events once per turn of the event loop, after
      // that turn's I/O. A turn can hold many answers, each with work behind it
      // (a decode, the next call's framing and deflate): in (d) (BENCHMARKS.md)
      // a worker's busy stretches reached 127 ms at p99, and every event due
      // meanwhile waited for the whole stretch. The transport calls this as each
      // answer ends, so due events run between answers instead, in the same
      // (time, id) order. Never re-entered: answers are delivered only from
      // the event loop, never while runSlice runs.
      catchUp = () => {
        if (aborted()) return;
        const next = fleet.nextTime();
        if (next >= end || dueWall(next) > now()) return;
        const simNow = simStart + (now() - start) * factor;
        fleet.runSlice(Math.min(end, Math.floor(simNow) + 1), CATCH_UP_MS, now, record);
      };
      try {
        for (;;) {
          if (aborted()) break;
          const next = fleet.nextTime();
          if (next >= end) {
            // the rest of the run is idle: wait out its wall time so the run lasts what it says
            const until = dueWall(end);
            while (now() < until && !aborted()) {
              progress();
              await sleep(Math.min(50, until - now()));
            }
            break;
          }
          const wait = dueWall(next) - now();
          if (wait > 0) {
            progress();
            await sleep(Math.min(50, wait));
            continue;
          }
          // everything already due, each at its own simulated time, for at most 20 ms before yielding
          const simNow = simStart + (now() - start) * factor;
          fleet.runSlice(Math.min(end, Math.floor(simNow) + 1), 20, now, record);
          progress();
          await yieldToLoop();
        }
      } finally {
        catchUp = null;
      }
      // answers still on their way: wait for them (bounded by the request timeout)
      const until = now() + requestTimeout / factor + GRACE_MS;
      while (wire !== null && wire.pending > 0 && now() < until) await sleep(10);
    },
    figures(lag: Histogram, eluMax: number): ClockFigures {
      const p99 = lag.getValueAtPercentile(99);
      const lagOk = p99 <= o.lagBoundMs;
      const eluOk = o.eluBound === undefined || eluMax <= o.eluBound;
      const reasons = [
        ...(lagOk ? [] : [`scheduler lag p99 ${p99} ms exceeds the bound of ${o.lagBoundMs} ms`]),
        ...(eluOk ? [] : [`the event loop was busy ${(eluMax * 100).toFixed(1)}% of its busiest 5 s (bound ${(o.eluBound! * 100).toFixed(1)}%): requests queued inside the generator`]),
      ];
      return {
        mode: 'scaled',
        timeFactor: factor,
        lagMs: { count: lag.totalCount, p50: lag.getValueAtPercentile(50), p90: lag.getValueAtPercentile(90), p99, max: lag.maxValue },
        lagBoundMs: o.lagBoundMs,
        eluMax5s: round3(eluMax),
        eluBound: o.eluBound ?? null,
        valid: reasons.length === 0,
        invalidReason: reasons.length === 0 ? null : `${reasons.join('; ')}: the generator could not keep up at time factor ${factor}`,
      };
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
