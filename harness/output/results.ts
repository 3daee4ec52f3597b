// results.json: everything a run measured. All of it is a pure function of
// scenario and seed except the `wall` section (wall-clock figures) and, over
// HTTP, the wall latencies (`operations`, `histograms.op.*`, `clock.lag*`),
// so two in-process runs of the same scenario give byte-identical files once
// `wall` is removed.

import type { DpFigures } from '../../server-stub/core/dp.js';
import { distinct } from '../../server-stub/http/served.js';
import * as hdr from 'hdr-histogram-js';
import { createRequire } from 'node:module';
import { hresultHex, DETECT, COMPLIANCE } from '../../agent/core/constants.js';
import { EVENT_NAMES, TRIGGERS, ERROR_SOURCES, SERIES_NAMES, initHistograms, type HistogramUnit } from '../metrics/run-metrics.js';
import { queuedMessages } from '../../agent/core/statemsg.js';
import type { RunOutcome } from '../run.js';
import type { ThresholdOutcome } from '../thresholds.js';
import { formatDuration } from '../duration.js';

import { RESULTS_SCHEMA_VERSION, type PoolFigures, type Results } from './results-schema.js';
import type { StubCore } from '../../server-stub/core/index.js';

export { RESULTS_SCHEMA_VERSION, resultsProblems, type Results } from './results-schema.js';
export const TOOL_VERSION = '0.1.0';

/** Versions that decide what a results.json means (the histogram encoding is hdr-histogram-js's). */
function versions(): Record<string, string> {
  const req = createRequire(import.meta.url);
  const v: Record<string, string> = { node: process.version };
  for (const pkg of ['hdr-histogram-js', 'undici']) {
    try {
      v[pkg] = (req(`${pkg}/package.json`) as { version: string }).version;
    } catch {
      // a package whose exports hide package.json: its version is not recorded
    }
  }
  return v;
}

