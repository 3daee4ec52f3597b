// Everything a run measures, fed by the clients' events, the MP's ingest and
// the HTTP transport. Counters are plain numbers indexed by small integers
// (no per-client labels); latencies go to HDR histograms (fixed memory,
// merge exactly); time series are typed arrays, one slot per simulated
// interval.

import * as hdr from 'hdr-histogram-js';
import type { AgentEvent, AgentEventName, ScanTrigger } from '../../agent/core/types.js';
import { MSG_STRIDE } from '../../agent/core/types.js';
import type { IngestObserver } from '../../server-stub/core/mp.js';
import type { TimedProcess } from '../../agent/runtime/fleet.js';
import { DETECT } from '../../agent/core/constants.js';
import { WallSeries } from './wall-series.js';
import { IntervalPercentiles } from './interval-percentiles.js';
import type { MetricsPlan } from '../plan.js';

export const EVENT_NAMES: readonly AgentEventName[] = [
  'policy.requested', 'policy.received', 'policy.failed', 'scan.started', 'scan.completed', 'scan.failed',
  'download.started', 'download.completed', 'download.failed', 'deployment.available', 'deployment.deadline',
  'cache.evicted', 'install.started', 'install.completed', 'restart.scheduled', 'restart.started', 'restart.completed',
  'reevaluation.started', 'update.lost', 'state.queued', 'state.sent', 'install.waitingForWindow', 'restart.waitingForWindow', 'power.off', 'power.on',
  'scan.waitingLocation', 'install.failed', 'deployment.pulledForward', 'sup.switched', 'state.resync',
  'restart.reminder', 'restart.snoozed', 'restart.countdown', 'download.waitingContent', 'download.retrying',
];

export const TRIGGERS: readonly ScanTrigger[] = [
  'firstPolicy', 'schedule', 'reevaluation', 'newDeployment', 'beforeDownload', 'beforeInstall',
  'manualScan', 'deploymentEvaluation', 'afterInstall', 'afterRestart', 'retry',
];

/** Where a client saw an error: a scan (location or WSUS), a content download, a state report, a policy request. */
export const ERROR_SOURCES = ['scan', 'download', 'report', 'policy'] as const;
export type ErrorSource = (typeof ERROR_SOURCES)[number];
const SRC_SCAN = 0;
const SRC_DOWNLOAD = 1;
const SRC_REPORT = 2;
const SRC_POLICY = 3;

let wasmReady = false;

/** Loads hdr-histogram-js's WebAssembly once (before building or decoding a WebAssembly histogram). */
export function initHistograms(): void {
  if (!wasmReady) {
    hdr.initWebAssemblySync();
    wasmReady = true;
  }
}

/**
 * An HDR histogram of whole units (3 significant digits, up to 2^40).
 * hdr-histogram-js's WebAssembly build (shipped inside the package) records
 * in 21 ns against 104 ns for the JS one (measured, 10 M records); the state
 * storm of a 100k-client run records ~60 M values. WebAssembly histograms own
 * memory outside the JS heap: call destroy() when done with one.
 */
export function newHistogram(): hdr.Histogram {
  initHistograms();
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 2 ** 40, numberOfSignificantValueDigits: 3, autoResize: true, useWebAssembly: true });
}

/** The units of a histogram in results.json: simulated ms, wall ms, wall µs. */
export type HistogramUnit = 'ms' | 'wall-ms' | 'wall-us';

/** Per-interval series names (counts in the interval unless said). */
export const SERIES_NAMES = [
  'scansOnline', 'scansOffline', 'scanFailures',
  /** most online scans in progress at once during the interval */
  'wsusInFlight',
  'stateSent', 'stateIngested',
  /** latency (queued -> ingested, simulated ms) of the messages ingested in the interval; NaN: none */
  'stateLatencyP50', 'stateLatencyP99',
  /** sampled at the end of the interval */
  'backlog',
  'downloads', 'downloadBytes', 'installs', 'restarts', 'errorsTotal',
] as const;
export type SeriesName = (typeof SERIES_NAMES)[number];

export interface Series {
  readonly length: number;
  readonly counts: Readonly<Record<SeriesName, SeriesArray>>;
  /** errors per interval by HRESULT (every source) */
  readonly errorsByCode: Map<number, Uint32Array>;
  /** online scans that ended (completed or failed) per interval, by the SUP they ran against */
  readonly scansBySup: Map<string, Uint32Array>;
  /** downloads completed per interval, by the DP that served them */
  readonly downloadsByDp: Map<string, Uint32Array>;
  /** (client, update) pairs per state at the MP, sampled at the end of each interval */
  readonly compliance: { readonly unknown: Uint32Array; readonly notRequired: Uint32Array; readonly required: Uint32Array; readonly installed: Uint32Array };
}

