// harness/metrics/interval-percentiles: an interval's state latency p50 / p99
// read from the values themselves (up to EXACT_MAX, then an HDR histogram)
// equal what the run's HDR histogram (newHistogram: WebAssembly, 3
// significant digits) reads, for any values, whole or not, small or up to
// 2^40, interval after interval (fast-check against the histogram itself).

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { newHistogram } from '../harness/metrics/run-metrics.js';
import { EXACT_MAX, IntervalPercentiles, highestEquivalentValue } from '../harness/metrics/interval-percentiles.js';

const value = fc.oneof(
  fc.integer({ min: 0, max: 5_000 }),
  fc.integer({ min: 0, max: 3_600_000 }),
  fc.double({ min: 0, max: 1e7, noNaN: true }),
  fc.integer({ min: 0, max: 2 ** 40 - 1 }),
);

describe('interval percentiles', () => {
  it('the same p50 and p99 as the HDR histogram, interval after interval', () => {
    const ref = newHistogram();
    const ip = new IntervalPercentiles(newHistogram);
    try {
      fc.assert(
        fc.property(fc.array(fc.array(value, { minLength: 0, maxLength: 400, size: 'max' }), { minLength: 1, maxLength: 6 }), (intervals) => {
          for (const vs of intervals) {
            for (const v of vs) {
              ref.recordValue(v);
              ip.record(v);
            }
            expect(ip.count).toBe(vs.length);
            const got = ip.take();
            if (vs.length === 0) expect(got).toBeNull();
            else expect(got).toEqual([ref.getValueAtPercentile(50), ref.getValueAtPercentile(99)]);
            ref.reset();
          }
        }),
        { numRuns: 300 },
      );
    } finally {
      ref.destroy();
      ip.destroy();
    }
  });

  it('past EXACT_MAX values the interval goes on in a histogram, with the same figures, and the next interval starts empty', () => {
    const ref = newHistogram();
    const ip = new IntervalPercentiles(newHistogram);
    try {
      fc.assert(
        fc.property(fc.integer({ min: EXACT_MAX - 2, max: EXACT_MAX + 500 }), fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 1, max: 40 }), (n, seed, small) => {
          let x = seed;
          for (let i = 0; i < n; i++) {
            x = (x * 1103515245 + 12345) % 2147483648;
            const v = x % 2_000_000;
            ref.recordValue(v);
            ip.record(v);
          }
          expect(ip.count).toBe(n);
          expect(ip.take()).toEqual([ref.getValueAtPercentile(50), ref.getValueAtPercentile(99)]);
          ref.reset();
          for (let i = 0; i < small; i++) {
            ref.recordValue(i * 37);
            ip.record(i * 37);
          }
          expect(ip.take()).toEqual([ref.getValueAtPercentile(50), ref.getValueAtPercentile(99)]);
          ref.reset();
        }),
        { numRuns: 40 },
      );
    } finally {
      ref.destroy();
      ip.destroy();
    }
  });

  it('highestEquivalentValue: single units below 2,048, then buckets doubling', () => {
    expect(highestEquivalentValue(0)).toBe(0);
    expect(highestEquivalentValue(2047)).toBe(2047);
    expect(highestEquivalentValue(2048)).toBe(2049);
    expect(highestEquivalentValue(4095)).toBe(4095);
    expect(highestEquivalentValue(4096)).toBe(4099);
    expect(highestEquivalentValue(2 ** 40 - 1)).toBe(2 ** 40 - 1);
  });
});
