// HTTP runs: what a k6 or Gatling user reads first, over WALL time: requests
// per second, p50/p95/p99 latency per endpoint (mp, wsus, dp), errors by HTTP
// status and by HRESULT. Kept apart from the simulated-time series (a run at
// x600 covers an hour of simulated time in 6 wall seconds).
//
// Buckets start at 1 wall second. Each endpoint keeps ONE histogram, for the
// bucket being filled; when the bucket changes its p50/p95/p99 are read and the
// histogram is reset (fixed memory, whatever the rate). A run longer than
// MAX_BUCKETS seconds folds its buckets pairwise and doubles the interval
// (counts add; a folded percentile is the larger of the two, an upper bound):
// a 10-hour run keeps ~1,100 buckets of 32 s. Rejected: one histogram per
// bucket (mergeable, but ~10 KB each: 3 endpoints x 3,600 buckets is 100 MB).

import { performance } from 'node:perf_hooks';
import type * as hdr from 'hdr-histogram-js';
import { newHistogram } from './run-metrics.js';

export const WALL_ENDPOINTS = ['mp', 'wsus', 'dp'] as const;
/** buckets kept before folding (an hour at 1 s) */
export const MAX_BUCKETS = 3600;

export interface WallEndpointSeries {
  requests: number[];
  errors: number[];
  /** wall ms; null: no request ended in the bucket */
  p50: (number | null)[];
  p95: (number | null)[];
  p99: (number | null)[];
}

export interface WallSeriesFigures {
  /** wall date of bucket 0 */
  start: string;
  intervalMs: number;
  length: number;
  endpoints: Record<string, WallEndpointSeries>;
  /** every HTTP response the transport saw, by status, over the run */
  statuses: Record<string, number>;
  /** per bucket: responses with a status other than 2xx, by status */
  errorsByStatus: Record<string, number[]>;
  /** per bucket: the errors the clients saw, by HRESULT (every source; connection failures have no status) */
  errorsByCode: Record<string, number[]>;
}

interface Live {
  readonly s: WallEndpointSeries;
  readonly h: hdr.Histogram;
  /** the bucket h holds; -1: none */
  at: number;
}

export class WallSeries {
  private readonly t0 = performance.now();
  private readonly startIso = new Date().toISOString();
  private interval = 1000;
  private length = 0;
  private readonly live = new Map<string, Live>();
  private readonly statuses = new Map<number, number>();
  private readonly byStatus = new Map<number, number[]>();
  private readonly byCode = new Map<number, number[]>();

  /** the bucket of wall time now, folding first if it would pass MAX_BUCKETS */
  private bucket(now = performance.now()): number {
    let b = Math.max(0, Math.floor((now - this.t0) / this.interval));
    while (b >= MAX_BUCKETS) {
      this.fold();
      b = Math.floor((now - this.t0) / this.interval);
    }
    if (b + 1 > this.length) this.length = b + 1;
    return b;
  }

  private fold(): void {
    for (const l of this.live.values()) this.flush(l);
    const sum = (a: number[]) => {
      const out: number[] = [];
      for (let i = 0; i < a.length; i += 2) out.push((a[i] ?? 0) + (a[i + 1] ?? 0));
      return out;
    };
    const max = (a: (number | null)[]) => {
      const out: (number | null)[] = [];
      for (let i = 0; i < a.length; i += 2) {
        const x = a[i] ?? null;
        const y = a[i + 1] ?? null;
        out.push(x === null ? y : y === null ? x : Math.max(x, y));
      }
      return out;
    };
    for (const l of this.live.values()) {
      const s = l.s;
      s.requests = sum(s.requests);
      s.errors = sum(s.errors);
      s.p50 = max(s.p50);
      s.p95 = max(s.p95);
      s.p99 = max(s.p99);
    }
    for (const m of [this.byStatus, this.byCode]) for (const [k, a] of m) m.set(k, sum(a));
    this.interval *= 2;
    this.length = Math.ceil(this.length / 2);
  }