/**
 * Counts per interval fit 32 bits (4 G scans or messages a minute); bytes and
 * latencies (NaN: none) need 64. A 30-day run at 1 minute keeps 20 of these
 * 43,200-slot arrays: Uint32 for the 16 count series halves them, 28 B per
 * client of a 100k fleet (measured in the fleet bench's heap per client).
 */
export type SeriesArray = Float64Array | Uint32Array;
const WIDE: ReadonlySet<SeriesName> = new Set<SeriesName>(['downloadBytes', 'stateLatencyP50', 'stateLatencyP99']);

export interface ComplianceSource {
  readonly detectCounts: Float64Array;
  readonly backlog: number;
}

/** Wall latency of one wire operation kind. */
export interface OperationFigures {
  count: number;
  errors: number;
  /** wall µs */
  readonly hist: hdr.Histogram;
}

/** Called when an interval is complete (its counts final): the NDJSON series stream. */
export type IntervalSink = (i: number) => void;

export class RunMetrics implements IngestObserver {
  readonly events = new Float64Array(EVENT_NAMES.length);
  private readonly eventIndex: Readonly<Record<AgentEventName, number>> = Object.fromEntries(EVENT_NAMES.map((n, i) => [n, i])) as Record<AgentEventName, number>;
  private readonly triggerIndex = new Map<ScanTrigger, number>(TRIGGERS.map((n, i) => [n, i]));
  readonly scansOnline = new Float64Array(TRIGGERS.length);
  readonly scansOffline = new Float64Array(TRIGGERS.length);
  /** HRESULT -> count per source (ERROR_SOURCES order) */
  readonly errors = new Map<number, Float64Array>();
  errorsTotal = 0;
  readonly state = { queued: 0, replaced: 0, superseded: 0, reportsOk: 0, reportsFailed: 0, messagesDelivered: 0, messagesFailed: 0, ingested: 0, duplicates: 0 };
  readonly work = { downloads: 0, downloadBytes: 0, downloadFailures: 0, installs: 0, updatesInstalled: 0, restarts: 0, evictions: 0, evictedBytes: 0, updatesLost: 0, reevaluationsScheduled: 0, reevaluationsManual: 0, installFailures: 0 };
  // simulated ms from queued on the client to ingested at the MP, and its parts: read
  // through the getters below, which first record the run of equal messages pending
  private readonly latencyH = newHistogram();
  private readonly waitCycleH = newHistogram();
  private readonly waitBacklogH = newHistogram();
  private readonly inFlightH = newHistogram();
  /** simulated ms from queued on the client to ingested at the MP */
  get stateLatency(): hdr.Histogram {
    this.flushRun();
    return this.latencyH;
  }
  get stateWaitCycle(): hdr.Histogram {
    this.flushRun();
    return this.waitCycleH;
  }
  get stateWaitBacklog(): hdr.Histogram {
    this.flushRun();
    return this.waitBacklogH;
  }
  /** the report on the wire: sent by the client -> received by the MP (simulated ms) */
  get stateInFlight(): hdr.Histogram {
    this.flushRun();
    return this.inFlightH;
  }
  /** simulated ms from scan.started to scan.completed / scan.failed */
  readonly scanDurationOnline = newHistogram();
  readonly scanDurationOffline = newHistogram();
  /** scaled clock: how late events ran behind their wall-clock due time (wall ms) */
  readonly lag = newHistogram();
  /** HTTP transport: per operation ("mp Report", "wsus SyncUpdates", "dp GET") */
  readonly operations = new Map<string, OperationFigures>();
  /** HTTP: requests, latency and errors per wall-time bucket (wall-series.ts) */
  readonly wall = new WallSeries();
  /** online scans in progress now */
  onlineScansInFlight = 0;
  readonly series: Series;
  /** the sampler: wakes at each interval boundary to record gauges */
  readonly sampler: TimedProcess;
  onInterval: IntervalSink | null = null;

