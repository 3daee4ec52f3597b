// suca-fleet merge: results.json files of shards (or of runs on several
// machines against one backend) into one. Counters add; every distribution
// is rebuilt from the merged HDR histograms, never from averaged
// percentiles, so a merge of shards gives the percentiles one run over the
// whole fleet gives. The few figures that cannot be merged exactly are named
// in `merged.approximate`.

import * as hdr from 'hdr-histogram-js';
import { HarnessError } from '../errors.js';
import { initHistograms, newHistogram, SERIES_NAMES } from '../metrics/run-metrics.js';
import { percentiles, type EncodedHistogram, type Percentiles, type Results } from './results.js';
import { evaluateThresholds, type Threshold } from '../thresholds.js';
import { mergeWallSeries } from './merge-wall.js';

type Num = Record<string, number>;

/** Adds figure by figure; a figure one input could not see (null) is unknown in the sum; a label (seenBy) is the first input's. */
function addNum<T extends object>(xs: readonly T[]): T {
  const out: Record<string, unknown> = {};
  for (const x of xs) for (const [k, v] of Object.entries(x)) {
    if (typeof v === 'number') {
      if (out[k] !== null) out[k] = ((out[k] as number | undefined) ?? 0) + v;
    } else if (v === null) out[k] = null;
    else if (typeof v === 'string' && out[k] === undefined) out[k] = v;
  }
  return out as T;
}

/**
 * The location requests, added. contentNotFound (the answers with no DP) only
 * when every input has it: an input run against an external MP (or written
 * before the figure) cannot see it, and a sum of the others would read as the
 * whole fleet's.
 */
function mergeLocation(ls: readonly Results['location'][]): Results['location'] {
  const out = addNum(ls);
  if (ls.some((l) => l.contentNotFound === undefined)) delete (out as { contentNotFound?: number }).contentNotFound;
  return out;
}

/** A section some input could not see (null: run against an external MP) is null merged; else f of them all. */
function unlessNull<S, T>(xs: readonly (S | null)[], f: (xs: S[]) => T): T | null {
  return xs.some((x) => x === null) ? null : f(xs as S[]);
}

type Wsus = NonNullable<Results['scans']['wsus']>;

/** The stub WSUS metadata figures, added (results written before them count nothing). */
function mergeMetadata(ws: readonly Wsus[]): Wsus['metadata'] {
  const out = { fullScans: 0, deltaScans: 0, updatesSent: 0, syncRounds: 0 };
  for (const w of ws) {
    const m = w.metadata as Partial<typeof out> | undefined;
    if (m === undefined) continue;
    out.fullScans += m.fullScans ?? 0;
    out.deltaScans += m.deltaScans ?? 0;
    out.updatesSent += m.updatesSent ?? 0;
    out.syncRounds += m.syncRounds ?? 0;
  }
  return out;
}

function addNested<T extends Record<string, Num>>(xs: readonly T[]): T {
  const out: Record<string, Num> = {};
  const keys = new Set(xs.flatMap((x) => Object.keys(x)));
  for (const k of [...keys].sort()) out[k] = addNum(xs.map((x) => x[k]).filter((v): v is T[string] => v !== undefined));
  return out as T;
}

/** Element-wise sum of equally long arrays (null + x = x; null + null = null). */
function addArrays(xs: readonly (readonly (number | null)[])[], combine: (a: number, b: number) => number = (a, b) => a + b): (number | null)[] {
  const n = Math.max(0, ...xs.map((x) => x.length));
  const out: (number | null)[] = new Array(n).fill(null);
  for (const x of xs) for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v === null || v === undefined) continue;
    const o = out[i];
    out[i] = o === null || o === undefined ? v : combine(o, v);
  }
  return out;
}

const zeroIfNull = (a: (number | null)[]) => a.map((v) => v ?? 0);

function decode(e: EncodedHistogram, where: string): hdr.Histogram {
  initHistograms();
  try {
    return hdr.decodeFromCompressedBase64(e.encoded, 32, true);
  } catch (err) {
    throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', `${where}: the histogram cannot be decoded (${(err as Error).message})`, { cause: err });
  }
}

/** Merges the named histogram of every input; null when none has it. */
function mergeHistogram(inputs: readonly { r: Results; file: string }[], name: string): { encoded: EncodedHistogram; hist: hdr.Histogram } | null {
  let acc: hdr.Histogram | null = null;
  let unit: EncodedHistogram['unit'] | null = null;
  for (const { r, file } of inputs) {
    const e = (r.histograms as Record<string, EncodedHistogram | undefined>)[name];
    if (e === undefined) continue;
    if (unit !== null && e.unit !== unit) throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', `${file}: histogram ${name} is in ${e.unit}, another input has it in ${unit}`);
    unit = e.unit;
    const h = decode(e, `${file}: histograms.${name}`);
    if (acc === null) acc = newHistogram();
    acc.add(h);
    h.destroy();
  }
  if (acc === null || unit === null) return null;
  return { encoded: { unit, encoded: hdr.encodeIntoCompressedBase64(acc) }, hist: acc };
}

