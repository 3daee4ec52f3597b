// Prometheus text exposition (format 0.0.4) for the stub servers: each role's
// server answers GET /metrics with its own families plus the shared ones. The
// text is built from the live counters only when scraped (no work per request).
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
// content (the DP; the WSUS server when the DP is external; WSUS /Content and
// the DP share these counters):
//   suca_stub_content_requests_total                    counter  content GET/HEAD requests answered
//   suca_stub_content_bytes_total                       counter  content bytes sent
//   suca_stub_content_not_found_total                   counter  content requests for no known content
//   suca_stub_content_bad_range_total                   counter  content requests with an unsatisfiable Range (416)

import type { StubCore, FaultTarget } from '../core/index.js';
import type { Role } from './server.js';
import type { MpStats } from './mp-handler.js';
import type { WsusStats } from './wsus-handler.js';
import type { ContentStats } from './content.js';

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Fault targets always shown (at 0 when none was injected), so rate() has a start. */
const FAULT_TARGETS = ['mp.policy', 'mp.location', 'mp.state', 'wsus', 'dp'] as const satisfies readonly FaultTarget[];
/** DETECT state index -> label value */
const DETECT_LABELS = ['unknown', 'not_required', 'required', 'installed'] as const;

export type Labels = Readonly<Record<string, string>>;
export type Sample = readonly [labels: Labels | null, value: number];

