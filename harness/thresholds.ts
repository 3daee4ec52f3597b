// Headline figures of a run, and thresholds on them ("state_latency_p99<20m",
// "wsus_scans_per_min_max<500", "errors_rate<0.01"), evaluated at the end of
// a run. `suca-fleet compare` uses the same figures.

import type { Results } from './output/results.js';
import { HarnessError } from './errors.js';
import { tryParseDuration, formatDuration } from './duration.js';

export type Unit = 'ms' | 'count' | 'ratio' | 'per-s';

export interface HeadlineMetric {
  readonly unit: Unit;
  readonly describe: string;
  readonly get: (r: Results) => number | null;
}

const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);

/** Every figure a threshold or a comparison can name. */
export const HEADLINE: Readonly<Record<string, HeadlineMetric>> = {
  state_latency_p50: { unit: 'ms', describe: 'state message queued -> ingested, p50 (simulated)', get: (r) => r.stateMessages.latencyMs?.p50 ?? null },
  state_latency_p90: { unit: 'ms', describe: 'state message latency p90', get: (r) => r.stateMessages.latencyMs?.p90 ?? null },
  state_latency_p99: { unit: 'ms', describe: 'state message latency p99', get: (r) => r.stateMessages.latencyMs?.p99 ?? null },
  state_latency_max: { unit: 'ms', describe: 'state message latency max', get: (r) => r.stateMessages.latencyMs?.max ?? null },
  state_latency_p999: { unit: 'ms', describe: 'state message latency p99.9', get: (r) => r.stateMessages.latencyMs?.p999 ?? null },
  state_backlog_wait_p99: { unit: 'ms', describe: 'time in the MP backlog, p99', get: (r) => r.stateMessages.waitInBacklogMs?.p99 ?? null },
  state_cycle_wait_p99: { unit: 'ms', describe: 'time waiting for the reporting cycle on the client, p99', get: (r) => r.stateMessages.waitForCycleMs?.p99 ?? null },
  state_in_flight_p99: { unit: 'ms', describe: 'time a report was on its way to the MP, p99 (simulated)', get: (r) => r.stateMessages.inFlightMs?.p99 ?? null },
  state_ingested: { unit: 'count', describe: 'state messages ingested by the MP', get: (r) => r.stateMessages.ingested },
  state_undelivered: { unit: 'count', describe: 'state messages still on the clients at the end', get: (r) => r.stateMessages.undeliveredAtEnd },
  mp_backlog_end: { unit: 'count', describe: 'MP backlog at the end', get: (r) => r.stateMessages.backlogAtEnd },
  mp_backlog_max: { unit: 'count', describe: 'deepest MP backlog at an interval end', get: (r) => (r.series.backlog === null || r.series.backlog.length === 0 ? null : Math.max(...r.series.backlog.map((x) => x ?? 0))) },
  state_ingested_per_s: { unit: 'per-s', describe: 'state messages ingested per simulated second, over the run', get: (r) => r.stateMessages.ingestedPerSimSecond },
  wsus_scans_per_min_max: { unit: 'count', describe: 'online scans in the busiest simulated minute', get: (r) => r.scans.wsus?.peakPerMinute.scans ?? null },
  scans_online: { unit: 'count', describe: 'online scans', get: (r) => r.scans.online },
  scans_failed: { unit: 'count', describe: 'failed scans', get: (r) => sum(r.scans.failuresByCode) },
  scan_duration_p99: { unit: 'ms', describe: 'online scan duration p99 (simulated)', get: (r) => (r.scans.durationMs.online.count === 0 ? null : r.scans.durationMs.online.p99) },
  wsus_in_flight_max: { unit: 'count', describe: 'most online scans in progress at once', get: (r) => (r.series.wsusInFlight === null || r.series.wsusInFlight.length === 0 ? null : Math.max(...r.series.wsusInFlight.map((x) => x ?? 0))) },
  wsus_sup_changes: { unit: 'count', describe: 'scans a client made on another SUP than its previous one (failovers, manual switches)', get: (r) => r.scans.wsus?.supChanges ?? null },
  wsus_pool_503: { unit: 'count', describe: 'WSUS capacity model: requests refused with the pool queue full (503)', get: (r) => r.scans.wsus?.pool?.queueFull ?? null },
  wsus_pool_queue_max: { unit: 'count', describe: 'WSUS capacity model: longest pool queue', get: (r) => r.scans.wsus?.pool?.queueMax ?? null },
  wsus_pool_recycles: { unit: 'count', describe: 'WSUS capacity model: pool recycles at the private memory limit', get: (r) => r.scans.wsus?.pool?.recycles ?? null },
  errors_total: { unit: 'count', describe: 'errors the clients saw (every HRESULT, every source)', get: (r) => r.errors.total },
  errors_rate: {
    unit: 'ratio',
    describe: '(failed scans + failed reports + failed downloads) / (online scans + reports + downloads)',
    get: (r) => {
      const bad = sum(r.scans.failuresByCode) + r.stateMessages.reportsFailed + r.work.downloadFailures;
      const all = r.scans.online + r.stateMessages.reportsOk + r.stateMessages.reportsFailed + r.work.downloads + r.work.downloadFailures;
      return all === 0 ? 0 : bad / all;
    },
  },
  installs: { unit: 'count', describe: 'installs', get: (r) => r.work.installs },
  restarts: { unit: 'count', describe: 'restarts', get: (r) => r.work.restarts },
  compliance_unknown_ratio: {
    unit: 'ratio',
    describe: 'share of (client, update) pairs Unknown at the MP at the end',
    get: (r) => {
      if (r.compliance === null) return null;
      const c = r.compliance.updates;
      const t = c.unknown + c.notRequired + c.required + c.installed;
      return t === 0 ? null : c.unknown / t;
    },
  },
  deployment_compliant_ratio: {
    unit: 'ratio',
    describe: 'share of targeted clients compliant with every deployment (300 messages), worst deployment',
    get: (r) => {
      if (r.compliance === null) return null;
      let worst: number | null = null;
      // over each deployment's targeted clients only (results before `untargeted` counted every client)
      for (const d of r.compliance.deployments) {
        const t = d.clients.compliant + d.clients.nonCompliant + d.clients.unknown;
        if (t > 0) worst = Math.min(worst ?? 1, d.clients.compliant / t);
      }
      return worst;
    },
  },
  operation_latency_p99: {
    unit: 'ms',
    describe: 'HTTP: the slowest wire operation\'s latency p99 (wall, from the intended send time)',
    get: (r) => {
      const ops = Object.values(r.operations);
      return ops.length === 0 ? null : Math.max(...ops.map((o) => o.p99));
    },
  },
  report_latency_p99: { unit: 'ms', describe: 'HTTP: MP state report (MP_RelayEndpoint) latency p99 (wall)', get: (r) => r.operations['mp Report']?.p99 ?? null },
  sync_updates_latency_p99: { unit: 'ms', describe: 'HTTP: WSUS SyncUpdates latency p99 (wall)', get: (r) => r.operations['wsus SyncUpdates']?.p99 ?? null },
  event_loop_utilization_max: { unit: 'ratio', describe: 'share of its busiest 5 s the generator\'s event loop was busy (1: saturated)', get: (r) => r.wall.eventLoopUtilization.max5s },
  event_loop_delay_p99: { unit: 'ms', describe: 'Node event-loop delay p99 of the generator (wall)', get: (r) => r.wall.eventLoopDelayMs.p99 },
  scheduler_lag_p99: { unit: 'ms', describe: 'scaled clock: scheduler lag p99 (wall)', get: (r) => r.clock.lagMs?.p99 ?? null },
  agent_events_per_s: { unit: 'per-s', describe: 'agent events per wall second', get: (r) => r.wall.eventsPerSecond },
};

