// suca-fleet run: flags and scenario to a run, its outputs and its exit code.
// Every flag problem is reported at once (exit 2) before the scenario is read;
// nothing is written before the configuration is known to be good.

import { loadScenario, loadScenarioFile, scenarioFileOf } from '../scenario/extends.js';
import { HarnessError, RunFailedError } from '../errors.js';
import { join } from 'node:path';
import { createLogger, LOG_LEVELS, type LogLevel } from '../logger.js';
import { runPlan, type ClockOptions, type RunOutcome, type TransportOptions } from '../run.js';
import { planRun } from '../plan.js';
import { buildResults, formatResultsJson } from '../output/results.js';
import { checkOutputFlags, createOutputs, endOutputs, outputFlags, prepareOutputs, writtenFiles } from '../output/outputs/index.js';
import { traceEventsOf } from '../output/outputs/trace.js';
import type { Output, OutputSettings } from '../output/output.js';
import { evaluateThresholds, formatThresholds, parseThreshold, type Threshold } from '../thresholds.js';
import { formatSummary, formatWritten } from '../output/summary.js';
import { formatDuration, tryParseDuration } from '../duration.js';
import { verdictOf } from '../exit.js';
import type { Io, StopSignal } from '../io.js';
import type { Argv } from 'yargs';
import { checkUrl, joinNegativeValues, parseFlags, Problems, readFileArg, reportError } from './common.js';
import { checkRunSize, LIMITS, parseNumberFlag, parseWholeFlag } from '../scenario/limits.js';
import { alignWithExternal, startGridFromEnv } from '../clock/align.js';
import { checkWorkers, coupledModels, runWorkers } from '../workers/pool.js';
import { unservable } from '../../server-stub/http/served.js';
import { KeyPool } from '../../agent/wire/ccm/signing.js';

export const describe = 'Run a fleet of emulated clients against the embedded stubs in simulated time and print a summary';

/** At most this many intervals unless asked for, never more than MAX_INTERVALS (limits.ts says why). */
const MAX_AUTO_INTERVALS = LIMITS.seriesIntervalsAuto.max;
const MAX_INTERVALS = LIMITS.seriesIntervals.max;
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
  // "--duration -1d" would read as flags -1 and -d: values that look negative are taken as values, and refused by their bounds
  return parseFlags(joinNegativeValues(argv, VALUE_FLAGS), io, 'run', (y) => runFlags(y).options(outputFlags()) as unknown as Argv<RunFlags>);
}

/** Flags taking a value that may look negative. */
const VALUE_FLAGS = ['workers', 'clients', 'duration', 'seed', 'series-interval', 'time-factor', 'lag-bound', 'elu-bound', 'concurrency', 'shards', 'progress-every'];
const DEFAULTS = { timeFactor: 1, lagBound: '1s', eluBound: 0.98 };

