// One run in virtual (simulated) time: the fleet, the in-process stubs,
// metrics and the optional trace, driven to the scenario's end. It is wired
// from a RunPlan (plan.ts): each part (fleet, stub, clock, transport,
// metrics, outputs) is handed only its own settings.

import { performance } from 'node:perf_hooks';
import { Fleet } from '../agent/runtime/fleet.js';
import { InProcessTransport, type Transport } from '../agent/runtime/transport.js';
import type { HttpTransport } from '../agent/runtime/http/transport.js';
import type { StubServers } from '../server-stub/http/index.js';
import { clientGuid } from '../server-stub/core/clients.js';
import type { AgentEvent } from '../agent/core/types.js';
import { StubCore } from '../server-stub/core/index.js';
import type { ResolvedScenario } from './scenario/resolve.js';
import { planRun, type PlanFlags, type ResultsPlan, type RunInfo, type RunPlan, type TransportOptions, type TransportPlan } from './plan.js';
import { RunMetrics } from './metrics/run-metrics.js';
import { type TraceNames } from './output/trace.js';
import { topicIdOf } from '../agent/wire/topics.js';
import { traceOutput } from './output/outputs/trace.js';
import type { Output } from './output/output.js';
import type { Logger } from './logger.js';
import { createClock, type Clock, type ClockFigures, type ClockOptions } from './clock/index.js';
import { Probes, type WallFigures } from './metrics/probes.js';
import { RunFailedError } from './errors.js';
import type { MomentHooks } from './workers/trace-order.js';

export type { ClockFigures, ClockOptions, WallFigures, TransportOptions };

/** What a run is given besides its plan: the outputs, the logger, the signal, the hooks. */
export interface RunHooks {
  /** what the run writes and shows (output/outputs/index.ts builds them from the flags) */
  readonly outputs?: readonly Output[];
  /** shorthands for tests and the benchmark: a trace output, a progress and an interval callback */
  readonly tracePath?: string | undefined;
  readonly logger: Logger;
  /** aborting it stops the run where it is: the outcome is then partial */
  readonly signal?: AbortSignal;
  /** called every progressEveryMs of wall time with where the run is (live progress) */
  readonly onProgress?: (p: ProgressSnapshot) => void;
  /** wall ms between onProgress calls (default 250) */
  readonly progressEveryMs?: number;
  /**
   * Checked about once a wall second during the run with the figures so far:
   * a string it returns (the failed threshold) stops the run there (abortOnFail).
   */
  readonly liveCheck?: (now: () => RunOutcome) => string | null;
  /** called when a series interval is complete (its counts final): NDJSON streaming */
  readonly onInterval?: (i: number, m: RunMetrics) => void;
  /** run --workers in virtual time: told of every request, handed the late replies and the stub core, called between slices: to key trace lines and forwarded reports by moment (workers/trace-order.ts, backlog.ts) */
  readonly moments?: MomentHooks;
  /**
   * run --workers in scaled time: every state report's send time is also written here, at the client's global id
   * (a SharedArrayBuffer the stub MP's thread reads at receipt: the cycle wait and in-flight split, workers/pool.ts)
   */
  readonly reportSent?: Float64Array;
  /**
   * run --workers: called once everything the run needs is built (stub servers, fleet, transport, outputs),
   * right before its clock starts; resolves to the wall instant (epoch ms, Date.now()) at which simulated
   * time is the scenario's start, the main thread's one start for every worker (scaled time; virtual time
   * ignores it). Called after the build, not before it: under load the build took 1.2 s and 4.7 s of two
   * workers' 2 s lead (a CI run), and a start passed shows as lag (the run came out invalid).
   */
  readonly ready?: () => Promise<number>;
}

/**
 * runFleet's options: the hooks and the flags its plan is built from
 * (seriesInterval, sliceMs, clock: virtual or scaled, transport: in-process or HTTP).
 */
export interface RunOptions extends RunHooks, PlanFlags {}

/** Where a run is, for live progress. */
export interface ProgressSnapshot {
  /** simulated time reached, and the run's start and end (epoch ms) */
  readonly simNow: number;
  readonly start: number;
  readonly end: number;
  readonly clients: number;
  readonly wallMs: number;
  readonly agentEvents: number;
  readonly stateSent: number;
  /** messages the MP ingested; null against an external MP (its own figure, which the run cannot see) */
  readonly stateIngested: number | null;
  readonly errors: number;
  /** requests awaiting an answer (HTTP) or answers held back by a fault (in-process) */
  readonly inFlight: number;
  /** HTTP: wire operations completed so far, and those that failed (in-process: 0, 0) */
  readonly requests?: number;
  readonly requestErrors?: number;
  readonly scansInFlight: number;
  /** scaled clock: scheduler lag p99 so far (wall ms); null in virtual time */
  readonly lagP99Ms: number | null;
  readonly mode: 'virtual' | 'scaled';
}

