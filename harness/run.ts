// One run in virtual (simulated) time: the fleet, the in-process stubs,
// metrics and the optional trace, driven to the scenario's end.

import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Fleet } from '../agent/runtime/fleet.js';
import { InProcessTransport } from '../agent/runtime/transport.js';
import { guidFor } from '../agent/core/prng.js';
import type { AgentEvent } from '../agent/core/types.js';
import { StubCore } from '../server-stub/core/index.js';
import type { ResolvedScenario } from './scenario/resolve.js';
import { RunMetrics } from './metrics/run-metrics.js';
import { TraceWriter, type TraceNames } from './output/trace.js';
import type { Logger } from './logger.js';
import { HOUR } from '../agent/core/constants.js';

export interface RunOptions {
  readonly tracePath?: string | undefined;
  readonly logger: Logger;
  /** series interval in simulated ms */
  readonly seriesInterval?: number;
  /** wall ms the loop runs before yielding to the event loop */
  readonly sliceMs?: number;
}

export interface RunOutcome {
  readonly scenario: ResolvedScenario;
  readonly stub: StubCore;
  readonly fleet: Fleet;
  readonly metrics: RunMetrics;
  readonly wall: WallFigures;
  readonly traceLines: number;
}

export interface WallFigures {
  readonly startedAt: string;
  readonly elapsedMs: number;
  readonly eventsPerSecond: number;
  readonly peakRssBytes: number;
  readonly heapUsedBytes: number;
  readonly eventLoopDelayMs: { readonly p50: number; readonly p99: number; readonly max: number };
}

const KIND_CLIENT = 1;

export function traceNames(sc: ResolvedScenario, stub: StubCore): TraceNames {
  const clientIds: (string | undefined)[] = [];
  return {
    clientId: (i) => (clientIds[i] ??= 'GUID:' + guidFor(sc.seed, KIND_CLIENT, i)),
    updateId: (u) => stub.catalogue.ids[u] ?? String(u),
    deploymentId: (d) => stub.mp.deployments[d]?.id ?? String(d),
    updateSourceId: '{' + stub.catalogue.updateSourceId + '}',
  };
}

export async function runVirtual(sc: ResolvedScenario, opts: RunOptions): Promise<RunOutcome> {
  const log = opts.logger.child({ module: 'run' });
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const stub = new StubCore(sc.stub);
  const metrics = new RunMetrics(sc.start, sc.end, opts.seriesInterval ?? HOUR, stub.mp);
  stub.mp.observer = metrics;
  const trace = opts.tracePath !== undefined ? new TraceWriter(opts.tracePath, traceNames(sc, stub)) : null;
  const onEvent = metrics.onEvent;
  const sink = trace === null
    ? onEvent
    : (t: number, c: number, e: AgentEvent) => {
        onEvent(t, c, e);
        trace.write(t, c, e);
      };
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  let peakRss = process.memoryUsage.rss();
  const fleet = new Fleet({
    clients: sc.clients,
    ctx: {
      seed: sc.seed,
      start: sc.start,
      catalogue: stub.catalogue,
      defaultPolicyInterval: sc.settings.policyPollingInterval,
      model: sc.model,
      actions: sc.actions,
    },
    applicability: stub.catalogue,
    transport: new InProcessTransport(stub),
    sink,
    processes: [stub.mp, metrics.sampler],
  });
  log.info({ scenario: sc.name, clients: sc.clients, seed: sc.seed, durationMs: sc.duration }, 'run started');
  const slice = opts.sliceMs ?? 50;
  const now = () => performance.now();
  let lastLog = now();
  try {
    while (!fleet.runSlice(sc.end, slice, now)) {
      const rss = process.memoryUsage.rss();
      if (rss > peakRss) peakRss = rss;
      if (now() - lastLog > 5000) {
        lastLog = now();
        log.info({ simulatedTime: new Date(fleet.now).toISOString(), done: (fleet.now - sc.start) / sc.duration, events: fleet.events }, 'progress');
      }
      await yieldToLoop();
    }
  } finally {
    trace?.close();
    lag.disable();
  }
  metrics.finish();
  const mem = process.memoryUsage();
  if (mem.rss > peakRss) peakRss = mem.rss;
  const elapsedMs = performance.now() - t0;
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  const wall: WallFigures = {
    startedAt,
    elapsedMs: Math.round(elapsedMs),
    eventsPerSecond: Math.round(fleet.events / (elapsedMs / 1000)),
    peakRssBytes: peakRss,
    heapUsedBytes: mem.heapUsed,
    eventLoopDelayMs: { p50: ms(lag.percentile(50)), p99: ms(lag.percentile(99)), max: ms(lag.max) },
  };
  log.info({ elapsedMs: wall.elapsedMs, events: fleet.events }, 'run finished');
  return { scenario: sc, stub, fleet, metrics, wall, traceLines: trace?.lines ?? 0 };
}
