// The messages between the run command's main thread and its worker threads
// (run --workers N, pool.ts and worker.ts): plain data only, as
// structured clone carries it.

import type { ScenarioOverrides } from '../scenario/resolve.js';
import type { ClockOptions, TransportOptions } from '../plan.js';
import type { ProgressSnapshot } from '../run.js';
import type { Threshold } from '../thresholds.js';
import type { LogLevel } from '../logger.js';

/**
 * What a worker runs: shard K/N of the scenario, in scaled time over HTTP
 * against the main thread's stub servers, or in virtual time in-process
 * against a stub core of its own (the per-client parts of the stub, which is
 * all a scenario run with workers in virtual time has: pool.ts).
 */
export interface WorkerTask {
  readonly scenario: string | undefined;
  readonly overrides: ScenarioOverrides;
  readonly seriesInterval: number;
  /** scaled (startWallEpochMs filled in by the 'start' message) or virtual */
  readonly clock: ClockOptions;
  /** scaled: HTTP, external.mp = the main thread's stub MP; virtual: in-process */
  readonly transport: TransportOptions;
  /** --trace: write the shard's trace lines here, each keyed by its moment (virtual time; scaled: by time, then client, trace-order.ts) */
  readonly keyedTrace?: string | undefined;
  /** --trace-events: only these events in the keyed trace (absent: all) */
  readonly traceEvents?: readonly string[];
  /** virtual time, site.mpProcessingRate > 0: forward the MP's reports to the main thread's backlog (backlog.ts) */
  readonly forwardReports?: boolean;
  /** scaled time: the whole fleet's state report send times (Float64 by global client id), read by the main thread's stub MP */
  readonly reportSent?: SharedArrayBuffer;
  readonly thresholds: readonly Threshold[];
  /** abortOnFail thresholds given: post the figures so far about once a wall second (the main thread checks them on the merge) */
  readonly live: boolean;
  readonly logLevel: LogLevel;
  readonly progressEveryMs: number;
}

export type ToWorker =
  | { readonly type: 'start'; readonly startWallEpochMs: number }
  | { readonly type: 'stop' };

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'log'; readonly line: string }
  | { readonly type: 'progress'; readonly p: ProgressSnapshot }
  /** abortOnFail: the worker's figures so far (results.json as JSON text), about once a wall second, for the main thread's live merge */
  | { readonly type: 'live'; readonly json: string }
  /**
   * the reports the worker's MP accepted since the last batch, in its moments' order: keys[i] is
   * report i's moment key, data holds per report [client, t, sent, messages, ...messages (MSG_STRIDE each)];
   * every report before simulated time upTo is in this or an earlier batch
   */
  | { readonly type: 'reports'; readonly upTo: number; readonly keys: string[]; readonly data: Float64Array }
  /** the results.json of the worker's shard, as JSON text */
  | { readonly type: 'result'; readonly json: string }
  | { readonly type: 'error'; readonly code: string | null; readonly message: string; readonly stack: string | null; readonly partial: string | null };

/**
 * The stub thread (stub-thread.ts, scaled time): the embedded stub servers of
 * the whole scenario, in a worker thread of their own.
 */
export interface StubThreadTask {
  readonly scenario: string | undefined;
  /** the whole fleet's (no shard) */
  readonly overrides: ScenarioOverrides;
  readonly seriesInterval: number;
  readonly clock: ClockOptions;
  /** HTTP: the stubs' TLS, external WSUS / DP, signature checks */
  readonly transport: TransportOptions;
  /** the clients' state report send times, written by the workers (Float64 by global client id) */
  readonly reportSent: SharedArrayBuffer;
  /** one Float64: state messages ingested so far, for the main thread's live progress */
  readonly ingested: SharedArrayBuffer;
  readonly logLevel: LogLevel;
}

export type ToStubThread =
  | { readonly type: 'start'; readonly startWallEpochMs: number }
  /** the workers' merged results (JSON text) in; the whole fleet's, with the stubs' figures, out (stub-view.ts) */
  | { readonly type: 'figures'; readonly id: number; readonly json: string; readonly thresholds: readonly Threshold[]; readonly live: boolean }
  | { readonly type: 'close' };

export type FromStubThread =
  | { readonly type: 'listening'; readonly urls: { readonly mp: string; readonly wsus: string; readonly dp: string } }
  | { readonly type: 'log'; readonly line: string }
  | { readonly type: 'figures'; readonly id: number; readonly json: string | null; readonly error: string | null }
  | { readonly type: 'error'; readonly code: string | null; readonly message: string; readonly stack: string | null };
