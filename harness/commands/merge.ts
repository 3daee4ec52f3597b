// suca-fleet merge FILES...: shards or parallel runs into one results.json.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatResultsJson } from '../output/results.js';
import { formatThresholds, parseThreshold, type Threshold } from '../thresholds.js';
import { writeReport } from '../output/report-html.js';
import { mergeResults } from '../output/merge.js';
import { formatSummary, formatWritten } from '../output/summary.js';
import { verdictOf } from '../exit.js';
import type { Io } from '../io.js';
import { ensureWritableDir } from '../output/writable.js';
import { parseFlags, Problems, readResultsFile, reportError } from './common.js';

export const describe = 'Merge the results.json of shards or parallel runs into one (counters add, histograms merge exactly)';

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const parsed = parseFlags(argv, io, 'merge', (y) =>
    y.command('$0 <files..>', describe, (c) =>
      c
        .positional('files', { type: 'string', array: true, demandOption: true, describe: 'two or more results.json, or logs with one results line per shard (run --json-line, kubectl logs)' })
        .option('threshold', { type: 'string', array: true, describe: 'a threshold to check on the merged figures (repeatable; adds to the inputs\' own)' })
        .option('out', { type: 'string', describe: 'directory to write the merged results.json (and report.html) into' })
        .option('report', { type: 'boolean', default: true, describe: 'with --out, also write report.html' })
        .option('json', { type: 'boolean', default: false, describe: 'print the merged results.json instead of the summary' })
        .option('force', { type: 'boolean', default: false, describe: 'merge inputs whose scenario names or seeds differ (listed in merged.from and merged.forced)' }),
    ),
  );
  if ('code' in parsed) return parsed.code;
  const a = parsed.args as unknown as { files: string[]; out?: string; report: boolean; json: boolean; force: boolean; threshold?: string[] };
  try {
    const files = (a.files ?? []).map(String);
    // every file read, every file's problems reported
    const p = new Problems();
    const inputs = files.flatMap((file) => p.try(() => readResultsFile(file)) ?? []);
    const thresholds = (a.threshold ?? []).flatMap((t, i) => p.try(() => parseThreshold(String(t), `--threshold #${i + 1}`)) ?? ([] as Threshold[]));
    const bad = p.report(io);
    if (bad !== null) return bad;
    const merged = mergeResults(inputs, { force: a.force, thresholds, warn: (m) => io.stderr.write(`suca-fleet: warning: ${m}\n`) });
    const written: { what: string; path: string }[] = [];
    if (a.out !== undefined) {
      ensureWritableDir(a.out);
      writeFileSync(join(a.out, 'results.json'), formatResultsJson(merged));
      written.push({ what: 'results.json', path: join(a.out, 'results.json') });
      if (a.report) {
        writeReport(join(a.out, 'report.html'), merged);
        written.push({ what: 'report.html', path: join(a.out, 'report.html') });
      }
    }
    io.stdout.write(a.json ? formatResultsJson(merged) : formatSummary(merged) + formatThresholds(merged.thresholds) + formatWritten(written));
    const verdict = verdictOf(merged);
    if (verdict.message !== null) io.stderr.write(`suca-fleet: ${verdict.message}\n`);
    return verdict.code;
  } catch (err) {
    return reportError(io, err, 'merging the results');
  }
}
