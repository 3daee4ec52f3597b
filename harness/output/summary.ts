// The end-of-run summary printed by `suca-fleet run` (and `report`, `merge`).

import * as hdr from 'hdr-histogram-js';
import type { Percentiles, Results } from './results.js';
import { formatDuration } from '../duration.js';
import { initHistograms } from '../metrics/run-metrics.js';

/** Latencies to a readable precision: whole seconds from a minute up, ms below. */
const dur = (ms: number) => formatDuration(ms >= 60_000 ? Math.round(ms / 1000) * 1000 : Math.round(ms));

const n = (x: number) => Math.round(x).toLocaleString('en-US');
const pctOf = (a: number, b: number) => (b > 0 ? ((100 * a) / b).toFixed(1) + '%' : '-');
const bytes = (b: number) => (b >= 1e12 ? (b / 1e12).toFixed(2) + ' TB' : b >= 1e9 ? (b / 1e9).toFixed(2) + ' GB' : (b / 1e6).toFixed(1) + ' MB');

/**
 * Durations of a table column in one unit, chosen from the column's largest
 * value (a column mixing "7h12m", "45s" and "120ms" reads badly: issue 10):
 * ms below 1 s, s below 2 min, min below 2 h, h below 2 d, d above.
 */
const UNITS: readonly (readonly [string, number, number])[] = [['ms', 1, 1000], ['s', 1000, 120_000], ['min', 60_000, 7_200_000], ['h', 3_600_000, 172_800_000], ['d', 86_400_000, Infinity]];
export function unitFor(maxMs: number): { readonly name: string; readonly ms: number } {
  const u = UNITS.find(([, , below]) => maxMs < below) ?? UNITS[UNITS.length - 1]!;
  return { name: u[0], ms: u[1] };
}
/** three significant figures from 1 up (whole from 100), three decimals below: a small value in a column of large ones keeps a digit or two (0.019 s) */
const sig3 = (x: number) => (x === 0 ? '0' : x >= 100 ? Math.round(x).toString() : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));
/** Formats the cells of one column (null: not known, '-') in the unit of its largest value. */
export function columnInUnit(values: readonly (number | null)[]): string[] {
  const u = unitFor(Math.max(0, ...values.map((v) => v ?? 0)));
  return values.map((v) => (v === null ? '-' : `${sig3(v / u.ms)} ${u.name}`));
}

/**
 * p95 from a histogram of results.json (it keeps p50/p90/p99/p99.9; k6 and
 * Gatling users read p95), in ms; null when the histogram is not there.
 * Read as buildResults reads the others: never above the max.
 */
export function p95Of(r: Results, name: string): number | null {
  const h = (r.histograms as Record<string, { unit: string; encoded: string } | undefined> | undefined)?.[name];
  if (h === undefined || h.encoded === '') return null;
  const scale = h.unit === 'wall-us' ? 1000 : 1;
  try {
    initHistograms();
    const d = hdr.decodeFromCompressedBase64(h.encoded, 32, true);
    try {
      if (d.totalCount === 0) return 0;
      const v = Math.min(d.getValueAtPercentile(95), d.maxValue);
      return scale === 1 ? v : Math.round((v / scale) * 1000) / 1000;
    } finally {
      d.destroy();
    }
  } catch {
    return null;
  }
}

const PCT_HEAD = ['p50', 'p90', 'p95', 'p99', 'p99.9', 'max'];
const pctValues = (p: Percentiles, p95: number | null): (number | null)[] => [p.p50, p.p90, p95, p.p99, p.p999, p.max];

/** A left-aligned first column, the rest right-aligned. */
function table(head: string[], rows: string[][], indent = '  '): string[] {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => indent + r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  return [line(head), ...rows.map(line)];
}

/** Rows of percentile values (ms) to cells, each percentile column in one unit. */
function pctRows(rows: readonly (readonly (number | null)[])[]): string[][] {
  if (rows.length === 0) return [];
  const cols = rows[0]!.map((_, j) => columnInUnit(rows.map((r) => r[j]!)));
  return rows.map((_, i) => cols.map((c) => c[i]!));
}

/** The files a command wrote, printed at the end (issue 10: say where things went). */
export function formatWritten(files: readonly { readonly what: string; readonly path: string }[]): string {
  if (files.length === 0) return '';
  const w = Math.max(...files.map((f) => f.what.length));
  return '\nWritten:\n' + files.map((f) => `  ${f.what.padEnd(w)}  ${f.path}\n`).join('');
}