// Numbers are read as strings and parsed in checkFlags: yargs makes "abc" NaN, and the message must quote what was given.
function runFlags(y: Argv) {
  return (
    y
      .usage(`suca-fleet run [options]\n\n${describe}`)
      .option('scenario', { type: 'string', describe: 'scenario JSON file, or the name of a scenario of the library (suca-fleet scenarios lists them); default: the built-in scenario' })
      .option('clients', { type: 'string', describe: `number of clients, 1 to ${LIMITS.clients.max.toLocaleString('en-US')} (overrides the scenario)` })
      .option('duration', { type: 'string', describe: `simulated duration, e.g. 10d, 36h, at most ${LIMITS.durationMs.max / 86_400_000}d (overrides the scenario)` })
      .option('seed', { type: 'string', describe: 'random seed, 0 to 4294967295 (overrides the scenario)' })
      .option('shard', { type: 'string', describe: 'K/N: run shard K of N of the clients (a contiguous range; ids, and so behaviour, as in the whole fleet), for runs on N machines merged afterwards' })
      .option('shards', { type: 'string', describe: 'N: run shard K of N with K from $JOB_COMPLETION_INDEX + 1 (a Kubernetes Indexed Job sets it, 0-based); instead of --shard' })
      .option('series-interval', { type: 'string', describe: 'simulated interval of the time series (default 1m, coarser when a run would have more than 100,000 intervals)' })
      .option('abort-on-fail', { type: 'boolean', default: false, describe: 'check the --threshold thresholds during the run too, and stop it when one fails (exit 99)' })
      .option('log-level', { choices: LOG_LEVELS, default: 'info' as LogLevel, describe: 'pino log level (logs go to stderr)' })
      .option('json', { type: 'boolean', default: false, describe: 'print results.json to stdout instead of the summary' })
      .option('json-line', { type: 'boolean', default: false, describe: 'print results.json to stdout as one line instead of the summary (a pod log that merge reads)' })
      .option('clock', { choices: ['virtual', 'scaled'] as const, default: 'virtual' as const, describe: 'virtual: as fast as possible; scaled: wall clock x --time-factor' })
      .option('time-factor', { type: 'string', describe: `scaled clock only: simulated seconds per wall second, ${LIMITS.timeFactor.min} to ${LIMITS.timeFactor.max.toLocaleString('en-US')} (1 = real time) [default: 1]` })
      .option('lag-bound', { type: 'string', describe: 'scaled clock only: the run is invalid when scheduler lag p99 exceeds this, 0 to 1h [default: 1s]' })
      .option('elu-bound', { type: 'string', describe: 'scaled clock only: the run is invalid when the event loop is busy more than this share (above 0, at most 1) of a 5 s window [default: 0.98]' })
      .option('transport', { choices: ['in-process', 'http'] as const, describe: 'in-process: typed calls to the stub core; http: real wire formats against stub servers (default: http with --clock scaled or --mp/--wsus/--dp)' })
      .option('mp', { type: 'string', describe: 'an external management point (http[s]://host[:port]); implies --transport http' })
      .option('wsus', { type: 'string', describe: 'an external WSUS (SUP) the embedded MP hands out; implies --transport http' })
      .option('dp', { type: 'string', describe: 'an external distribution point the embedded MP hands out; implies --transport http' })
      .option('ca', { type: 'string', describe: 'CA certificate file (PEM) the agent trusts for https' })
      .option('tls-cert', { type: 'string', describe: 'embedded stub servers: serve https with this certificate (PEM)' })
      .option('tls-key', { type: 'string', describe: 'embedded stub servers: the key of --tls-cert (PEM)' })
      .option('sign', { type: 'boolean', default: true, describe: 'sign MP messages (and have the embedded MP verify them); --no-sign to turn off' })
      .option('keys', { type: 'string', describe: 'http: the signing keys, a PEM file of RSA private keys (PKCS#8 or PKCS#1, unencrypted; client i signs with key i mod n): the same keys every run, so that an MP that registered the clients knows them again; default: 2 keys made for the process' })
      .option('concurrency', { type: 'string', default: '256', describe: `http: requests in flight at once per endpoint, 1 to ${LIMITS.concurrency.max.toLocaleString('en-US')}` })
      .option('threshold', { type: 'string', array: true, describe: 'a threshold to check at the end, e.g. state_latency_p99<20m (repeatable; adds to the scenario\'s)' })
      .option('start-at', { type: 'string', describe: 'scaled clock: the wall time (ISO 8601, e.g. 2026-12-02T10:00:00Z) at which the simulated start happens, on the stub\'s clock when aligned; shards given the same time start together (a Kubernetes Job)' })
      .option('workers', { type: 'string', describe: `run the fleet in N worker threads (a range of the clients each), results merged exactly; scaled clock: over HTTP against the embedded stubs in a thread of their own, the trace merged in time order; virtual clock: in-process, a stub core per worker, the same trace as one thread (refused when site.wsusPool, or a lost-upload fault beside site.mpProcessingRate > 0, couples the clients); default: the cores in scaled time over HTTP with the embedded stubs, else 1` })
      .option('force', { type: 'boolean', default: false, describe: 'run against a suca-fleet stub serving another scenario (a warning instead of an error)' })
  );
}

type Args = Extract<ReturnType<typeof flags>, { args: unknown }>['args'];