export interface Percentiles {
  readonly count: number;
  readonly min: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/** Percentiles of a histogram, divided by `scale` (1000: µs to ms). */
export function percentiles(h: hdr.Histogram, scale = 1): Percentiles {
  const r = (x: number) => (scale === 1 ? x : Math.round((x / scale) * 1000) / 1000);
  if (h.totalCount === 0) return { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  // a percentile is its bucket's highest equivalent value, which can pass the largest value recorded: never report one above max
  const at = (q: number) => r(Math.min(h.getValueAtPercentile(q), h.maxValue));
  return {
    count: h.totalCount,
    min: r(h.minNonZeroValue === Number.MAX_SAFE_INTEGER ? 0 : h.minNonZeroValue),
    mean: Math.round((h.mean / scale) * 1000) / 1000,
    p50: at(50),
    p90: at(90),
    p99: at(99),
    p999: at(99.9),
    max: r(h.maxValue),
  };
}

/** A histogram as results.json keeps it: its unit and hdr-histogram-js's compressed base64 (decodeFromCompressedBase64). */
export interface EncodedHistogram {
  readonly unit: HistogramUnit;
  readonly encoded: string;
}

/** series the stub MP / WSUS feed (ingest, backlog, latency at ingest): null against an external MP */
const SERIES_AT_MP: ReadonlySet<string> = new Set(['stateIngested', 'stateLatencyP50', 'stateLatencyP99', 'backlog']);

const finiteOrNull = (a: Float64Array | Uint32Array): (number | null)[] => Array.from(a, (x) => (Number.isFinite(x) ? x : null));

/**
 * The results of a run. light: without the time series and encoded
 * histograms (the figures thresholds read, for the checks during a run).
 */
export function buildResults(o: RunOutcome, thresholds: readonly ThresholdOutcome[] = [], light = false): Results {
  const { scenario: sc, stub, metrics: m, fleet } = o;
  // With an external MP the embedded stub answers nothing: every figure it would
  // have counted is unknown (null), never 0, so no threshold passes on it.
  const external = o.wire !== null && o.wire.stub === null;
  const atMp = <T>(v: T): T | null => (external ? null : v);
  // and with an external DP or WSUS (run --dp URL, --wsus URL) the stub's serves nothing: its figures
  // are unknown too (the embedded servers' request counts then name no dp[0], no sup[0])
  const unseen = (first: 'dp[0]' | 'sup[0]') => external || (o.wire !== null && o.wire.stub !== null && !(first in o.wire.stub.requestsByServer));
  const dpUnseen = unseen('dp[0]');
  const atDp = <T>(v: T): T | null => (dpUnseen ? null : v);
  const wsusUnseen = unseen('sup[0]');
  const sent = (op: string) => o.wire?.agentOperations[op] ?? 0;
  const events: Record<string, number> = {};
  EVENT_NAMES.forEach((n, i) => (events[n] = m.events[i]!));
  const byTrigger: Record<string, { online: number; offline: number }> = {};
  TRIGGERS.forEach((t, i) => (byTrigger[t] = { online: m.scansOnline[i]!, offline: m.scansOffline[i]! }));
  const codes = [...m.errors.keys()].sort((a, b) => (a >>> 0) - (b >>> 0));
  const scanFailures: Record<string, number> = {};
  const errorsByCode: Record<string, { total: number } & Record<(typeof ERROR_SOURCES)[number], number>> = {};
  for (const code of codes) {
    const by = m.errors.get(code)!;
    const row = { total: 0, scan: 0, download: 0, report: 0, policy: 0 };
    ERROR_SOURCES.forEach((src, i) => {
      row[src] = by[i]!;
      row.total += by[i]!;
    });
    errorsByCode[hresultHex(code)] = row;
    if (row.scan > 0) scanFailures[hresultHex(code)] = row.scan;
  }
  const peak = stub.wsus.peakPerMinute();
  const perMinute = stub.wsus.scansPerMinute();
  const counts = stub.mp.detectCounts;
  const U = stub.catalogue.size;
  const D = Math.max(1, stub.mp.deployments.length);
  const deployments = stub.mp.deployments.map((d) => {
    const deployed = { unknown: 0, notRequired: 0, required: 0, installed: 0 };
    const dep = { compliant: 0, nonCompliant: 0, unknown: 0 };
    // a deployment's compliance is over its collection: a client it does not target is neither compliant nor unknown for it
    let untargeted = 0;
    for (let c = 0; c < sc.shard.clients; c++) {
      if (!stub.mp.targeted(sc.shard.firstClient + c, d.index)) {
        untargeted++;
        continue;
      }
      const st = stub.mp.deploymentState[c * D + d.index]!;
      if (st === COMPLIANCE.COMPLIANT) dep.compliant++;
      else if (st === COMPLIANCE.NON_COMPLIANT) dep.nonCompliant++;
      else dep.unknown++;
      for (const u of d.updates) {
        const s = stub.mp.updateStateAt(c * U + u);
        if (s === DETECT.NOT_REQUIRED) deployed.notRequired++;
        else if (s === DETECT.REQUIRED) deployed.required++;
        else if (s === DETECT.INSTALLED) deployed.installed++;
        else deployed.unknown++;
      }
    }
    return { name: d.name, id: d.id, updates: d.updates.length, clients: dep, untargeted, updateStates: deployed };
  });
  const onlineTotal = m.scansOnline.reduce((a, b) => a + b, 0);
  const offlineTotal = m.scansOffline.reduce((a, b) => a + b, 0);
  let undelivered = 0;
  for (const s of fleet.states) undelivered += queuedMessages(s);

  // every histogram, encoded so that runs and shards merge exactly (harness/output/merge.ts)
  // Percentiles are read from the histogram as encoded: decoding keeps bucket values, not the
  // raw largest value, so reading the live histogram would give a max a merge cannot reproduce.
  const histograms: Record<string, EncodedHistogram> = {};
  /** Encodes h into histograms[name] and returns its percentiles (scale 1000: µs to ms). */
  const keep = (name: string, unit: HistogramUnit, h: hdr.Histogram, scale = 1): Percentiles => {
    if (light) {
      histograms[name] = { unit, encoded: '' };
      return percentiles(h, scale);
    }
    const encoded = hdr.encodeIntoCompressedBase64(h);
    histograms[name] = { unit, encoded };
    if (h.totalCount === 0) return percentiles(h, scale);
    initHistograms();
    const d = hdr.decodeFromCompressedBase64(encoded, 32, true);
    const p = percentiles(d, scale);
    d.destroy();
    return p;
  };
  // recorded as the MP ingests a message: nothing to keep against an external MP
  const atMpHist = (name: string, h: hdr.Histogram) => (external ? null : keep(name, 'ms', h));
  const latencyMs = atMpHist('state.latency', m.stateLatency);
  const waitForCycleMs = atMpHist('state.waitForCycle', m.stateWaitCycle);
  const inFlightMs = atMpHist('state.inFlight', m.stateInFlight);
  const waitInBacklogMs = atMpHist('state.waitInBacklog', m.stateWaitBacklog);
  const durationMs = { online: keep('scan.durationOnline', 'ms', m.scanDurationOnline), offline: keep('scan.durationOffline', 'ms', m.scanDurationOffline) };
  let clock = o.clock;
  if (o.clock.mode === 'scaled') {
    const l = keep('clock.lag', 'wall-ms', m.lag);
    if (o.clock.lagMs !== null) clock = { ...o.clock, lagMs: { count: l.count, p50: l.p50, p90: l.p90, p99: l.p99, max: l.max } };
  }
  const elapsedS = Math.max(0.001, o.wall.elapsedMs / 1000);
  const operations: Record<string, { count: number; errors: number; perSecond: number } & Percentiles> = {};
  for (const key of [...m.operations.keys()].sort()) {
    const f = m.operations.get(key)!;
    operations[key] = { ...keep('op.' + key.replace(' ', '.'), 'wall-us', f.hist, 1000), count: f.count, errors: f.errors, perSecond: Math.round((f.count / elapsedS) * 100) / 100 };
  }

  const arr = (a: Float64Array | Uint32Array): number[] => (light ? [] : Array.from(a));
  const seriesCounts = Object.fromEntries(
    SERIES_NAMES.map((k) => [k, external && SERIES_AT_MP.has(k) ? null : light ? [] : k === 'stateLatencyP50' || k === 'stateLatencyP99' ? finiteOrNull(m.series.counts[k]) : arr(m.series.counts[k])]),
  ) as Record<(typeof SERIES_NAMES)[number], (number | null)[] | null>;
  const seriesErrors: Record<string, number[]> = {};
  for (const code of [...m.series.errorsByCode.keys()].sort((a, b) => (a >>> 0) - (b >>> 0))) seriesErrors[hresultHex(code)] = arr(m.series.errorsByCode.get(code)!);
  const byKey = (mp: Map<string, Uint32Array>): Record<string, number[]> => Object.fromEntries([...mp.keys()].sort().map((k) => [k, arr(mp.get(k)!)]));
  const cs = m.series.compliance;

  return {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    tool: { name: 'suca-fleet', version: TOOL_VERSION, versions: versions() },
    scenario: {
      name: sc.name,
      seed: sc.seed,
      clients: sc.clients,
      start: new Date(sc.start).toISOString(),
      duration: formatDuration(sc.duration),
      effective: sc.effective,
    },
    shard: sc.shard,
    /** stopped before its end (SIGINT/SIGTERM or an abortOnFail threshold): every figure covers start .. reached */
    partial: o.partial,
    reached: new Date(o.reached).toISOString(),
    abortedBy: o.abortedBy,
    mode: o.clock.mode,
    valid: o.clock.valid,
    clock,
    thresholds: thresholds as ThresholdOutcome[],
    agentEvents: fleet.events,
    events,
    errors: { total: m.errorsTotal, byCode: errorsByCode },
    scans: {
      online: onlineTotal,
      offline: offlineTotal,
      byTrigger,
      failuresByCode: scanFailures,
      durationMs,
      wsus: wsusUnseen ? null : {
        served: stub.wsus.counters.scans,
        refused: stub.wsus.counters.scanFailures,
        peakPerMinute: { scans: peak.scans, at: new Date(sc.start + peak.minute * 60_000).toISOString() },
        /** [simulated minute from start, scans served] for every minute with any (so merged runs find their joint peak) */
        perMinute: perMinute.flatMap((n, i) => (n > 0 ? [[i, n] as [number, number]] : [])),
        bySup: Object.fromEntries([...stub.wsus.scansBySup].sort()),
        /** the metadata work (stub WSUS, in-process and HTTP alike): full / delta scans, update metadata sent, SyncUpdates rounds */
        metadata: {
          fullScans: stub.wsus.counters.fullScans,
          deltaScans: stub.wsus.counters.deltaScans,
          updatesSent: stub.wsus.counters.updatesSent,
          syncRounds: stub.wsus.counters.syncRounds,
        },
        supChanges: stub.wsus.counters.supChanges,
        ...(stub.wsus.pools.size > 0 ? { pool: poolResults(stub) } : {}),
      },
    },
    // against an external MP, the requests as the clients sent them (the MP's own count is not visible)
    policy: external
      ? { assignmentRequests: sent('mp policy.assignments'), bodyRequests: sent('mp policy.body'), failures: m.eventCount('policy.failed'), seenBy: 'clients' as const }
      : { assignmentRequests: stub.mp.counters.assignmentRequests, bodyRequests: stub.mp.counters.bodyRequests, failures: m.eventCount('policy.failed') },
    location: external
      ? { wsus: sent('mp location.wsus'), content: sent('mp location.content'), seenBy: 'clients' as const }
      : { wsus: stub.mp.counters.wsusLocationRequests, content: stub.mp.counters.contentLocationRequests, contentNotFound: stub.mp.counters.contentLocationNotFound },
    stateMessages: {
      queued: m.state.queued,
      overwritten: m.state.replaced,
      superseded: m.state.superseded,
      reportsOk: m.state.reportsOk,
      reportsFailed: m.state.reportsFailed,
      delivered: m.state.messagesDelivered,
      undeliveredAtEnd: undelivered,
      received: atMp(stub.mp.counters.stateMessagesReceived),
      ingested: atMp(m.state.ingested),
      duplicates: atMp(m.state.duplicates),
      backlogAtEnd: atMp(stub.mp.backlog),
      /** ingested per simulated second, over the run */
      ingestedPerSimSecond: atMp(Math.round((m.state.ingested / Math.max(1, (o.reached - sc.start) / 1000)) * 1000) / 1000),
      latencyMs,
      waitForCycleMs,
      inFlightMs,
      waitInBacklogMs,
    },
    /** HTTP transport: wall latency per wire operation in ms, from the intended send time */
    operations,
    histograms,
    work: { ...m.work, dpDownloads: atDp(stub.dp.counters.downloads), dpBytes: atDp(stub.dp.counters.bytes) },
    faultsInjected: atMp(Object.fromEntries([...stub.faults.injected].sort())),
    dps: atDp(dpFigures(sc.effective, stub.dp.perDp)),
    wire: o.wire,
    compliance: external ? null : {
      updates: {
        unknown: counts[DETECT.UNKNOWN]!,
        notRequired: counts[DETECT.NOT_REQUIRED]!,
        required: counts[DETECT.REQUIRED]!,
        installed: counts[DETECT.INSTALLED]!,
      },
      deployments,
    },
    series: {
      start: new Date(sc.start).toISOString(),
      intervalMs: m.interval,
      length: m.series.length,
      ...seriesCounts,
      errors: seriesErrors,
      scansBySup: byKey(m.series.scansBySup),
      downloadsByDp: byKey(m.series.downloadsByDp),
      compliance: external ? null : { unknown: arr(cs.unknown), notRequired: arr(cs.notRequired), required: arr(cs.required), installed: arr(cs.installed) },
    },
    ...(!light && m.wall.used ? { wallSeries: m.wall.figures(hresultHex) } : {}),
    wall: o.wall,
  };
}


/**
 * results.json text: indented objects, but arrays of numbers on one line. A
 * 30-day run at 1-minute intervals has 20 series of 43,200 numbers; with
 * JSON.stringify(r, null, 2) each number takes a line and the file triples.
 */
export function formatResultsJson(r: unknown): string {
  const out: string[] = [];
  const walk = (v: unknown, ind: string): void => {
    if (Array.isArray(v)) {
      if (v.every((x) => x === null || typeof x !== 'object')) {
        out.push(JSON.stringify(v));
        return;
      }
      if (v.length === 0) {
        out.push('[]');
        return;
      }
      out.push('[\n');
      v.forEach((x, i) => {
        out.push(ind + '  ');
        walk(x, ind + '  ');
        out.push(i < v.length - 1 ? ',\n' : '\n');
      });
      out.push(ind + ']');
      return;
    }
    if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v).filter(([, x]) => x !== undefined && typeof x !== 'function');
      if (entries.length === 0) {
        out.push('{}');
        return;
      }
      out.push('{\n');
      entries.forEach(([k, x], i) => {
        out.push(ind + '  ' + JSON.stringify(k) + ': ');
        walk(x, ind + '  ');
        out.push(i < entries.length - 1 ? ',\n' : '\n');
      });
      out.push(ind + '}');
      return;
    }
    out.push(JSON.stringify(v) ?? 'null');
  };
  walk(r, '');
  return out.join('') + '\n';
}

