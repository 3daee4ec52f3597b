// suca-fleet scenario default [FILE] [--force] | check FILE.

import { DEFAULT_SCENARIO } from '../scenario/defaults.js';
import { loadScenario } from '../scenario/extends.js';
import { existsSync, writeFileSync } from 'node:fs';
import { HarnessError } from '../errors.js';
import type { Io } from '../io.js';
import { ensureWritableFileDir } from '../output/writable.js';
import { parseFlags, reportError } from './common.js';

export const describe = 'Print the default scenario (or write it to a file), or check a scenario file';

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const parsed = parseFlags(argv, io, 'scenario', (y) =>
    y.command('$0 <action> [file]', describe, (c) =>
      c
        .positional('action', { choices: ['default', 'check'] as const, demandOption: true })
        .positional('file', { type: 'string', describe: 'default: write the scenario to this file (instead of stdout); check: the scenario file to check' })
        .option('force', { type: 'boolean', default: false, describe: 'default FILE: overwrite FILE when it exists' }),
    ),
  );
  if ('code' in parsed) return parsed.code;
  const a = parsed.args as unknown as { action: 'default' | 'check'; file?: string; force: boolean };
  try {
    if (a.action === 'default') {
      const text = JSON.stringify(DEFAULT_SCENARIO, null, 2) + '\n';
      if (a.file === undefined) {
        io.stdout.write(text);
        return 0;
      }
      // a file given is written (it was ignored before: issue 10); an existing one only with --force
      if (existsSync(a.file) && !a.force) throw new HarnessError('SUCA_ERR_OUTPUT', `scenario default ${a.file}: the file exists; give --force to overwrite it`);
      ensureWritableFileDir(a.file, 'scenario default');
      writeFileSync(a.file, text);
      io.stdout.write(`${a.file}: the default scenario written\n`);
      return 0;
    }
    if (a.force) throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', 'scenario check: --force is for scenario default FILE');
    if (a.file === undefined) throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', 'scenario check: give the scenario file to check');
    const sc = loadScenario(a.file);
    io.stdout.write(`${a.file}: ok (${sc.name}: ${sc.clients} clients, ${sc.stub.deployments.length} deployments, ${sc.actions.length} actions, ${sc.stub.faults.length} faults)\n`);
    return 0;
  } catch (err) {
    return reportError(io, err, a.action === 'default' ? 'writing the default scenario' : `checking the scenario ${a.file ?? ''}`);
  }
}