/** A label value as the format wants it: backslash, double quote and line feed escaped. */
export function escapeLabelValue(v: string): string {
  return v.replace(/[\\"\n]/g, (ch) => (ch === '\\' ? '\\\\' : ch === '"' ? '\\"' : '\\n'));
}

/** HELP text: backslash and line feed escaped. */
function escapeHelp(v: string): string {
  return v.replace(/[\\\n]/g, (ch) => (ch === '\\' ? '\\\\' : '\\n'));
}

function formatValue(n: number): string {
  if (Number.isFinite(n)) return String(n);
  return Number.isNaN(n) ? 'NaN' : n > 0 ? '+Inf' : '-Inf';
}

/** Collects metric families into one exposition text. */
export class MetricsText {
  private readonly parts: string[] = [];

  family(name: string, type: 'counter' | 'gauge', help: string, samples: Iterable<Sample>): this {
    this.parts.push(`# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`);
    for (const [labels, value] of samples) {
      let l = '';
      if (labels !== null) {
        const kv = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
        if (kv.length > 0) l = `{${kv.join(',')}}`;
      }
      this.parts.push(`${name}${l} ${formatValue(value)}\n`);
    }
    return this;
  }

  /** A family of one unlabelled sample. */
  single(name: string, type: 'counter' | 'gauge', help: string, value: number): this {
    return this.family(name, type, help, [[null, value]]);
  }

  text(): string {
    return this.parts.join('');
  }
}

/** Samples of a counter map under one label, in key order (stable output). */
function byLabel(key: string, m: ReadonlyMap<string, number>, extra: Labels = {}): Sample[] {
  return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [{ ...extra, [key]: k }, v]);
}

/** The families every role server has: its requests and refusals. */
export function httpMetrics(w: MetricsText, role: Role, stats: { readonly requests: number; readonly refused: ReadonlyMap<string, number> }): void {
  w.family('suca_stub_http_requests_total', 'counter', 'HTTP requests received by this stub server (scrapes and /health included).', [[{ role }, stats.requests]]);
  w.family('suca_stub_http_refused_total', 'counter', 'HTTP requests refused by this stub server, by reason (WireError code, not-found, method, client-error, ...).', byLabel('reason', stats.refused, { role }));
}

/** Shared: faults injected by the scenario, per target (the same on every role). */
export function faultMetrics(w: MetricsText, core: StubCore): void {
  const seen = new Map<string, number>(FAULT_TARGETS.map((t) => [t, 0]));
  for (const [t, n] of core.faults.injected) seen.set(t, n);
  w.family(
    'suca_stub_faults_injected_total',
    'counter',
    'Scenario faults injected, by target (in-process and HTTP requests: the HTTP servers match faults through the core). Shared: the same on every role.',
    byLabel('target', seen),
  );
}

/** The MP: endpoints, state-message ingest and the compliance view. */
export function mpMetrics(w: MetricsText, core: StubCore, stats: MpStats): void {
  const c = core.mp.counters;
  w.family('suca_stub_mp_requests_total', 'counter', 'CCM messages received by the MP, by target endpoint ("(other endpoint)": not served).', byLabel('endpoint', stats.endpoints));
  w.single('suca_stub_mp_state_reports_total', 'counter', 'State-message reports relayed to the MP (MP_RelayEndpoint).', c.stateReports);
  w.single('suca_stub_mp_state_messages_received_total', 'counter', 'State messages accepted into the MP processing queue.', c.stateMessagesReceived);
  w.single(
    'suca_stub_mp_state_messages_ingested_total',
    'counter',
    'State messages processed into the compliance view; the ingest rate is rate(suca_stub_mp_state_messages_ingested_total[1m]).',
    c.stateMessagesIngested,
  );
  w.single('suca_stub_mp_state_messages_duplicate_total', 'counter', 'State messages dropped as re-deliveries (serial seen before).', c.stateDuplicates);
  w.single(
    'suca_stub_mp_state_messages_out_of_order_dropped_total',
    'counter',
    'Out-of-order state-message serials beyond the per-client bound, not recorded.',
    c.stateOutOfOrderDropped,
  );
  w.single('suca_stub_mp_backlog_messages', 'gauge', 'State messages waiting in the MP / StateSys backlog.', core.mp.backlog);
  const d = core.mp.detectCounts;
  w.family(
    'suca_stub_compliance_pairs',
    'gauge',
    '(client, update) pairs by last reported detection state (topic 500).',
    DETECT_LABELS.map((state, i): Sample => [{ state }, d[i]!]),
  );
}

/** The WSUS: MS-WUSP operations, scans, failures, cookie recoveries. */
export function wsusMetrics(w: MetricsText, core: StubCore, stats: WsusStats): void {
  w.family('suca_stub_wsus_operations_total', 'counter', 'MS-WUSP requests received by the WSUS, by operation.', byLabel('operation', stats.operations));
  w.single('suca_stub_wsus_scans_total', 'counter', 'WSUS scans started (software pass begun; in-process scans included).', core.wsus.counters.scans);
  w.single('suca_stub_wsus_scan_failures_total', 'counter', 'WSUS scans refused (unknown SUP, in-process faults).', core.wsus.counters.scanFailures);
  w.single('suca_stub_wsus_full_scans_total', 'counter', 'WSUS scans from a client that held nothing from this SUP (in-process scans included).', core.wsus.counters.fullScans);
  w.single('suca_stub_wsus_delta_scans_total', 'counter', 'WSUS scans from a client that sent its cached revisions back (in-process scans included).', core.wsus.counters.deltaScans);
  w.single('suca_stub_wsus_updates_sent_total', 'counter', 'Update metadata (UpdateInfo) sent in SyncUpdates answers (in-process scans included).', core.wsus.counters.updatesSent);
  w.single('suca_stub_wsus_sync_rounds_total', 'counter', 'SyncUpdates calls: software pages and driver passes (in-process scans counted as the pages they would take).', core.wsus.counters.syncRounds);
  w.single('suca_stub_wsus_cookie_recoveries_total', 'counter', 'WSUS faults the client recovered from by renewing its cookie (in-process).', core.recoveries);
}

/** Content (DP, and WSUS /Content: one set of counters). */
export function contentMetrics(w: MetricsText, stats: ContentStats): void {
  w.single('suca_stub_content_requests_total', 'counter', 'Content GET/HEAD requests answered (DP and WSUS /Content).', stats.requests);
  w.single('suca_stub_content_bytes_total', 'counter', 'Content bytes sent (DP and WSUS /Content).', stats.bytes);
  w.single('suca_stub_content_not_found_total', 'counter', 'Content requests for no known content (DP and WSUS /Content).', stats.notFound);
  w.single('suca_stub_content_bad_range_total', 'counter', 'Content requests with an unsatisfiable Range, answered 416 (DP and WSUS /Content).', stats.badRange);
}
