// One run in virtual (simulated) time: the fleet, the in-process stubs,
// metrics and the optional trace, driven to the scenario's end.

import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Fleet } from '../agent/runtime/fleet.js';
import { InProcessTransport, type Transport } from '../agent/runtime/transport.js';
import { HttpTransport } from '../agent/runtime/http/transport.js';
import { CcmMpWire } from '../agent/runtime/http/mp-wire.js';
import { KeyPool } from '../agent/wire/ccm/index.js';
import { startStubServers, type StubServers } from '../server-stub/http/index.js';
import { contentIdOf, dpContentUrl } from '../server-stub/http/content.js';
import { clientGuid } from '../server-stub/core/clients.js';
import type { AgentEvent } from '../agent/core/types.js';
import { StubCore } from '../server-stub/core/index.js';
import type { ResolvedScenario } from './scenario/resolve.js';
import { RunMetrics } from './metrics/run-metrics.js';
import type { Histogram } from 'hdr-histogram-js';
import { TraceWriter, type TraceNames } from './output/trace.js';
import { topicIdOf } from '../agent/wire/topics.js';
import type { Logger } from './logger.js';
import { MINUTE } from '../agent/core/constants.js';

export interface RunOptions {
  readonly tracePath?: string | undefined;
  readonly logger: Logger;
  /** series interval in simulated ms */
  readonly seriesInterval?: number;
  /** wall ms the loop runs before yielding to the event loop */
  readonly sliceMs?: number;
  /** virtual (as fast as possible) or scaled (wall clock x timeFactor) */
  readonly clock?: ClockOptions;
  /** in-process (default) or HTTP against embedded stub servers or external URLs */
  readonly transport?: TransportOptions;
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
}

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
  readonly stateIngested: number;
  readonly errors: number;
  /** requests awaiting an answer (HTTP) or answers held back by a fault (in-process) */
  readonly inFlight: number;
  readonly scansInFlight: number;
  /** scaled clock: scheduler lag p99 so far (wall ms); null in virtual time */
  readonly lagP99Ms: number | null;
  readonly mode: 'virtual' | 'scaled';
}

export type TransportOptions =
  | { readonly kind: 'in-process' }
  | {
      readonly kind: 'http';
      /** external servers; an absent one is embedded (the embedded MP hands out external WSUS / DP URLs) */
      readonly external?: { readonly mp?: string | undefined; readonly wsus?: string | undefined; readonly dp?: string | undefined };
      /** sign MP messages (and have the embedded MP verify them) */
      readonly sign?: boolean;
      /** CA certificate(s) the agent trusts for https */
      readonly ca?: string | Buffer | undefined;
      /** TLS for the embedded servers */
      readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer } | undefined;
      /** requests in flight per endpoint */
      readonly concurrency?: number;
    };

export type ClockOptions =
  | { readonly mode: 'virtual' }
  | {
      readonly mode: 'scaled';
      /** simulated ms per wall ms (1 = real time) */
      readonly timeFactor: number;
      /** a run whose scheduler lag p99 (wall ms) exceeds this is invalid */
      readonly lagBoundMs: number;
      /**
       * a run whose event loop was busy more than this share of a 5-second
       * window (event-loop utilization, 0..1) is invalid: requests then queue
       * inside the generator and every wire latency includes its own backlog.
       * Absent: not checked.
       */
      readonly eluBound?: number;
    };

export interface RunOutcome {
  readonly scenario: ResolvedScenario;
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
  readonly urls: { readonly mp: string; readonly wsus: string; readonly dp: string };
  readonly agentOperations: Record<string, number>;
  /** requests still unanswered when the run ended (after the grace wait): dropped, neither delivered nor timed */
  readonly abandonedAtEnd: number;
  /** the agent's WUA datastore: online scans sent full / delta, SyncUpdates calls, new update metadata received (against any WSUS) */
  readonly datastore: { readonly fullScans: number; readonly deltaScans: number; readonly syncRounds: number; readonly updatesReceived: number };
  readonly stub: { readonly mp: Record<string, number>; readonly wsus: Record<string, number>; readonly refused: Record<string, number> } | null;
}

