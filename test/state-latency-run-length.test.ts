// harness/metrics/run-metrics: the state-message latency histograms and the
// series' per-interval p50 / p99 are recorded a run of equal messages at a
// time (recordValueWithCount). They must read exactly as if every message had
// been recorded on its own: the same four histograms (every count of every
// bucket), the same series, whatever the runs, intervals and read points
// (fast-check against plain HDR histograms and IntervalPercentiles fed one
// value at a time).

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type * as hdr from 'hdr-histogram-js';
import { RunMetrics, newHistogram } from '../harness/metrics/run-metrics.js';
import { EXACT_MAX, IntervalPercentiles, highestEquivalentValue as top } from '../harness/metrics/interval-percentiles.js';

const INTERVAL = 60_000;
const INTERVALS = 5;

interface Msg {
  readonly t: number;
  readonly queuedAt: number;
  readonly sentAt: number;
  readonly receivedAt: number;
}

// a message: ingested at t, its three earlier times drawn small so that runs of equal figures are common
const group = fc.record({
  dt: fc.integer({ min: 0, max: 30_000 }),
  back: fc.integer({ min: 0, max: 3 }),
  cycle: fc.integer({ min: 0, max: 3 }),
  flight: fc.integer({ min: 0, max: 2 }),
  // how many messages of the same figures in a row (a report's states)
  repeat: fc.integer({ min: 1, max: 40 }),
});

function messages(groups: readonly { dt: number; back: number; cycle: number; flight: number; repeat: number }[]): Msg[] {
  const out: Msg[] = [];
  let t = 0;
  for (const g of groups) {
    t += g.dt;
    if (t >= INTERVAL * INTERVALS) break;
    const receivedAt = t - g.back * 1000;
    const sentAt = receivedAt - g.flight * 7;
    const queuedAt = sentAt - g.cycle * 60_000;
    for (let k = 0; k < g.repeat; k++) out.push({ t, queuedAt, sentAt, receivedAt });
  }
  return out;
}

function counts(h: hdr.Histogram): string {
  // every bucket's count, as the histogram's own text output lists them
  return h.outputPercentileDistribution(1);
}

describe('state latency recorded run by run', () => {
  it('the four histograms and the series p50 / p99 equal those of recording every message', () => {
    fc.assert(
      fc.property(fc.array(group, { minLength: 0, maxLength: 60 }), fc.integer({ min: 0, max: 200 }), (groups, readAt) => {
        const msgs = messages(groups);
        const m = new RunMetrics({ start: 0, end: INTERVAL * INTERVALS, interval: INTERVAL, clients: 1 }, { detectCounts: new Float64Array(4), backlog: 0 });
        const ref = { latency: newHistogram(), cycle: newHistogram(), flight: newHistogram(), backlog: newHistogram() };
        const refIp = new IntervalPercentiles(newHistogram);
        const refP50 = new Float64Array(INTERVALS).fill(NaN);
        const refP99 = new Float64Array(INTERVALS).fill(NaN);
        let slot = -1;
        const take = (): void => {
          const p = refIp.take();
          if (p !== null && slot >= 0) {
            refP50[slot] = p[0];
            refP99[slot] = p[1];
          }
        };
        try {
          msgs.forEach((x, k) => {
            m.ingested(x.t, 0, 0, 0, x.queuedAt, x.sentAt, x.receivedAt);
            const i = Math.floor(x.t / INTERVAL);
            if (i !== slot) {
              take();
              slot = i;
            }
            const latency = Math.max(0, x.t - x.queuedAt);
            ref.latency.recordValue(latency);
            ref.cycle.recordValue(Math.max(0, x.sentAt - x.queuedAt));
            ref.flight.recordValue(Math.max(0, x.receivedAt - x.sentAt));
            ref.backlog.recordValue(Math.max(0, x.t - x.receivedAt));
            refIp.record(latency);
            // a read in the middle of a run (a live snapshot, results built early) loses nothing and counts nothing twice
            if (k === readAt) expect(m.stateLatency.totalCount).toBe(k + 1);
          });
          m.finish();
          take();
          expect(m.stateLatency.totalCount).toBe(msgs.length);
          expect(counts(m.stateLatency)).toBe(counts(ref.latency));
          expect(counts(m.stateWaitCycle)).toBe(counts(ref.cycle));
          expect(counts(m.stateInFlight)).toBe(counts(ref.flight));
          expect(counts(m.stateWaitBacklog)).toBe(counts(ref.backlog));
          expect(Array.from(m.series.counts.stateLatencyP50)).toEqual(Array.from(refP50));
          expect(Array.from(m.series.counts.stateLatencyP99)).toEqual(Array.from(refP99));
          expect(Array.from(m.series.counts.stateIngested).reduce((a, b) => a + b, 0)).toBe(msgs.length);
        } finally {
          m.destroy();
          for (const h of Object.values(ref)) h.destroy();
          refIp.destroy();
        }
      }),
      { numRuns: 150 },
    );
  });

  it('a long run of equal messages is one record, and reads as its count (past EXACT_MAX too)', () => {
    const m = new RunMetrics({ start: 0, end: INTERVAL, interval: INTERVAL, clients: 1 }, { detectCounts: new Float64Array(4), backlog: 0 });
    try {
      for (let k = 0; k < 5000; k++) m.ingested(30_000, 0, 0, 0, 10_000, 20_000, 25_000);
      m.ingested(30_000, 0, 0, 0, 0, 20_000, 25_000);
      m.finish();
      expect(m.stateLatency.totalCount).toBe(5001);
      expect(m.stateLatency.maxValue).toBe(30_000);
      expect(m.stateWaitCycle.getValueAtPercentile(50)).toBe(top(10_000));
      expect(m.stateInFlight.minNonZeroValue).toBe(5000);
      expect(m.stateWaitBacklog.getValueAtPercentile(99)).toBe(top(5000));
      // 5,000 of 20,000 ms and one of 30,000: p50 and p99 are the 20,000's bucket
      expect(m.series.counts.stateLatencyP50[0]).toBe(top(20_000));
      expect(m.series.counts.stateLatencyP99[0]).toBe(top(20_000));
    } finally {
      m.destroy();
    }
  });
});

describe('IntervalPercentiles.recordCount', () => {
  it('n at once reads as n one at a time, below, across and past EXACT_MAX', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3_600_000 }), fc.integer({ min: 1, max: EXACT_MAX + 100 })), { minLength: 1, maxLength: 8 }),
        (pairs) => {
          const a = new IntervalPercentiles(newHistogram);
          const b = new IntervalPercentiles(newHistogram);
          try {
            let n = 0;
            for (const [v, c] of pairs) {
              a.recordCount(v, c);
              for (let k = 0; k < c; k++) b.record(v);
              n += c;
              expect(a.count).toBe(n);
            }
            expect(a.take()).toEqual(b.take());
            // and empty after the take, ready for the next interval
            expect(a.count).toBe(0);
          } finally {
            a.destroy();
            b.destroy();
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
