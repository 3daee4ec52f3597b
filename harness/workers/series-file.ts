// run --workers N --series-ndjson FILE in virtual time: the workers' series
// are merged at the end (mergeResults), so the NDJSON file is written from
// the merged series then, a line per interval in the format a single run
// streams (output/series-ndjson.ts: {t, i, ...series, errors, compliance}).
// A virtual-time run takes seconds, so nobody tails it; what differs from a
// single run's file: the lines appear at the end, the error codes of a line
// are in code order (a single run lists them as first seen), and the state
// latency percentiles are the merge's upper bound (merged.approximate).

import { LineFile } from '../output/line-file.js';
import { SERIES_NAMES } from '../metrics/run-metrics.js';
import type { Results } from '../output/results.js';

export function writeSeriesNdjson(file: string, r: Results): number {
  const s = r.series as unknown as Record<string, unknown> & { start: string; intervalMs: number; length: number; errors: Record<string, (number | null)[]>; compliance: Record<string, (number | null)[]> | null };
  const out = new LineFile(file, `--series-ndjson ${file}`, 1 << 16);
  const start = Date.parse(s.start);
  // a partial run's series stop where it stopped: as many lines as the merged series have intervals
  try {
    for (let i = 0; i < s.length; i++) {
      const o: Record<string, unknown> = { t: new Date(start + i * s.intervalMs).toISOString(), i };
      for (const k of SERIES_NAMES) {
        const a = s[k] as (number | null)[] | null;
        const v = a?.[i];
        o[k] = v === undefined || v === null || !Number.isFinite(v) ? null : v;
      }
      const errors: Record<string, number> = {};
      for (const [code, a] of Object.entries(s.errors)) if ((a[i] ?? 0) > 0) errors[code] = a[i]!;
      o.errors = errors;
      const c = s.compliance;
      o.compliance = c === null ? null : { unknown: c.unknown![i], notRequired: c.notRequired![i], required: c.required![i], installed: c.installed![i] };
      out.append(JSON.stringify(o));
    }
  } finally {
    out.close();
  }
  return out.lines;
}