export interface WallFigures {
  readonly startedAt: string;
  readonly elapsedMs: number;
  readonly eventsPerSecond: number;
  readonly peakRssBytes: number;
  readonly heapUsedBytes: number;
  readonly eventLoopDelayMs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number; readonly mean: number };
  /** process CPU over the run: user and system ms, and their sum over the wall time (1 = one core busy) */
  readonly cpu: { readonly userMs: number; readonly systemMs: number; readonly cores: number };
  /** share of the wall time the event loop was busy (not waiting for I/O or timers): over the run, and the busiest 5 s window */
  readonly eventLoopUtilization: { readonly overall: number; readonly max5s: number };
}

/** How the run kept time, and whether it kept up. */
export interface ClockFigures {
  readonly mode: 'virtual' | 'scaled';
  readonly timeFactor: number | null;
  /** scaled time: how late events ran behind their wall-clock due time (wall ms) */
  readonly lagMs: { readonly count: number; readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number } | null;
  readonly lagBoundMs: number | null;
  /** scaled clock: event-loop utilization of the busiest 5-second window of wall time, and its bound */
  readonly eluMax5s: number | null;
  readonly eluBound: number | null;
  readonly valid: boolean;
  readonly invalidReason: string | null;
}

export function traceNames(sc: ResolvedScenario, stub: StubCore): TraceNames {
  // the fleet's events name a client by its index in the shard; its id (GUID) is global
  const base = sc.shard.firstClient;
  const clientIds: (string | undefined)[] = [];
  return {
    clientId: (i) => (clientIds[i] ??= 'GUID:' + clientGuid(sc.seed, base + i)),
    updateId: (u) => stub.catalogue.ids[u] ?? String(u),
    deploymentId: (d) => stub.mp.deployments[d]?.id ?? String(d),
    updateSourceId: '{' + stub.catalogue.updateSourceId + '}',
  };
}

