// merge for results.json's wallSeries (harness/metrics/wall-series.ts): the
// inputs' buckets laid on one wall-time axis, from the earliest start, at the
// coarsest input's interval (doubled until the span fits MAX_BUCKETS: shards
// run days apart would otherwise make millions of empty buckets). Counts add;
// a percentile of a merged bucket is the highest of the inputs' (an upper
// bound, named in merged.approximate): the buckets keep no histogram.

import { MAX_BUCKETS, type WallSeriesFigures, type WallEndpointSeries } from '../metrics/wall-series.js';

export function mergeWallSeries(inputs: readonly { wallSeries?: WallSeriesFigures | undefined }[], approximate: string[]): WallSeriesFigures | null {
  const ws = inputs.map((r) => r.wallSeries).filter((w): w is WallSeriesFigures => w !== undefined && w !== null);
  if (ws.length === 0) return null;
  const t0 = Math.min(...ws.map((w) => Date.parse(w.start)));
  let interval = Math.max(...ws.map((w) => w.intervalMs));
  const end = Math.max(...ws.map((w) => Date.parse(w.start) - t0 + w.length * w.intervalMs));
  while (Math.ceil(end / interval) > MAX_BUCKETS) interval *= 2;
  const n = Math.max(1, Math.ceil(end / interval));
  const at = (w: WallSeriesFigures, i: number) => Math.min(n - 1, Math.floor((Date.parse(w.start) - t0 + i * w.intervalMs) / interval));
  const add = (into: number[], w: WallSeriesFigures, a: readonly number[]) => a.forEach((v, i) => (into[at(w, i)]! += v));
  const top = (into: (number | null)[], w: WallSeriesFigures, a: readonly (number | null)[]) =>
    a.forEach((v, i) => {
      if (v === null) return;
      const j = at(w, i);
      into[j] = into[j] === null ? v : Math.max(into[j]!, v);
    });
  const zeros = () => new Array<number>(n).fill(0);
  const endpoints: Record<string, WallEndpointSeries> = {};
  const statuses: Record<string, number> = {};
  const keyed = (pick: (w: WallSeriesFigures) => Record<string, number[]>) => {
    const out: Record<string, number[]> = {};
    for (const w of ws) for (const [k, a] of Object.entries(pick(w))) add((out[k] ??= zeros()), w, a);
    return out;
  };
  for (const w of ws) {
    for (const [ep, s] of Object.entries(w.endpoints)) {
      const e = (endpoints[ep] ??= { requests: zeros(), errors: zeros(), p50: new Array(n).fill(null), p95: new Array(n).fill(null), p99: new Array(n).fill(null) });
      add(e.requests, w, s.requests);
      add(e.errors, w, s.errors);
      top(e.p50, w, s.p50);
      top(e.p95, w, s.p95);
      top(e.p99, w, s.p99);
    }
    for (const [k, v] of Object.entries(w.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  }
  approximate.push('wallSeries.endpoints.*.p50/p95/p99: the highest of the inputs per wall-time bucket (an upper bound); buckets aligned on wall dates');
  return { start: new Date(t0).toISOString(), intervalMs: interval, length: n, endpoints, statuses, errorsByStatus: keyed((w) => w.errorsByStatus), errorsByCode: keyed((w) => w.errorsByCode) };
}