export interface RunOutcome {
  /** what results.json says of the scenario (the plan's results part) */
  readonly scenario: ResultsPlan;
  readonly stub: StubCore;
  readonly fleet: Fleet;
  readonly metrics: RunMetrics;
  readonly wall: WallFigures;
  readonly traceLines: number;
  readonly clock: ClockFigures;
  /** HTTP transport: operations the agent sent, per endpoint and operation, and what the embedded stubs counted */
  readonly wire: WireFigures | null;
  /** the run was stopped before its end (SIGINT / SIGTERM) */
  readonly partial: boolean;
  /** simulated time the run reached */
  readonly reached: number;
  /** the abortOnFail threshold that stopped the run, if one did */
  readonly abortedBy: string | null;
}

export interface WireFigures {
  /** the servers' URLs: the MP, the first SUP and DP, and every SUP and DP (the embedded stubs serve each of the scenario's on its own port) */
  readonly urls: { readonly mp: string; readonly wsus: string; readonly dp: string; readonly sups: readonly string[]; readonly dps: readonly string[] };
  readonly agentOperations: Record<string, number>;
  /** requests still unanswered when the run ended (after the grace wait): dropped, neither delivered nor timed */
  readonly abandonedAtEnd: number;
  /** the agent's WUA datastore: online scans sent full / delta, SyncUpdates calls, new update metadata received (against any WSUS) */
  readonly datastore: { readonly fullScans: number; readonly deltaScans: number; readonly syncRounds: number; readonly updatesReceived: number };
  readonly stub: {
    readonly mp: Record<string, number>;
    readonly wsus: Record<string, number>;
    readonly refused: Record<string, number>;
    /** requests each embedded server took: `mp`, `sup[k]` and `dp[k]` by the scenario's k-th distinct SUP and DP (so that shards add up) */
    readonly requestsByServer: Record<string, number>;
  } | null;
}

export function traceNames(run: RunInfo, stub: StubCore): TraceNames {
  // the fleet's events name a client by its index in the shard; its id (GUID) is global
  const base = run.shard.firstClient;
  const seed = run.seed;
  const clientIds: (string | undefined)[] = [];
  return {
    clientId: (i) => (clientIds[i] ??= 'GUID:' + clientGuid(seed, base + i)),
    updateId: (u) => stub.catalogue.ids[u] ?? String(u),
    deploymentId: (d) => stub.mp.deployments[d]?.id ?? String(d),
    updateSourceId: '{' + stub.catalogue.updateSourceId + '}',
  };
}

/** Runs a scenario to its end in virtual (default) or scaled time, in-process (default) or over HTTP: its plan, then runPlan. */
export function runFleet(sc: ResolvedScenario, opts: RunOptions): Promise<RunOutcome> {
  return runPlan(planRun(sc, opts), opts);
}

