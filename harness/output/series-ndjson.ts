// --series-ndjson FILE: the time series as NDJSON, one line per simulated
// interval, written as each interval completes (its counts are final once the
// fleet's clock passes its end), so another tool can tail the file during a
// long scaled run. Lines are buffered and written synchronously in 64 KiB
// blocks; the file is flushed at the end or when the run is stopped.

import { closeSync, openSync, writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { hresultHex } from '../../agent/core/constants.js';
import { HarnessError } from '../errors.js';
import { SERIES_NAMES, type RunMetrics } from '../metrics/run-metrics.js';

export class SeriesNdjsonWriter {
  private readonly fd: number;
  private buf = '';
  private flushedAt = performance.now();
  lines = 0;

  constructor(readonly file: string, private readonly start: number) {
    try {
      this.fd = openSync(file, 'w');
    } catch (err) {
      throw new HarnessError('SUCA_ERR_OUTPUT', `--series-ndjson ${file}: cannot write (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
    }
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
    const c = m.series.compliance;
    o.compliance = { unknown: c.unknown[i], notRequired: c.notRequired[i], required: c.required[i], installed: c.installed[i] };
    this.buf += JSON.stringify(o) + '\n';
    this.lines++;
    // a tailing reader sees each line within a second (scaled runs) without a write per line in virtual time
    const now = performance.now();
    if (this.buf.length >= 1 << 16 || now - this.flushedAt >= 1000) this.flush();
  };

  flush(): void {
    this.flushedAt = performance.now();
    if (this.buf.length > 0) {
      writeSync(this.fd, this.buf);
      this.buf = '';
    }
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
