// Prometheus text exposition (format 0.0.4) for the stub servers: each role's
// server answers GET /metrics with its own families plus the shared ones.
// prom-client renders them (a well-kept library instead of our own writer):
// each server has a private Registry (never prom-client's global one), and
// every metric is a collect callback that reads the live counters when
// scraped, so a request costs nothing (no inc() on any request path).
//
// Metric names (all counters end in _total; no per-client labels):
//
// every role (MP, WSUS, DP):
//   suca_stub_http_requests_total{role}                 counter  HTTP requests received by this server (scrapes and /health included)
//   suca_stub_http_refused_total{role,reason}           counter  requests refused, by reason (WireError code, not-found, method, client-error, ...)
//   suca_stub_faults_injected_total{target}             counter  scenario faults injected, by target (mp.policy, mp.location,
//                                                                mp.state, wsus, dp); counted by core.faults for in-process and
//                                                                HTTP requests alike (the HTTP handlers match faults through it),
//                                                                so the same values show on every role: do not sum across roles
// MP:
//   suca_stub_mp_requests_total{endpoint}               counter  CCM messages received, by target endpoint ("(other endpoint)": not served)
//   suca_stub_mp_state_reports_total                    counter  state-message reports relayed (MP_RelayEndpoint)
//   suca_stub_mp_state_messages_received_total          counter  state messages accepted into the processing queue
//   suca_stub_mp_state_messages_ingested_total          counter  state messages processed into the compliance view
//                                                                (ingest rate: rate(suca_stub_mp_state_messages_ingested_total[1m]))
//   suca_stub_mp_state_messages_duplicate_total         counter  state messages dropped as re-deliveries (serial seen before)
//   suca_stub_mp_state_messages_out_of_order_dropped_total counter  out-of-order serials beyond the per-client bound, not recorded
//   suca_stub_mp_backlog_messages                       gauge    state messages waiting in the MP / StateSys backlog
//   suca_stub_compliance_pairs{state}                   gauge    (client, update) pairs by last detection state
//                                                                (unknown, not_required, required, installed)
// WSUS:
//   suca_stub_wsus_operations_total{operation}          counter  MS-WUSP requests, by operation
//   suca_stub_wsus_scans_total                          counter  scans started (software pass begun; in-process scans included)
//   suca_stub_wsus_scan_failures_total                  counter  scans refused (unknown SUP, in-process faults)
//   suca_stub_wsus_full_scans_total                     counter  scans from a client holding nothing from the SUP (in-process included)
//   suca_stub_wsus_delta_scans_total                    counter  scans from a client sending its cached revisions back
//   suca_stub_wsus_updates_sent_total                   counter  update metadata sent in SyncUpdates answers
//   suca_stub_wsus_sync_rounds_total                    counter  SyncUpdates calls (software pages, driver passes)
//   suca_stub_wsus_cookie_recoveries_total              counter  WSUS faults recovered by renewing the cookie (in-process)
//   suca_stub_wsus_sup_changes_total                    counter  scans a client made on another SUP than its previous one
// WSUS capacity model (site.wsusPool; only when the scenario has one), per SUP's application pool:
//   suca_stub_wsus_pool_requests_total{sup,outcome}     counter  requests reaching the pool: admitted, queue_full (503), recycling
//   suca_stub_wsus_pool_failed_in_recycle_total{sup}    counter  admitted requests failed by a recycle (the one crossing the limit included)
//   suca_stub_wsus_pool_recycles_total{sup}             counter  recycles at the private memory limit
//   suca_stub_wsus_pool_queue_max{sup}                  gauge    longest queue seen (requests waiting for a worker)
//   suca_stub_wsus_pool_concurrent_max{sup}             gauge    most requests in the pool at once (in service + queued)
//   suca_stub_wsus_pool_memory_max_mb{sup}              gauge    highest private memory reached (MB)
// content (the DP; the WSUS server when the DP is external; WSUS /Content and
// the DP share these counters):
//   suca_stub_content_requests_total                    counter  content GET/HEAD requests answered
//   suca_stub_content_bytes_total                       counter  content bytes sent
//   suca_stub_content_not_found_total                   counter  content requests for no known content
//   suca_stub_content_bad_range_total                   counter  content requests with an unsatisfiable Range (416)

import { Counter, Gauge, Registry } from 'prom-client';
import type { StubCore, FaultTarget } from '../core/index.js';
import type { Role } from './server.js';
import type { MpStats } from './mp-handler.js';
import type { WsusStats } from './wsus-handler.js';
import type { ContentStats } from './content.js';

export const METRICS_CONTENT_TYPE: string = Registry.PROMETHEUS_CONTENT_TYPE;

/** Fault targets always shown (at 0 when none was injected), so rate() has a start. */
const FAULT_TARGETS = ['mp.policy', 'mp.location', 'mp.state', 'wsus', 'dp'] as const satisfies readonly FaultTarget[];
/** DETECT state index -> label value */
const DETECT_LABELS = ['unknown', 'not_required', 'required', 'installed'] as const;

