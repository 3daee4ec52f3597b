// What the generator itself costs while it runs: event-loop delay and
// utilisation (per 5 s window of wall time: the generator's saturation), peak
// RSS, heap and process CPU. Wall-clock figures only: none of them reaches the
// simulated behaviour (results.json keeps them under `wall`, which the
// determinism and golden tests leave out).

import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';

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

/** The window of event-loop utilisation whose busiest instance bounds a scaled run (ms of wall time). */
const ELU_WINDOW_MS = 5000;
/** RSS is sampled at most this often (ms): process.memoryUsage.rss() is a system call. */
const RSS_EVERY_MS = 100;

export class Probes {
  readonly startedAt = new Date().toISOString();
  readonly t0 = performance.now();
  private readonly cpu0 = process.cpuUsage();
  private readonly loopDelay: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private peakRss = process.memoryUsage.rss();
  private lastRss = -Infinity;
  private readonly elu0: EventLoopUtilization = performance.eventLoopUtilization();
  private eluWindow: EventLoopUtilization = this.elu0;
  private eluWindowAt = performance.now();
  private eluWindows = 0;
  /** event-loop utilisation of the busiest closed window so far (0..1) */
  eluMax = 0;

  constructor() {
    this.loopDelay.enable();
  }

  /** Called often during the run (with the wall time now): closes a full ELU window, samples RSS. */
  tick(w: number): void {
    this.closeEluWindow(w, ELU_WINDOW_MS);
    if (w - this.lastRss > RSS_EVERY_MS) {
      this.lastRss = w;
      const rss = process.memoryUsage.rss();
      if (rss > this.peakRss) this.peakRss = rss;
    }
  }

  /** The run is over: the loop-delay monitor stops. */
  stop(): void {
    this.loopDelay.disable();
  }

  /** The last, partial ELU window counts when it is at least a second long, or when it is all there is (a short run). */
  closeLast(w: number): void {
    this.closeEluWindow(w, this.eluWindows === 0 ? 0 : 1000);
  }

  private closeEluWindow(w: number, minMs: number): void {
    if (w - this.eluWindowAt < minMs) return;
    const e = performance.eventLoopUtilization(this.eluWindow);
    this.eluWindows++;
    if (e.utilization > this.eluMax) this.eluMax = e.utilization;
    this.eluWindow = performance.eventLoopUtilization();
    this.eluWindowAt = w;
  }

  /** The figures as they are now, for a run that has handled this many events. */
  figures(events: number): WallFigures {
    const mem = process.memoryUsage();
    if (mem.rss > this.peakRss) this.peakRss = mem.rss;
    const elapsedMs = performance.now() - this.t0;
    const ms = (ns: number) => Math.round(ns / 1e4) / 100;
    const used = process.cpuUsage(this.cpu0);
    const d = this.loopDelay;
    return {
      startedAt: this.startedAt,
      elapsedMs: Math.round(elapsedMs),
      eventsPerSecond: Math.round(events / (elapsedMs / 1000)),
      peakRssBytes: this.peakRss,
      heapUsedBytes: mem.heapUsed,
      eventLoopDelayMs: {
        p50: ms(d.percentile(50)),
        p90: ms(d.percentile(90)),
        p99: ms(d.percentile(99)),
        max: ms(d.max),
        mean: Number.isFinite(d.mean) ? ms(d.mean) : 0,
      },
      cpu: { userMs: Math.round(used.user / 1000), systemMs: Math.round(used.system / 1000), cores: Math.round(((used.user + used.system) / 1000 / Math.max(1, elapsedMs)) * 100) / 100 },
      eventLoopUtilization: { overall: round3(performance.eventLoopUtilization(this.elu0).utilization), max5s: round3(this.eluMax) },
    };
  }
}

export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
