// How a run keeps time: one interface, a loop per file (virtual.ts: as fast
// as possible; scaled.ts: the wall clock x a time factor). The loop drives the
// fleet to the scenario's end or until the signal aborts; run.ts wires it.
// Each clock is built from its part of the run plan (plan.ts: ClockPlan):
// the run's start and end and its pace, nothing else of the scenario.

import type { Histogram } from 'hdr-histogram-js';
import type { Fleet } from '../../agent/runtime/fleet.js';

export type ClockOptions =
  | { readonly mode: 'virtual' }
  | {
      readonly mode: 'scaled';
      /** simulated ms per wall ms (1 = real time) */
      readonly timeFactor: number;
      /** a run whose scheduler lag p99 (wall ms) exceeds this is invalid */
      readonly lagBoundMs: number;
      /**
       * a run whose event loop was busy more than this share of a 5-second
       * window (event-loop utilization, 0..1) is invalid: requests then queue
       * inside the generator and every wire latency includes its own backlog.
       * Absent: not checked.
       */
      readonly eluBound?: number;
      /**
       * the wall time (epoch ms, Date.now()) at which simulated time is the
       * scenario's start: the clock counts from there, not from when the loop
       * starts (a run aligned to a stub's clock, harness/clock/align.ts: a
       * start ahead is waited for; one passed shows as scheduler lag, never
       * as skew). Absent: the loop's start.
       */
      readonly startWallEpochMs?: number;
    };

/** How the run kept time, and whether it kept up. */
export interface ClockFigures {
  readonly mode: 'virtual' | 'scaled';
  readonly timeFactor: number | null;
  /** scaled time: how late events ran behind their wall-clock due time (wall ms) */
  readonly lagMs: { readonly count: number; readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number } | null;
  readonly lagBoundMs: number | null;
  /** scaled clock: event-loop utilization of the busiest 5-second window of wall time, and its bound */
  readonly eluMax5s: number | null;
  readonly eluBound: number | null;
  readonly valid: boolean;
  readonly invalidReason: string | null;
}

/** The HTTP transport as a loop sees it: requests awaiting answers. */
export interface PendingRequests {
  readonly pending: number;
  /** resolves once every request sent so far is answered (virtual time: lockstep) */
  settle(): Promise<void>;
}

export interface LoopContext {
  readonly fleet: Fleet;
  /** HTTP: the transport's requests in flight; in-process: null */
  readonly wire: PendingRequests | null;
  /** called often with nothing due: probes, live progress, abortOnFail checks */
  readonly progress: () => void;
  /** scaled time: how late each event ran (wall ms) */
  readonly lag: Histogram;
  readonly signal: AbortSignal;
  /** scaled time: the start instant handed over once the run was built (RunHooks.ready), instead of the plan's startWallEpochMs */
  readonly startWallEpochMs?: number;
}

export interface Clock {
  readonly mode: 'virtual' | 'scaled';
  /** HTTP answers arrive at the simulated time of their request (virtual) or when they arrive (scaled) */
  readonly lockstep: boolean;
  /** the fleet whose time this clock reports */
  bind(fleet: Fleet): void;
  /** simulated time as the stub servers and the HTTP transport see it (the scenario's start before bind) */
  simNow(): number;
  /** wall time (performance.now()) at which an event of simulated time t was due */
  dueWallOf(t: number): number;
  /** drives the fleet to the scenario's end, or until the signal aborts */
  run(ctx: LoopContext): Promise<void>;
  /**
   * Scaled time: runs the events already due, for a few ms at most, from
   * outside the loop (the HTTP transport calls it as each answer ends, see
   * HttpTransportOptions.onAnswer). Nothing happens before run() starts,
   * after it ends, or when nothing is due. Virtual time has none: its
   * answers are held for the lockstep.
   */
  readonly catchUp?: () => void;
  /** how it kept time, given the lag histogram and the busiest ELU window */
  figures(lag: Histogram, eluMax: number): ClockFigures;
}

export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
