// suca-fleet command line. yargs in strict mode: unknown flags and commands
// are errors (exit 2), like every other configuration problem.

import { mkdirSync, writeFileSync, accessSync, readFileSync, constants as fsc } from 'node:fs';
import { join, resolve as resolvePath, dirname } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { DEFAULT_SCENARIO } from './scenario/defaults.js';
import { readScenarioFile, resolveScenario } from './scenario/resolve.js';
import { EXIT, HarnessError } from './errors.js';
import { createLogger, LOG_LEVELS, type LogLevel } from './logger.js';
import { runFleet, type RunOutcome, type TransportOptions } from './run.js';
import { runStub } from './stub.js';
import { buildResults, formatResultsJson, resultsProblems, RESULTS_SCHEMA_VERSION, type Results } from './output/results.js';
import { evaluateThresholds, formatComparison, formatThresholds, formatValue, parseThreshold, type Threshold } from './thresholds.js';
import { createProgress } from './output/progress.js';
import { SeriesNdjsonWriter } from './output/series-ndjson.js';
import { writeReport } from './output/report-html.js';
import { mergeResults } from './output/merge.js';
import { formatSummary } from './output/summary.js';
import { formatDuration, tryParseDuration } from './duration.js';

function out(s: string): void {
  process.stdout.write(s);
}

