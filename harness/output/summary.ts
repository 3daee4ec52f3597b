// The end-of-run summary printed by `suca-fleet run`.

import type { Results } from './results.js';
import { formatDuration } from '../duration.js';

/** Latencies to a readable precision: whole seconds from a minute up, ms below. */
const dur = (ms: number) => formatDuration(ms >= 60_000 ? Math.round(ms / 1000) * 1000 : ms);

const n = (x: number) => Math.round(x).toLocaleString('en-US');
const pctOf = (a: number, b: number) => (b > 0 ? ((100 * a) / b).toFixed(1) + '%' : '-');
const bytes = (b: number) => (b >= 1e12 ? (b / 1e12).toFixed(2) + ' TB' : b >= 1e9 ? (b / 1e9).toFixed(2) + ' GB' : (b / 1e6).toFixed(1) + ' MB');

export function formatSummary(r: Results): string {
  const L: string[] = [];
  const row = (k: string, v: string) => L.push('  ' + k.padEnd(34) + v);
  L.push(`suca-fleet: ${r.scenario.name} — ${n(r.scenario.clients)} clients, ${r.scenario.duration} simulated from ${r.scenario.start}, seed ${r.scenario.seed}`);
  L.push('');
  L.push('Scans                                  online     offline');
  for (const [t, v] of Object.entries(r.scans.byTrigger)) {
    if (v.online + v.offline === 0) continue;
    L.push('  ' + t.padEnd(34) + n(v.online).padStart(9) + n(v.offline).padStart(12));
  }
  L.push('  ' + 'total'.padEnd(34) + n(r.scans.online).padStart(9) + n(r.scans.offline).padStart(12));
  row('failed', n(r.events['scan.failed']!) + (Object.keys(r.scans.failuresByCode).length ? '  (' + Object.entries(r.scans.failuresByCode).map(([c, k]) => `${c}: ${n(k)}`).join(', ') + ')' : ''));
  row('WSUS peak scans per minute', `${n(r.scans.wsus.peakPerMinute.scans)} at ${r.scans.wsus.peakPerMinute.at}`);
  L.push('');
  L.push('Policy');
  row('assignment requests / bodies', `${n(r.policy.assignmentRequests)} / ${n(r.policy.bodyRequests)}`);
  L.push('');
  L.push('State messages');
  row('queued (+ overwritten unsent)', `${n(r.stateMessages.queued)} (+ ${n(r.stateMessages.overwritten)})`);
  row('sent in reports (ok / failed)', `${n(r.stateMessages.delivered)} in ${n(r.stateMessages.reportsOk)} / ${n(r.stateMessages.reportsFailed)} failed`);
  row('ingested at MP (duplicates)', `${n(r.stateMessages.ingested)} (${n(r.stateMessages.duplicates)})`);
  row('unsent at end / MP backlog at end', `${n(r.stateMessages.undeliveredAtEnd)} / ${n(r.stateMessages.backlogAtEnd)}`);
  const lt = r.stateMessages.latencyMs;
  row('latency queue -> ingest', `p50 ${dur(lt.p50)}  p99 ${dur(lt.p99)}  max ${dur(lt.max)}`);
  L.push('');
  L.push('Deployments');
  row('downloads', `${n(r.work.downloads)} (${bytes(r.work.downloadBytes)}), ${n(r.work.downloadFailures)} failed, ${n(r.work.evictions)} evicted`);
  row('installs (updates)', `${n(r.work.installs)} (${n(r.work.updatesInstalled)})`);
  row('restarts', n(r.work.restarts));
  if (r.work.updatesLost > 0) row('updates lost on machines', n(r.work.updatesLost));
  L.push('');
  if (r.wire !== null && r.wire.stub === null) {
    // the state messages went to an external MP: this process saw none of them arrive
    L.push('Compliance: kept by the external MP (not visible from here)');
  } else {
    L.push('Compliance at the MP (client x update)');
    const c = r.compliance.updates;
    const tot = c.unknown + c.notRequired + c.required + c.installed;
    row('all catalogue updates', `Unknown ${pctOf(c.unknown, tot)}  Required ${pctOf(c.required, tot)}  Not Required ${pctOf(c.notRequired, tot)}  Installed ${pctOf(c.installed, tot)}`);
    for (const d of r.compliance.deployments) {
      const u = d.updateStates;
      const t = u.unknown + u.notRequired + u.required + u.installed;
      row(d.name.slice(0, 34), `Unknown ${pctOf(u.unknown, t)}  Required ${pctOf(u.required, t)}  Not Required ${pctOf(u.notRequired, t)}  Installed ${pctOf(u.installed, t)}`);
      row('  clients compliant', `${n(d.clients.compliant)} of ${n(d.clients.compliant + d.clients.nonCompliant + d.clients.unknown)} (${n(d.clients.unknown)} unknown)`);
    }
  }
  L.push('');
  const c2 = r.clock;
  if (c2.mode === 'scaled') {
    L.push(`Clock: scaled x${c2.timeFactor}; scheduler lag p50 ${c2.lagMs!.p50} ms, p99 ${c2.lagMs!.p99} ms, max ${c2.lagMs!.max} ms (bound ${c2.lagBoundMs} ms)`);
    if (!c2.valid) L.push(`INVALID RUN: ${c2.invalidReason}`);
  }
  const w = r.wall;
  L.push(`Run: ${n(r.agentEvents)} agent events in ${(w.elapsedMs / 1000).toFixed(2)} s (${n(w.eventsPerSecond)}/s), peak RSS ${bytes(w.peakRssBytes)}, event-loop delay p99 ${w.eventLoopDelayMs.p99} ms, valid: ${r.valid ? 'yes' : 'NO'}`);
  return L.join('\n') + '\n';
}