/** The flags checked together: every problem found, or the settings they give. */
function checkFlags(a: Args, p: Problems, env: Io['env']) {
  const shard = shardSpec(a, p, env);
  if (a.json && a['json-line']) p.add('--json and --json-line: choose one');
  // each flag's bound from limits.ts, the value quoted as given
  const num = (r: { value: number } | { error: string }): number | undefined => ('error' in r ? (p.add(r.error), undefined) : r.value);
  const clients = a.clients !== undefined ? num(parseWholeFlag('--clients', a.clients, LIMITS.clients.min, LIMITS.clients.max)) : undefined;
  const seed = a.seed !== undefined ? num(parseWholeFlag('--seed', a.seed, LIMITS.seed.min, LIMITS.seed.max)) : undefined;
  if (a.duration !== undefined) {
    const neg = a.duration.startsWith('-') ? tryParseDuration(a.duration.slice(1)) : null;
    const ms = neg !== null ? -neg : tryParseDuration(a.duration);
    if (ms === null) p.add(`--duration: '${a.duration}' is not a duration (examples: 10d, 36h, 90m; from more than 0 to ${formatDuration(LIMITS.durationMs.max)})`);
    else if (ms <= 0 || ms > LIMITS.durationMs.max) p.add(`--duration ${a.duration}: out of range, more than 0 and at most ${formatDuration(LIMITS.durationMs.max)}`);
  }
  const explicitInterval = a['series-interval'] !== undefined ? tryParseDuration(a['series-interval']) : undefined;
  if (explicitInterval === null || (explicitInterval !== undefined && (explicitInterval <= 0 || explicitInterval > LIMITS.durationMs.max))) {
    p.add(`--series-interval ${a['series-interval']}: not a positive duration of at most ${formatDuration(LIMITS.durationMs.max)} (examples: 1m, 1h; at most ${LIMITS.seriesIntervals.max.toLocaleString('en-US')} intervals in the run)`);
  }
  // the scaled clock's flags are refused with the virtual clock (the default), where they would do nothing
  const scaled = a.clock === 'scaled';
  const onlyScaled = (flag: string, given: string | undefined) => {
    if (given !== undefined && !scaled) p.add(`--${flag} ${given}: only for --clock scaled; the clock is virtual (the default), as fast as possible with no wall-clock pace, and would ignore it: add --clock scaled`);
  };
  const factorGiven = a['time-factor'];
  const factor = factorGiven !== undefined ? num(parseNumberFlag('--time-factor', factorGiven, LIMITS.timeFactor.min, LIMITS.timeFactor.max, `from ${LIMITS.timeFactor.min} to ${LIMITS.timeFactor.max.toLocaleString('en-US')} simulated seconds per wall second (1 = real time)`)) : DEFAULTS.timeFactor;
  if (factor !== undefined) onlyScaled('time-factor', factorGiven);
  const lagGiven = a['lag-bound'];
  const lagBound = tryParseDuration(lagGiven ?? DEFAULTS.lagBound);
  if (lagBound === null) p.add(`--lag-bound: '${lagGiven}' is not a duration (examples: 50ms, 1s; from 0 to ${formatDuration(LIMITS.lagBoundMs.max)})`);
  else if (lagBound > LIMITS.lagBoundMs.max) p.add(`--lag-bound ${lagGiven}: out of range, from 0 to ${formatDuration(LIMITS.lagBoundMs.max)}`);
  else onlyScaled('lag-bound', lagGiven);
  const eluGiven = a['elu-bound'];
  const eluBound = eluGiven !== undefined ? num(parseNumberFlag('--elu-bound', eluGiven, Number.MIN_VALUE, 1, 'a share above 0 and at most 1 (1: never invalid for it)')) : DEFAULTS.eluBound;
  if (eluBound !== undefined) onlyScaled('elu-bound', eluGiven);
  const startAtGiven = a['start-at'];
  // ISO 8601 with a zone (Z or an offset): a time without one would be read in this machine's zone, which pods may not share
  const startAt = startAtGiven === undefined ? undefined : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(startAtGiven) && Number.isFinite(Date.parse(startAtGiven)) ? Date.parse(startAtGiven) : undefined;
  if (startAtGiven !== undefined && startAt === undefined) p.add(`--start-at: '${startAtGiven}' is not an ISO 8601 time with its zone (example: 2026-12-02T10:00:00Z)`);
  else onlyScaled('start-at', startAtGiven);
  const clock: ClockOptions = scaled ? { mode: 'scaled', timeFactor: factor ?? 1, lagBoundMs: lagBound ?? 0, eluBound: eluBound ?? 1 } : { mode: 'virtual' };
  const external = { mp: a.mp, wsus: a.wsus, dp: a.dp };
  for (const [k, v] of Object.entries(external)) if (v !== undefined) p.try(() => checkUrl(`--${k}`, v));
  // scaled time is for load tests: it goes over HTTP unless told otherwise
  const kind = a.transport ?? (a.mp !== undefined || a.wsus !== undefined || a.dp !== undefined || a.clock === 'scaled' ? 'http' : 'in-process');
  if (kind === 'in-process' && (a.mp !== undefined || a.wsus !== undefined || a.dp !== undefined)) p.add('--mp/--wsus/--dp need --transport http');
  const pair = (a['tls-cert'] === undefined) === (a['tls-key'] === undefined);
  if (!pair) p.add('--tls-cert and --tls-key go together');
  const concurrency = num(parseWholeFlag('--concurrency', a.concurrency, LIMITS.concurrency.min, LIMITS.concurrency.max, ' requests in flight per endpoint')) ?? 1;
  const cert = pair && a['tls-cert'] !== undefined ? p.try(() => readFileArg('--tls-cert', a['tls-cert']!)) : undefined;
  const key = pair && a['tls-key'] !== undefined ? p.try(() => readFileArg('--tls-key', a['tls-key']!)) : undefined;
  const tls = cert !== undefined && key !== undefined ? { cert, key } : undefined;
  const ca = a.ca !== undefined ? p.try(() => readFileArg('--ca', a.ca!)) : tls?.cert;
  const keys = a.keys !== undefined ? signingKeys(a.keys, kind, a.sign, p) : undefined;
  const transport: TransportOptions = kind === 'http' ? { kind: 'http', external, sign: a.sign, ca, tls, concurrency, ...(keys !== undefined ? { keys } : {}) } : { kind: 'in-process' };
  const extraThresholds = (a.threshold ?? []).flatMap((t, i) => {
    const parsed = p.try(() => parseThreshold(String(t), `--threshold #${i + 1}`));
    return parsed === undefined ? [] : [{ ...parsed, abortOnFail: a['abort-on-fail'] }];
  });
  if (a['abort-on-fail'] && (a.threshold ?? []).length === 0) p.add('--abort-on-fail: give the thresholds to check with --threshold');
  const workers = checkWorkers(a, kind, (x) => p.add(x));
  return { clients, seed, explicitInterval: explicitInterval ?? undefined, clock, transport, extraThresholds, shard, startAt, workers };
}