  // the scan each client has in progress: start time (NaN: none) and whether online
  private readonly scanStart: Float64Array;
  private readonly scanIsOnline: Uint8Array;
  // when each client last sent a state report (one is in flight at a time): for the in-flight part of the latency
  private reportSent: Float64Array;
  // latencies of the interval being ingested, for its p50 / p99
  private readonly intervalLatency = new IntervalPercentiles(newHistogram);
  private latencySlot = -1;
  // The run of ingested messages with the same four figures (in the same interval), recorded
  // once with its count: a report's messages are mostly queued together (a scan's or an
  // install's states) and ingested together, so they share every figure. Five HDR records per
  // message were ~8 % of a 3-day fleet run's CPU (--cpu-prof, wasm frames) with 20.6 M messages.
  private runN = 0;
  private runLatency = 0;
  private runCycle = 0;
  private runFlight = 0;
  private runBacklog = 0;
  private inFlightAtIntervalStart = 0;
  /** the last interval sampled */
  private sampled = -1;
  /** series.counts, one property read closer on the per-event path */
  private readonly c: Readonly<Record<SeriesName, SeriesArray>>;

  private readonly start: number;
  private readonly end: number;
  readonly interval: number;

  /** p: the metrics' part of the run plan (plan.ts): the run's span, the series interval, the clients it emulates */
  constructor(p: MetricsPlan, private readonly source: ComplianceSource) {
    const { start, end, interval, clients } = p;
    this.start = start;
    this.end = end;
    this.interval = interval;
    const n = Math.max(1, Math.ceil((end - start) / interval));
    const z = () => new Uint32Array(n);
    const counts = Object.fromEntries(SERIES_NAMES.map((k) => [k, WIDE.has(k) ? new Float64Array(n) : z()])) as Record<SeriesName, SeriesArray>;
    counts.stateLatencyP50.fill(NaN);
    counts.stateLatencyP99.fill(NaN);
    this.c = counts;
    this.series = { length: n, counts, errorsByCode: new Map(), scansBySup: new Map(), downloadsByDp: new Map(), compliance: { unknown: z(), notRequired: z(), required: z(), installed: z() } };
    this.scanStart = new Float64Array(clients).fill(NaN);
    this.scanIsOnline = new Uint8Array(clients);
    this.reportSent = new Float64Array(clients).fill(NaN);
    let next = start + interval;
    const self = this;
    this.sampler = {
      nextDue: () => (next <= end ? next : Infinity),
      onWake(t: number) {
        self.sample(Math.round((t - start) / interval) - 1);
        next += interval;
      },
    };
  }

  private slot(t: number): number {
    const i = Math.floor((t - this.start) / this.interval);
    return i < 0 ? 0 : i >= this.series.length ? this.series.length - 1 : i;
  }

  private sample(i: number): void {
    if (i < 0 || i >= this.series.length || i <= this.sampled) return;
    this.sampled = i;
    const c = this.source.detectCounts;
    const s = this.series.compliance;
    this.c.backlog[i] = this.source.backlog;
    s.unknown[i] = c[DETECT.UNKNOWN]!;
    s.notRequired[i] = c[DETECT.NOT_REQUIRED]!;
    s.required[i] = c[DETECT.REQUIRED]!;
    s.installed[i] = c[DETECT.INSTALLED]!;
    // scans that were in flight when the interval began count towards its peak too
    if (this.inFlightAtIntervalStart > this.c.wsusInFlight[i]!) this.c.wsusInFlight[i] = this.inFlightAtIntervalStart;
    this.inFlightAtIntervalStart = this.onlineScansInFlight;
    if (this.latencySlot === i) this.flushIntervalLatency();
    this.onInterval?.(i);
  }

  private flushRun(): void {
    const n = this.runN;
    if (n === 0) return;
    this.runN = 0;
    this.latencyH.recordValueWithCount(this.runLatency, n);
    this.waitCycleH.recordValueWithCount(this.runCycle, n);
    this.inFlightH.recordValueWithCount(this.runFlight, n);
    this.waitBacklogH.recordValueWithCount(this.runBacklog, n);
    this.intervalLatency.recordCount(this.runLatency, n);
  }

  private flushIntervalLatency(): void {
    // the run pending belongs to latencySlot's interval
    this.flushRun();
    const p = this.intervalLatency.take();
    if (p !== null && this.latencySlot >= 0) {
      this.c.stateLatencyP50[this.latencySlot] = p[0];
      this.c.stateLatencyP99[this.latencySlot] = p[1];
    }
    this.latencySlot = -1;
  }