  private flush(l: Live): void {
    if (l.at < 0 || l.h.totalCount === 0) return;
    const q = (p: number) => Math.round(Math.min(l.h.getValueAtPercentile(p), l.h.maxValue)) / 1000;
    setAt(l.s.p50, l.at, q(50));
    setAt(l.s.p95, l.at, q(95));
    setAt(l.s.p99, l.at, q(99));
    l.h.reset();
    l.at = -1;
  }

  /** An operation of `key` ("mp Report", "wsus SyncUpdates", "dp GET") ended now, taking wallMs. */
  latency(key: string, wallMs: number, ok: boolean): void {
    const sp = key.indexOf(' ');
    const ep = sp < 0 ? key : key.slice(0, sp);
    let l = this.live.get(ep);
    if (l === undefined) {
      l = { s: { requests: [], errors: [], p50: [], p95: [], p99: [] }, h: newHistogram(), at: -1 };
      this.live.set(ep, l);
    }
    const b = this.bucket();
    if (l.at !== b) {
      this.flush(l);
      l.at = b;
    }
    addAt(l.s.requests, b, 1);
    if (!ok) addAt(l.s.errors, b, 1);
    l.h.recordValue(Math.max(1, Math.round(wallMs * 1000)));
  }

  /** The transport saw an HTTP response with this status. */
  status(code: number): void {
    this.statuses.set(code, (this.statuses.get(code) ?? 0) + 1);
    if (code >= 200 && code < 300) return;
    counted(this.byStatus, code, this.bucket());
  }

  /** A client saw this HRESULT (any source). */
  error(code: number): void {
    counted(this.byCode, code, this.bucket());
  }

  /** Whether the run made any HTTP request (in-process runs leave this section out). */
  get used(): boolean {
    return this.live.size > 0 || this.statuses.size > 0;
  }

  figures(hex: (code: number) => string): WallSeriesFigures {
    for (const l of this.live.values()) this.flush(l);
    const n = this.length;
    const pad = <T>(a: T[], fill: T): T[] => {
      const out = a.slice(0, n);
      while (out.length < n) out.push(fill);
      for (let i = 0; i < out.length; i++) if (out[i] === undefined) out[i] = fill;
      return out;
    };
    const endpoints: Record<string, WallEndpointSeries> = {};
    const order = [...WALL_ENDPOINTS, ...[...this.live.keys()].filter((k) => !(WALL_ENDPOINTS as readonly string[]).includes(k)).sort()];
    for (const ep of order) {
      const l = this.live.get(ep);
      if (l === undefined) continue;
      endpoints[ep] = { requests: pad(l.s.requests, 0), errors: pad(l.s.errors, 0), p50: pad(l.s.p50, null), p95: pad(l.s.p95, null), p99: pad(l.s.p99, null) };
    }
    const keyed = (m: Map<number, number[]>, name: (k: number) => string) =>
      Object.fromEntries([...m.keys()].sort((a, b) => (a >>> 0) - (b >>> 0)).map((k) => [name(k), pad(m.get(k)!, 0)]));
    return {
      start: this.startIso,
      intervalMs: this.interval,
      length: n,
      endpoints,
      statuses: Object.fromEntries([...this.statuses].sort((a, b) => a[0] - b[0]).map(([k, v]) => [String(k), v])),
      errorsByStatus: keyed(this.byStatus, String),
      errorsByCode: keyed(this.byCode, hex),
    };
  }

  destroy(): void {
    for (const l of this.live.values()) l.h.destroy();
  }
}

function setAt<T>(a: (T | null)[], i: number, v: T): void {
  while (a.length <= i) a.push(null);
  a[i] = v;
}

function addAt(a: number[], i: number, v: number): void {
  while (a.length <= i) a.push(0);
  a[i] = a[i]! + v;
}

function counted(m: Map<number, number[]>, code: number, b: number): void {
  let a = m.get(code);
  if (a === undefined) {
    a = [];
    m.set(code, a);
  }
  addAt(a, b, 1);
}
