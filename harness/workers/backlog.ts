// run --workers N in virtual time with a rate-limited MP backlog
// (site.mpProcessingRate > 0): the site has one backlog, so it is modelled
// once, in the main thread, from every worker's reports in the single
// thread's order.
//
// A report's answer does not depend on the backlog (the MP accepts it at
// once); only when its messages are processed does, and that feeds figures
// (ingest counts and latency, backlog, compliance over time), not answers,
// except for the state resync, whose request depends on when a gap was
// processed: the scenario faults that open gaps (`lose` on mp.state) are
// refused with a backlog (pool.ts). So the workers run free: each worker's MP
// forwards every report it accepts (mp.forward) with the key of the moment
// it arrived in (trace-order.ts), in batches between its loop's slices, each
// batch saying up to which simulated time the worker is complete. The main
// thread merges the workers' reports by key, up to the earliest such time
// of all workers (the lockstep window: a worker's slice, 50 ms of wall time;
// nothing waits, the main thread only holds the reports of the workers ahead
// until the slowest has passed them), and hands them to one ManagementPoint
// of the whole fleet, whose processor and the series sampler wake between
// them at the place the single thread's scheduler gives them: at time T the
// clients first, then the MP (entity id n), the late replies (n + 1), the
// sampler (n + 2). Its RunMetrics then holds exactly what the single thread's
// records at ingest (received, ingested, duplicates, the latency histograms
// and its four parts, the backlog, the compliance series and view, and the
// per-interval state latency percentiles, exact here, unlike a merge's bound).

import type { FromWorker } from './protocol.js';
import { mpFigures } from './stub-view.js';
import type { Moments } from './trace-order.js';
import { keyBefore } from './trace-order.js';
import { StubCore } from '../../server-stub/core/index.js';
import { MSG_STRIDE } from '../../agent/core/types.js';
import { RunMetrics } from '../metrics/run-metrics.js';
import { buildResults, type Results } from '../output/results.js';
import { evaluateThresholds, type Threshold } from '../thresholds.js';
import type { Fleet } from '../../agent/runtime/fleet.js';
import type { RunOutcome } from '../run.js';
import type { RunPlan } from '../plan.js';

/** Worker side: the reports its MP accepted, keyed, posted between slices. */
export class ForwardedReports {
  private keys: string[] = [];
  private data: number[] = [];

  constructor(private readonly moments: Moments, private readonly post: (m: FromWorker) => void) {}

  bind(core: StubCore): void {
    core.mp.forward = (client, t, sent, msgs) => {
      this.keys.push(this.moments.requestKey());
      const d = this.data;
      d.push(client, t, sent, msgs.length / MSG_STRIDE);
      for (let i = 0; i < msgs.length; i++) d.push(msgs[i]!);
    };
  }

  /** every report before `upTo` has been forwarded (Infinity: the worker's run is over) */
  flush(upTo: number): void {
    const data = Float64Array.from(this.data);
    this.post({ type: 'reports', upTo, keys: this.keys, data });
    this.keys = [];
    this.data = [];
  }
}

interface Batch {
  keys: number[][];
  data: Float64Array;
  /** next report: its index in keys and its offset in data */
  i: number;
  o: number;
}

/** Main-thread side: the site's one backlog, fed in the single thread's order. */
export class SiteBacklog {
  readonly core: StubCore;
  readonly metrics: RunMetrics;
  private readonly queues: Batch[][];
  private readonly upTo: number[];
  private readonly end: number;
  private readonly firstClient: number;
  /** reports handed to the MP */
  reports = 0;

  constructor(private readonly plan: RunPlan, workers: number) {
    this.core = new StubCore(plan.stub);
    this.metrics = new RunMetrics(plan.metrics, this.core.mp);
    this.core.mp.observer = this.metrics;
    this.queues = Array.from({ length: workers }, () => []);
    this.upTo = new Array(workers).fill(-Infinity);
    this.end = plan.clock.end;
    this.firstClient = plan.fleet.firstClient;
  }

