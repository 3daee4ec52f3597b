// suca-fleet run: flags and scenario to a run, its outputs and its exit code.
// Every flag problem is reported at once (exit 2) before the scenario is read;
// nothing is written before the configuration is known to be good.

import { readScenarioFile, resolveScenario } from '../scenario/resolve.js';
import { HarnessError } from '../errors.js';
import { createLogger, LOG_LEVELS, type LogLevel } from '../logger.js';
import { runPlan, type ClockOptions, type RunOutcome, type TransportOptions } from '../run.js';
import { planRun } from '../plan.js';
import { buildResults, formatResultsJson } from '../output/results.js';
import { checkOutputFlags, createOutputs, endOutputs, outputFlags, prepareOutputs } from '../output/outputs/index.js';
import type { Output, OutputSettings } from '../output/output.js';
import { evaluateThresholds, formatThresholds, parseThreshold, type Threshold } from '../thresholds.js';
import { formatSummary } from '../output/summary.js';
import { formatDuration, tryParseDuration } from '../duration.js';
import { verdictOf } from '../exit.js';
import type { Io, StopSignal } from '../io.js';
import type { Argv } from 'yargs';
import { checkUrl, parseFlags, Problems, readFileArg, reportError } from './common.js';

export const describe = 'Run a fleet of emulated clients against the embedded stubs in simulated time and print a summary';

/** At most this many intervals unless asked for: 100,000 x 20 series is ~15 MB of results.json. */
const MAX_AUTO_INTERVALS = 100_000;
/** Never more than this many, even when asked for (memory: 20 Float64Arrays of it). */
const MAX_INTERVALS = 1_000_000;
const NICE_INTERVALS = ['1m', '5m', '15m', '1h', '6h', '1d', '7d'];

/** The series interval: the one asked for, or 1 minute, or the first coarser one that keeps a long run under MAX_AUTO_INTERVALS. */
export function chooseSeriesInterval(durationMs: number, asked: number | undefined): number {
  if (asked !== undefined) {
    if (durationMs / asked > MAX_INTERVALS) {
      throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', `--series-interval ${formatDuration(asked)}: ${Math.ceil(durationMs / asked).toLocaleString('en-US')} intervals over ${formatDuration(durationMs)}, at most ${MAX_INTERVALS.toLocaleString('en-US')}; choose a longer interval`);
    }
    return asked;
  }
  for (const d of NICE_INTERVALS) {
    const ms = tryParseDuration(d)!;
    if (durationMs / ms <= MAX_AUTO_INTERVALS) return ms;
  }
  return Math.ceil(durationMs / MAX_AUTO_INTERVALS);
}

/** abortOnFail: the first live threshold failing on the figures so far (after its delayAbortEval), or null. */
function liveThresholdCheck(now: () => RunOutcome, live: readonly Threshold[], start: number): string | null {
  const o = now();
  const due = live.filter((t) => o.fleet.now - start >= (t.delayAbortEval ?? 0));
  if (due.length === 0) return null;
  const failed = evaluateThresholds(buildResults(o, [], true), due).find((t) => !t.ok && t.value !== null);
  return failed?.expr ?? null;
}

type RunFlags = ReturnType<typeof runFlags> extends Argv<infer T> ? T : never;

/** The run's own flags and the outputs' (--out, --trace, ...: each output declares and reads its own). */
function flags(argv: readonly string[], io: Io) {
  return parseFlags(argv, io, 'run', (y) => runFlags(y).options(outputFlags()) as unknown as Argv<RunFlags>);
}

