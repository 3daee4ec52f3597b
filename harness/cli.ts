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
import { runFleet, type TransportOptions } from './run.js';
import { runStub } from './stub.js';
import { buildResults, RESULTS_SCHEMA_VERSION, type Results } from './output/results.js';
import { evaluateThresholds, formatComparison, formatThresholds, parseThreshold } from './thresholds.js';
import { formatSummary } from './output/summary.js';
import { tryParseDuration } from './duration.js';

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
  if (r?.schemaVersion !== RESULTS_SCHEMA_VERSION) throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', `${file}: schemaVersion ${String(r?.schemaVersion)}, this suca-fleet reads ${RESULTS_SCHEMA_VERSION}`);
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

function ensureWritableFileDir(file: string): void {
  try {
    accessSync(dirname(resolvePath(file)), fsc.W_OK);
  } catch (err) {
    throw new HarnessError('SUCA_ERR_OUTPUT', `--trace ${file}: cannot write there (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
  }
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
          .option('out', { type: 'string', describe: 'directory to write results.json into' })
          .option('trace', { type: 'string', describe: 'write the NDJSON event trace to this file' })
          .option('series-interval', { type: 'string', default: '1h', describe: 'simulated interval of the time series in results.json' })
          .option('log-level', { choices: LOG_LEVELS, default: 'info' as LogLevel, describe: 'pino log level (logs go to stderr)' })
          .option('json', { type: 'boolean', default: false, describe: 'print results.json to stdout instead of the summary' })
          .option('clock', { choices: ['virtual', 'scaled'] as const, default: 'virtual' as const, describe: 'virtual: as fast as possible; scaled: wall clock x --time-factor' })
          .option('time-factor', { type: 'number', default: 1, describe: 'scaled clock: simulated seconds per wall second (1 = real time)' })
          .option('lag-bound', { type: 'string', default: '1s', describe: 'scaled clock: the run is invalid when scheduler lag p99 exceeds this' })
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
          const seriesInterval = tryParseDuration(a['series-interval']);
          if (seriesInterval === null || seriesInterval <= 0) {
            throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', `--series-interval ${a['series-interval']}: not a positive duration (examples: 1m, 1h)`);
          }
          const factor = a['time-factor'];
          if (!Number.isFinite(factor) || factor <= 0) {
            throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', `--time-factor ${factor}: must be a number above 0 (1 = real time)`);
          }
          const lagBound = tryParseDuration(a['lag-bound']);
          if (lagBound === null) throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', `--lag-bound ${a['lag-bound']}: not a duration (examples: 50ms, 1s)`);
          const clock = a.clock === 'scaled' ? ({ mode: 'scaled', timeFactor: factor, lagBoundMs: lagBound } as const) : ({ mode: 'virtual' } as const);
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
          const extraThresholds = (a.threshold ?? []).map((t, i) => parseThreshold(String(t), `--threshold #${i + 1}`));
          const input = a.scenario !== undefined ? readScenarioFile(a.scenario) : undefined;
          const sc = resolveScenario(input, a.scenario ?? '(built-in default)', { clients: a.clients, duration: a.duration, seed: a.seed });
          if (a.out !== undefined) ensureWritableDir(a.out);
          if (a.trace !== undefined) ensureWritableFileDir(a.trace);
          const logger = createLogger(a['log-level']);
          // SIGINT / SIGTERM: stop where the run is and write what it measured, marked partial
          const stop = new AbortController();
          let stoppedBy: NodeJS.Signals | null = null;
          const onSignal = (sig: NodeJS.Signals) => {
            stoppedBy = sig;
            stop.abort();
          };
          process.once('SIGINT', onSignal);
          process.once('SIGTERM', onSignal);
          const outcome = await runFleet(sc, { tracePath: a.trace, logger, seriesInterval, clock, transport, signal: stop.signal });
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          const base = buildResults(outcome);
          const thresholds = evaluateThresholds(base, [...sc.thresholds, ...extraThresholds]);
          const results = { ...base, thresholds };
          if (a.out !== undefined) writeFileSync(join(a.out, 'results.json'), JSON.stringify(results, null, 2) + '\n');
          out(a.json ? JSON.stringify(results, null, 2) + '\n' : formatSummary(results) + formatThresholds(thresholds));
          if (stoppedBy !== null) {
            process.stderr.write(`suca-fleet: stopped by ${stoppedBy} at ${results.reached}: results are partial\n`);
            process.exitCode = stoppedBy === 'SIGINT' ? EXIT.INTERRUPTED : EXIT.TERMINATED;
          } else if (!results.valid) {
            process.stderr.write(`suca-fleet: run invalid: ${results.clock.invalidReason}\n`);
            process.exitCode = EXIT.INVALID;
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
    .demandCommand(1, 'give a command: run, stub, compare, scenario')
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
