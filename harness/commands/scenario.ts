// suca-fleet scenario default | check FILE.

import { DEFAULT_SCENARIO } from '../scenario/defaults.js';
import { loadScenario } from '../scenario/extends.js';
import { HarnessError } from '../errors.js';
import type { Io } from '../io.js';
import { parseFlags, reportError } from './common.js';

export const describe = 'Print the default scenario, or check a scenario file';

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const parsed = parseFlags(argv, io, 'scenario', (y) =>
    y.command('$0 <action> [file]', describe, (c) =>
      c.positional('action', { choices: ['default', 'check'] as const, demandOption: true }).positional('file', { type: 'string', describe: 'scenario file (check)' }),
    ),
  );
  if ('code' in parsed) return parsed.code;
  const a = parsed.args as unknown as { action: 'default' | 'check'; file?: string };
  try {
    if (a.action === 'default') {
      io.stdout.write(JSON.stringify(DEFAULT_SCENARIO, null, 2) + '\n');
      return 0;
    }
    if (a.file === undefined) throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', 'scenario check: give the scenario file to check');
    const sc = loadScenario(a.file);
    io.stdout.write(`${a.file}: ok (${sc.name}: ${sc.clients} clients, ${sc.stub.deployments.length} deployments, ${sc.actions.length} actions, ${sc.stub.faults.length} faults)\n`);
    return 0;
  } catch (err) {
    return reportError(io, err);
  }
}
