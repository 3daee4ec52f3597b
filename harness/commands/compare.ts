// suca-fleet compare A B: two results.json side by side.

import { formatComparison } from '../thresholds.js';
import type { Io } from '../io.js';
import { parseFlags, Problems, readResults, reportError } from './common.js';

export const describe = 'Two results.json side by side, with the ratio B / A of each headline figure';

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const parsed = parseFlags(argv, io, 'compare', (y) =>
    y.command('$0 <a> <b>', describe, (c) => c.positional('a', { type: 'string', demandOption: true }).positional('b', { type: 'string', demandOption: true })),
  );
  if ('code' in parsed) return parsed.code;
  const { a, b } = parsed.args as unknown as { a: string; b: string };
  try {
    // both files checked, both files' problems reported
    const p = new Problems();
    const ra = p.try(() => readResults(a));
    const rb = p.try(() => readResults(b));
    const bad = p.report(io);
    if (bad !== null) return bad;
    io.stdout.write(formatComparison(ra!, rb!, a, b));
    return 0;
  } catch (err) {
    return reportError(io, err, 'comparing the results');
  }
}
