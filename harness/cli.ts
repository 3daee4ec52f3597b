// suca-fleet command line: the command name picks a file of harness/commands/,
// each `main(argv, io) -> exit code`. Nothing here exits or touches the
// process: bin/suca-fleet.js passes the process's io and exits with the code;
// tests call main() in-process with buffers and an EventEmitter for signals.
// Adding a command is a file in commands/ and a line in COMMANDS.

import { EXIT } from './errors.js';
import type { Command, Io } from './io.js';
import { TOOL_VERSION } from './output/results.js';
import * as run from './commands/run.js';
import * as stub from './commands/stub.js';
import * as report from './commands/report.js';
import * as compare from './commands/compare.js';
import * as merge from './commands/merge.js';
import * as scenario from './commands/scenario.js';
import * as scenarios from './commands/scenarios.js';
import { reportError } from './commands/common.js';

interface CommandModule {
  readonly main: Command;
  readonly describe: string;
}

const COMMANDS: Readonly<Record<string, { readonly usage: string; readonly m: CommandModule }>> = {
  run: { usage: 'run', m: run },
  stub: { usage: 'stub', m: stub },
  report: { usage: 'report <results>', m: report },
  compare: { usage: 'compare <a> <b>', m: compare },
  merge: { usage: 'merge <files..>', m: merge },
  scenario: { usage: 'scenario <action> [file]', m: scenario },
  scenarios: { usage: 'scenarios', m: scenarios },
};

function usage(): string {
  const w = Math.max(...Object.values(COMMANDS).map((c) => c.usage.length));
  return [
    'suca-fleet <command> [options]',
    '',
    'Commands:',
    ...Object.values(COMMANDS).map((c) => `  suca-fleet ${c.usage.padEnd(w)}  ${c.m.describe}`),
    '',
    'suca-fleet <command> --help: the options of a command; suca-fleet --version: the version',
    '',
  ].join('\n');
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V' || name === 'version') {
    io.stdout.write(`suca-fleet ${TOOL_VERSION} (Node ${process.versions.node})\n`);
    return EXIT.OK;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage());
    return EXIT.OK;
  }
  const c = name !== undefined ? COMMANDS[name] : undefined;
  if (c === undefined) {
    const what = name === undefined ? 'give a command: ' : `unknown command ${name}; the commands: `;
    io.stderr.write(`suca-fleet: SUCA_ERR_INVALID_ARGUMENT: ${what}${Object.keys(COMMANDS).join(', ')}\nsee: suca-fleet --help\n`);
    return EXIT.CONFIG;
  }
  try {
    return await c.m.main(rest, io);
  } catch (err) {
    // every command catches its own errors; this is the net under them (never a stack unless SUCA_FLEET_DEBUG=1)
    return reportError(io, err, `running suca-fleet ${name}`);
  }
}
