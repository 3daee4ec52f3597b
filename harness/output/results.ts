// results.json: everything a run measured. All of it is a pure function of
// scenario and seed except the `wall` section (wall-clock figures), so two
// runs of the same scenario give byte-identical files once `wall` is removed.

import * as hdr from 'hdr-histogram-js';
import { hresultHex, DETECT, COMPLIANCE } from '../../agent/core/constants.js';
import { EVENT_NAMES, TRIGGERS } from '../metrics/run-metrics.js';
import { MSG_STRIDE } from '../../agent/core/types.js';
import type { RunOutcome } from '../run.js';
import { formatDuration } from '../duration.js';

export const RESULTS_SCHEMA_VERSION = 1;
export const TOOL_VERSION = '0.1.0';

function pct(h: hdr.Histogram) {
  return {
    count: h.totalCount,
    p50: h.getValueAtPercentile(50),
    p90: h.getValueAtPercentile(90),
    p99: h.getValueAtPercentile(99),
    max: h.maxValue,
  };
}

export function buildResults(o: RunOutcome) {
  const { scenario: sc, stub, metrics: m, fleet } = o;
  const events: Record<string, number> = {};
  EVENT_NAMES.forEach((n, i) => (events[n] = m.events[i]!));
  const byTrigger: Record<string, { online: number; offline: number }> = {};
  TRIGGERS.forEach((t, i) => (byTrigger[t] = { online: m.scansOnline[i]!, offline: m.scansOffline[i]! }));
  const failures: Record<string, number> = {};
  for (const [code, n] of [...m.scanFailuresByCode].sort((a, b) => a[0] - b[0])) failures[hresultHex(code)] = n;
  const peak = stub.wsus.peakPerMinute();
  const counts = stub.mp.detectCounts;
  const U = stub.catalogue.size;
  const D = Math.max(1, stub.mp.deployments.length);
  const deployments = stub.mp.deployments.map((d) => {
    const deployed = { unknown: 0, notRequired: 0, required: 0, installed: 0 };
    const dep = { compliant: 0, nonCompliant: 0, unknown: 0 };
    for (let c = 0; c < sc.clients; c++) {
      const st = stub.mp.deploymentState[c * D + d.index]!;
      if (st === COMPLIANCE.COMPLIANT) dep.compliant++;
      else if (st === COMPLIANCE.NON_COMPLIANT) dep.nonCompliant++;
      else dep.unknown++;
      for (const u of d.updates) {
        const s = stub.mp.updateState[c * U + u]!;
        if (s === DETECT.NOT_REQUIRED) deployed.notRequired++;
        else if (s === DETECT.REQUIRED) deployed.required++;
        else if (s === DETECT.INSTALLED) deployed.installed++;
        else deployed.unknown++;
      }
    }
    return { name: d.name, id: d.id, updates: d.updates.length, clients: dep, updateStates: deployed };
  });
  const onlineTotal = m.scansOnline.reduce((a, b) => a + b, 0);
  const offlineTotal = m.scansOffline.reduce((a, b) => a + b, 0);
  let undelivered = 0;
  for (const s of fleet.states) undelivered += s.queue.length / MSG_STRIDE;
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    tool: { name: 'suca-fleet', version: TOOL_VERSION },
    scenario: {
      name: sc.name,
      seed: sc.seed,
      clients: sc.clients,
      start: new Date(sc.start).toISOString(),
      duration: formatDuration(sc.duration),
      effective: sc.effective,
    },
    /** stopped before its end (SIGINT/SIGTERM): every figure covers start .. reached */
    partial: o.partial,
    reached: new Date(o.reached).toISOString(),
    mode: o.clock.mode,
    valid: o.clock.valid,
    clock: o.clock,
    agentEvents: fleet.events,
    events,
    scans: {
      online: onlineTotal,
      offline: offlineTotal,
      byTrigger,
      failuresByCode: failures,
      wsus: {
        served: stub.wsus.counters.scans,
        refused: stub.wsus.counters.scanFailures,
        peakPerMinute: { scans: peak.scans, at: new Date(sc.start + peak.minute * 60_000).toISOString() },
        bySup: Object.fromEntries([...stub.wsus.scansBySup].sort()),
      },
    },
    policy: { assignmentRequests: stub.mp.counters.assignmentRequests, bodyRequests: stub.mp.counters.bodyRequests },
    location: { wsus: stub.mp.counters.wsusLocationRequests, content: stub.mp.counters.contentLocationRequests },
    stateMessages: {
      queued: m.state.queued,
      overwritten: m.state.replaced,
      superseded: m.state.superseded,
      reportsOk: m.state.reportsOk,
      reportsFailed: m.state.reportsFailed,
      delivered: m.state.messagesDelivered,
      undeliveredAtEnd: undelivered,
      received: stub.mp.counters.stateMessagesReceived,
      ingested: m.state.ingested,
      duplicates: m.state.duplicates,
      backlogAtEnd: stub.mp.backlog,
      latencyMs: pct(m.stateLatency),
      waitForCycleMs: pct(m.stateWaitCycle),
      waitInBacklogMs: pct(m.stateWaitBacklog),
      histograms: {
        latency: hdr.encodeIntoCompressedBase64(m.stateLatency),
        waitForCycle: hdr.encodeIntoCompressedBase64(m.stateWaitCycle),
        waitInBacklog: hdr.encodeIntoCompressedBase64(m.stateWaitBacklog),
      },
    },
    work: { ...m.work, dpDownloads: stub.dp.counters.downloads, dpBytes: stub.dp.counters.bytes },
    faultsInjected: Object.fromEntries([...stub.faults.injected].sort()),
    wire: o.wire,
    compliance: {
      updates: {
        unknown: counts[DETECT.UNKNOWN],
        notRequired: counts[DETECT.NOT_REQUIRED],
        required: counts[DETECT.REQUIRED],
        installed: counts[DETECT.INSTALLED],
      },
      deployments,
    },
    series: { start: new Date(sc.start).toISOString(), intervalMs: m.interval, ...m.series },
    wall: o.wall,
  };
}

export type Results = ReturnType<typeof buildResults>;
