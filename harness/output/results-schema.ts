// results.json, once: this zod schema is the Results type (z.infer), the
// check of a results.json read back (report, merge, compare: every problem
// with its path) and, made optional all through, the report's input.
// results.ts builds a value of this type; what it writes is what is read.

import { z } from 'zod';
import { SERIES_NAMES } from '../metrics/run-metrics.js';

/** 2: histograms for every latency, per-operation wall latency, errors by code, 1-minute series with per-interval latency. */
export const RESULTS_SCHEMA_VERSION = 2;

const num = z.number();
const count = z.number().int().min(0);
const time = z.string().min(1);
const counts = z.record(z.string(), count);
const series = z.array(z.number().nullable());

const percentiles = z.object({ count, min: num, mean: num, p50: num, p90: num, p99: num, p999: num, max: num });

const threshold = z.object({
  expr: z.string(),
  metric: z.string(),
  op: z.enum(['<', '<=', '>', '>=', '==']),
  limit: num,
  abortOnFail: z.boolean().optional(),
  delayAbortEval: num.optional(),
  value: num.nullable(),
  ok: z.boolean(),
  by: num.nullable(),
  /** value null: why the run could not see the figure (e.g. "kept by the external MP") */
  why: z.string().optional(),
});

const shard = z.object({ index: count, count, firstClient: count, clients: count });

const clock = z.object({
  mode: z.enum(['virtual', 'scaled']),
  timeFactor: num.nullable(),
  lagMs: z.object({ count, p50: num, p90: num, p99: num, max: num }).nullable(),
  lagBoundMs: num.nullable(),
  eluMax5s: num.nullable(),
  eluBound: num.nullable(),
  valid: z.boolean(),
  invalidReason: z.string().nullable(),
});

/** one IIS application pool of the WSUS capacity model (server-stub/core/wsus-pool.ts), or the pools summed (maxima: the largest) */
const poolFigures = z.object({
  requests: count, admitted: count, queueFull: count, refusedRecycling: count, failedInRecycle: count, recycles: count,
  queueMax: count, concurrentMax: count, memoryMaxMB: num, busyMs: num, waitMs: num, waitMaxMs: num,
});
export type PoolFigures = z.infer<typeof poolFigures>;

const errorRow = z.object({ total: count, scan: count, download: count, report: count, policy: count });

const compliance = z.object({ unknown: count, notRequired: count, required: count, installed: count });

/** null: a figure of the embedded stub, not seen by a run against an external MP */
const nseries = series.nullable();
const seriesCounts = Object.fromEntries(SERIES_NAMES.map((k) => [k, nseries])) as Record<(typeof SERIES_NAMES)[number], typeof nseries>;