export type Op = '<' | '<=' | '>' | '>=' | '==';

export interface Threshold {
  readonly expr: string;
  readonly metric: string;
  readonly op: Op;
  readonly limit: number;
  /** also checked during the run (about once a wall second): a failure stops the run (exit 99, results partial) */
  readonly abortOnFail?: boolean;
  /** simulated ms from the start before the during-the-run check begins (a p99 over few samples means little) */
  readonly delayAbortEval?: number;
}

export interface ThresholdOutcome extends Threshold {
  readonly value: number | null;
  readonly ok: boolean;
  /** how far past the limit (value - limit), when failed */
  readonly by: number | null;
  /** value null: why (e.g. "kept by the external MP") */
  readonly why?: string;
}

const EXPR = /^\s*([a-z0-9_]+)\s*(<=|>=|==|<|>)\s*(\S+)\s*$/;

/** Parses "metric op value"; every problem with the expression named. */
export function parseThreshold(expr: string, where: string): Threshold {
  const m = EXPR.exec(expr);
  if (m === null) throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', `${where}: "${expr}" is not a threshold (metric<value, e.g. state_latency_p99<20m)`);
  const metric = m[1]!;
  const h = HEADLINE[metric];
  if (h === undefined) throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', `${where}: "${metric}" is not a metric (one of ${Object.keys(HEADLINE).join(', ')})`);
  const raw = m[3]!;
  const limit = h.unit === 'ms' ? (tryParseDuration(raw) ?? (/^\d+(\.\d+)?$/.test(raw) ? Number(raw) : NaN)) : Number(raw);
  if (!Number.isFinite(limit)) throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', `${where}: "${raw}" is not a ${h.unit === 'ms' ? 'duration (20m, 500ms) or number of ms' : 'number'}`);
  return { expr: expr.trim(), metric, op: m[2] as Op, limit };
}

