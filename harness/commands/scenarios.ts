// suca-fleet scenarios: the scenario library (harness scenarios/), one line
// each: name, symptom, size, duration, from each file's own documentation
// fields (`symptom`, `description`) after its `extends` chain is merged and
// the whole scenario validated, so what is listed is what `run --scenario
// NAME` runs.

import { basename } from 'node:path';
import { formatDuration } from '../duration.js';
import { HarnessError } from '../errors.js';
import { libraryScenarios, loadScenario, loadScenarioFile } from '../scenario/extends.js';
import type { Io } from '../io.js';
import { parseFlags } from './common.js';

export const describe = 'List the scenario library: name, symptom, clients, duration (run one with run --scenario NAME)';

export interface LibraryListing {
  readonly name: string;
  readonly file: string;
  readonly symptom: string | null;
  readonly description: string | null;
  /** the file it extends, as written, or null */
  readonly extends: string | null;
  readonly clients: number;
  readonly duration: string;
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const parsed = parseFlags(argv, io, 'scenarios', (y) =>
    y.usage(`suca-fleet scenarios [--json]\n\n${describe}`).option('json', { type: 'boolean', default: false, describe: 'print the list as JSON' }),
  );
  if ('code' in parsed) return parsed.code;
  const list: LibraryListing[] = [];
  const problems: string[] = [];
  for (const e of libraryScenarios()) {
    try {
      const loaded = loadScenarioFile(e.file);
      const sc = loadScenario(e.file);
      const str = (k: string) => (typeof loaded.input[k] === 'string' ? (loaded.input[k] as string) : null);
      const own = loaded.chain.length > 1 ? basename(loaded.chain[1]!, '.json') : null;
      list.push({ name: e.name, file: e.file, symptom: str('symptom'), description: str('description'), extends: own, clients: sc.clients, duration: formatDuration(sc.duration) });
    } catch (err) {
      if (!(err instanceof HarnessError)) throw err;
      problems.push(`suca-fleet: ${err.code}: ${err.message}`);
    }
  }
  if (parsed.args.json) io.stdout.write(JSON.stringify(list, null, 2) + '\n');
  else io.stdout.write(formatListing(list));
  for (const p of problems) io.stderr.write(p + '\n');
  return problems.length > 0 ? 2 : 0;
}

function formatListing(list: readonly LibraryListing[]): string {
  const w = Math.max(4, ...list.map((l) => l.name.length));
  const head = `${'NAME'.padEnd(w)}  ${'CLIENTS'.padStart(7)}  ${'DURATION'.padEnd(8)}  SYMPTOM`;
  const rows = list.map((l) => `${l.name.padEnd(w)}  ${l.clients.toLocaleString('en-US').padStart(7)}  ${l.duration.padEnd(8)}  ${l.symptom ?? '-'}${l.extends !== null ? ` (extends ${l.extends})` : ''}`);
  return [head, ...rows, '', 'suca-fleet run --scenario NAME runs one (--clients, --duration change its size); README "Scenario library" explains each', ''].join('\n');
}
