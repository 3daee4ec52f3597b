// The WSUS capacity model: the IIS application pool (WsusPool) in front of
// one SUP. A request is served by one of `workers` worker threads for its
// service time; when all are busy it waits in the pool's queue (FIFO, IIS's
// queueLength, 1,000 by default); when the queue is full the request is
// refused (503 Service Unavailable; `refusal` says what the client sees).
// Optionally the pool recycles at a private memory limit: memory is a base
// plus a cost per request in the pool (in service or queued: ASP.NET keeps
// a queued request's state in the worker process too); at the limit the
// pool recycles, every request in it fails, and for `recycleTime` every new
// request is refused; then it comes back empty.
//
// Arrivals are decided in time order (the fleet's one scheduler, or the HTTP
// server's simulated clock), so the queue is exact without any event of its
// own: a request's start is the earliest time a worker is free (a min-heap of
// the workers' free times), its answer is due at start + service, and the
// queue at t is the admitted requests that have not started by t (their
// starts are non-decreasing: a FIFO of start times). Overload emerges from
// the load; nothing is scripted as a time window.
//
// A request that fails in a recycle already had its answer planned: the
// answer carries the pool's recycle epoch at admission (a ticket), and the
// transport (or the HTTP server) asks ticketValid() when the answer is due.
// It then gets the refusal instead of the answer, at the time the answer was
// due (at most its queue wait plus its service time after the recycle, not at
// the recycle itself: measured in the unit tests as seconds; the retry that
// follows is 30 minutes later).

import { unit } from '../../agent/core/prng.js';
import type { FaultEffect } from './fault-kinds/index.js';

export interface WsusPoolSpec {
  /** worker threads: requests in service at once */
  readonly workers: number;
  /** requests waiting for a worker before the pool answers 503 (IIS queueLength) */
  readonly queueLength: number;
  /** service time of one operation, uniform in [min, max] (ms) */
  readonly serviceTimeMin: number;
  readonly serviceTimeMax: number;
  /** extra service time per update metadata in the answer (ms) */
  readonly serviceTimePerUpdate: number;
  /** the pool recycles when its private memory reaches this (MB); 0: never */
  readonly privateMemoryLimitMB: number;
  /** private memory of the idle pool (MB) */
  readonly baseMemoryMB: number;
  /** private memory per request in the pool, in service or queued (MB) */
  readonly memoryPerScanMB: number;
  /** how long a recycle keeps the pool unavailable (ms) */
  readonly recycleTime: number;
  /** what a refused request gets (a fault effect: status 503, or an HRESULT such as 0x80072EE2) */
  readonly refusal: FaultEffect;
  /** the SUPs behind such a pool (each its own); null: every SUP */
  readonly sups: readonly string[] | null;
}

/** The outcome of one request: refused, or served from `start` with its answer due at `done`. */
export type Admission =
  | { readonly admitted: false; readonly why: 'queueFull' | 'recycling' | 'recycled' }
  | { readonly admitted: true; readonly start: number; readonly done: number; readonly ticket: number };

const SALT_SERVICE = 0x5e7c;

export class WsusPool {
  readonly counters = {
    /** requests that reached the pool */
    requests: 0,
    /** admitted (served or failed in a recycle later) */
    admitted: 0,
    /** 503: refused with the queue full */
    queueFull: 0,
    /** refused while the pool was recycling */
    refusedRecycling: 0,
    /** admitted requests failed by a recycle (the request that crossed the limit included) */
    failedInRecycle: 0,
    recycles: 0,
    /** longest queue seen (requests waiting for a worker) */
    queueMax: 0,
    /** most requests in the pool at once (in service + queued) */
    concurrentMax: 0,
    /** highest private memory reached (MB) */
    memoryMaxMB: 0,
    /** sum of service times of the admitted requests (ms): busy worker time */
    busyMs: 0,
    /** sum of queue waits of the admitted requests (ms) */
    waitMs: 0,
    /** longest queue wait (ms) */
    waitMaxMs: 0,
  };
  /** recycles so far: the ticket of an admitted request */
  private epoch = 0;
  private downUntil = -Infinity;
  /** workers' free times, a binary min-heap */
  private readonly free: Float64Array;
  /** start times of admitted requests not started yet (a ring: head..tail) */
  private starts: Float64Array;
  private qHead = 0;
  private qLen = 0;