/** The WSUS capacity model's figures: the pools summed, and each pool by SUP (./results-schema.ts `scans.wsus.pool`). */
function poolResults(stub: StubCore): NonNullable<NonNullable<Results['scans']['wsus']>['pool']> {
  const bySup: Record<string, PoolFigures> = {};
  const total: PoolFigures = { requests: 0, admitted: 0, queueFull: 0, refusedRecycling: 0, failedInRecycle: 0, recycles: 0, queueMax: 0, concurrentMax: 0, memoryMaxMB: 0, busyMs: 0, waitMs: 0, waitMaxMs: 0 };
  for (const [sup, p] of [...stub.wsus.pools].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const c = p.counters;
    bySup[sup] = { ...c };
    for (const k of ['requests', 'admitted', 'queueFull', 'refusedRecycling', 'failedInRecycle', 'recycles', 'busyMs', 'waitMs'] as const) total[k] += c[k];
    for (const k of ['queueMax', 'concurrentMax', 'memoryMaxMB', 'waitMaxMs'] as const) total[k] = Math.max(total[k], c[k]);
  }
  const s = stub.wsus.poolList[0]!.spec;
  return { workers: s.workers, queueLength: s.queueLength, privateMemoryLimitMB: s.privateMemoryLimitMB, ...total, bySup };
}

/**
 * Each DP's figures under the scenario's name for it (its k-th distinct site.dps entry: over HTTP the
 * stub core knows the DPs by their servers' URLs, in that order).
 */
function dpFigures(effective: unknown, perDp: readonly DpFigures[]): Record<string, DpFigures> {
  const listed = (effective as { site?: { dps?: readonly string[] } }).site?.dps ?? [];
  const names = distinct(listed);
  return Object.fromEntries(perDp.map((f, k) => [names[k] ?? `dp[${k}]`, { ...f }]));
}
