// An output of a run: something that sees the run start, each agent event,
// each completed series interval, the live progress, the end of the run and
// the final results, or hears that the run failed. One file per output in outputs/, one line in
// the registry (outputs/index.ts); runFleet and the run command only talk to
// this interface.
//
// The path of one event: agent/core emits it as an effect -> the Fleet's sink
// -> RunMetrics.onEvent (counters, series, histograms) and every output's
// event() (the trace writes its line) -> at each completed interval every
// output's interval() (the NDJSON series writes that interval's line) -> live
// progress() snapshots during the run -> finish() when the loop is over (the
// trace and series files closed) -> end(results) with the results built
// from the metrics (results.json, report.html) -> the summary on stdout.

import type { Logger } from '../logger.js';
import type { AgentEvent } from '../../agent/core/types.js';
import type { RunInfo } from '../plan.js';
import type { RunMetrics } from '../metrics/run-metrics.js';
import type { ProgressSnapshot } from '../run.js';
import type { Results } from './results.js';
import type { TraceNames } from './trace.js';
import type { OutStream } from '../io.js';
import type { Problems } from '../commands/common.js';
import type { Options } from 'yargs';

export interface RunStart {
  /** the outputs' part of the run plan (plan.ts): name, seed, clients, shard, start, end */
  readonly run: RunInfo;
  /** global ids of clients, updates, deployments for what is written */
  readonly names: TraceNames;
  readonly metrics: RunMetrics;
}

export interface Output {
  readonly name: string;
  start?(run: RunStart): void;
  /** every agent event, in simulated-time order (hot path: keep it cheap) */
  event?(t: number, client: number, e: AgentEvent): void;
  /** series interval i is complete: its counts are final */
  interval?(i: number, metrics: RunMetrics): void;
  /** live progress, every progressEveryMs of wall time and once at the end */
  progress?(p: ProgressSnapshot): void;
  /** wall ms between progress() calls this output wants (the smallest asked for wins) */
  readonly progressEveryMs?: number;
  /** the run's loop is over (normally or stopped early): close what was written during it */
  finish?(): void;
  /** the results are final (thresholds evaluated): write what is made of them */
  end?(results: Results): void;
  /** the run failed: close what is open, write nothing more */
  abort?(err: unknown): void;
  /** the file it wrote, once it has (listed at the end of the summary) */
  written?(): { readonly what: string; readonly path: string } | null;
}

/**
 * What the outputs are configured from: the run command's parsed flags (each
 * output declares its own, below) and where live output goes.
 */
export interface OutputSettings {
  /** the parsed flags of the run command, by their names (--series-ndjson: args['series-ndjson']) */
  readonly args: Readonly<Record<string, unknown>>;
  /** live output (progress) goes here: the command's stderr */
  readonly stream: OutStream;
  readonly logger: Logger;
}

export interface OutputKind {
  readonly name: string;
  /** the run command's flags this output reads (yargs options), shown in suca-fleet run --help */
  readonly flags?: Readonly<Record<string, Options>>;
  /** problems with its flags alone, reported with every other bad flag before anything is read */
  checkFlags?(s: OutputSettings, problems: Problems): void;
  /** once the scenario is good, before the run: make sure it can write where it will (may create --out) */
  prepare?(s: OutputSettings, problems: Problems): void;
  /** the output for these settings, or null when it is not asked for */
  create(s: OutputSettings, run: RunInfo): Output | null;
}

/** A flag's value as a string, if given. */
export function stringFlag(s: OutputSettings, name: string): string | undefined {
  const v = s.args[name];
  return typeof v === 'string' ? v : undefined;
}
