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
const counts = z.record(z.string(), z.number());
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

const errorRow = z.object({ total: count, scan: count, download: count, report: count, policy: count });

const compliance = z.object({ unknown: count, notRequired: count, required: count, installed: count });

const seriesCounts = Object.fromEntries(SERIES_NAMES.map((k) => [k, series])) as Record<(typeof SERIES_NAMES)[number], typeof series>;

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
    wsus: z.object({
      served: count,
      refused: count,
      peakPerMinute: z.object({ scans: count, at: time }),
      /** [simulated minute from start, scans served] for every minute with any (so merged runs find their joint peak) */
      perMinute: z.array(z.tuple([count, count])),
      bySup: counts,
      /** the metadata work (stub WSUS, in-process and HTTP alike): full / delta scans, update metadata sent, SyncUpdates rounds */
      metadata: z.object({ fullScans: count, deltaScans: count, updatesSent: count, syncRounds: count }),
    }),
  }),
  policy: z.object({ assignmentRequests: count, bodyRequests: count, failures: count }),
  location: z.object({ wsus: count, content: count }),
  stateMessages: z.object({
    queued: count,
    overwritten: count,
    superseded: count,
    reportsOk: count,
    reportsFailed: count,
    delivered: count,
    undeliveredAtEnd: count,
    received: count,
    ingested: count,
    duplicates: count,
    backlogAtEnd: count,
    /** ingested per simulated second, over the run */
    ingestedPerSimSecond: num,
    latencyMs: percentiles,
    waitForCycleMs: percentiles,
    inFlightMs: percentiles,
    waitInBacklogMs: percentiles,
  }),
  /** HTTP transport: wall latency per wire operation in ms, from the intended send time */
  operations: z.record(z.string(), percentiles.extend({ count, errors: count, perSecond: num })),
  /** every histogram, hdr-histogram-js's compressed base64, so runs and shards merge exactly */
  histograms: z.record(z.string(), z.object({ unit: z.enum(['ms', 'wall-ms', 'wall-us']), encoded: z.string() })),
  work: z.object({
    downloads: count, downloadBytes: count, downloadFailures: count, installs: count, updatesInstalled: count,
    restarts: count, evictions: count, evictedBytes: count, updatesLost: count, dpDownloads: count, dpBytes: count,
  }),
  faultsInjected: counts,
  wire: z
    .object({
      urls: z.object({ mp: z.string(), wsus: z.string(), dp: z.string() }),
      agentOperations: counts,
      abandonedAtEnd: count,
      /** the agent's WUA datastore: online scans sent full / delta, SyncUpdates calls, new update metadata received (against any WSUS) */
      datastore: z.object({ fullScans: count, deltaScans: count, syncRounds: count, updatesReceived: count }),
      stub: z.object({ mp: counts, wsus: counts, refused: counts }).nullable(),
    })
    .nullable(),
  compliance: z.object({
    updates: compliance,
    deployments: z.array(z.object({ name: z.string(), id: z.string(), updates: count, clients: z.object({ compliant: count, nonCompliant: count, unknown: count }), updateStates: compliance })),
  }),
  series: z.object({
    start: time,
    intervalMs: z.number().positive(),
    length: count,
    ...seriesCounts,
    errors: z.record(z.string(), z.array(num)),
    compliance: z.object({ unknown: z.array(num), notRequired: z.array(num), required: z.array(num), installed: z.array(num) }),
  }),
  /** merge only: the inputs, and which figures are approximate */
  merged: z
    .object({
      from: z.array(z.object({ file: z.string(), scenario: z.string(), seed: count, shard, partial: z.boolean() })),
      approximate: z.array(z.string()),
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