  /**
   * Samples the intervals the sampler has not woken for: the last one (its
   * boundary is the run's end, where the fleet stops), or, for a stopped run,
   * the interval it reached. Intervals after a stopped run's stay zero.
   */
  finish(reached: number = this.end): void {
    const last = reached >= this.end ? this.series.length - 1 : this.slot(reached);
    for (let i = this.sampled + 1; i <= last; i++) this.sample(i);
    this.flushIntervalLatency();
  }

  private error(t: number, code: number, src: number): void {
    let byCode = this.errors.get(code);
    if (byCode === undefined) {
      byCode = new Float64Array(ERROR_SOURCES.length);
      this.errors.set(code, byCode);
    }
    byCode[src]!++;
    this.errorsTotal++;
    this.wall.error(code);
    this.c.errorsTotal[this.slot(t)]!++;
    this.keyed(this.series.errorsByCode, code, t);
  }

  /** One more in interval slot(t) of a series kept per key (an HRESULT, a SUP, a DP): a map lookup, once an error, a scan or a download. */
  private keyed<K>(m: Map<K, Uint32Array>, key: K, t: number): void {
    let a = m.get(key);
    if (a === undefined) {
      a = new Uint32Array(this.series.length);
      m.set(key, a);
    }
    a[this.slot(t)]!++;
  }

  private scanEnded(t: number, client: number): void {
    const at = this.scanStart[client]!;
    if (at !== at) return; // NaN: no scan was in progress (started before a stopped run's metrics, never)
    this.scanStart[client] = NaN;
    if (this.scanIsOnline[client] === 1) {
      this.onlineScansInFlight--;
      this.scanDurationOnline.recordValue(Math.max(0, t - at));
    } else {
      this.scanDurationOffline.recordValue(Math.max(0, t - at));
    }
  }

  /** the two events of every policy poll (about 95 % of the 100k x 30 d bench's events), counted without the name lookup */
  private readonly iPolicyRequested = EVENT_NAMES.indexOf('policy.requested');
  private readonly iPolicyReceived = EVENT_NAMES.indexOf('policy.received');
  /** and state.queued, the commonest after them: one per state message (20.6 M in the 100k x 3 d bench) */
  private readonly iStateQueued = EVENT_NAMES.indexOf('state.queued');

  readonly onEvent = (t: number, client: number, e: AgentEvent): void => {
    // The poll's two events first: the keyed name lookup and the switch's
    // compares below cost 6 % of the bench (profile of 100k x 30 d)
    const ev = e.ev;
    if (ev === 'policy.requested') return void this.events[this.iPolicyRequested]!++;
    if (ev === 'policy.received') return void this.events[this.iPolicyReceived]!++;
    if (ev === 'state.queued') {
      this.events[this.iStateQueued]!++;
      // an overwrite in place adds no message; one that supersedes a once-sent message does
      if (e.replaced && e.supersedes === 0) this.state.replaced++;
      else this.state.queued++;
      if (e.supersedes !== 0) this.state.superseded++;
      return;
    }
    this.events[this.eventIndex[ev]]!++;
    switch (e.ev) {
      case 'scan.started': {
        // a scan that never ended (none should) is closed here so the in-flight gauge cannot drift
        if (this.scanStart[client] === this.scanStart[client]) this.scanEnded(t, client);
        this.scanStart[client] = t;
        const k = this.triggerIndex.get(e.trigger)!;
        const i = this.slot(t);
        if (e.online) {
          this.scanIsOnline[client] = 1;
          this.scansOnline[k]!++;
          this.c.scansOnline[i]!++;
          if (++this.onlineScansInFlight > this.c.wsusInFlight[i]!) this.c.wsusInFlight[i] = this.onlineScansInFlight;
        } else {
          this.scanIsOnline[client] = 0;
          this.scansOffline[k]!++;
          this.c.scansOffline[i]!++;
        }
        break;
      }
      case 'scan.completed':
        this.scanEnded(t, client);
        if (e.sup !== null) this.keyed(this.series.scansBySup, e.sup, t);
        break;
      case 'scan.waitingLocation':
        this.scanEnded(t, client);
        break;
      case 'scan.failed':
        this.scanEnded(t, client);
        if (e.sup !== null) this.keyed(this.series.scansBySup, e.sup, t);
        this.c.scanFailures[this.slot(t)]!++;
        this.error(t, e.code, SRC_SCAN);
        break;
      case 'state.sent': {
        const n = e.msgs.length / MSG_STRIDE;
        if (e.ok) {
          this.state.reportsOk++;
          this.state.messagesDelivered += n;
          this.c.stateSent[this.slot(t)]! += n;
        } else {
          this.state.reportsFailed++;
          this.state.messagesFailed += n;
          this.error(t, e.code, SRC_REPORT);
        }
        break;
      }
      case 'policy.failed':
        this.error(t, e.code, SRC_POLICY);
        break;
      case 'download.completed': {
        this.work.downloads++;
        this.work.downloadBytes += e.bytes;
        const i = this.slot(t);
        this.c.downloads[i]!++;
        this.c.downloadBytes[i]! += e.bytes;
        this.keyed(this.series.downloadsByDp, e.dp, t);
        break;
      }
      case 'download.failed':
        this.work.downloadFailures++;
        this.error(t, e.code, SRC_DOWNLOAD);
        break;
      case 'download.retrying':
        // a DP's failure the client saw and retried (the last one, at the timeout, is download.failed's)
        this.error(t, e.code, SRC_DOWNLOAD);
        break;
      case 'install.completed':
        this.work.installs++;
        this.work.updatesInstalled += e.updates;
        this.c.installs[this.slot(t)]!++;
        break;
      case 'restart.completed':
        this.work.restarts++;
        this.c.restarts[this.slot(t)]!++;
        break;
      case 'cache.evicted':
        this.work.evictions += e.updates;
        this.work.evictedBytes += e.bytes;
        break;
      case 'update.lost':
        this.work.updatesLost++;
        break;
      case 'install.failed':
        this.work.installFailures += e.updates;
        break;
      case 'reevaluation.started':
        if (e.trigger === 'schedule') this.work.reevaluationsScheduled++;
        else this.work.reevaluationsManual++;
        break;
      default:
        break;
    }
  };