/** Runs a scenario to its end in virtual (default) or scaled time, in-process (default) or over HTTP. */
export async function runFleet(sc: ResolvedScenario, opts: RunOptions): Promise<RunOutcome> {
  const clock = opts.clock ?? { mode: 'virtual' };
  const log = opts.logger.child({ module: 'run' });
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const tk = opts.transport ?? { kind: 'in-process' };
  // the fleet's simulated time, for the stub servers and the HTTP transport (set once the fleet exists)
  let simNow = (): number => sc.start;
  let servers: StubServers | null = null;
  let http: HttpTransport | null = null;
  let stub: StubCore;
  if (tk.kind === 'http' && tk.external?.mp === undefined) {
    servers = await startStubServers({
      config: sc.stub,
      logger: opts.logger,
      clock: () => simNow(),
      tls: tk.tls,
      external: { wsus: tk.external?.wsus, dp: tk.external?.dp },
      verifySignatures: tk.sign !== false,
    });
    stub = servers.core;
  } else {
    stub = new StubCore(sc.stub);
  }
  const metrics = new RunMetrics(sc.start, sc.end, opts.seriesInterval ?? MINUTE, stub.mp, sc.shard.clients);
  stub.mp.observer = metrics;
  if (opts.onInterval !== undefined) {
    const onInterval = opts.onInterval;
    metrics.onInterval = (i) => onInterval(i, metrics);
  }
  const cpu0 = process.cpuUsage();
  // wall time (performance.now()) at which an event of simulated time t was due: in scaled time
  // from the clock (set below), in virtual time there is no due wall time: now
  let dueWallOf = (_t: number): number => performance.now();
  const names = traceNames(sc, stub);
  const trace = opts.tracePath !== undefined ? new TraceWriter(opts.tracePath, names) : null;
  const onEvent = metrics.onEvent;
  const sink = trace === null
    ? onEvent
    : (t: number, c: number, e: AgentEvent) => {
        onEvent(t, c, e);
        trace.write(t, c, e);
      };
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  let peakRss = process.memoryUsage.rss();
  let transport: InProcessTransport | HttpTransport;
  let inProcess: InProcessTransport | null = null;
  if (tk.kind === 'http') {
    const cat = stub.catalogue;
    const updateByGuid = new Map(cat.ids.map((id, u) => [id.toLowerCase(), u]));
    // what the scenario says of its deployments that policy does not carry (their index, their users)
    const depById = new Map(stub.mp.deployments.map((d) => [d.id.toUpperCase(), { index: d.index, userInstallFraction: d.userInstallFraction }]));
    http = new HttpTransport({
      mp: tk.external?.mp ?? servers!.urls.mp,
      mpWire: new CcmMpWire({
        clientGuid: (i) => clientGuid(sc.seed, i),
        topicIdOf: (type, topic) => topicIdOf(names, type, topic),
        updateSourceId: cat.updateSourceId,
        contentIdOf: (u) => contentIdOf(cat, u),
        now: () => simNow(),
        keys: tk.sign === false ? null : KeyPool.generate(2),
        updateIndexOf: (g) => updateByGuid.get(g.toLowerCase()),
        scenarioDeployment: (id) => depById.get(id.toUpperCase()),
        firstFreeSlot: stub.mp.deployments.length + 1,
        settingsDefaults: sc.stub.settings,
      }),
      clientGuid: (i) => clientGuid(sc.seed, i),
      updateIndex: (g) => updateByGuid.get(g.toLowerCase()),
      contentUrl: (dp, u) => dpContentUrl(dp, cat, u),
      now: () => simNow(),
      timeoutMs: sc.model.requestTimeout,
      lockstep: clock.mode === 'virtual',
      ca: tk.ca,
      onLatency: metrics.onLatency,
      intendedAt: (t) => dueWallOf(t),
      ...(tk.concurrency !== undefined ? { concurrency: tk.concurrency } : {}),
    });
    transport = http;
  } else {
    inProcess = new InProcessTransport(stub, sc.model.requestTimeout);
    transport = inProcess;
  }
  // the send time of each state report, for the in-flight part of the state-message latency
  const shardBase = sc.shard.firstClient;
  const inner = transport;
  const timedTransport: Transport = {
    request: (req, t) => {
      if (req.kind === 'state.report') metrics.stateReportSent(req.client - shardBase, t);
      return inner.request(req, t);
    },
  };
  const fleet = new Fleet({
    // a shard runs its range of the scenario's clients, under their global ids
    clients: sc.shard.clients,
    firstClient: sc.shard.firstClient,
    ctx: {
      seed: sc.seed,
      start: sc.start,
      catalogue: stub.catalogue,
      defaultPolicyInterval: sc.settings.policyPollingInterval,
      model: sc.model,
      actions: sc.actions,
    },
    applicability: stub.catalogue,
    transport: timedTransport,
    sink,
    processes: inProcess !== null ? [stub.mp, inProcess.deferred, metrics.sampler] : [stub.mp, metrics.sampler],
  });
  transport.bind((client, t, reply) => fleet.deliver(client, Math.max(t, fleet.now), reply));
  simNow = () => fleet.now;
  log.info({ scenario: sc.name, clients: sc.clients, seed: sc.seed, durationMs: sc.duration, clock: clock.mode }, 'run started');
  const now = () => performance.now();
  // the run stops early on a signal or on a failed abortOnFail threshold
  const stop = new AbortController();
  let abortedBy: string | null = null;
  const onAbort = () => stop.abort();
  if (opts.signal?.aborted === true) stop.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const progressEvery = opts.progressEveryMs ?? 250;
  let lastProgress = now();
  let lastCheck = now();
  let lastRss = -Infinity;
  // event-loop utilization per 5 s window of wall time (the generator's saturation)
  const elu0 = performance.eventLoopUtilization();
  let eluWindow = elu0;
  let eluWindowAt = now();
  let eluMax = 0;
  let eluWindows = 0;
  const closeEluWindow = (w: number, minMs: number) => {
    if (w - eluWindowAt < minMs) return;
    const e = performance.eventLoopUtilization(eluWindow);
    eluWindows++;
    if (e.utilization > eluMax) eluMax = e.utilization;
    eluWindow = performance.eventLoopUtilization();
    eluWindowAt = w;
  };
  const snapshot = (): ProgressSnapshot => ({
    simNow: fleet.now,
    start: sc.start,
    end: sc.end,
    clients: sc.shard.clients,
    wallMs: now() - t0,
    agentEvents: fleet.events,
    stateSent: metrics.state.messagesDelivered,
    stateIngested: metrics.state.ingested,
    errors: metrics.errorsTotal,
    inFlight: http !== null ? http.pending : (inProcess?.deferred.pending ?? 0),
    scansInFlight: metrics.onlineScansInFlight,
    lagP99Ms: clock.mode === 'scaled' ? metrics.lag.getValueAtPercentile(99) : null,
    mode: clock.mode,
  });
  const progress = () => {
    const w = now();
    closeEluWindow(w, 5000);
    if (w - lastRss > 100) {
      lastRss = w;
      const rss = process.memoryUsage.rss();
      if (rss > peakRss) peakRss = rss;
    }
    if (opts.onProgress !== undefined && w - lastProgress >= progressEvery) {
      lastProgress = w;
      opts.onProgress(snapshot());
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
    if (clock.mode === 'virtual') {
      const slice = opts.sliceMs ?? 50;
      const pause = http !== null ? () => http!.pending > 0 : undefined;
      for (;;) {
        if (stop.signal.aborted) break;
        const done = fleet.runSlice(sc.end, slice, now, undefined, pause);
        if (http !== null && http.pending > 0) {
          // lockstep: the answers to this event's requests, at its simulated time
          await http.settle();
          progress();
          continue;
        }
        if (done) break;
        progress();
        await yieldToLoop();
      }
    } else {
      const wallStart = now();
      simNow = () => Math.max(fleet.now, sc.start + (now() - wallStart) * clock.timeFactor);
      dueWallOf = (t) => wallStart + (t - sc.start) / clock.timeFactor;
      await runScaledLoop(fleet, sc, clock.timeFactor, now, progress, metrics.lag, wallStart, stop.signal);
      // answers still on their way: wait for them (bounded by the request timeout)
      const until = now() + sc.model.requestTimeout / clock.timeFactor + 1000;
      while (http !== null && http.pending > 0 && now() < until) await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    trace?.close();
    loopDelay.disable();
    opts.signal?.removeEventListener('abort', onAbort);
    http?.abandon();
    await http?.close();
    await servers?.close();
  }
  const partial = stop.signal.aborted;
  // the last, partial window counts when it is at least a second long, or when it is all there is (a short run)
  closeEluWindow(now(), eluWindows === 0 ? 0 : 1000);
  metrics.finish(partial ? fleet.now : sc.end);
  opts.onProgress?.(snapshot());
  const result = outcome(false);
  if (!result.clock.valid) log.warn({ reason: result.clock.invalidReason }, 'run invalid');
  log.info({ elapsedMs: result.wall.elapsedMs, events: fleet.events }, 'run finished');
  if (partial) log.warn({ reached: new Date(fleet.now).toISOString(), abortedBy }, 'run stopped before its end: results are partial');
  return result;

  /** The run's figures as they are now (live: during the run, for abortOnFail checks). */
  function outcome(live: boolean): RunOutcome {
    const mem = process.memoryUsage();
    if (mem.rss > peakRss) peakRss = mem.rss;
    const elapsedMs = performance.now() - t0;
    const ms = (ns: number) => Math.round(ns / 1e4) / 100;
    const used = process.cpuUsage(cpu0);
    const wall: WallFigures = {
      startedAt,
      elapsedMs: Math.round(elapsedMs),
      eventsPerSecond: Math.round(fleet.events / (elapsedMs / 1000)),
      peakRssBytes: peakRss,
      heapUsedBytes: mem.heapUsed,
      eventLoopDelayMs: {
        p50: ms(loopDelay.percentile(50)),
        p90: ms(loopDelay.percentile(90)),
        p99: ms(loopDelay.percentile(99)),
        max: ms(loopDelay.max),
        mean: Number.isFinite(loopDelay.mean) ? ms(loopDelay.mean) : 0,
      },
      cpu: { userMs: Math.round(used.user / 1000), systemMs: Math.round(used.system / 1000), cores: Math.round(((used.user + used.system) / 1000 / Math.max(1, elapsedMs)) * 100) / 100 },
      eventLoopUtilization: { overall: round3(performance.eventLoopUtilization(elu0).utilization), max5s: round3(eluMax) },
    };
    const wire: WireFigures | null = http === null ? null : {
      urls: servers?.urls ?? { mp: tk.kind === 'http' ? (tk.external?.mp ?? '') : '', wsus: '', dp: '' },
      agentOperations: Object.fromEntries([...http.operations].sort()),
      abandonedAtEnd: http.abandonedCount,
      datastore: { ...http.datastore.counters },
      stub: servers === null ? null : {
        mp: Object.fromEntries([...servers.stats.mp.endpoints].sort()),
        wsus: Object.fromEntries([...servers.stats.wsus.operations].sort()),
        refused: Object.fromEntries(
          [servers.mp, servers.wsus, servers.dp].flatMap((r) => (r === null ? [] : [...r.stats.refused].map(([k, v]) => [`${r.role}:${k}`, v] as const))).sort(),
        ),
      },
    };
    const stopped = live || stop.signal.aborted;
    return {
      scenario: sc, stub, fleet, metrics, wall, traceLines: trace?.lines ?? 0, clock: clockFigures(), wire,
      partial: stopped, reached: stopped ? fleet.now : sc.end, abortedBy,
    };
  }

  function clockFigures(): ClockFigures {
    if (clock.mode === 'virtual') return { mode: 'virtual', timeFactor: null, lagMs: null, lagBoundMs: null, eluMax5s: null, eluBound: null, valid: true, invalidReason: null };
    const lag = metrics.lag;
    const p99 = lag.getValueAtPercentile(99);
    const lagOk = p99 <= clock.lagBoundMs;
    const eluOk = clock.eluBound === undefined || eluMax <= clock.eluBound;
    const reasons = [
      ...(lagOk ? [] : [`scheduler lag p99 ${p99} ms exceeds the bound of ${clock.lagBoundMs} ms`]),
      ...(eluOk ? [] : [`the event loop was busy ${(eluMax * 100).toFixed(1)}% of its busiest 5 s (bound ${(clock.eluBound! * 100).toFixed(1)}%): requests queued inside the generator`]),
    ];
    return {
      mode: 'scaled',
      timeFactor: clock.timeFactor,
      lagMs: { count: lag.totalCount, p50: lag.getValueAtPercentile(50), p90: lag.getValueAtPercentile(90), p99, max: lag.maxValue },
      lagBoundMs: clock.lagBoundMs,
      eluMax5s: round3(eluMax),
      eluBound: clock.eluBound ?? null,
      valid: reasons.length === 0,
      invalidReason: reasons.length === 0 ? null : `${reasons.join('; ')}: the generator could not keep up at time factor ${clock.timeFactor}`,
    };
  }
}

/**
 * Scaled time: simulated time runs at timeFactor x the wall clock. Each event
 * runs at its own simulated time once the wall clock reaches its due time;
 * how late it ran is recorded (HDR, wall ms). One timer for the whole fleet:
 * the loop sleeps until the next due time, at most 50 ms at a time so
 * asynchronous replies and signals are seen.
 */
async function runScaledLoop(
  fleet: Fleet,
  sc: ResolvedScenario,
  factor: number,
  now: () => number,
  progress: () => void,
  lag: Histogram,
  wallStart: number,
  signal: AbortSignal,
): Promise<void> {
  const dueWall = (t: number) => wallStart + (t - sc.start) / factor;
  const record = (t: number) => lag.recordValue(Math.max(0, Math.round(now() - dueWall(t))));
  // a function, not a narrowed property read: the signal changes while the loop awaits
  const aborted = (): boolean => signal.aborted;
  for (;;) {
    if (aborted()) break;
    const next = fleet.nextTime();
    if (next >= sc.end) {
      // the rest of the run is idle: wait out its wall time so the run lasts what it says
      const until = dueWall(sc.end);
      while (now() < until && !aborted()) {
        progress();
        await sleep(Math.min(50, until - now()));
      }
      break;
    }
    const wait = dueWall(next) - now();
    if (wait > 0) {
      progress();
      await sleep(Math.min(50, wait));
      continue;
    }
    // everything already due, each at its own simulated time, for at most 20 ms before yielding
    const simNow = sc.start + (now() - wallStart) * factor;
    fleet.runSlice(Math.min(sc.end, Math.floor(simNow) + 1), 20, now, record);
    progress();
    await yieldToLoop();
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