/** What the summary prints for a figure this run could not see (null). */
export const NOT_SEEN = 'n/a, kept by the external MP';

export function formatSummary(r: Results): string {
  const L: string[] = [];
  // null: measured at the stub MP / WSUS, which a run against an external MP does not have
  const nn = (x: number | null) => (x === null ? 'n/a' : n(x));
  const row = (k: string, v: string) => L.push('  ' + k.padEnd(34) + v);
  const sh = r.shard;
  const shard = sh !== undefined && sh.count > 1 ? ` (shard ${sh.index}/${sh.count}: ${n(sh.clients)} clients, ids ${sh.firstClient}..${sh.firstClient + sh.clients - 1})` : '';
  L.push(`suca-fleet: ${r.scenario.name} — ${n(r.scenario.clients)} clients${shard}, ${r.scenario.duration} simulated from ${r.scenario.start}, seed ${r.scenario.seed}`);
  if (r.merged !== undefined) {
    const seeds = [...new Set(r.merged.from.map((f) => f.seed))];
    const names = [...new Set(r.merged.from.map((f) => f.scenario))];
    L.push(`merged from ${r.merged.from.length} files${seeds.length > 1 ? `, seeds ${seeds.join(', ')}` : ''}${names.length > 1 ? `, scenarios ${names.join(', ')}` : ''}${r.merged.forced !== undefined ? ' (--force)' : ''}`);
    if (r.merged.missingShards !== undefined && r.merged.missingShards.length > 0) {
      const N = Math.max(...r.merged.from.map((f) => f.shard.count));
      L.push(`INCOMPLETE: ${N - r.merged.missingShards.length} of ${N} shards (missing ${r.merged.missingShards.map((i) => `${i}/${N}`).join(', ')}); every figure covers the ${n(r.scenario.clients)} clients merged`);
    }
  }
  if (r.partial) L.push(`PARTIAL: stopped at ${r.reached}${r.abortedBy ? ` by the threshold ${r.abortedBy} (abortOnFail)` : ''}; every figure covers the start up to there`);
  L.push('');
  L.push('Scans                                  online     offline');
  for (const [t, v] of Object.entries(r.scans.byTrigger)) {
    if (v.online + v.offline === 0) continue;
    L.push('  ' + t.padEnd(34) + n(v.online).padStart(9) + n(v.offline).padStart(12));
  }
  L.push('  ' + 'total'.padEnd(34) + n(r.scans.online).padStart(9) + n(r.scans.offline).padStart(12));
  row('failed', n(r.events['scan.failed']!) + (Object.keys(r.scans.failuresByCode).length ? '  (' + Object.entries(r.scans.failuresByCode).map(([c, k]) => `${c}: ${n(k)}`).join(', ') + ')' : ''));
  row('WSUS peak scans per minute', r.scans.wsus === null ? NOT_SEEN : `${n(r.scans.wsus.peakPerMinute.scans)} at ${r.scans.wsus.peakPerMinute.at}`);
  const pool = r.scans.wsus?.pool;
  if (pool !== undefined) {
    // the WSUS capacity model (site.wsusPool)
    row('WSUS pool requests', `${n(pool.requests)}: ${n(pool.admitted)} admitted, ${n(pool.queueFull)} refused with the queue full (503)${pool.refusedRecycling > 0 ? `, ${n(pool.refusedRecycling)} while recycling` : ''}`);
    row('WSUS pool queue / in pool', `max ${n(pool.queueMax)} of ${n(pool.queueLength)} / max ${n(pool.concurrentMax)} (workers ${n(pool.workers)}), wait max ${dur(pool.waitMaxMs)}`);
    if (pool.privateMemoryLimitMB > 0) row('WSUS pool recycles', `${n(pool.recycles)} at ${n(pool.privateMemoryLimitMB)} MB (memory max ${n(pool.memoryMaxMB)} MB), ${n(pool.failedInRecycle)} requests failed in them`);
  }
  const supChanges = r.scans.wsus?.supChanges ?? 0;
  if (supChanges > 0) row('scans on another SUP than before', n(supChanges));
  // with several SUPs, where the scans went (the clients' view: series.scansBySup)
  const bySup = Object.entries(r.series.scansBySup ?? {});
  if (bySup.length > 1) bySup.forEach(([sup, a], k) => row(`  SUP ${k + 1}`, `${n(a.reduce((x: number, y) => x + (y ?? 0), 0))} online scans ended: ${sup}`));
  const sd = r.scans.durationMs;
  const p95 = (name: string) => {
    const v = p95Of(r, name);
    return v === null ? '' : `  p95 ${dur(v)}`;
  };
  if (sd.online.count > 0) row('online scan duration', `p50 ${dur(sd.online.p50)}${p95('scan.durationOnline')}  p99 ${dur(sd.online.p99)}  max ${dur(sd.online.max)}`);
  L.push('');
  L.push('Policy');
  row(`assignment requests / bodies${r.policy.seenBy === 'clients' ? ' sent' : ''}`, `${n(r.policy.assignmentRequests)} / ${n(r.policy.bodyRequests)}${r.policy.failures > 0 ? `, ${n(r.policy.failures)} failed` : ''}${r.policy.seenBy === 'clients' ? ' (as the clients sent them)' : ''}`);
  L.push('');
  const sm = r.stateMessages;
  L.push('State messages');
  row('queued (+ overwritten unsent)', `${n(sm.queued)} (+ ${n(sm.overwritten)})`);
  row('sent in reports (ok / failed)', `${n(sm.delivered)} in ${n(sm.reportsOk)} / ${n(sm.reportsFailed)} failed`);
  if (sm.ingested === null) row('acknowledged by the MP', `${n(sm.delivered)} in ${n(sm.reportsOk)} reports (the clients' view)`);
  row('ingested at MP (duplicates)', sm.ingested === null ? NOT_SEEN : `${n(sm.ingested)} (${nn(sm.duplicates)}), ${(sm.ingestedPerSimSecond ?? 0).toFixed(2)} per simulated second`);
  row('unsent at end / MP backlog at end', `${n(sm.undeliveredAtEnd)} / ${sm.backlogAtEnd === null ? NOT_SEEN : n(sm.backlogAtEnd)}`);
  const peakOf = (a: readonly (number | null)[]) => a.reduce<{ i: number; v: number }>((best, v, i) => ((v ?? 0) > best.v ? { i, v: v ?? 0 } : best), { i: 0, v: 0 });
  const at = (i: number) => new Date(Date.parse(r.series.start) + i * r.series.intervalMs).toISOString();
  const every = formatDuration(r.series.intervalMs);
  const pi = peakOf(r.series.stateIngested ?? []);
  const pb = peakOf(r.series.backlog ?? []);
  if (pi.v > 0) row(`peak per ${every}: ingested / backlog`, `${n(pi.v)} at ${at(pi.i)} / ${n(pb.v)}${pb.v > 0 ? ` at ${at(pb.i)}` : ''}`);
  const lt = sm.latencyMs;
  row('latency queue -> ingest', lt === null ? NOT_SEEN : `p50 ${dur(lt.p50)}${p95('state.latency')}  p99 ${dur(lt.p99)}  max ${dur(lt.max)}`);
  // every part is timed as the MP ingests the message: none is seen against an external MP
  if (sm.latencyMs !== null && sm.waitForCycleMs !== null && sm.inFlightMs !== null && sm.waitInBacklogMs !== null) L.push(
    ...table(
      ['  simulated time', ...PCT_HEAD],
      ((labels, cells) => labels.map((l, i) => [l, ...cells[i]!]))(
        ['  queued -> ingested', '  waiting for the cycle', '  in flight to the MP', '  waiting in the MP backlog'],
        pctRows([
          pctValues(sm.latencyMs, p95Of(r, 'state.latency')),
          pctValues(sm.waitForCycleMs, p95Of(r, 'state.waitForCycle')),
          pctValues(sm.inFlightMs, p95Of(r, 'state.inFlight')),
          pctValues(sm.waitInBacklogMs, p95Of(r, 'state.waitInBacklog')),
        ]),
      ),
    ),
  );
  L.push('');
  L.push('Deployments');
  row('downloads', `${n(r.work.downloads)} (${bytes(r.work.downloadBytes)}), ${n(r.work.downloadFailures)} failed, ${n(r.work.evictions)} evicted`);
  // with several DPs, where the load went: each DP's requests, those a fault hit, and what it served
  const dps = r.dps === undefined || r.dps === null ? [] : Object.entries(r.dps);
  if (dps.length > 1) dps.forEach(([dp, f], k) => row(`  DP ${k + 1}`, `${n(f.requests)} requests (${n(f.faulted)} faulted), ${bytes(f.bytes)} served: ${dp}`));
  row('installs (updates)', `${n(r.work.installs)} (${n(r.work.updatesInstalled)})`);
  row('restarts', n(r.work.restarts));
  if (r.work.updatesLost > 0) row('updates lost on machines', n(r.work.updatesLost));
  const codes = Object.entries(r.errors.byCode);
  if (codes.length > 0) {
    L.push('');
    L.push(`Errors seen by clients: ${n(r.errors.total)}`);
    L.push(...table(['  HRESULT', 'total', 'scan', 'download', 'report', 'policy'], codes.map(([c, e]) => ['  ' + c, n(e.total), n(e.scan), n(e.download), n(e.report), n(e.policy)])));
  }
  const ops = Object.entries(r.operations);
  if (ops.length > 0) {
    L.push('');
    L.push('Wire operations (wall time, from the intended send time)');
    const cells = pctRows(ops.map(([k, o]) => pctValues(o, p95Of(r, 'op.' + k.replace(' ', '.')))));
    L.push(...table(['  operation', 'count', 'errors', 'per s', ...PCT_HEAD], ops.map(([k, o], i) => ['  ' + k, n(o.count), n(o.errors), o.perSecond.toFixed(1), ...cells[i]!])));
  }
  if ((r.wire?.abandonedAtEnd ?? 0) > 0) L.push(`  ${n(r.wire!.abandonedAtEnd)} requests still unanswered at the end of the run: dropped, not counted as errors`);
  L.push('');
  if (r.compliance === null) {
    // the state messages went to an external MP: this process saw none of them arrive
    L.push(`Compliance: ${NOT_SEEN}`);
  } else {
    L.push('Compliance at the MP (client x update)');
    const c = r.compliance.updates;
    const tot = c.unknown + c.notRequired + c.required + c.installed;
    row('all catalogue updates', `Unknown ${pctOf(c.unknown, tot)}  Required ${pctOf(c.required, tot)}  Not Required ${pctOf(c.notRequired, tot)}  Installed ${pctOf(c.installed, tot)}`);
    for (const d of r.compliance.deployments) {
      const u = d.updateStates;
      const t = u.unknown + u.notRequired + u.required + u.installed;
      row(d.name.slice(0, 34), `Unknown ${pctOf(u.unknown, t)}  Required ${pctOf(u.required, t)}  Not Required ${pctOf(u.notRequired, t)}  Installed ${pctOf(u.installed, t)}`);
      row('  targeted clients compliant', `${n(d.clients.compliant)} of ${n(d.clients.compliant + d.clients.nonCompliant + d.clients.unknown)} (${n(d.clients.unknown)} unknown)${d.untargeted !== undefined && d.untargeted > 0 ? `; ${n(d.untargeted)} not targeted` : ''}`);
    }
  }
  L.push('');
  const c2 = r.clock;
  if (c2.mode === 'scaled' && c2.lagMs !== null) {
    L.push(
      `Clock: scaled x${c2.timeFactor}; scheduler lag p50 ${c2.lagMs.p50} ms, ${((v) => (v === null ? '' : `p95 ${v} ms, `))(p95Of(r, 'clock.lag'))}p99 ${c2.lagMs.p99} ms, max ${c2.lagMs.max} ms (bound ${c2.lagBoundMs} ms); ` +
        `event loop busy ${((c2.eluMax5s ?? 0) * 100).toFixed(1)}% of its busiest 5 s${c2.eluBound !== null && c2.eluBound !== undefined ? ` (bound ${(c2.eluBound * 100).toFixed(1)}%)` : ''}`,
    );
    if (!c2.valid) L.push(`INVALID RUN: ${c2.invalidReason}`);
  }
  const w = r.wall;
  L.push(
    `Run: ${n(r.agentEvents)} agent events in ${(w.elapsedMs / 1000).toFixed(2)} s (${n(w.eventsPerSecond)}/s), CPU ${w.cpu.cores.toFixed(2)} cores, peak RSS ${bytes(w.peakRssBytes)}, ` +
      `event-loop delay p99 ${w.eventLoopDelayMs.p99} ms, busy ${(w.eventLoopUtilization.overall * 100).toFixed(0)}%, valid: ${r.valid ? 'yes' : 'NO'}${r.partial ? ', PARTIAL' : ''}`,
  );
  return L.join('\n') + '\n';
}