function fail(err: unknown): never {
  if (err instanceof HarnessError) {
    process.stderr.write(`suca-fleet: ${err.code}: ${err.message}\n`);
    process.exit(EXIT.CONFIG); // every HarnessError is a configuration problem (flags, files, scenario)
  }
  process.stderr.write(`suca-fleet: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(EXIT.INTERNAL);
}

function checkUrl(flag: string, v: string): void {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', `${flag} ${v}: not a URL (example: http://127.0.0.1:8530)`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', `${flag} ${v}: http or https only`);
}

function readFileArg(flag: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', `${flag} ${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
  }
}

function readResults(file: string): Results {
  let r: Results;
  try {
    r = JSON.parse(readFileSync(file, 'utf8')) as Results;
  } catch (err) {
    throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', `${file}: not a readable results.json (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
  }
  const problems = resultsProblems(r);
  if (problems.length > 0) throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', `${file}: not a results.json this suca-fleet reads (schema ${RESULTS_SCHEMA_VERSION}): ${problems.length} problem${problems.length === 1 ? '' : 's'}\n` + problems.map((p) => '  ' + p).join('\n'));
  return r;
}

function ensureWritableDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, fsc.W_OK);
  } catch (err) {
    throw new HarnessError('SUCA_ERR_OUTPUT', `--out ${dir}: cannot write there (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
  }
}

function ensureWritableFileDir(file: string, flag: string): void {
  try {
    accessSync(dirname(resolvePath(file)), fsc.W_OK);
  } catch (err) {
    throw new HarnessError('SUCA_ERR_OUTPUT', `${flag} ${file}: cannot write there (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
  }
}

/** At most this many intervals unless asked for: 100,000 x 20 series is ~15 MB of results.json. */
const MAX_AUTO_INTERVALS = 100_000;
/** Never more than this many, even when asked for (memory: 20 Float64Arrays of it). */
const MAX_INTERVALS = 1_000_000;
const NICE_INTERVALS = ['1m', '5m', '15m', '1h', '6h', '1d', '7d'];

/** The series interval: the one asked for, or 1 minute, or the first coarser one that keeps a long run under MAX_AUTO_INTERVALS. */
function chooseSeriesInterval(durationMs: number, asked: number | undefined): number {
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

export async function main(argv: string[]): Promise<void> {
  await yargs(argv)
    .scriptName('suca-fleet')
    .usage('$0 <command> [options]')
    .command(
      'run',
      'Run a fleet of emulated clients against the embedded stubs in simulated time and print a summary',
      (y) =>
        y
          .option('scenario', { type: 'string', describe: 'scenario JSON file (default: the built-in scenario)' })
          .option('clients', { type: 'number', describe: 'number of clients (overrides the scenario)' })
          .option('duration', { type: 'string', describe: 'simulated duration, e.g. 10d, 36h (overrides the scenario)' })
          .option('seed', { type: 'number', describe: 'random seed (overrides the scenario)' })
          .option('shard', { type: 'string', describe: 'K/N: run shard K of N of the clients (a contiguous range; ids, and so behaviour, as in the whole fleet), for runs on N machines merged afterwards' })
          .option('out', { type: 'string', describe: 'directory to write results.json into' })
          .option('trace', { type: 'string', describe: 'write the NDJSON event trace to this file' })
          .option('series-interval', { type: 'string', describe: 'simulated interval of the time series (default 1m, coarser when a run would have more than 100,000 intervals)' })
          .option('series-ndjson', { type: 'string', describe: 'also write the time series as NDJSON to this file, a line per interval as it completes' })
          .option('report', { type: 'boolean', default: true, describe: 'with --out, also write report.html (--no-report: only results.json)' })
          .option('quiet', { type: 'boolean', default: false, describe: 'no live progress (the summary is still printed)' })
          .option('progress-every', { type: 'string', describe: 'wall time between progress updates (default 250ms on a terminal, 5s as log lines otherwise)' })
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
          .option('threshold', { type: 'string', array: true, describe: 'a threshold to check at the end, e.g. state_latency_p99<20m (repeatable; adds to the scenario\'s)' }),
      async (a) => {
        try {
          if (a.clients !== undefined && (!Number.isInteger(a.clients) || a.clients < 1)) {
            throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', `--clients ${a.clients}: must be a whole number of at least 1`);
          }
          if (a.seed !== undefined && (!Number.isInteger(a.seed) || a.seed < 0 || a.seed > 0xffffffff)) {
            throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', `--seed ${a.seed}: must be a whole number from 0 to 4294967295`);
          }
          if (a.duration !== undefined && tryParseDuration(a.duration) === null) {
            throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', `--duration ${a.duration}: not a duration (examples: 10d, 36h, 90m)`);
          }
          const explicitInterval = a['series-interval'] !== undefined ? tryParseDuration(a['series-interval']) : undefined;
          if (explicitInterval === null || (explicitInterval !== undefined && explicitInterval <= 0)) {
            throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', `--series-interval ${a['series-interval']}: not a positive duration (examples: 1m, 1h)`);
          }
          const progressEvery = a['progress-every'] !== undefined ? tryParseDuration(a['progress-every']) : undefined;
          if (progressEvery === null || (progressEvery !== undefined && progressEvery < 10)) {
            throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', `--progress-every ${a['progress-every']}: a duration of at least 10ms (examples: 250ms, 5s)`);
          }
          const factor = a['time-factor'];
          if (!Number.isFinite(factor) || factor <= 0) {
            throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', `--time-factor ${factor}: must be a number above 0 (1 = real time)`);
          }
          const lagBound = tryParseDuration(a['lag-bound']);
          if (lagBound === null) throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', `--lag-bound ${a['lag-bound']}: not a duration (examples: 50ms, 1s)`);
          const eluBound = a['elu-bound'];
          if (!Number.isFinite(eluBound) || eluBound <= 0 || eluBound > 1) throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', `--elu-bound ${eluBound}: a share above 0 and at most 1 (1: never invalid for it)`);
          const clock = a.clock === 'scaled' ? ({ mode: 'scaled', timeFactor: factor, lagBoundMs: lagBound, eluBound } as const) : ({ mode: 'virtual' } as const);
          const external = { mp: a.mp, wsus: a.wsus, dp: a.dp };
          for (const [k, v] of Object.entries(external)) if (v !== undefined) checkUrl(`--${k}`, v);
          // scaled time is for load tests: it goes over HTTP unless told otherwise
          const kind = a.transport ?? (a.mp !== undefined || a.wsus !== undefined || a.dp !== undefined || a.clock === 'scaled' ? 'http' : 'in-process');
          if (kind === 'in-process' && (a.mp !== undefined || a.wsus !== undefined || a.dp !== undefined)) {
            throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', '--mp/--wsus/--dp need --transport http');
          }
          if ((a['tls-cert'] === undefined) !== (a['tls-key'] === undefined)) throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', '--tls-cert and --tls-key go together');
          if (!Number.isInteger(a.concurrency) || a.concurrency < 1) throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', `--concurrency ${a.concurrency}: a whole number of at least 1`);
          const tls = a['tls-cert'] !== undefined ? { cert: readFileArg('--tls-cert', a['tls-cert']), key: readFileArg('--tls-key', a['tls-key']!) } : undefined;
          const ca = a.ca !== undefined ? readFileArg('--ca', a.ca) : tls?.cert;
          const transport: TransportOptions = kind === 'http' ? { kind: 'http', external, sign: a.sign, ca, tls, concurrency: a.concurrency } : { kind: 'in-process' };
          const extraThresholds = (a.threshold ?? []).map((t, i) => ({ ...parseThreshold(String(t), `--threshold #${i + 1}`), abortOnFail: a['abort-on-fail'] }));
          if (a['abort-on-fail'] && extraThresholds.length === 0) throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', '--abort-on-fail: give the thresholds to check with --threshold');
          const input = a.scenario !== undefined ? readScenarioFile(a.scenario) : undefined;
          const sc = resolveScenario(input, a.scenario ?? '(built-in default)', { clients: a.clients, duration: a.duration, seed: a.seed, shard: a.shard });
          const seriesInterval = chooseSeriesInterval(sc.duration, explicitInterval);
          if (a.out !== undefined) ensureWritableDir(a.out);
          if (a.trace !== undefined) ensureWritableFileDir(a.trace, '--trace');
          if (a['series-ndjson'] !== undefined) ensureWritableFileDir(a['series-ndjson'], '--series-ndjson');
          const logger = createLogger(a['log-level']);
          const allThresholds = [...sc.thresholds, ...extraThresholds];
          const live = allThresholds.filter((t) => t.abortOnFail === true);
          const progress = createProgress({ stream: process.stderr, logger, quiet: a.quiet, name: sc.name, ...(progressEvery !== undefined ? { everyMs: progressEvery } : {}) });
          const ndjson = a['series-ndjson'] !== undefined ? new SeriesNdjsonWriter(a['series-ndjson'], sc.start) : null;
          // SIGINT / SIGTERM: stop where the run is and write what it measured, marked partial
          const stop = new AbortController();
          let stoppedBy: NodeJS.Signals | null = null;
          const onSignal = (sig: NodeJS.Signals) => {
            stoppedBy = sig;
            stop.abort();
          };
          process.once('SIGINT', onSignal);
          process.once('SIGTERM', onSignal);
          let outcome;
          try {
            outcome = await runFleet(sc, {
              tracePath: a.trace,
              logger,
              seriesInterval,
              clock,
              transport,
              signal: stop.signal,
              ...(progress !== null ? { onProgress: progress.update, progressEveryMs: progress.everyMs } : {}),
              ...(live.length > 0 ? { liveCheck: (now: () => RunOutcome) => liveThresholdCheck(now, live, sc.start) } : {}),
              ...(ndjson !== null ? { onInterval: ndjson.write } : {}),
            });
          } finally {
            ndjson?.close();
            process.off('SIGINT', onSignal);
            process.off('SIGTERM', onSignal);
          }
          const base = buildResults(outcome);
          const thresholds = evaluateThresholds(base, allThresholds);
          const results = { ...base, thresholds };
          if (a.out !== undefined) {
            writeFileSync(join(a.out, 'results.json'), formatResultsJson(results));
            if (a.report) writeReport(join(a.out, 'report.html'), results);
          }
          out(a.json ? formatResultsJson(results) : formatSummary(results) + formatThresholds(thresholds));
          if (stoppedBy !== null) {
            process.stderr.write(`suca-fleet: stopped by ${stoppedBy} at ${results.reached}: results are partial\n`);
            process.exitCode = stoppedBy === 'SIGINT' ? EXIT.INTERRUPTED : EXIT.TERMINATED;
          } else if (!results.valid) {
            // an invalid run's figures understate the load: its thresholds say nothing, whichever failed
            process.stderr.write(`suca-fleet: run invalid: ${results.clock.invalidReason}\n`);
            process.exitCode = EXIT.INVALID;
          } else if (results.abortedBy !== null) {
            const t = thresholds.find((x) => x.expr === results.abortedBy);
            process.stderr.write(`suca-fleet: threshold ${results.abortedBy} failed during the run (abortOnFail)${t?.value != null ? `: value ${formatValue(t.metric, t.value)}` : ''}; stopped at ${results.reached}, results are partial\n`);
            process.exitCode = EXIT.THRESHOLDS;
          } else if (thresholds.some((t) => !t.ok)) {
            process.stderr.write(`suca-fleet: ${thresholds.filter((t) => !t.ok).length} threshold(s) failed: ${thresholds.filter((t) => !t.ok).map((t) => t.expr).join(', ')}\n`);
            process.exitCode = EXIT.THRESHOLDS;
          }
        } catch (err) {
          fail(err);
        }
      },
    )
    .command(
      'stub',
      'Run the stub MP, WSUS and DP servers alone (for a fleet elsewhere, or real clients), until SIGINT/SIGTERM or --duration',
      (y) =>
        y
          .option('scenario', { type: 'string', describe: 'scenario JSON file (catalogue, deployments, faults, ...)' })
          .option('host', { type: 'string', default: '127.0.0.1', describe: 'address to bind' })
          .option('mp-port', { type: 'number', default: 0, describe: 'MP port (0: any free port)' })
          .option('wsus-port', { type: 'number', default: 0, describe: 'WSUS port (0: any free port)' })
          .option('dp-port', { type: 'number', default: 0, describe: 'DP port (0: any free port)' })
          .option('tls-cert', { type: 'string', describe: 'serve https with this certificate (PEM)' })
          .option('tls-key', { type: 'string', describe: 'the key of --tls-cert (PEM)' })
          .option('time-factor', { type: 'number', default: 1, describe: 'simulated seconds per wall second (scenario time windows, cookies)' })
          .option('verify', { type: 'boolean', default: true, describe: 'verify MP message signatures; --no-verify to accept unsigned messages' })
          .option('duration', { type: 'string', describe: 'stop by itself after this much wall time' })
          .option('log-level', { choices: LOG_LEVELS, default: 'info' as LogLevel, describe: 'pino log level (stderr)' }),
      async (a) => {
        try {
          for (const k of ['mp-port', 'wsus-port', 'dp-port'] as const) {
            const v = a[k];
            if (!Number.isInteger(v) || v < 0 || v > 65535) throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', `--${k} ${v}: a port from 0 to 65535`);
          }
          if (!(a['time-factor'] > 0)) throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', `--time-factor ${a['time-factor']}: must be above 0`);
          if ((a['tls-cert'] === undefined) !== (a['tls-key'] === undefined)) throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', '--tls-cert and --tls-key go together');
          const stopAfter = a.duration !== undefined ? tryParseDuration(a.duration) : null;
          if (a.duration !== undefined && stopAfter === null) throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', `--duration ${a.duration}: not a duration`);
          const sc = resolveScenario(a.scenario !== undefined ? readScenarioFile(a.scenario) : undefined, a.scenario ?? '(built-in default)');
          const tls = a['tls-cert'] !== undefined ? { cert: readFileArg('--tls-cert', a['tls-cert']), key: readFileArg('--tls-key', a['tls-key']!) } : undefined;
          await runStub(sc, {
            logger: createLogger(a['log-level']),
            host: a.host,
            ports: { mp: a['mp-port'], wsus: a['wsus-port'], dp: a['dp-port'] },
            tls,
            timeFactor: a['time-factor'],
            verifySignatures: a.verify,
            stopAfterMs: stopAfter,
            print: out,
          });
        } catch (err) {
          fail(err);
        }
      },
    )
    .command('compare <a> <b>', 'Two results.json side by side, with the ratio B / A of each headline figure', (y) =>
      y.positional('a', { type: 'string', demandOption: true }).positional('b', { type: 'string', demandOption: true }),
      (a) => {
        try {
          out(formatComparison(readResults(a.a), readResults(a.b), a.a, a.b));
        } catch (err) {
          fail(err);
        }
      },
    )
    .command('report <results>', 'Print the summary of a results.json and write its self-contained HTML report', (y) =>
      y
        .positional('results', { type: 'string', demandOption: true, describe: 'a results.json (of run or merge)' })
        .option('html', { type: 'string', describe: 'where to write the report (default: report.html beside the results file)' })
        .option('json', { type: 'boolean', default: false, describe: 'print nothing but the path of the report' }),
      (a) => {
        try {
          const r = readResults(a.results);
          const html = a.html ?? join(dirname(resolvePath(a.results)), 'report.html');
          ensureWritableFileDir(html, '--html');
          writeReport(html, r);
          out(a.json ? JSON.stringify({ report: html }) + '\n' : formatSummary(r) + formatThresholds(r.thresholds) + `\nReport: ${html}\n`);
        } catch (err) {
          fail(err);
        }
      },
    )
    .command('merge <files..>', 'Merge the results.json of shards or parallel runs into one (counters add, histograms merge exactly)', (y) =>
      y
        .positional('files', { type: 'string', array: true, demandOption: true, describe: 'two or more results.json' })
        .option('out', { type: 'string', describe: 'directory to write the merged results.json (and report.html) into' })
        .option('report', { type: 'boolean', default: true, describe: 'with --out, also write report.html' })
        .option('json', { type: 'boolean', default: false, describe: 'print the merged results.json instead of the summary' }),
      (a) => {
        try {
          const files = (a.files ?? []).map(String);
          const merged = mergeResults(files.map((file) => ({ r: readResults(file), file })));
          if (a.out !== undefined) {
            ensureWritableDir(a.out);
            writeFileSync(join(a.out, 'results.json'), formatResultsJson(merged));
            if (a.report) writeReport(join(a.out, 'report.html'), merged);
          }
          out(a.json ? formatResultsJson(merged) : formatSummary(merged) + formatThresholds(merged.thresholds));
          if (!merged.valid) process.exitCode = EXIT.INVALID;
          else if (merged.thresholds.some((t) => !t.ok)) process.exitCode = EXIT.THRESHOLDS;
        } catch (err) {
          fail(err);
        }
      },
    )
    .command('scenario <action> [file]', 'Print the default scenario, or check a scenario file', (y) =>
      y
        .positional('action', { choices: ['default', 'check'] as const, demandOption: true })
        .positional('file', { type: 'string', describe: 'scenario file (check)' }),
      (a) => {
        try {
          if (a.action === 'default') return out(JSON.stringify(DEFAULT_SCENARIO, null, 2) + '\n');
          if (a.file === undefined) throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', 'scenario check: give the scenario file to check');
          const sc = resolveScenario(readScenarioFile(a.file), a.file);
          out(`${a.file}: ok (${sc.name}: ${sc.clients} clients, ${sc.stub.deployments.length} deployments, ${sc.actions.length} actions, ${sc.stub.faults.length} faults)\n`);
        } catch (err) {
          fail(err);
        }
      },
    )
    .demandCommand(1, 'give a command: run, stub, report, compare, merge, scenario')
    .strict()
    .fail((msg, err) => {
      if (err) fail(err);
      process.stderr.write(`suca-fleet: SUCA_ERR_INVALID_ARGUMENT: ${msg}\nsee: suca-fleet --help\n`);
      process.exit(EXIT.CONFIG);
    })
    .help()
    .version(false)
    .parseAsync();
}

main(hideBin(process.argv)).catch(fail);
