// --series-ndjson FILE: the time series as NDJSON, one line per simulated
// interval, written as each interval completes (its counts are final once the
// fleet's clock passes its end), so another tool can tail the file during a
// long scaled run.

import { hresultHex } from '../../agent/core/constants.js';
import { LineFile } from './line-file.js';
import { SERIES_NAMES, type RunMetrics } from '../metrics/run-metrics.js';

export class SeriesNdjsonWriter {
  // a reader following the file sees each line within a second (scaled runs), without a write per line in virtual time
  private readonly out: LineFile;

  constructor(readonly file: string, private readonly start: number) {
    this.out = new LineFile(file, `--series-ndjson ${file}`, 1 << 16, 1000);
  }

  get lines(): number {
    return this.out.lines;
  }

  /** The line of interval i (exported shape: `{t, i, ...series, errors, compliance}`). */
  readonly write = (i: number, m: RunMetrics): void => {
    const o: Record<string, unknown> = { t: new Date(this.start + i * m.interval).toISOString(), i };
    for (const k of SERIES_NAMES) {
      const v = m.series.counts[k][i]!;
      o[k] = Number.isFinite(v) ? v : null;
    }
    const errors: Record<string, number> = {};
    for (const [code, a] of m.series.errorsByCode) if (a[i]! > 0) errors[hresultHex(code)] = a[i]!;
    o.errors = errors;
    // per SUP and per DP, the servers with a count in this interval
    for (const [name, mp] of [['scansBySup', m.series.scansBySup], ['downloadsByDp', m.series.downloadsByDp]] as const) {
      const x: Record<string, number> = {};
      for (const [k, a] of mp) if (a[i]! > 0) x[k] = a[i]!;
      o[name] = x;
    }
    const c = m.series.compliance;
    o.compliance = { unknown: c.unknown[i], notRequired: c.notRequired[i], required: c.required[i], installed: c.installed[i] };
    this.out.append(JSON.stringify(o));
  };

  close(): void {
    this.out.close();
  }
}