/** Runs a plan to its end (the run command builds the plan once, at the edge, and gives the outputs their part). */
export async function runPlan(plan: RunPlan, opts: RunHooks): Promise<RunOutcome> {
  const log = opts.logger.child({ module: 'run' });
  const run = plan.outputs;
  const clock = createClock(plan.clock);
  const tk = plan.transport;
  // the HTTP stack (undici, the stub servers, prom-client: 300 of the 560 files a run loaded) only for an HTTP run:
  // a virtual-time worker thread starts without it
  const web = tk.kind === 'http' ? await import('./run-http.js') : null;
  const servers = web !== null && tk.kind === 'http' && tk.external?.mp === undefined
    ? await web.startStubServers({
        config: plan.stub,
        logger: opts.logger,
        clock: () => clock.simNow(),
        tls: tk.tls,
        external: { wsus: tk.external?.wsus, dp: tk.external?.dp },
        verifySignatures: tk.sign !== false,
        // the WSUS capacity model's delays are simulated ms: none in virtual time (lockstep), scaled otherwise
        poolWallPerSimulatedMs: plan.clock.mode === 'virtual' ? 0 : 1 / plan.clock.timeFactor,
      })
    : null;
  const stub = servers?.core ?? new StubCore(plan.stub);
  opts.moments?.stub?.(stub);
  const probes = new Probes();
  const metrics = new RunMetrics(plan.metrics, stub.mp);
  stub.mp.observer = metrics;
  const names = traceNames(run, stub);
  const outputs: Output[] = [
    ...(opts.tracePath !== undefined ? [traceOutput(opts.tracePath)] : []),
    ...(opts.onInterval !== undefined ? [{ name: 'onInterval', interval: opts.onInterval }] : []),
    ...(opts.onProgress !== undefined ? [{ name: 'onProgress', progress: opts.onProgress, progressEveryMs: opts.progressEveryMs ?? 250 }] : []),
    ...(opts.outputs ?? []),
  ];
  for (const o of outputs) o.start?.({ run, names, metrics });
  const sink = eventSink(metrics.onEvent, outputs);
  const intervals = outputs.filter((o) => o.interval !== undefined);
  if (intervals.length > 0) metrics.onInterval = (i) => {
    for (const o of intervals) o.interval!(i, metrics);
  };
  const progressed = outputs.filter((o) => o.progress !== undefined);
  const onProgress = progressed.length === 0 ? undefined : (p: ProgressSnapshot) => {
    for (const o of progressed) o.progress!(p);
  };
  const http = web !== null && tk.kind === 'http' ? web.httpTransport(tk, stub, servers, names, clock, metrics) : null;
  const inProcess = http === null ? new InProcessTransport(stub, tk.requestTimeout) : null;
  const transport: InProcessTransport | HttpTransport = http ?? inProcess!;
  // the send time of each state report, for the in-flight part of the state-message latency
  const shardBase = plan.fleet.firstClient;
  const moments = opts.moments;
  const shared = opts.reportSent;
  // written before the request goes out (its encoding and the socket write follow), so the MP's thread, reading it
  // when the request has arrived, sees it (a plain store: on receipt the value is a report old at most)
  const timedTransport: Transport = shared !== undefined ? {
    request: (req, t) => {
      moments?.request(req.client, t);
      if (req.kind === 'state.report') {
        metrics.stateReportSent(req.client - shardBase, t);
        shared[req.client] = t;
      }
      return transport.request(req, t);
    },
  } : moments === undefined ? {
    request: (req, t) => {
      if (req.kind === 'state.report') metrics.stateReportSent(req.client - shardBase, t);
      return transport.request(req, t);
    },
  } : {
    request: (req, t) => {
      moments.request(req.client, t);
      if (req.kind === 'state.report') metrics.stateReportSent(req.client - shardBase, t);
      return transport.request(req, t);
    },
  };
  const fp = plan.fleet;
  const fleet = new Fleet({
    // a shard runs its range of the scenario's clients, under their global ids
    clients: fp.clients,
    firstClient: fp.firstClient,
    ctx: {
      seed: fp.seed,
      start: fp.start,
      catalogue: stub.catalogue,
      defaultPolicyInterval: fp.defaultPolicyInterval,
      model: fp.model,
      actions: fp.actions,
    },
    applicability: stub.catalogue,
    transport: timedTransport,
    sink,
    processes: inProcess !== null ? [stub.mp, inProcess.deferred, metrics.sampler] : [stub.mp, metrics.sampler],
  });
  transport.bind((client, t, reply) => fleet.deliver(client, Math.max(t, fleet.now), reply));
  if (moments !== undefined && inProcess !== null) moments.deferred(inProcess.deferred);
  clock.bind(fleet);
  const startWallEpochMs = opts.ready !== undefined ? await opts.ready() : undefined;
  log.info({ scenario: run.name, clients: run.clients, seed: run.seed, durationMs: run.duration, clock: clock.mode }, 'run started');
  const now = () => performance.now();
  // the run stops early on a signal or on a failed abortOnFail threshold
  const stop = new AbortController();
  let abortedBy: string | null = null;
  const onAbort = () => stop.abort();
  if (opts.signal?.aborted === true) stop.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const progressEvery = Math.min(...progressed.map((o) => o.progressEveryMs ?? 250));
  let lastProgress = now();
  let lastCheck = now();
  const snapshot = (): ProgressSnapshot => ({
    // the clock's time (scaled: it runs on between events), not only the last event's
    simNow: Math.min(run.end, clock.simNow()),
    start: run.start,
    end: run.end,
    clients: run.shard.clients,
    wallMs: now() - probes.t0,
    agentEvents: fleet.events,
    stateSent: metrics.state.messagesDelivered,
    // against an external MP (HTTP without the embedded servers: results.ts's `external` too) not seen, not 0
    stateIngested: servers === null && tk.kind === 'http' ? null : metrics.state.ingested,
    errors: metrics.errorsTotal,
    inFlight: http !== null ? http.pending : (inProcess?.deferred.pending ?? 0),
    ...requestCounts(metrics),
    scansInFlight: metrics.onlineScansInFlight,
    lagP99Ms: clock.mode === 'scaled' ? metrics.lag.getValueAtPercentile(99) : null,
    mode: clock.mode,
  });
  const progress = () => {
    opts.moments?.slice?.(fleet.now);
    const w = now();
    probes.tick(w);
    if (onProgress !== undefined && w - lastProgress >= progressEvery) {
      lastProgress = w;
      onProgress(snapshot());
    }
    if (opts.liveCheck !== undefined && w - lastCheck >= 1000 && !stop.signal.aborted) {
      lastCheck = w;
      const failed = opts.liveCheck(() => outcome(true));
      if (failed !== null) {
        abortedBy = failed;
        log.warn({ threshold: failed }, 'threshold failed with abortOnFail: stopping the run');
        stop.abort();
      }
    }
  };
  try {
    await clock.run({ fleet, wire: http, progress, lag: metrics.lag, signal: stop.signal, ...(startWallEpochMs !== undefined ? { startWallEpochMs } : {}) });
  } catch (err) {
    for (const o of outputs) o.abort?.(err);
    // what the run measured up to the failure, for the command to write (marked partial) before it reports the bug
    throw new RunFailedError(() => {
      stop.abort();
      metrics.finish(fleet.now);
      return outcome(false);
    }, { cause: err });
  } finally {
    probes.stop();
    opts.signal?.removeEventListener('abort', onAbort);
    http?.abandon();
    await http?.close();
    await servers?.close();
  }
  const partial = stop.signal.aborted;
  fleet.finished();
  probes.closeLast(now());
  metrics.finish(partial ? fleet.now : run.end);
  onProgress?.(snapshot());
  // after metrics.finish(): it completes the last intervals, which the series output still writes
  for (const o of outputs) o.finish?.();
  const result = outcome(false);
  if (!result.clock.valid) log.warn({ reason: result.clock.invalidReason }, 'run invalid');
  log.info({ elapsedMs: result.wall.elapsedMs, events: fleet.events }, 'run finished');
  if (partial) log.warn({ reached: new Date(fleet.now).toISOString(), abortedBy }, 'run stopped before its end: results are partial');
  return result;

  /** The run's figures as they are now (live: during the run, for abortOnFail checks). */
  function outcome(live: boolean): RunOutcome {
    const stopped = live || stop.signal.aborted;
    return {
      scenario: plan.results, stub, fleet, metrics, wall: probes.figures(fleet.events), traceLines: traceLines(),
      clock: clock.figures(metrics.lag, probes.eluMax), wire: wireFigures(tk, http, servers),
      partial: stopped, reached: stopped ? fleet.now : run.end, abortedBy,
    };
  }

  function traceLines(): number {
    return outputs.reduce((n, o) => n + ('lines' in o && o.name === 'trace' ? (o as { lines: number }).lines : 0), 0);
  }
}

