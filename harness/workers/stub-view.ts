// run --workers N: what the stub servers in the main thread counted, put
// into the workers' merged results. Each worker reaches the stubs over HTTP
// as an external MP (run --mp URL), so its results carry no stub-side
// figure (null: "kept by the external MP"); but the stubs are ours, in this
// thread, so the figures a single run takes from its embedded stubs are
// taken from them here and replace those nulls: compliance (the MP's view,
// per deployment), state messages received / ingested / backlog and their
// latency histograms (recorded at ingest by a RunMetrics observing the stub
// MP, as runPlan does), WSUS scans served per minute, policy and location
// requests as the MP counted them, DP downloads, faults injected, and the
// series the MP feeds. When a worker's client sent a report is recorded on
// the agent side, in the worker: the workers write the send times into
// shared memory (a SharedArrayBuffer, a Float64 per client) before the
// request goes out, and the stub MP reads it at receipt as a single run's
// metrics do, so the cycle-wait and in-flight parts of state latency are
// kept (before, without it, they were null).

import type { Fleet } from '../../agent/runtime/fleet.js';
import type { StubServers } from '../../server-stub/http/index.js';
import { RunMetrics } from '../metrics/run-metrics.js';
import { buildResults, type Results } from '../output/results.js';
import { evaluateThresholds, type Threshold } from '../thresholds.js';
import type { RunOutcome } from '../run.js';
import type { RunPlan } from '../plan.js';

/**
 * The stub MP's observer and sampler in the main thread (before the workers
 * start). `reportSent`: the workers' send times of the clients' state reports
 * (shared memory, by global client id), read when a report arrives.
 */
export function observeStub(plan: RunPlan, servers: StubServers, reportSent?: Float64Array): RunMetrics {
  const m = new RunMetrics(plan.metrics, servers.core.mp);
  if (reportSent !== undefined) m.useSharedReportSent(reportSent);
  servers.core.mp.observer = m;
  return m;
}

const SERIES_AT_MP = ['stateIngested', 'stateLatencyP50', 'stateLatencyP99', 'backlog', 'compliance'] as const;
// the cycle wait and in-flight parts are not among them: the stub MP cannot tell them apart (see below)
const HISTS_AT_MP = ['state.latency', 'state.waitInBacklog'];
const SPLIT_HISTS = ['state.waitForCycle', 'state.inFlight'];

/** merged with the stub-side figures of the main thread's stubs; thresholds evaluated again on the whole. */
export function withStubFigures(merged: Results, plan: RunPlan, servers: StubServers, m: RunMetrics, thresholds: readonly Threshold[], live = false): Results {
  const reached = Date.parse(merged.reached);
  // live (abortOnFail during the run): the series' current interval is left to the sampler, not closed early
  if (!live) m.finish(merged.partial ? reached : plan.clock.end);
  // buildResults reads of the fleet only its event count and the unsent queues (agent-side figures, taken from the workers)
  const noFleet = { events: 0, states: [], now: reached } as unknown as Fleet;
  const s = servers.stats;
  const outcome: RunOutcome = {
    scenario: plan.results,
    stub: servers.core,
    fleet: noFleet,
    metrics: m,
    wall: merged.wall as unknown as RunOutcome['wall'],
    traceLines: 0,
    clock: { mode: 'virtual', timeFactor: null, lagMs: null, lagBoundMs: null, eluMax5s: null, eluBound: null, valid: true, invalidReason: null },
    wire: {
      urls: servers.urls,
      agentOperations: {},
      abandonedAtEnd: 0,
      datastore: { fullScans: 0, deltaScans: 0, syncRounds: 0, updatesReceived: 0 },
      stub: {
        mp: Object.fromEntries([...s.mp.endpoints].sort()),
        wsus: Object.fromEntries([...s.wsus.operations].sort()),
        refused: servers.refusedByReason(),
        requestsByServer: servers.requestsByServer(),
      },
    },
    partial: merged.partial,
    reached,
    abortedBy: null,
  };
  const at = buildResults(outcome);
  const mp = mpFigures(merged, at, { series: true, split: true });
  const out = {
    ...merged,
    scans: { ...merged.scans, wsus: at.scans.wsus },
    policy: at.policy,
    location: at.location,
    ...mp,
    work: { ...merged.work, dpDownloads: at.work.dpDownloads, dpBytes: at.work.dpBytes },
    faultsInjected: at.faultsInjected,
    dps: at.dps,
    wire: merged.wire === null ? at.wire : { ...merged.wire, urls: servers.urls, stub: at.wire!.stub },
    compliance: at.compliance,
    merged: merged.merged!,
  } as Results;
  return { ...out, thresholds: evaluateThresholds(out, thresholds) };
}

/**
 * What the site's one MP measured, laid over the merge of the workers' results:
 * its state-message counters and latencies, their histograms and (unless
 * `series` is false: live snapshots) their series. `split: false` when the
 * MP cannot see when a worker's client sent its report (scaled time over
 * HTTP): the time before ingest cannot be split into the cycle wait and the
 * flight, so those are null (not 0: a threshold on either fails as unseen)
 * and their histograms are left out.
 */
export function mpFigures(merged: Results, at: Results, o: { readonly series: boolean; readonly split: boolean }): Pick<Results, 'stateMessages' | 'histograms' | 'series'> {
  const sm = at.stateMessages;
  const series = { ...merged.series } as Record<string, unknown>;
  if (o.series) for (const k of SERIES_AT_MP) series[k] = (at.series as Record<string, unknown>)[k];
  const histograms = { ...merged.histograms } as Record<string, unknown>;
  for (const k of [...HISTS_AT_MP, ...SPLIT_HISTS]) {
    const h = (at.histograms as Record<string, unknown> | undefined)?.[k];
    if (h !== undefined) histograms[k] = h;
  }
  if (!o.split) for (const k of SPLIT_HISTS) delete histograms[k];
  return {
    stateMessages: {
      ...merged.stateMessages,
      received: sm.received,
      ingested: sm.ingested,
      duplicates: sm.duplicates,
      backlogAtEnd: sm.backlogAtEnd,
      ingestedPerSimSecond: sm.ingestedPerSimSecond,
      latencyMs: sm.latencyMs,
      waitForCycleMs: o.split ? sm.waitForCycleMs : null,
      inFlightMs: o.split ? sm.inFlightMs : null,
      waitInBacklogMs: sm.waitInBacklogMs,
    },
    histograms: Object.fromEntries(Object.entries(histograms).sort(([a], [b]) => (a < b ? -1 : 1))) as Results['histograms'],
    series: series as Results['series'],
  };
}