/** Why a figure is null in these results: an external MP keeps it, or the run had nothing to measure. */
export function unmeasuredReason(r: Pick<Results, 'wire'>): string {
  return r.wire !== null && r.wire !== undefined && r.wire.stub === null ? 'kept by the external MP' : 'not measured in this run';
}

export function evaluateThresholds(r: Results, ts: readonly Threshold[]): ThresholdOutcome[] {
  return ts.map((t) => {
    const value = HEADLINE[t.metric]!.get(r);
    // a figure the run could not see fails: a load test that cannot see its limit has not passed it
    if (value === null) return { ...t, value, ok: false, by: null, why: unmeasuredReason(r) };
    const ok = t.op === '<' ? value < t.limit : t.op === '<=' ? value <= t.limit : t.op === '>' ? value > t.limit : t.op === '>=' ? value >= t.limit : value === t.limit;
    return { ...t, value, ok, by: ok ? null : value - t.limit };
  });
}

export function formatValue(metric: string, v: number | null): string {
  if (v === null) return 'n/a';
  const u = HEADLINE[metric]?.unit;
  if (u === 'ms') return v < 100 && !Number.isInteger(v) ? `${v.toFixed(2)}ms` : formatDuration(v >= 60_000 ? Math.round(v / 1000) * 1000 : Math.round(v));
  if (u === 'ratio') return v.toFixed(4);
  if (u === 'per-s' && Math.abs(v) < 100 && !Number.isInteger(v)) return v.toFixed(2);
  return Math.round(v).toLocaleString('en-US');
}

export function formatThresholds(out: readonly ThresholdOutcome[]): string {
  if (out.length === 0) return '';
  const L = ['Thresholds'];
  for (const o of out) {
    const v = formatValue(o.metric, o.value);
    L.push(`  ${o.ok ? 'PASS' : 'FAIL'}  ${o.expr.padEnd(40)} value ${v}${o.ok ? '' : o.by === null ? ` (${o.why ?? 'not measured in this run'})` : `, past the limit by ${formatValue(o.metric, Math.abs(o.by))}`}`);
  }
  return L.join('\n') + '\n';
}

/** Two runs side by side: each headline figure and the ratio B / A. */
export function formatComparison(a: Results, b: Results, nameA: string, nameB: string): string {
  const L = [`${'figure'.padEnd(28)}${nameA.slice(-24).padStart(26)}${nameB.slice(-24).padStart(26)}${'B / A'.padStart(10)}`];
  for (const [k, h] of Object.entries(HEADLINE)) {
    const va = h.get(a);
    const vb = h.get(b);
    const ratio = va === null || vb === null ? 'n/a' : va === 0 ? (vb === 0 ? '1.00' : 'inf') : (vb / va).toFixed(2);
    L.push(`${k.padEnd(28)}${formatValue(k, va).padStart(26)}${formatValue(k, vb).padStart(26)}${ratio.padStart(10)}`);
  }
  return L.join('\n') + '\n';
}
