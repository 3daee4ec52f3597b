// suca-fleet report FILE: the summary of a results.json and its HTML report.

import { dirname, join, resolve as resolvePath } from 'node:path';
import { formatThresholds } from '../thresholds.js';
import { writeReport } from '../output/report-html.js';
import { formatSummary } from '../output/summary.js';
import type { Io } from '../io.js';
import { ensureWritableFileDir } from '../output/writable.js';
import { parseFlags, readResults, reportError } from './common.js';

export const describe = 'Print the summary of a results.json and write its self-contained HTML report';

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const parsed = parseFlags(argv, io, 'report', (y) =>
    y.command('$0 <results>', describe, (c) =>
      c
        .positional('results', { type: 'string', demandOption: true, describe: 'a results.json (of run or merge)' })
        .option('html', { type: 'string', describe: 'where to write the report (default: report.html beside the results file)' })
        .option('json', { type: 'boolean', default: false, describe: 'print nothing but the path of the report' }),
    ),
  );
  if ('code' in parsed) return parsed.code;
  const a = parsed.args as unknown as { results: string; html?: string; json: boolean };
  try {
    const r = readResults(a.results);
    const html = a.html ?? join(dirname(resolvePath(a.results)), 'report.html');
    ensureWritableFileDir(html, '--html');
    writeReport(html, r);
    io.stdout.write(a.json ? JSON.stringify({ report: html }) + '\n' : formatSummary(r) + formatThresholds(r.thresholds) + `\nReport: ${html}\n`);
    return 0;
  } catch (err) {
    return reportError(io, err, `writing the report of ${a.results}`);
  }
}