export const resultsSchema = z.object({
  schemaVersion: z.literal(RESULTS_SCHEMA_VERSION, { error: (i) => `${JSON.stringify(i.input)}, this suca-fleet reads ${RESULTS_SCHEMA_VERSION}` }),
  tool: z.object({ name: z.string(), version: z.string(), versions: z.record(z.string(), z.string()) }),
  scenario: z.object({ name: z.string(), seed: count, clients: count, start: time, duration: z.string(), effective: z.record(z.string(), z.unknown()) }),
  shard,
  /** stopped before its end (SIGINT/SIGTERM or an abortOnFail threshold): every figure covers start .. reached */
  partial: z.boolean(),
  reached: time,
  abortedBy: z.string().nullable(),
  mode: z.enum(['virtual', 'scaled']),
  valid: z.boolean(),
  clock,
  thresholds: z.array(threshold),
  agentEvents: count,
  events: counts,
  errors: z.object({ total: count, byCode: z.record(z.string(), errorRow) }),
  scans: z.object({
    online: count,
    offline: count,
    byTrigger: z.record(z.string(), z.object({ online: count, offline: count })),
    failuresByCode: counts,
    durationMs: z.object({ online: percentiles, offline: percentiles }),
    /** the stub WSUS's side; null with an external MP (and its WSUS): this run cannot see it */
    wsus: z.object({
      served: count,
      refused: count,
      peakPerMinute: z.object({ scans: count, at: time }),
      /** [simulated minute from start, scans served] for every minute with any (so merged runs find their joint peak) */
      perMinute: z.array(z.tuple([count, count])),
      bySup: counts,
      /** the metadata work (stub WSUS, in-process and HTTP alike): full / delta scans, update metadata sent, SyncUpdates rounds */
      metadata: z.object({ fullScans: count, deltaScans: count, updatesSent: count, syncRounds: count }),
      /** scans a client made on another SUP than its previous one (failovers and manual switches, as the stub saw them); absent in files written before it */
      supChanges: count.optional(),
      /** the WSUS capacity model (site.wsusPool): absent when the scenario has none */
      pool: poolFigures.extend({ workers: count, queueLength: count, privateMemoryLimitMB: num, bySup: z.record(z.string(), poolFigures) }).optional(),
    }).nullable(),
  }),
  /** counted by the stub MP; with an external MP, the requests the clients sent (`seenBy: 'clients'`) */
  policy: z.object({ assignmentRequests: count, bodyRequests: count, failures: count, seenBy: z.enum(['mp', 'clients']).optional() }),
  // contentNotFound: since the content location answers with no DP (absent in older results and against an external MP)
  location: z.object({ wsus: count, content: count, contentNotFound: count.optional(), seenBy: z.enum(['mp', 'clients']).optional() }),
  stateMessages: z.object({
    queued: count,
    overwritten: count,
    superseded: count,
    reportsOk: count,
    reportsFailed: count,
    delivered: count,
    undeliveredAtEnd: count,
    // null from here on: measured at the MP, not seen by a run against an external one
    received: count.nullable(),
    ingested: count.nullable(),
    duplicates: count.nullable(),
    backlogAtEnd: count.nullable(),
    /** ingested per simulated second, over the run */
    ingestedPerSimSecond: num.nullable(),
    latencyMs: percentiles.nullable(),
    waitForCycleMs: percentiles.nullable(),
    inFlightMs: percentiles.nullable(),
    waitInBacklogMs: percentiles.nullable(),
  }),
  /** HTTP transport: wall latency per wire operation in ms, from the intended send time */
  operations: z.record(z.string(), percentiles.extend({ count, errors: count, perSecond: num })),
  /** every histogram, hdr-histogram-js's compressed base64, so runs and shards merge exactly */
  histograms: z.record(z.string(), z.object({ unit: z.enum(['ms', 'wall-ms', 'wall-us']), encoded: z.string() })),
  work: z.object({
    downloads: count, downloadBytes: count, downloadFailures: count, installs: count, updatesInstalled: count,
    restarts: count, evictions: count, evictedBytes: count, updatesLost: count,
    /** counted by the stub DP: null with an external MP */
    dpDownloads: count.nullable(), dpBytes: count.nullable(),
    /** re-evaluations by the schedule and by the Deployment Evaluation Cycle action; update installs that failed (issue 11) */
    reevaluationsScheduled: count, reevaluationsManual: count, installFailures: count,
  }),
  /** injected by the embedded stubs: null with an external MP */
  faultsInjected: counts.nullable(),
  /** per DP of site.dps, by its name there: null with an external MP (absent in results of versions before it) */
  dps: z.record(z.string(), z.object({ requests: count, downloads: count, bytes: count, faulted: count })).nullable().optional(),
  wire: z
    .object({
      /** sups and dps: every SUP and DP the embedded stubs served (absent in results of versions before them) */
      urls: z.object({ mp: z.string(), wsus: z.string(), dp: z.string(), sups: z.array(z.string()).readonly().optional(), dps: z.array(z.string()).readonly().optional() }),
      agentOperations: counts,
      abandonedAtEnd: count,
      /** the agent's WUA datastore: online scans sent full / delta, SyncUpdates calls, new update metadata received (against any WSUS) */
      datastore: z.object({ fullScans: count, deltaScans: count, syncRounds: count, updatesReceived: count }),
      /** requestsByServer: mp, sup[k], dp[k] (absent in results of versions before it) */
      stub: z.object({ mp: counts, wsus: counts, refused: counts, requestsByServer: counts.optional() }).nullable(),
    })
    .nullable(),
  /** at the MP: null with an external MP (its compliance is kept there) */
  compliance: z.object({
    updates: compliance,
    /** clients and updateStates over the deployment's targeted clients; the clients outside its collection in `untargeted` */
    deployments: z.array(z.object({ name: z.string(), id: z.string(), updates: count, clients: z.object({ compliant: count, nonCompliant: count, unknown: count }), untargeted: count.optional(), updateStates: compliance })),
  }).nullable(),
  series: z.object({
    start: time,
    intervalMs: z.number().positive(),
    length: count,
    ...seriesCounts,
    errors: z.record(z.string(), z.array(count)),
    /** online scans that ended per interval by SUP, downloads completed by DP (absent in results of versions before them) */
    scansBySup: z.record(z.string(), z.array(count)).optional(),
    downloadsByDp: z.record(z.string(), z.array(count)).optional(),
    compliance: z.object({ unknown: z.array(count), notRequired: z.array(count), required: z.array(count), installed: z.array(count) }).nullable(),
  }),
  /** merge only: the inputs, and which figures are approximate */
  merged: z
    .object({
      from: z.array(z.object({ file: z.string(), scenario: z.string(), seed: count, shard, partial: z.boolean() })),
      approximate: z.array(z.string()),
      /** shards of the fleet none of the inputs ran (their indices): the merge covers only the others */
      missingShards: z.array(count).optional(),
      /** merged with --force although their scenario names or seeds differ */
      forced: z.array(z.string()).optional(),
    })
    .optional(),
  /** HTTP runs only (harness/metrics/wall-series.ts): per wall-time bucket, per endpoint; absent in-process and in files written before it */
  wallSeries: z
    .object({
      start: time,
      intervalMs: z.number().positive(),
      length: count,
      endpoints: z.record(z.string(), z.object({ requests: z.array(count), errors: z.array(count), p50: series, p95: series, p99: series })),
      statuses: z.record(z.string(), count),
      errorsByStatus: z.record(z.string(), z.array(count)),
      errorsByCode: z.record(z.string(), z.array(count)),
    })
    .optional(),
  /** wall-clock figures: the only section that differs between two runs of one scenario and seed in-process */
  wall: z.object({
    startedAt: time,
    elapsedMs: num,
    eventsPerSecond: num,
    peakRssBytes: num,
    heapUsedBytes: num,
    eventLoopDelayMs: z.object({ p50: num, p90: num, p99: num, max: num, mean: num }),
    cpu: z.object({ userMs: num, systemMs: num, cores: num }),
    eventLoopUtilization: z.object({ overall: num, max5s: num }),
  }),
}).superRefine((r, ctx) => {
  // what the shape alone does not say: every series as long as it says, every distribution with its histogram
  const L = r.series.length;
  const seriesLength = (a: readonly unknown[] | null, path: (string | number)[]) => {
    if (a !== null && a.length !== L) ctx.addIssue({ code: 'custom', path: ['series', ...path], message: `${a.length} values, series.length says ${L} (truncated or padded)` });
  };
  for (const k of SERIES_NAMES) seriesLength(r.series[k], [k]);
  for (const [c, a] of Object.entries(r.series.errors)) seriesLength(a, ['errors', c]);
  if (r.series.compliance !== null) for (const [k, a] of Object.entries(r.series.compliance)) seriesLength(a, ['compliance', k]);
  const needs = (name: string, p: { count: number } | null, path: (string | number)[]) => {
    if (p === null) return;
    const h = r.histograms[name];
    if (h === undefined) ctx.addIssue({ code: 'custom', path: ['histograms', name], message: `missing: ${path.join('.')} (${p.count} values) has no histogram to merge or redraw` });
    else if (h.encoded === '' && p.count > 0) ctx.addIssue({ code: 'custom', path: ['histograms', name, 'encoded'], message: `empty, ${path.join('.')} has ${p.count} values` });
  };
  const sm = r.stateMessages;
  needs('state.latency', sm.latencyMs, ['stateMessages', 'latencyMs']);
  needs('state.waitForCycle', sm.waitForCycleMs, ['stateMessages', 'waitForCycleMs']);
  needs('state.inFlight', sm.inFlightMs, ['stateMessages', 'inFlightMs']);
  needs('state.waitInBacklog', sm.waitInBacklogMs, ['stateMessages', 'waitInBacklogMs']);
  needs('scan.durationOnline', r.scans.durationMs.online, ['scans', 'durationMs', 'online']);
  needs('scan.durationOffline', r.scans.durationMs.offline, ['scans', 'durationMs', 'offline']);
  for (const [k, o] of Object.entries(r.operations)) needs('op.' + k.replace(' ', '.'), o, ['operations', k]);
  if (r.mode === 'scaled') needs('clock.lag', r.clock.lagMs, ['clock', 'lagMs']);
});

