// suca-fleet command line. yargs in strict mode: unknown flags and commands
// are errors (exit 2), like every other configuration problem.

import { mkdirSync, writeFileSync, accessSync, constants as fsc } from 'node:fs';
import { join, resolve as resolvePath, dirname } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { DEFAULT_SCENARIO } from './scenario/defaults.js';
import { readScenarioFile, resolveScenario } from './scenario/resolve.js';
import { EXIT, HarnessError } from './errors.js';
import { createLogger, LOG_LEVELS, type LogLevel } from './logger.js';
import { runFleet } from './run.js';
import { buildResults } from './output/results.js';
import { formatSummary } from './output/summary.js';
import { tryParseDuration } from './duration.js';

function out(s: string): void {
  process.stdout.write(s);
}

function fail(err: unknown): never {
  if (err instanceof HarnessError) {
    process.stderr.write(`suca-fleet: ${err.code}: ${err.message}\n`);
    process.exit(err.code === 'SUCA_ERR_OUTPUT' ? EXIT.CONFIG : EXIT.CONFIG);
  }
  process.stderr.write(`suca-fleet: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(EXIT.INTERNAL);
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
          .option('lag-bound', { type: 'string', default: '1s', describe: 'scaled clock: the run is invalid when scheduler lag p99 exceeds this' }),
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
          const input = a.scenario !== undefined ? readScenarioFile(a.scenario) : undefined;
          const sc = resolveScenario(input, a.scenario ?? '(built-in default)', { clients: a.clients, duration: a.duration, seed: a.seed });
          if (a.out !== undefined) ensureWritableDir(a.out);
          if (a.trace !== undefined) ensureWritableFileDir(a.trace);
          const logger = createLogger(a['log-level']);
          const outcome = await runFleet(sc, { tracePath: a.trace, logger, seriesInterval, clock });
          const results = buildResults(outcome);
          if (a.out !== undefined) writeFileSync(join(a.out, 'results.json'), JSON.stringify(results, null, 2) + '\n');
          out(a.json ? JSON.stringify(results, null, 2) + '\n' : formatSummary(results));
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
    .demandCommand(1, 'give a command: run, scenario')
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