export interface MergeOptions {
  /** merge inputs whose scenario names or seeds differ (each listed in merged.from and merged.forced) */
  readonly force?: boolean;
  /** what the merge leaves out or mixes without refusing (shards missing, --force): one line each */
  readonly warn?: (message: string) => void;
  /** thresholds checked on the merged figures besides the inputs' own (merge --threshold) */
  readonly thresholds?: readonly Threshold[];
}

/** Merges results of shards or parallel runs; `files` name the inputs in error messages. */
export function mergeResults(inputs: readonly { r: Results; file: string }[], opts: MergeOptions = {}): Results {
  if (inputs.length < 2) throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', 'merge: give at least two results.json files');
  const first = inputs[0]!.r;
  const rs = inputs.map((i) => i.r);
  for (const { r, file } of inputs.slice(1)) {
    if (r.mode !== first.mode) throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', `${file}: a ${r.mode}-time run cannot be merged with a ${first.mode}-time one (${inputs[0]!.file})`);
    if (r.series.start !== first.series.start || r.series.intervalMs !== first.series.intervalMs || r.series.length !== first.series.length) {
      throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', `${file}: its time series (start ${r.series.start}, interval ${r.series.intervalMs} ms, ${r.series.length} intervals) do not line up with ${inputs[0]!.file}'s (start ${first.series.start}, interval ${first.series.intervalMs} ms, ${first.series.length}): run with the same scenario start, duration and --series-interval`);
    }
  }
  // different scenarios or seeds are different runs: their sum describes no fleet, unless the user says so
  const forced: string[] = [];
  for (const { r, file } of inputs.slice(1)) {
    const diff = [
      ...(r.scenario.name !== first.scenario.name ? [`scenario "${r.scenario.name}", not "${first.scenario.name}"`] : []),
      ...(r.scenario.seed !== first.scenario.seed ? [`seed ${r.scenario.seed}, not ${first.scenario.seed}`] : []),
    ];
    if (diff.length === 0) continue;
    const what = `${file}: ${diff.join(' and ')} (as in ${inputs[0]!.file})`;
    if (opts.force !== true) throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', `${what}: results of different runs do not merge into one fleet's; --force merges them anyway (listed in merged.from)`);
    forced.push(what);
    opts.warn?.(`--force: ${what}`);
  }
  // the same clients twice (a shard given twice, or the whole run beside one of its shards) would count them twice
  const seen: { key: string; from: number; to: number; file: string; shard: Results['shard'] }[] = [];
  for (const { r, file } of inputs) {
    const key = `${r.scenario.name}/${r.scenario.seed}`;
    const from = r.shard.firstClient;
    const to = from + r.shard.clients;
    const clash = seen.find((x) => x.key === key && from < x.to && x.from < to);
    if (clash !== undefined) {
      const what = (sh: Results['shard']) => (sh.count > 1 ? `shard ${sh.index}/${sh.count}` : 'the whole fleet');
      const detail = r.shard.count > 1 && clash.shard.count === r.shard.count && clash.shard.index === r.shard.index ? `shard ${r.shard.index}/${r.shard.count} is also in ${clash.file}` : `${what(r.shard)} (clients ${from}..${to - 1}) overlaps ${what(clash.shard)} of ${clash.file} (clients ${clash.from}..${clash.to - 1})`;
      throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', `${file}: ${detail}: the same clients merged twice would be counted twice`);
    }
    seen.push({ key, from, to, file, shard: r.shard });
  }
  const approximate: string[] = [];

  const H = (name: string) => mergeHistogram(inputs, name);
  const hists: Record<string, EncodedHistogram> = {};
  const pct = (name: string, scale = 1): Percentiles => {
    const m = H(name);
    if (m === null) return percentiles(emptyHist(), scale);
    hists[name] = m.encoded;
    const p = percentiles(m.hist, scale);
    m.hist.destroy();
    return p;
  };
  const histNames = [...new Set(rs.flatMap((r) => Object.keys(r.histograms)))].sort();

  // state messages
  const smCounts = addNum(rs.map(({ stateMessages: { latencyMs: _a, waitForCycleMs: _b, inFlightMs: _d, waitInBacklogMs: _c, ingestedPerSimSecond: _e, ...rest } }) => rest));
  // the distributions seen at the MP: unknown when any input ran against an external MP
  const atMp = rs.some((r) => r.stateMessages.latencyMs === null);
  const pctAtMp = (name: string) => (atMp ? null : pct(name));
  const reached = Math.min(...rs.map((r) => Date.parse(r.reached)));
  const simSeconds = Math.max(1, (reached - Date.parse(first.scenario.start)) / 1000);
  const stateMessages = {
    ...smCounts,
    ingestedPerSimSecond: smCounts.ingested === null ? null : Math.round((smCounts.ingested / simSeconds) * 1000) / 1000,
    latencyMs: pctAtMp('state.latency'),
    waitForCycleMs: pctAtMp('state.waitForCycle'),
    inFlightMs: pctAtMp('state.inFlight'),
    waitInBacklogMs: pctAtMp('state.waitInBacklog'),
  } as Results['stateMessages'];

  // WSUS scans per minute, joined: the merged peak is exact
  const wsus = unlessNull(rs.map((r) => r.scans.wsus), (ws): Wsus => {
    const perMinute = new Map<number, number>();
    for (const w of ws) for (const [m, k] of w.perMinute) perMinute.set(m, (perMinute.get(m) ?? 0) + k);
    let peak = { minute: 0, scans: 0 };
    for (const [m, k] of [...perMinute].sort((a, b) => a[0] - b[0])) if (k > peak.scans) peak = { minute: m, scans: k };
    return {
      served: ws.reduce((a, w) => a + w.served, 0),
      refused: ws.reduce((a, w) => a + w.refused, 0),
      peakPerMinute: { scans: peak.scans, at: new Date(Date.parse(first.scenario.start) + peak.minute * 60_000).toISOString() },
      perMinute: [...perMinute].sort((a, b) => a[0] - b[0]),
      bySup: addNum(ws.map((w) => w.bySup)),
      // results written before the datastore have no metadata figures: they add nothing
      metadata: mergeMetadata(ws),
      ...(ws.some((w) => w.supChanges !== undefined) ? { supChanges: ws.reduce((a, w) => a + (w.supChanges ?? 0), 0) } : {}),
      // each shard's stub had its own capacity model (site.wsusPool): their pools are not the site's, so no merged pool figures
    };
  });
  const scans: Results['scans'] = {
    online: rs.reduce((a, r) => a + r.scans.online, 0),
    offline: rs.reduce((a, r) => a + r.scans.offline, 0),
    byTrigger: addNested(rs.map((r) => r.scans.byTrigger)),
    failuresByCode: addNum(rs.map((r) => r.scans.failuresByCode)),
    durationMs: { online: pct('scan.durationOnline'), offline: pct('scan.durationOffline') },
    wsus,
  };

  // wire operations: counts add, rates add (the runs ran side by side), latencies from the merged histograms
  const opKeys = [...new Set(rs.flatMap((r) => Object.keys(r.operations)))].sort();
  const operations: Results['operations'] = {};
  for (const k of opKeys) {
    const parts = rs.map((r) => r.operations[k]).filter((x) => x !== undefined);
    operations[k] = {
      ...pct('op.' + k.replace(' ', '.'), 1000),
      count: parts.reduce((a, o) => a + o.count, 0),
      errors: parts.reduce((a, o) => a + o.errors, 0),
      perSecond: Math.round(parts.reduce((a, o) => a + o.perSecond, 0) * 100) / 100,
    };
  }
  for (const name of histNames) if (hists[name] === undefined) pct(name);

  // compliance: per deployment by name
  const compliance = unlessNull(rs.map((r) => r.compliance), (cs): NonNullable<Results['compliance']> => {
    const depNames = [...new Set(cs.flatMap((c) => c.deployments.map((d) => d.name)))];
    const deployments = depNames.map((name) => {
      const ds = cs.map((c) => c.deployments.find((d) => d.name === name)).filter((d) => d !== undefined);
      const untargeted = ds.every((d) => d.untargeted !== undefined) ? { untargeted: ds.reduce((a, d) => a + d.untargeted!, 0) } : {};
      return { name, id: ds[0]!.id, updates: ds[0]!.updates, clients: addNum(ds.map((d) => d.clients)), ...untargeted, updateStates: addNum(ds.map((d) => d.updateStates)) };
    });
    return { updates: addNum(cs.map((c) => c.updates)), deployments };
  });

  // series: counts and gauges sampled at the same instants add exactly; per-interval maxima and percentiles do not
  const sumOf = (pick: (r: Results) => readonly (number | null)[] | undefined) => zeroIfNull(addArrays(rs.map((r) => pick(r) ?? [])));
  // a series one input could not see (null) is unknown merged
  const seriesOf = (k: (typeof SERIES_NAMES)[number], f: () => (number | null)[]) => (rs.some((r) => r.series[k] === null) ? null : f());
  // per-interval percentiles: the highest input's (an upper bound); every other series adds
  const PEAKS: ReadonlySet<string> = new Set(['stateLatencyP50', 'stateLatencyP99']);
  const counts = Object.fromEntries(
    SERIES_NAMES.map((k) => [k, seriesOf(k, () => (PEAKS.has(k) ? addArrays(rs.map((r) => r.series[k]!), Math.max) : sumOf((r) => r.series[k]!)))]),
  ) as Pick<Results['series'], (typeof SERIES_NAMES)[number]>;
  // series kept per key (an HRESULT, a SUP, a DP): added key by key, over every input's keys
  const byKey = (pick: (r: Results) => Record<string, number[]>) =>
    Object.fromEntries([...new Set(rs.flatMap((r) => Object.keys(pick(r))))].sort().map((k) => [k, sumOf((r) => pick(r)[k])]));
  const series: Results['series'] = {
    ...first.series,
    ...counts,
    errors: byKey((r) => r.series.errors),
    // per SUP and per DP, added server by server (absent when an input lacks them: written before them)
    ...(rs.every((r) => r.series.scansBySup !== undefined) ? { scansBySup: byKey((r) => r.series.scansBySup!) } : {}),
    ...(rs.every((r) => r.series.downloadsByDp !== undefined) ? { downloadsByDp: byKey((r) => r.series.downloadsByDp!) } : {}),
    compliance: rs.some((r) => r.series.compliance === null) ? null : {
      unknown: sumOf((r) => r.series.compliance!.unknown),
      notRequired: sumOf((r) => r.series.compliance!.notRequired),
      required: sumOf((r) => r.series.compliance!.required),
      installed: sumOf((r) => r.series.compliance!.installed),
    },
  };
  approximate.push(
    'series.stateLatencyP50 and series.stateLatencyP99: the highest of the inputs per interval (an upper bound)',
    'series.wsusInFlight: the sum of the inputs\' per-interval peaks (an upper bound)',
    'wall.eventLoopDelayMs, wall.eventLoopUtilization, clock.eluMax5s: the worst input\'s',
  );

  // clock
  let clock = first.clock;
  if (first.mode === 'scaled') {
    const lag = H('clock.lag');
    const valid = rs.every((r) => r.clock.valid);
    if (lag !== null) {
      hists['clock.lag'] = lag.encoded;
      const p = percentiles(lag.hist);
      lag.hist.destroy();
      const elus = rs.map((r) => r.clock.eluMax5s).filter((x): x is number => x !== null && x !== undefined);
      clock = {
        ...first.clock,
        lagMs: { count: p.count, p50: p.p50, p90: p.p90, p99: p.p99, max: p.max },
        eluMax5s: elus.length > 0 ? Math.max(...elus) : null,
        valid,
        invalidReason: valid ? null : rs.map((r) => r.clock.invalidReason).filter((x) => x !== null).join('; '),
      };
    }
  }

  const wallSeries = mergeWallSeries(rs, approximate);
  const firstClient = Math.min(...rs.map((r) => r.shard.firstClient));
  const clients = rs.reduce((a, r) => a + r.shard.clients, 0);
  // shards of one fleet: say which are missing, and count only the clients merged
  const N = Math.max(...rs.map((r) => r.shard.count));
  const missingShards: number[] = [];
  if (N > 1) {
    const have = new Set(rs.filter((r) => r.shard.count === N).map((r) => r.shard.index));
    for (let i = 1; i <= N; i++) if (!have.has(i)) missingShards.push(i);
    if (missingShards.length > 0) {
      opts.warn?.(`${N - missingShards.length} of ${N} shards merged (missing ${missingShards.map((i) => `${i}/${N}`).join(', ')}): the figures cover ${clients.toLocaleString('en-US')} of ${first.scenario.clients.toLocaleString('en-US')} clients`);
    }
  }
  const wall = {
    startedAt: rs.map((r) => r.wall.startedAt).sort()[0]!,
    elapsedMs: Math.max(...rs.map((r) => r.wall.elapsedMs)),
    eventsPerSecond: rs.reduce((a, r) => a + r.wall.eventsPerSecond, 0),
    peakRssBytes: Math.max(...rs.map((r) => r.wall.peakRssBytes)),
    heapUsedBytes: Math.max(...rs.map((r) => r.wall.heapUsedBytes)),
    eventLoopDelayMs: {
      p50: Math.max(...rs.map((r) => r.wall.eventLoopDelayMs.p50)),
      p90: Math.max(...rs.map((r) => r.wall.eventLoopDelayMs.p90)),
      p99: Math.max(...rs.map((r) => r.wall.eventLoopDelayMs.p99)),
      max: Math.max(...rs.map((r) => r.wall.eventLoopDelayMs.max)),
      mean: Math.max(...rs.map((r) => r.wall.eventLoopDelayMs.mean)),
    },
    eventLoopUtilization: {
      overall: Math.max(...rs.map((r) => r.wall.eventLoopUtilization.overall)),
      max5s: Math.max(...rs.map((r) => r.wall.eventLoopUtilization.max5s)),
    },
    cpu: {
      userMs: rs.reduce((a, r) => a + r.wall.cpu.userMs, 0),
      systemMs: rs.reduce((a, r) => a + r.wall.cpu.systemMs, 0),
      cores: Math.round(rs.reduce((a, r) => a + r.wall.cpu.cores, 0) * 100) / 100,
    },
  };

  const merged = {
    ...first,
    scenario: { ...first.scenario, clients },
    shard: { index: 1, count: 1, firstClient, clients },
    merged: {
      from: inputs.map(({ r, file }) => ({ file, scenario: r.scenario.name, seed: r.scenario.seed, shard: r.shard, partial: r.partial })),
      approximate,
      ...(missingShards.length > 0 ? { missingShards } : {}),
      ...(forced.length > 0 ? { forced } : {}),
    },
    partial: rs.some((r) => r.partial),
    reached: new Date(reached).toISOString(),
    abortedBy: rs.map((r) => r.abortedBy).find((a) => a !== null && a !== undefined) ?? null,
    valid: rs.every((r) => r.valid),
    clock,
    thresholds: [] as Results['thresholds'],
    agentEvents: rs.reduce((a, r) => a + r.agentEvents, 0),
    events: addNum(rs.map((r) => r.events)),
    errors: { total: rs.reduce((a, r) => a + r.errors.total, 0), byCode: addNested(rs.map((r) => r.errors.byCode)) },
    scans,
    policy: addNum(rs.map((r) => r.policy)),
    location: mergeLocation(rs.map((r) => r.location)),
    stateMessages,
    operations,
    histograms: Object.fromEntries(Object.entries(hists).sort(([a], [b]) => (a < b ? -1 : 1))),
    work: addNum(rs.map((r) => r.work)),
    faultsInjected: unlessNull(rs.map((r) => r.faultsInjected), addNum),
    // per DP, added by name (each shard's stub counted its own clients' requests); absent when an input lacks it
    ...(rs.every((r) => r.dps !== undefined) ? { dps: unlessNull(rs.map((r) => r.dps!), addNested) } : {}),
    wire: first.wire === null ? null : {
      urls: first.wire.urls,
      agentOperations: addNum(rs.map((r) => r.wire?.agentOperations ?? {})),
      abandonedAtEnd: rs.reduce((a, r) => a + (r.wire?.abandonedAtEnd ?? 0), 0),
      datastore: { fullScans: 0, deltaScans: 0, syncRounds: 0, updatesReceived: 0, ...addNum<Record<string, number>>(rs.map((r) => ({ ...(r.wire?.datastore ?? {}) }))) } as NonNullable<Results['wire']>['datastore'],
      stub: rs.some((r) => r.wire?.stub) ? {
        mp: addNum(rs.map((r) => r.wire?.stub?.mp ?? {})),
        wsus: addNum(rs.map((r) => r.wire?.stub?.wsus ?? {})),
        refused: addNum(rs.map((r) => r.wire?.stub?.refused ?? {})),
        requestsByServer: addNum(rs.map((r) => r.wire?.stub?.requestsByServer ?? {})),
      } : null,
    },
    compliance,
    series,
    ...(wallSeries !== null ? { wallSeries } : {}),
    wall,
  } as Results;
  // the thresholds of every input, once each, evaluated on the merged figures
  const defs = new Map<string, Results['thresholds'][number]>();
  for (const r of rs) for (const t of r.thresholds) if (!defs.has(t.expr)) defs.set(t.expr, t);
  for (const t of opts.thresholds ?? []) if (!defs.has(t.expr)) defs.set(t.expr, t as Results['thresholds'][number]);
  merged.thresholds = evaluateThresholds(merged, [...defs.values()]);
  return merged;
}

function emptyHist(): hdr.Histogram {
  const h = hdr.build({ useWebAssembly: false });
  return h;
}