export type Results = z.infer<typeof resultsSchema>;

/** Every problem that keeps a value from being read as a results.json of this version, each with its path. */
export function resultsProblems(r: unknown): string[] {
  if (r === null || typeof r !== 'object' || Array.isArray(r)) return ['(root): not a JSON object'];
  // "missing" for an absent key reads better than zod's "expected object, received undefined"
  const parsed = resultsSchema.safeParse(r, { error: (i) => (i.input === undefined ? 'missing' : undefined) });
  if (parsed.success) return [];
  return parsed.error.issues.map((i) => `${i.path.length === 0 ? '(root)' : pathOf(i.path)}: ${i.message}`);
}

function pathOf(path: readonly PropertyKey[]): string {
  return path.map((p, k) => (typeof p === 'number' ? `[${p}]` : k === 0 ? String(p) : `.${String(p)}`)).join('');
}

type DeepPartial<T> = T extends readonly (infer E)[] ? ReadonlyArray<DeepPartial<E>> : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/**
 * What the report reads: a results.json of any schema version seen so far,
 * every part optional (a missing part is "not measured": its table or chart is
 * left out). Version 1 kept the state-message histograms in stateMessages.
 */
export type ReportInput = DeepPartial<Omit<Results, 'schemaVersion' | 'stateMessages' | 'series' | 'histograms'>> & {
  /** 1 or 2 */
  schemaVersion?: number;
  /** a unit the report does not know is drawn as it is */
  histograms?: Readonly<Record<string, { unit?: string; encoded?: string }>>;
  stateMessages?: DeepPartial<Results['stateMessages']> & { histograms?: Readonly<Record<string, string>> };
  series?: DeepPartial<Results['series']> & { [key: string]: unknown };
  [key: string]: unknown;
};