  /** A worker's batch (in its order); then everything every worker is complete for goes to the MP. */
  add(k: number, m: Extract<FromWorker, { type: 'reports' }>): void {
    if (m.keys.length > 0) this.queues[k]!.push({ keys: m.keys.map((s) => s.split(',').map(Number)), data: m.data, i: 0, o: 0 });
    this.upTo[k] = m.upTo;
    this.advance();
  }

  private advance(): void {
    const safe = Math.min(...this.upTo);
    const qs = this.queues;
    for (;;) {
      let best = -1;
      let bestKey: number[] | null = null;
      for (let k = 0; k < qs.length; k++) {
        const b = qs[k]![0];
        if (b === undefined) continue;
        const key = b.keys[b.i]!;
        if (bestKey === null || keyBefore(key, bestKey)) {
          best = k;
          bestKey = key;
        }
      }
      // a report at `safe` itself may still have an earlier one at the same millisecond in a worker's next batch
      if (bestKey === null || !(bestKey[0]! < safe)) break;
      const b = qs[best]![0]!;
      const t = bestKey[0]!;
      this.wakeUntil(t, bestKey[1]!);
      const d = b.data;
      const client = d[b.o]!;
      const sent = d[b.o + 2]!;
      const n = d[b.o + 3]! * MSG_STRIDE;
      const msgs = Array.from(d.subarray(b.o + 4, b.o + 4 + n));
      // the client's send time, as the single thread's transport records it before the MP asks for it
      this.metrics.stateReportSent(client - this.firstClient, sent);
      this.core.mp.relay(client, t, msgs);
      this.reports++;
      b.o += 4 + n;
      if (++b.i === b.keys.length) qs[best]!.shift();
    }
    if (safe > -Infinity) this.wakeUntil(safe, -1);
  }

  /**
   * Wakes the MP's processor (rank 0.5: after the clients at its time, before
   * the late replies) and the sampler (rank 2) for every due (T, rank) before
   * (t, phase); never at or past the run's end, where the fleet stops.
   */
  private wakeUntil(t: number, phase: number): void {
    const mp = this.core.mp;
    const sampler = this.metrics.sampler;
    for (;;) {
      const m = mp.nextDue();
      const s = sampler.nextDue();
      const useMp = m <= s;
      const T = useMp ? m : s;
      const rank = useMp ? 0.5 : 2;
      if (T >= this.end || T > t || (T === t && rank > phase)) return;
      if (useMp) mp.onWake(T);
      else sampler.onWake(T);
    }
  }

  /** Every worker is done: the rest of the reports, the processor up to the end (or where a stopped run reached), the last intervals. */
  finish(reached: number, partial: boolean): void {
    this.upTo.fill(Infinity);
    this.advance();
    this.wakeUntil(Math.min(reached, this.end), -1);
    this.metrics.finish(partial ? reached : this.end);
  }

  /** The merged results with what the site's MP recorded at ingest in place of the workers' (whose MPs only forwarded). */
  figures(merged: Results, thresholds: readonly Threshold[], live: boolean): Results {
    const reached = Date.parse(merged.reached);
    const noFleet = { events: 0, states: [], now: reached } as unknown as Fleet;
    const outcome: RunOutcome = {
      scenario: this.plan.results,
      stub: this.core,
      fleet: noFleet,
      metrics: this.metrics,
      wall: merged.wall as unknown as RunOutcome['wall'],
      traceLines: 0,
      clock: { mode: 'virtual', timeFactor: null, lagMs: null, lagBoundMs: null, eluMax5s: null, eluBound: null, valid: true, invalidReason: null },
      wire: null,
      partial: merged.partial,
      reached,
      abortedBy: null,
    };
    const at = buildResults(outcome, [], live);
    const mp = mpFigures(merged, at, { series: !live, split: true });
    const out = {
      ...merged,
      ...mp,
      compliance: at.compliance,
      // the state latency series are the site MP's own here, not the merge's bound
      merged: { ...merged.merged!, approximate: merged.merged!.approximate.filter((a) => !a.startsWith('series.stateLatencyP50')) },
    } as Results;
    return { ...out, thresholds: evaluateThresholds(out, thresholds) };
  }
}