/** Wire operations completed and failed so far (a handful of endpoints: summed at each progress update). */
function requestCounts(m: RunMetrics): { requests: number; requestErrors: number } {
  let requests = 0;
  let requestErrors = 0;
  for (const f of m.operations.values()) {
    requests += f.count;
    requestErrors += f.errors;
  }
  return { requests, requestErrors };
}

/** Agent events to the metrics first, then to every output that takes them (a direct call when only the metrics do). */
function eventSink(metrics: (t: number, c: number, e: AgentEvent) => void, outputs: readonly Output[]): (t: number, c: number, e: AgentEvent) => void {
  const fns = outputs.flatMap((o) => (o.event !== undefined ? [o.event.bind(o)] : []));
  if (fns.length === 0) return metrics;
  if (fns.length === 1) {
    const f = fns[0]!;
    return (t, c, e) => {
      metrics(t, c, e);
      f(t, c, e);
    };
  }
  return (t, c, e) => {
    metrics(t, c, e);
    for (const f of fns) f(t, c, e);
  };
}

function wireFigures(tk: TransportPlan, http: HttpTransport | null, servers: StubServers | null): WireFigures | null {
  if (http === null) return null;
  return {
    urls: servers?.urls ?? { mp: tk.kind === 'http' ? (tk.external?.mp ?? '') : '', wsus: '', dp: '', sups: [], dps: [] },
    agentOperations: Object.fromEntries([...http.operations].sort()),
    abandonedAtEnd: http.abandonedCount,
    datastore: { ...http.datastore.counters },
    stub: servers === null ? null : {
      mp: Object.fromEntries([...servers.stats.mp.endpoints].sort()),
      wsus: Object.fromEntries([...servers.stats.wsus.operations].sort()),
      refused: servers.refusedByReason(),
      requestsByServer: servers.requestsByServer(),
    },
  };
}