type Labels = Readonly<Record<string, string>>;
type Sample = readonly [labels: Labels, value: number];

/**
 * A label value as the format wants it: backslash, double quote and line feed
 * escaped. prom-client escapes this way itself; this is the rule its output is
 * checked against (test/stub-metrics.test.ts).
 */
export function escapeLabelValue(v: string): string {
  return v.replace(/[\\"\n]/g, (ch) => (ch === '\\' ? '\\\\' : ch === '"' ? '\\"' : '\\n'));
}

/**
 * The exposition text of a registry: its families in registration order. Not
 * Registry.metrics(), which puts a blank line between families: the format
 * allows it, but the stub's output stays line for line what it was (simple
 * line-by-line scrapers and the test's strict parser read it).
 */
export async function exposition(reg: Registry): Promise<string> {
  const parts = await Promise.all(reg.getMetricsAsArray().map((m) => reg.getSingleMetricAsString(m.name)));
  return parts.length === 0 ? '' : parts.join('\n') + '\n';
}

/** A counter family whose samples are read at scrape time. */
function counter(reg: Registry, name: string, help: string, labelNames: readonly string[], read: () => Iterable<Sample>): void {
  new Counter({
    name,
    help,
    labelNames,
    registers: [reg],
    collect() {
      this.reset();
      for (const [labels, v] of read()) this.inc(labels, v);
    },
  });
}

/** An unlabelled counter read at scrape time. */
function single(reg: Registry, name: string, help: string, read: () => number): void {
  new Counter({
    name,
    help,
    registers: [reg],
    collect() {
      this.reset();
      this.inc(read());
    },
  });
}

/** A gauge family read at scrape time. */
function gauge(reg: Registry, name: string, help: string, labelNames: readonly string[], read: () => Iterable<Sample>): void {
  new Gauge({
    name,
    help,
    labelNames,
    registers: [reg],
    collect() {
      this.reset();
      for (const [labels, v] of read()) this.set(labels, v);
    },
  });
}

/** Samples of a counter map under one label, in key order (stable output). */
function byLabel(key: string, m: ReadonlyMap<string, number>, extra: Labels = {}): Sample[] {
  return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [{ ...extra, [key]: k }, v]);
}

/** The families every role server has: its requests and refusals. */
export function httpMetrics(reg: Registry, role: Role, stats: { readonly requests: number; readonly refused: ReadonlyMap<string, number> }): void {
  counter(reg, 'suca_stub_http_requests_total', 'HTTP requests received by this stub server (scrapes and /health included).', ['role'], () => [[{ role }, stats.requests]]);
  counter(reg, 'suca_stub_http_refused_total', 'HTTP requests refused by this stub server, by reason (WireError code, not-found, method, client-error, ...).', ['role', 'reason'], () => byLabel('reason', stats.refused, { role }));
}

/** Shared: faults injected by the scenario, per target (the same on every role). */
export function faultMetrics(reg: Registry, core: StubCore): void {
  counter(
    reg,
    'suca_stub_faults_injected_total',
    'Scenario faults injected, by target (in-process and HTTP requests: the HTTP servers match faults through the core). Shared: the same on every role.',
    ['target'],
    () => {
      const seen = new Map<string, number>(FAULT_TARGETS.map((t) => [t, 0]));
      for (const [t, n] of core.faults.injected) seen.set(t, n);
      return byLabel('target', seen);
    },
  );
}

/** The MP: endpoints, state-message ingest and the compliance view. */
export function mpMetrics(reg: Registry, core: StubCore, stats: MpStats): void {
  const c = core.mp.counters;
  counter(reg, 'suca_stub_mp_requests_total', 'CCM messages received by the MP, by target endpoint ("(other endpoint)": not served).', ['endpoint'], () => byLabel('endpoint', stats.endpoints));
  single(reg, 'suca_stub_mp_content_location_not_found_total', 'Content location requests answered with no DP: the content was not on the DPs yet (deployments[].contentDistributed).', () => c.contentLocationNotFound);
  single(reg, 'suca_stub_mp_state_reports_total', 'State-message reports relayed to the MP (MP_RelayEndpoint).', () => c.stateReports);
  single(reg, 'suca_stub_mp_state_messages_received_total', 'State messages accepted into the MP processing queue.', () => c.stateMessagesReceived);
  single(
    reg,
    'suca_stub_mp_state_messages_ingested_total',
    'State messages processed into the compliance view; the ingest rate is rate(suca_stub_mp_state_messages_ingested_total[1m]).',
    () => c.stateMessagesIngested,
  );
  single(reg, 'suca_stub_mp_state_messages_duplicate_total', 'State messages dropped as re-deliveries (serial seen before).', () => c.stateDuplicates);
  single(reg, 'suca_stub_mp_state_messages_out_of_order_dropped_total', 'Out-of-order state-message serials beyond the per-client bound, not recorded.', () => c.stateOutOfOrderDropped);
  single(
    reg,
    'suca_stub_mp_state_messages_foreign_client_total',
    "State messages in reports from a client that is not one of the scenario's: answered as accepted, not ingested.",
    () => c.stateMessagesForeignClient,
  );
  single(reg, 'suca_stub_mp_state_messages_unknown_topic_total', 'State messages taken of a topic the scenario does not model (a topic type other than 300/301/302/402/500/501, or an id outside the scenario): serial kept, no state changed.', () => c.stateMessagesUnknownTopic);
  new Gauge({
    name: 'suca_stub_mp_backlog_messages',
    help: 'State messages waiting in the MP / StateSys backlog.',
    registers: [reg],
    collect() {
      this.set(core.mp.backlog);
    },
  });
  gauge(reg, 'suca_stub_compliance_pairs', '(client, update) pairs by last reported detection state (topic 500).', ['state'], () => {
    const d = core.mp.detectCounts;
    return DETECT_LABELS.map((state, i): Sample => [{ state }, d[i]!]);
  });
}

/** The WSUS: MS-WUSP operations, scans, failures, cookie recoveries. */
export function wsusMetrics(reg: Registry, core: StubCore, stats: WsusStats): void {
  counter(reg, 'suca_stub_wsus_operations_total', 'MS-WUSP requests received by the WSUS, by operation.', ['operation'], () => byLabel('operation', stats.operations));
  single(reg, 'suca_stub_wsus_scans_total', 'WSUS scans started (software pass begun; in-process scans included).', () => core.wsus.counters.scans);
  single(reg, 'suca_stub_wsus_scan_failures_total', 'WSUS scans refused (unknown SUP, in-process faults).', () => core.wsus.counters.scanFailures);
  single(reg, 'suca_stub_wsus_full_scans_total', 'WSUS scans from a client that held nothing from this SUP (in-process scans included).', () => core.wsus.counters.fullScans);
  single(reg, 'suca_stub_wsus_delta_scans_total', 'WSUS scans from a client that sent its cached revisions back (in-process scans included).', () => core.wsus.counters.deltaScans);
  single(reg, 'suca_stub_wsus_updates_sent_total', 'Update metadata (UpdateInfo) sent in SyncUpdates answers (in-process scans included).', () => core.wsus.counters.updatesSent);
  single(reg, 'suca_stub_wsus_sync_rounds_total', 'SyncUpdates calls: software pages and driver passes (in-process scans counted as the pages they would take).', () => core.wsus.counters.syncRounds);
  single(reg, 'suca_stub_wsus_cookie_recoveries_total', 'WSUS faults the client recovered from by renewing its cookie (in-process).', () => core.recoveries);
  single(reg, 'suca_stub_wsus_sup_changes_total', 'Scans a client made on another SUP than its previous one (failovers, manual switches).', () => core.wsus.counters.supChanges);
  if (core.wsus.pools.size === 0) return;
  const pools = [...core.wsus.pools];
  const per = (read: (c: (typeof pools)[number][1]['counters']) => number) => (): Sample[] => pools.map(([sup, p]): Sample => [{ sup }, read(p.counters)]);
  counter(reg, 'suca_stub_wsus_pool_requests_total', 'Requests reaching the WSUS application pool, by outcome: admitted, queue_full (503), recycling.', ['sup', 'outcome'], () =>
    pools.flatMap(([sup, p]): Sample[] => [[{ sup, outcome: 'admitted' }, p.counters.admitted], [{ sup, outcome: 'queue_full' }, p.counters.queueFull], [{ sup, outcome: 'recycling' }, p.counters.refusedRecycling]]));
  counter(reg, 'suca_stub_wsus_pool_failed_in_recycle_total', 'Admitted requests failed by an application pool recycle.', ['sup'], per((c) => c.failedInRecycle));
  counter(reg, 'suca_stub_wsus_pool_recycles_total', 'Application pool recycles at the private memory limit.', ['sup'], per((c) => c.recycles));
  gauge(reg, 'suca_stub_wsus_pool_queue_max', 'Longest application pool queue seen (requests waiting for a worker).', ['sup'], per((c) => c.queueMax));
  gauge(reg, 'suca_stub_wsus_pool_concurrent_max', 'Most requests in the application pool at once (in service + queued).', ['sup'], per((c) => c.concurrentMax));
  gauge(reg, 'suca_stub_wsus_pool_memory_max_mb', 'Highest private memory of the application pool (MB).', ['sup'], per((c) => c.memoryMaxMB));
}

/** Content (DP, and WSUS /Content: one set of counters). */
export function contentMetrics(reg: Registry, stats: ContentStats): void {
  single(reg, 'suca_stub_content_requests_total', 'Content GET/HEAD requests answered (DP and WSUS /Content).', () => stats.requests);
  single(reg, 'suca_stub_content_bytes_total', 'Content bytes sent (DP and WSUS /Content).', () => stats.bytes);
  single(reg, 'suca_stub_content_not_found_total', 'Content requests for no known content (DP and WSUS /Content).', () => stats.notFound);
  single(reg, 'suca_stub_content_bad_range_total', 'Content requests with an unsatisfiable Range, answered 416 (DP and WSUS /Content).', () => stats.badRange);
}