/** --keys FILE: the file's keys as PKCS#8 PEM, or undefined with every problem added (each naming the file and the block). */
function signingKeys(file: string, kind: 'http' | 'in-process', sign: boolean, p: Problems): readonly string[] | undefined {
  if (kind !== 'http') return void p.add(`--keys ${file}: only with --transport http (in-process messages are not signed)`);
  if (!sign) return void p.add(`--keys ${file} and --no-sign: the keys would sign nothing; choose one`);
  const text = p.try(() => readFileArg('--keys', file));
  if (text === undefined) return undefined;
  const { pems, problems } = KeyPool.parsePemFile(text.toString('latin1'));
  for (const x of problems) p.add(`--keys ${file}: ${x}`);
  return problems.length === 0 ? pems : undefined;
}

/**
 * The shard to run: --shard K/N, or --shards N with K from the environment.
 * A Kubernetes Indexed Job gives each pod JOB_COMPLETION_INDEX, 0 .. N-1
 * (deploy/k8s/suca-fleet-job.yaml), so one manifest serves every pod; the
 * range checks against the scenario's clients happen in shardOf.
 */
function shardSpec(a: Args, p: Problems, env: Io['env']): string | undefined {
  if (a.shards === undefined) return a.shard;
  if (a.shard !== undefined) {
    p.add('--shard and --shards: choose one (--shards takes K from $JOB_COMPLETION_INDEX)');
    return undefined;
  }
  const count = parseWholeFlag('--shards', a.shards, 1, LIMITS.clients.max);
  if ('error' in count) {
    p.add(count.error);
    return undefined;
  }
  const n = count.value;
  const raw = env['JOB_COMPLETION_INDEX'];
  if (raw === undefined || !/^\d+$/.test(raw.trim())) {
    p.add(`--shards ${n}: JOB_COMPLETION_INDEX ${raw === undefined ? 'is not set' : `'${raw}' is not a whole number`} (a Kubernetes Indexed Job sets it to 0 .. N-1; elsewhere use --shard K/N)`);
    return undefined;
  }
  const index = Number(raw.trim());
  if (index >= n) {
    p.add(`--shards ${n}: JOB_COMPLETION_INDEX ${index} is not below ${n} (the Job's completions and --shards must agree)`);
    return undefined;
  }
  return `${index + 1}/${n}`;
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const parsed = flags(argv, io);
  if ('code' in parsed) return parsed.code;
  const a = parsed.args;
  // what main is doing, for the message of an internal error
  let doing = 'checking the flags';
  try {
    const logger = createLogger(a['log-level'], io.stderr);
    const settings: OutputSettings = { args: a as unknown as Record<string, unknown>, stream: io.stderr, logger };
    const problems = new Problems();
    const f = checkFlags(a, problems, io.env);
    checkOutputFlags(settings, problems);
    const bad = problems.report(io);
    if (bad !== null) return bad;
    doing = 'reading the scenario';
    const source = a.scenario ?? '(built-in default)';
    const overrides = { clients: f.clients, duration: a.duration, seed: f.seed, shard: f.shard };
    // the merged input (extends resolved): the alignment resolves it again with the stub's start
    const input = a.scenario !== undefined ? loadScenarioFile(scenarioFileOf(a.scenario)).input : undefined;
    // against a suca-fleet stub: its time factor and scenario, and a start on its clock (harness/clock/align.ts)
    doing = 'aligning with the external servers';
    const loaded = loadScenario(a.scenario, overrides);
    const aligned = await alignWithExternal({ sc: loaded, input, source, overrides, clock: f.clock, transport: f.transport, force: a.force, startAt: f.startAt, startGrid: startGridFromEnv(io.env) });
    if (aligned.note !== null) io.stderr.write(`suca-fleet: ${aligned.note}\n`);
    const sc = aligned.sc;
    const seriesInterval = chooseSeriesInterval(sc.duration, f.explicitInterval);
    // before anything is allocated: the run's clients, updates and intervals fit this machine
    checkRunSize({ clients: sc.shard.clients, updates: sc.stub.catalogue.updates + (sc.stub.catalogue.syncs ?? []).reduce((n, x) => n + x.updates, 0), deployments: sc.stub.deployments.length, durationMs: sc.duration, intervals: Math.ceil(sc.duration / seriesInterval) }, sc.shard.count > 1 ? `--shard ${f.shard}` : f.clients !== undefined ? '--clients' : 'clients');
    // the default (the cores, in scaled time) at most a worker per client (a shard is never empty); a given N is checked by shardOf
    const workers = f.workers.given ? f.workers.n : Math.min(f.workers.n, sc.shard.clients);
    // --workers N within shard K/S: S x N sub-shards of the fleet (workers/pool.ts workerShard), each one client at least
    if (workers > 1 && sc.shard.count > 1 && workers * sc.shard.count > sc.clients) {
      const few = new Problems();
      few.add(`--workers ${workers} in shard ${sc.shard.index}/${sc.shard.count}: ${workers} x ${sc.shard.count} sub-shards of ${sc.clients.toLocaleString('en-US')} clients leave some empty; at most ${Math.floor(sc.clients / sc.shard.count)} workers a shard`);
      const refused = few.report(io);
      if (refused !== null) return refused;
    }
    // --workers N in virtual time: refused before anything is written when a model couples clients across workers
    if (workers > 1 && aligned.clock.mode === 'virtual') {
      const coupled = new Problems();
      for (const c of coupledModels(sc.stub)) coupled.add(`--workers ${workers} in virtual time (${source}): ${c}`, 'SUCA_ERR_WORKERS_COUPLED');
      const refused = coupled.report(io);
      if (refused !== null) return refused;
    }
    // over HTTP the embedded stubs start a WSUS per SUP and a server per DP: refused before anything is written when they are too many
    if (f.transport.kind === 'http' && f.transport.external?.mp === undefined) {
      const many = new Problems();
      for (const c of unservable(sc.stub, f.transport.external)) many.add(`${source}: ${c.path}: ${c.message}`, 'SUCA_ERR_INVALID_SCENARIO');
      const refused = many.report(io);
      if (refused !== null) return refused;
    }
    doing = 'preparing the outputs';
    const unwritable = new Problems();
    prepareOutputs(settings, unwritable);
    const bad2 = unwritable.report(io);
    if (bad2 !== null) return bad2;
    const allThresholds = [...sc.thresholds, ...f.extraThresholds];
    const live = allThresholds.filter((t) => t.abortOnFail === true);
    // the run's settings, each part only its own, built once here (plan.ts)
    const plan = planRun(sc, { seriesInterval, clock: aligned.clock, transport: f.transport });
    const outputs: Output[] = createOutputs(settings, plan.outputs);
    // --workers N: the fleet in N worker threads against the stubs here, merged (workers/pool.ts)
    if (workers > 1) {
      doing = `running the fleet in ${workers} workers`;
      const str = (k: string) => (typeof settings.args[k] === 'string' ? (settings.args[k] as string) : undefined);
      // the start as aligned on an external stub's clock (the workers and the stub thread resolve the scenario again;
      // the scenario's own start, as written, when nothing moved it)
      const withStart = aligned.sc === loaded ? overrides : { ...overrides, start: new Date(sc.start).toISOString() };
      return await runWorkers({ io, logger, logLevel: a['log-level'], workers, scenario: a.scenario, overrides: withStart, plan, seriesInterval, clock: aligned.clock, transport: f.transport, thresholds: allThresholds, live, outputs, print: a['json-line'] ? 'json-line' : a.json ? 'json' : 'summary', outDir: str('out'), tracePath: str('trace'), traceEvents: traceEventsOf(str('trace-events')), seriesNdjsonPath: str('series-ndjson') });
    }
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
    doing = 'running the fleet';
    try {
      outcome = await runPlan(plan, {
        outputs,
        logger,
        signal: stop.signal,
        ...(live.length > 0 ? { liveCheck: (now: () => RunOutcome) => liveThresholdCheck(now, live, sc.start) } : {}),
      });
    } catch (err) {
      if (!(err instanceof RunFailedError)) throw err;
      return reportError(io, err.cause, `running the fleet (${sc.name}, ${sc.shard.clients.toLocaleString('en-US')} clients)`, writePartial(err as RunFailedError<RunOutcome>, outputs, allThresholds, a));
    } finally {
      io.signals.off('SIGINT', onSignal);
      io.signals.off('SIGTERM', onSignal);
    }
    doing = 'writing the results';
    const base = buildResults(outcome);
    const thresholds = evaluateThresholds(base, allThresholds);
    const results = { ...base, thresholds };
    endOutputs(outputs, results);
    io.stdout.write(a['json-line'] ? JSON.stringify(results) + '\n' : a.json ? formatResultsJson(results) : formatSummary(results) + formatThresholds(thresholds) + formatWritten(writtenFiles(outputs)));
    const verdict = verdictOf(results, stoppedBy);
    if (verdict.message !== null) io.stderr.write(`suca-fleet: ${verdict.message}\n`);
    return verdict.code;
  } catch (err) {
    return reportError(io, err, doing);
  }
}

/**
 * After an internal error mid-run: the figures up to there go where a
 * finished run's would (results.json and report.html under --out, marked
 * partial, as after SIGINT); the lines say where they went.
 */
function writePartial(failure: RunFailedError<RunOutcome>, outputs: readonly Output[], thresholds: readonly Threshold[], a: Args): string[] {
  const o = a as unknown as Record<string, unknown>;
  const out = typeof o.out === 'string' ? o.out : undefined;
  const files = [out !== undefined ? join(out, 'results.json') : null, o.trace, o['series-ndjson']].filter((x): x is string => typeof x === 'string');
  try {
    const r = failure.partial();
    const base = buildResults(r);
    endOutputs(outputs, { ...base, thresholds: evaluateThresholds(base, thresholds) });
    const at = new Date(r.reached).toISOString();
    return [files.length > 0 ? `the run stopped at ${at} (simulated); what it measured up to there is in ${files.join(', ')} (results marked partial)` : `the run stopped at ${at} (simulated); nothing was written (no --out, --trace or --series-ndjson given)`];
  } catch (err) {
    return [`the run's partial results could not be written either (${(err as Error).message})${files.length > 0 ? `; ${files.join(', ')} may be incomplete` : ''}`];
  }
}