  /** The transport is sending client's state report at simulated time t. */
  stateReportSent(client: number, t: number): void {
    this.reportSent[client] = t;
  }

  /**
   * run --workers in scaled time: the clients' send times are written by the
   * workers' threads into this array (a SharedArrayBuffer, a client per
   * element by global id), not by stateReportSent here (pool.ts).
   */
  useSharedReportSent(shared: Float64Array): void {
    this.reportSent = shared;
  }

  reportSentAt(client: number, receivedAt: number): number {
    const s = this.reportSent[client];
    return s === undefined || s !== s || s > receivedAt ? receivedAt : s;
  }

  ingested(t: number, _client: number, _type: number, _state: number, queuedAt: number, sentAt: number, receivedAt: number): void {
    this.state.ingested++;
    const i = this.slot(t);
    this.c.stateIngested[i]!++;
    const latency = Math.max(0, t - queuedAt);
    const cycle = Math.max(0, sentAt - queuedAt);
    const flight = Math.max(0, receivedAt - sentAt);
    const backlog = Math.max(0, t - receivedAt);
    if (i !== this.latencySlot) {
      this.flushIntervalLatency();
      this.latencySlot = i;
    } else if (this.runN !== 0 && latency === this.runLatency && cycle === this.runCycle && flight === this.runFlight && backlog === this.runBacklog) {
      this.runN++;
      return;
    } else {
      this.flushRun();
    }
    this.runN = 1;
    this.runLatency = latency;
    this.runCycle = cycle;
    this.runFlight = flight;
    this.runBacklog = backlog;
  }

  duplicate(): void {
    this.state.duplicates++;
  }

  /** The HTTP transport's per-operation latency (wall ms, fractional). */
  readonly onLatency = (key: string, wallMs: number, ok: boolean): void => {
    let f = this.operations.get(key);
    if (f === undefined) {
      f = { count: 0, errors: 0, hist: newHistogram() };
      this.operations.set(key, f);
    }
    f.count++;
    if (!ok) f.errors++;
    f.hist.recordValue(Math.max(1, Math.round(wallMs * 1000)));
    this.wall.latency(key, wallMs, ok);
  };

  /** The HTTP transport saw a response with this status (agent/runtime/http/transport.ts onStatus). */
  readonly onStatus = (status: number): void => {
    this.wall.status(status);
  };

  eventCount(name: AgentEventName): number {
    return this.events[this.eventIndex[name]]!;
  }

  /** Frees the histograms' WebAssembly memory. */
  destroy(): void {
    this.runN = 0;
    for (const h of [this.latencyH, this.waitCycleH, this.inFlightH, this.waitBacklogH, this.scanDurationOnline, this.scanDurationOffline, this.lag]) h.destroy();
    this.intervalLatency.destroy();
    for (const f of this.operations.values()) f.hist.destroy();
    this.wall.destroy();
  }
}
