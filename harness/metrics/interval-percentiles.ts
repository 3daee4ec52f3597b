// The p50 and p99 of one series interval's state latencies (series.stateLatencyP50/P99).
//
// Read as the run's HDR histograms read them (3 significant digits, the
// value reported the highest equivalent one of its bucket), but from the
// values themselves while there are few: an interval's HDR histogram cost
// about 40 µs to read and reset whatever it held (two walks of the counts
// array to the percentile, a clear of all of it), measured 0.04 ms for 10
// values, 0.085 ms for 1,000, 0.23 ms for 7,000, against 0.02 ms to sort
// 1,000 values and 0.41 ms for 7,000 (node 20, the 2-core VM). In the test
// suite the reads and resets were 3.4 s of CPU (--cpu-prof of every fork).
// So up to EXACT_MAX values are kept and sorted; past that the interval goes
// on in an HDR histogram as before. Either way the figures are the same:
// test/interval-percentiles checks them against the histogram (fast-check).

import type * as hdr from 'hdr-histogram-js';

/** Values kept as they are before the interval moves to the histogram. */
export const EXACT_MAX = 2048;

/** The highest value newHistogram() (lowest discernible 1, 3 significant digits: 2,048 sub-buckets) counts with v, a whole number >= 0. */
export function highestEquivalentValue(v: number): number {
  // the bucket: how many doublings past the first 2,048 values v is (a loop, not log2: log2(2^40 - 1) rounds to 40)
  let size = 1;
  while (v >= 2048 * size) size *= 2;
  return Math.floor(v / size) * size + size - 1;
}

/** The count the histogram walks to for percentile p of n values (its rounding, ulp and all). */
function countAt(p: number, n: number): number {
  const fp = (p / 100) * n;
  const ulp = 2 ** (Math.floor(Math.log2(fp)) - 52);
  return Math.max(Math.ceil(fp - ulp), 1);
}

export class IntervalPercentiles {
  private buf = new Float64Array(64);
  private n = 0;
  /** past EXACT_MAX values: the interval goes on here (made once, on first need; reset after each interval) */
  private hist: hdr.Histogram | null = null;
  private inHist = false;

  constructor(private readonly histogram: () => hdr.Histogram) {}

  get count(): number {
    return this.inHist ? this.hist!.totalCount : this.n;
  }

  record(v: number): void {
    if (this.inHist) {
      this.hist!.recordValue(v);
      return;
    }
    if (this.n === this.buf.length) {
      if (this.n >= EXACT_MAX) {
        const h = (this.hist ??= this.histogram());
        for (let i = 0; i < this.n; i++) h.recordValue(this.buf[i]!);
        h.recordValue(v);
        this.inHist = true;
        return;
      }
      const b = new Float64Array(this.n * 2);
      b.set(this.buf);
      this.buf = b;
    }
    // the histogram counts whole units (it truncates)
    this.buf[this.n++] = Math.floor(v);
  }

  /** n values v at once (the run-length recording of run-metrics.ts ingested()). */
  recordCount(v: number, n: number): void {
    // one at a time while the values are kept; the rest at once when (or once) the interval is in the histogram
    let k = 0;
    for (; k < n && !this.inHist; k++) this.record(v);
    if (k < n) this.hist!.recordValueWithCount(v, n - k);
  }

  /** [p50, p99] of what was recorded since the last take (null when nothing was), then empty. */
  take(): readonly [number, number] | null {
    if (this.inHist) {
      const h = this.hist!;
      const r = [h.getValueAtPercentile(50), h.getValueAtPercentile(99)] as const;
      h.reset();
      this.inHist = false;
      this.n = 0;
      return r;
    }
    const n = this.n;
    if (n === 0) return null;
    this.n = 0;
    const a = this.buf.subarray(0, n).sort();
    return [highestEquivalentValue(a[countAt(50, n) - 1]!), highestEquivalentValue(a[countAt(99, n) - 1]!)];
  }

  destroy(): void {
    this.hist?.destroy();
    this.hist = null;
    this.inHist = false;
    this.n = 0;
  }
}