  constructor(readonly spec: WsusPoolSpec, private readonly seed: number, readonly salt = 0) {
    this.free = new Float64Array(Math.max(1, spec.workers)).fill(-Infinity);
    this.starts = new Float64Array(Math.max(16, Math.min(spec.queueLength, 1 << 16)));
  }

  /** Service time of a request of `operations` operations carrying `updates` update metadata, drawn from (client, t). */
  serviceTime(client: number, t: number, operations: number, updates: number): number {
    const s = this.spec;
    const per = s.serviceTimeMin + (s.serviceTimeMax - s.serviceTimeMin) * unit(this.seed, client, SALT_SERVICE + this.salt, Math.floor(t));
    return Math.max(0, Math.round(operations * per + updates * s.serviceTimePerUpdate));
  }

  /** Requests waiting for a worker at t. */
  queuedAt(t: number): number {
    this.drain(t);
    return this.qLen;
  }

  /** Requests in service at t. */
  inServiceAt(t: number): number {
    let n = 0;
    for (let i = 0; i < this.free.length; i++) if (this.free[i]! > t) n++;
    return n;
  }

  /** Whether the pool is recycling at t. */
  recyclingAt(t: number): boolean {
    return t < this.downUntil;
  }

  /** One request at t (times non-decreasing) needing `service` ms of a worker. */
  admit(t: number, service: number): Admission {
    const c = this.counters;
    c.requests++;
    if (t < this.downUntil) {
      c.refusedRecycling++;
      return { admitted: false, why: 'recycling' };
    }
    this.drain(t);
    // a request that must wait (no worker free at t) needs room in the queue (a free worker means an empty queue)
    if (this.free[0]! > t && this.qLen >= this.spec.queueLength) {
      c.queueFull++;
      return { admitted: false, why: 'queueFull' };
    }
    const s = this.spec;
    if (s.privateMemoryLimitMB > 0) {
      const inPool = this.inServiceAt(t) + this.qLen + 1;
      const mem = s.baseMemoryMB + s.memoryPerScanMB * inPool;
      if (mem > c.memoryMaxMB) c.memoryMaxMB = mem;
      if (mem >= s.privateMemoryLimitMB) {
        // the limit is crossed: the pool recycles; what it held fails (this request too)
        c.recycles++;
        c.failedInRecycle += inPool;
        this.epoch++;
        this.downUntil = t + s.recycleTime;
        this.free.fill(-Infinity);
        this.qHead = 0;
        this.qLen = 0;
        return { admitted: false, why: 'recycled' };
      }
    }
    const start = Math.max(t, this.free[0]!);
    const done = start + service;
    // the earliest-free worker takes it: replace the heap's root, sift down
    this.siftDown(done);
    if (start > t) this.pushStart(start);
    c.admitted++;
    c.busyMs += service;
    const wait = start - t;
    c.waitMs += wait;
    if (wait > c.waitMaxMs) c.waitMaxMs = wait;
    if (this.qLen > c.queueMax) c.queueMax = this.qLen;
    const conc = this.inServiceAt(t) + this.qLen;
    if (conc > c.concurrentMax) c.concurrentMax = conc;
    if (s.privateMemoryLimitMB <= 0) {
      const mem = s.baseMemoryMB + s.memoryPerScanMB * conc;
      if (mem > c.memoryMaxMB) c.memoryMaxMB = mem;
    }
    return { admitted: true, start, done, ticket: this.epoch };
  }

  /** Whether an answer admitted with this ticket still goes out (false: a recycle failed it). */
  ticketValid(ticket: number): boolean {
    return ticket === this.epoch;
  }

  private drain(t: number): void {
    const q = this.starts;
    while (this.qLen > 0 && q[this.qHead]! <= t) {
      this.qHead = (this.qHead + 1) % q.length;
      this.qLen--;
    }
  }

  private pushStart(start: number): void {
    let q = this.starts;
    if (this.qLen === q.length) {
      const next = new Float64Array(q.length * 2);
      for (let i = 0; i < this.qLen; i++) next[i] = q[(this.qHead + i) % q.length]!;
      this.starts = q = next;
      this.qHead = 0;
    }
    q[(this.qHead + this.qLen) % q.length] = start;
    this.qLen++;
  }

  private siftDown(v: number): void {
    const h = this.free;
    const n = h.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const m = r < n && h[r]! < h[l]! ? r : l;
      if (h[m]! >= v) break;
      h[i] = h[m]!;
      i = m;
    }
    h[i] = v;
  }
}