function runFlags(y: Argv) {
  return (
    y
      .usage(`suca-fleet run [options]\n\n${describe}`)
      .option('scenario', { type: 'string', describe: 'scenario JSON file (default: the built-in scenario)' })
      .option('clients', { type: 'number', describe: 'number of clients (overrides the scenario)' })
      .option('duration', { type: 'string', describe: 'simulated duration, e.g. 10d, 36h (overrides the scenario)' })
      .option('seed', { type: 'number', describe: 'random seed (overrides the scenario)' })
      .option('shard', { type: 'string', describe: 'K/N: run shard K of N of the clients (a contiguous range; ids, and so behaviour, as in the whole fleet), for runs on N machines merged afterwards' })
      .option('series-interval', { type: 'string', describe: 'simulated interval of the time series (default 1m, coarser when a run would have more than 100,000 intervals)' })
      .option('abort-on-fail', { type: 'boolean', default: false, describe: 'check the --threshold thresholds during the run too, and stop it when one fails (exit 99)' })
      .option('log-level', { choices: LOG_LEVELS, default: 'info' as LogLevel, describe: 'pino log level (logs go to stderr)' })
      .option('json', { type: 'boolean', default: false, describe: 'print results.json to stdout instead of the summary' })
      .option('clock', { choices: ['virtual', 'scaled'] as const, default: 'virtual' as const, describe: 'virtual: as fast as possible; scaled: wall clock x --time-factor' })
      .option('time-factor', { type: 'number', default: 1, describe: 'scaled clock: simulated seconds per wall second (1 = real time)' })
      .option('lag-bound', { type: 'string', default: '1s', describe: 'scaled clock: the run is invalid when scheduler lag p99 exceeds this' })
      .option('elu-bound', { type: 'number', default: 0.98, describe: 'scaled clock: the run is invalid when the event loop is busy more than this share (0..1) of a 5 s window' })
      .option('transport', { choices: ['in-process', 'http'] as const, describe: 'in-process: typed calls to the stub core; http: real wire formats against stub servers (default: http with --clock scaled or --mp/--wsus/--dp)' })
      .option('mp', { type: 'string', describe: 'an external management point (http[s]://host[:port]); implies --transport http' })
      .option('wsus', { type: 'string', describe: 'an external WSUS (SUP) the embedded MP hands out; implies --transport http' })
      .option('dp', { type: 'string', describe: 'an external distribution point the embedded MP hands out; implies --transport http' })
      .option('ca', { type: 'string', describe: 'CA certificate file (PEM) the agent trusts for https' })
      .option('tls-cert', { type: 'string', describe: 'embedded stub servers: serve https with this certificate (PEM)' })
      .option('tls-key', { type: 'string', describe: 'embedded stub servers: the key of --tls-cert (PEM)' })
      .option('sign', { type: 'boolean', default: true, describe: 'sign MP messages (and have the embedded MP verify them); --no-sign to turn off' })
      .option('concurrency', { type: 'number', default: 256, describe: 'http: requests in flight at once per endpoint' })
      .option('threshold', { type: 'string', array: true, describe: 'a threshold to check at the end, e.g. state_latency_p99<20m (repeatable; adds to the scenario\'s)' })
  );
}

type Args = Extract<ReturnType<typeof flags>, { args: unknown }>['args'];

