// merge of results.json wallSeries (harness/output/merge-wall.ts): shards'
// wall-time buckets laid on one axis from the earliest start; counts add, a
// bucket's percentile is the highest input's and is named approximate.

import { describe, expect, it } from 'vitest';
import { mergeWallSeries } from '../harness/output/merge-wall.js';
import type { WallSeriesFigures } from '../harness/metrics/wall-series.js';

const shard = (start: string, intervalMs: number, requests: number[], p99: (number | null)[], e503: number[]): WallSeriesFigures => ({
  start,
  intervalMs,
  length: requests.length,
  endpoints: { mp: { requests, errors: e503, p50: p99.map((x) => (x === null ? null : x / 4)), p95: p99.map((x) => (x === null ? null : x / 2)), p99 } },
  statuses: { '200': requests.reduce((a, b) => a + b, 0) - e503.reduce((a, b) => a + b, 0), '503': e503.reduce((a, b) => a + b, 0) },
  errorsByStatus: { '503': e503 },
  errorsByCode: { '0x80244022': e503 },
});

describe('merge of wallSeries', () => {
  it('aligns shards on wall dates, adds counts, keeps the highest percentile and says so', () => {
    const a = shard('2026-01-01T10:00:00.000Z', 1000, [5, 6, 7], [10, null, 30], [0, 1, 0]);
    const b = shard('2026-01-01T10:00:02.000Z', 1000, [1, 2], [50, 5], [2, 0]);
    const approximate: string[] = [];
    const m = mergeWallSeries([{ wallSeries: a }, { wallSeries: b }, {}], approximate)!;
    expect(m.start).toBe('2026-01-01T10:00:00.000Z');
    expect(m.intervalMs).toBe(1000);
    expect(m.length).toBe(4);
    expect(m.endpoints.mp!.requests).toEqual([5, 6, 8, 2]);
    expect(m.endpoints.mp!.p99).toEqual([10, null, 50, 5]);
    expect(m.errorsByStatus['503']).toEqual([0, 1, 2, 0]);
    expect(m.statuses).toEqual({ '200': 17 + 1, '503': 1 + 2 });
    expect(approximate.some((x) => x.startsWith('wallSeries.endpoints'))).toBe(true);
  });

  it('uses the coarsest interval, and widens it until runs days apart fit 3,600 buckets', () => {
    const a = shard('2026-01-01T00:00:00.000Z', 1000, [1, 1, 1, 1], [1, 2, 3, 4], [0, 0, 0, 0]);
    const b = shard('2026-01-01T00:00:00.000Z', 2000, [3, 3], [9, 1], [0, 0]);
    const m = mergeWallSeries([{ wallSeries: a }, { wallSeries: b }], [])!;
    expect(m.intervalMs).toBe(2000);
    expect(m.endpoints.mp!.requests).toEqual([5, 5]);
    expect(m.endpoints.mp!.p99).toEqual([9, 4]);
    const far = shard('2026-01-08T00:00:00.000Z', 1000, [1], [1], [0]);
    const w = mergeWallSeries([{ wallSeries: a }, { wallSeries: far }], [])!;
    expect(w.length).toBeLessThanOrEqual(3600);
    expect(w.endpoints.mp!.requests.reduce((x, y) => x + y, 0)).toBe(5);
  });

  it('gives nothing when no input has a wallSeries (in-process runs)', () => {
    const approximate: string[] = [];
    expect(mergeWallSeries([{}, {}], approximate)).toBeNull();
    expect(approximate).toEqual([]);
  });
});