/** The flags checked together: every problem found, or the settings they give. */
function checkFlags(a: Args, p: Problems) {
  if (a.clients !== undefined && (!Number.isInteger(a.clients) || a.clients < 1)) p.add(`--clients ${a.clients}: must be a whole number of at least 1`);
  if (a.seed !== undefined && (!Number.isInteger(a.seed) || a.seed < 0 || a.seed > 0xffffffff)) p.add(`--seed ${a.seed}: must be a whole number from 0 to 4294967295`);
  if (a.duration !== undefined && tryParseDuration(a.duration) === null) p.add(`--duration ${a.duration}: not a duration (examples: 10d, 36h, 90m)`);
  const explicitInterval = a['series-interval'] !== undefined ? tryParseDuration(a['series-interval']) : undefined;
  if (explicitInterval === null || (explicitInterval !== undefined && explicitInterval <= 0)) p.add(`--series-interval ${a['series-interval']}: not a positive duration (examples: 1m, 1h)`);
  const factor = a['time-factor'];
  if (!Number.isFinite(factor) || factor <= 0) p.add(`--time-factor ${factor}: must be a number above 0 (1 = real time)`);
  const lagBound = tryParseDuration(a['lag-bound']);
  if (lagBound === null) p.add(`--lag-bound ${a['lag-bound']}: not a duration (examples: 50ms, 1s)`);
  const eluBound = a['elu-bound'];
  if (!Number.isFinite(eluBound) || eluBound <= 0 || eluBound > 1) p.add(`--elu-bound ${eluBound}: a share above 0 and at most 1 (1: never invalid for it)`);
  const clock: ClockOptions = a.clock === 'scaled' ? { mode: 'scaled', timeFactor: factor, lagBoundMs: lagBound ?? 0, eluBound } : { mode: 'virtual' };
  const external = { mp: a.mp, wsus: a.wsus, dp: a.dp };
  for (const [k, v] of Object.entries(external)) if (v !== undefined) p.try(() => checkUrl(`--${k}`, v));
  // scaled time is for load tests: it goes over HTTP unless told otherwise
  const kind = a.transport ?? (a.mp !== undefined || a.wsus !== undefined || a.dp !== undefined || a.clock === 'scaled' ? 'http' : 'in-process');
  if (kind === 'in-process' && (a.mp !== undefined || a.wsus !== undefined || a.dp !== undefined)) p.add('--mp/--wsus/--dp need --transport http');
  const pair = (a['tls-cert'] === undefined) === (a['tls-key'] === undefined);
  if (!pair) p.add('--tls-cert and --tls-key go together');
  if (!Number.isInteger(a.concurrency) || a.concurrency < 1) p.add(`--concurrency ${a.concurrency}: a whole number of at least 1`);
  const cert = pair && a['tls-cert'] !== undefined ? p.try(() => readFileArg('--tls-cert', a['tls-cert']!)) : undefined;
  const key = pair && a['tls-key'] !== undefined ? p.try(() => readFileArg('--tls-key', a['tls-key']!)) : undefined;
  const tls = cert !== undefined && key !== undefined ? { cert, key } : undefined;
  const ca = a.ca !== undefined ? p.try(() => readFileArg('--ca', a.ca!)) : tls?.cert;
  const transport: TransportOptions = kind === 'http' ? { kind: 'http', external, sign: a.sign, ca, tls, concurrency: a.concurrency } : { kind: 'in-process' };
  const extraThresholds = (a.threshold ?? []).flatMap((t, i) => {
    const parsed = p.try(() => parseThreshold(String(t), `--threshold #${i + 1}`));
    return parsed === undefined ? [] : [{ ...parsed, abortOnFail: a['abort-on-fail'] }];
  });
  if (a['abort-on-fail'] && (a.threshold ?? []).length === 0) p.add('--abort-on-fail: give the thresholds to check with --threshold');
  return { explicitInterval: explicitInterval ?? undefined, clock, transport, extraThresholds };
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const parsed = flags(argv, io);
  if ('code' in parsed) return parsed.code;
  const a = parsed.args;
  try {
    const logger = createLogger(a['log-level'], io.stderr);
    const settings: OutputSettings = { args: a as unknown as Record<string, unknown>, stream: io.stderr, logger };
    const problems = new Problems();
    const f = checkFlags(a, problems);
    checkOutputFlags(settings, problems);
    const bad = problems.report(io);
    if (bad !== null) return bad;
    const input = a.scenario !== undefined ? readScenarioFile(a.scenario) : undefined;
    const sc = resolveScenario(input, a.scenario ?? '(built-in default)', { clients: a.clients, duration: a.duration, seed: a.seed, shard: a.shard });
    const seriesInterval = chooseSeriesInterval(sc.duration, f.explicitInterval);
    const unwritable = new Problems();
    prepareOutputs(settings, unwritable);
    const bad2 = unwritable.report(io);
    if (bad2 !== null) return bad2;
    const allThresholds = [...sc.thresholds, ...f.extraThresholds];
    const live = allThresholds.filter((t) => t.abortOnFail === true);
    // the run's settings, each part only its own, built once here (plan.ts)
    const plan = planRun(sc, { seriesInterval, clock: f.clock, transport: f.transport });
    const outputs: Output[] = createOutputs(settings, plan.outputs);
    // SIGINT / SIGTERM: stop where the run is and write what it measured, marked partial
    const stop = new AbortController();
    let stoppedBy: StopSignal | null = null;
    const onSignal = (sig: StopSignal) => {
      stoppedBy = sig;
      stop.abort();
    };
    io.signals.once('SIGINT', onSignal);
    io.signals.once('SIGTERM', onSignal);
    let outcome;
    try {
      outcome = await runPlan(plan, {
        outputs,
        logger,
        signal: stop.signal,
        ...(live.length > 0 ? { liveCheck: (now: () => RunOutcome) => liveThresholdCheck(now, live, sc.start) } : {}),
      });
    } finally {
      io.signals.off('SIGINT', onSignal);
      io.signals.off('SIGTERM', onSignal);
    }
    const base = buildResults(outcome);
    const thresholds = evaluateThresholds(base, allThresholds);
    const results = { ...base, thresholds };
    endOutputs(outputs, results);
    io.stdout.write(a.json ? formatResultsJson(results) : formatSummary(results) + formatThresholds(thresholds));
    const verdict = verdictOf(results, stoppedBy);
    if (verdict.message !== null) io.stderr.write(`suca-fleet: ${verdict.message}\n`);
    return verdict.code;
  } catch (err) {
    return reportError(io, err);
  }
}
