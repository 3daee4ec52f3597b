// The HTML report: one self-contained file (no network needed to open it)
// made from a results.json. The chart library's JS and CSS are inlined, the
// data is inlined as JSON, and a small script draws the charts in the browser.
//
// Chart library: uPlot (npm `uplot`). About 50 KB minified with no
// dependencies, canvas based, and it draws a 43,200-point series (30 days at
// one minute) in milliseconds, so the report never downsamples. Rejected:
// Chart.js (about 200 KB, and slow on series of tens of thousands of points
// without its decimation plugin, which would hide the spikes a scan storm is
// made of) and ECharts (about 1 MB inlined into every report).
//
// A pure function of the results, apart from reading the library's two files
// from node_modules. The input is results.json of any schema version seen so
// far: every part is optional, and a missing part means "not measured", so
// its table or chart is left out rather than the report failing.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as hdr from 'hdr-histogram-js';
import { HEADLINE, formatValue } from '../thresholds.js';
import type { Results } from './results.js';
import { formatDuration } from '../duration.js';

type Num = number | null;
type NumArray = ReadonlyArray<Num>;

/** What the report reads of a results.json: the schema's type, all of it optional (results-schema.ts). */
export type { ReportInput } from './results-schema.js';
import type { ReportInput } from './results-schema.js';

// ---------------------------------------------------------------- the library

let lib: { js: string; css: string; version: string } | null = null;

/** uPlot's minified IIFE build and its CSS, read once from node_modules. */
function uplotFiles(): { js: string; css: string; version: string } {
  if (lib !== null) return lib;
  const req = createRequire(import.meta.url);
  // uplot has no "exports" map today, so its files resolve directly; should
  // one appear that hides dist/, fall back to the package root.
  let distDir: string;
  try {
    distDir = dirname(req.resolve('uplot/dist/uPlot.iife.min.js'));
  } catch {
    distDir = join(dirname(req.resolve('uplot/package.json')), 'dist');
  }
  const js = readFileSync(join(distDir, 'uPlot.iife.min.js'), 'utf8');
  const css = readFileSync(join(distDir, 'uPlot.min.css'), 'utf8');
  const version = /\(v(\d+\.\d+\.\d+[^)]*)\)/.exec(js.slice(0, 200))?.[1] ?? 'unknown';
  lib = { js, css, version };
  return lib;
}

/** The uPlot version inlined, and the bytes inlined (JS + CSS). */
export function chartLibrary(): { name: string; version: string; bytes: number } {
  const f = uplotFiles();
  return { name: 'uplot', version: f.version, bytes: Buffer.byteLength(f.js) + Buffer.byteLength(f.css) };
}

// ---------------------------------------------------------------- helpers

const esc = (s: unknown) =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const int = (x: unknown) => (isNum(x) ? Math.round(x).toLocaleString('en-US') : 'n/a');
const fixed = (x: unknown, d: number) => (isNum(x) ? x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }) : 'n/a');
const wallMs = (x: unknown) => (isNum(x) ? (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)) : 'n/a');
const pctOf = (a: number, b: number) => (b > 0 ? ((100 * a) / b).toFixed(1) + '%' : '-');

/** JSON that is safe inside a <script> element: no "<", ">", "&" or line separators left raw. */
function scriptJson(x: unknown): string {
  return JSON.stringify(x)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Library text inlined in <script>/<style>: never let it close its element early. */
const inlineSafe = (text: string, tag: 'script' | 'style') => text.replace(new RegExp('</' + tag, 'gi'), '<\\/' + tag);

function numbers(a: unknown, n: number): Num[] | null {
  if (!Array.isArray(a)) return null;
  const out = new Array<Num>(n);
  for (let i = 0; i < n; i++) {
    const v = a[i];
    out[i] = isNum(v) ? v : null;
  }
  return out;
}

// ---------------------------------------------------------------- charts

import type { ChartSpec, ClientData, Curves, SeriesRef } from './report-browser/data.js';

const C = { blue: '#0072B2', orange: '#E69F00', green: '#009E73', red: '#D55E00', purple: '#CC79A7', sky: '#56B4E9', grey: '#7a7a7a', black: '#222222' };

const HIST_LABELS: Record<string, string> = {
  'state.latency': 'state message latency (queued -> ingested)',
  'state.waitForCycle': 'wait for the reporting cycle (queued -> sent)',
  'state.waitInBacklog': 'wait in the MP backlog (sent -> ingested)',
  'scan.durationOnline': 'online scan duration',
  'scan.durationOffline': 'offline scan duration',
  'clock.lag': 'scheduler lag',
};

/** Units a histogram may be recorded in: simulated ms, or wall-clock ms or µs (shown in ms). */
const UNITS: Readonly<Record<string, { clock: 'sim' | 'wall'; toMs: number }>> = {
  ms: { clock: 'sim', toMs: 1 },
  'wall-ms': { clock: 'wall', toMs: 1 },
  'wall-us': { clock: 'wall', toMs: 1 / 1000 },
};

interface NamedHistogram {
  name: string;
  clock: 'sim' | 'wall';
  toMs: number;
  encoded: string;
}

/** The histograms of a results.json: `histograms` (schema 2), or the state-message ones (schema 1). */
function histogramsOf(r: ReportInput): NamedHistogram[] {
  const out: NamedHistogram[] = [];
  if (isObj(r.histograms)) {
    for (const [name, h] of Object.entries(r.histograms)) {
      if (!isObj(h) || typeof h.encoded !== 'string') continue;
      const u = UNITS[typeof h.unit === 'string' ? h.unit : 'ms'];
      if (u === undefined) continue; // a unit this report does not know: not drawn on a wrong axis
      out.push({ name, ...u, encoded: h.encoded });
    }
  } else if (isObj(r.stateMessages) && isObj(r.stateMessages.histograms)) {
    // schemaVersion 1: the three state-message histograms, simulated ms
    for (const [name, enc] of Object.entries(r.stateMessages.histograms)) {
      if (typeof enc === 'string') out.push({ name: 'state.' + name, clock: 'sim', toMs: 1, encoded: enc });
    }
  }
  return out;
}

/** Percentile curves (x = -log10(1 - p), "nines") of histograms of one unit, on a shared x grid; null when none has data. */
function curvesOf(hs: NamedHistogram[]): Curves | null {
  const decoded: { name: string; toMs: number; count: number; max: number; at: Map<number, number> }[] = [];
  for (const h of hs) {
    let histogram: hdr.Histogram;
    try {
      // a JS histogram (no WebAssembly needed); 64-bit counts
      histogram = hdr.decodeFromCompressedBase64(h.encoded, 64, false);
    } catch {
      continue; // not a histogram we can read: left out, like any part not measured
    }
    try {
      const count = histogram.totalCount;
      if (count > 0) decoded.push({ name: h.name, toMs: h.toMs, count, max: histogram.maxValue, at: sampleAll(histogram) });
    } finally {
      histogram.destroy();
    }
  }
  if (decoded.length === 0) return null;
  const maxCount = Math.max(...decoded.map((d) => d.count));
  const xmax = Math.min(6, Math.max(1, Math.ceil(Math.log10(maxCount))));
  const x = GRID.filter((g) => g <= xmax + 1e-9);
  const ys = decoded.map((d) => ({
    label: (HIST_LABELS[d.name] ? `${d.name}: ${HIST_LABELS[d.name]}` : d.name) + ` (n=${d.count.toLocaleString('en-US')})`,
    values: x.map((g, i) => (i === x.length - 1 ? d.max : d.at.get(g)!) * d.toMs),
  }));
  return { xmax, x, ys };
}

/** x positions of the percentile curves: 0 .. 6 nines in steps of 0.05. */
const GRID = Array.from({ length: 121 }, (_, i) => Math.round(i * 5) / 100);

function sampleAll(h: hdr.Histogram): Map<number, number> {
  const m = new Map<number, number>();
  for (const g of GRID) m.set(g, h.getValueAtPercentile(g === 0 ? 0 : 100 * (1 - 10 ** -g)));
  return m;
}

/** The charts a report of these results draws, in page order, and what they plot. */
function buildClientData(r: ReportInput): ClientData {
  const charts: ChartSpec[] = [];
  const series: Record<string, Num[]> = {};
  const curves: Record<string, Curves> = {};
  let t0 = 0;
  let step = 0;
  let n = 0;

  const s = r.series;
  const start = isObj(s) && typeof s.start === 'string' ? Date.parse(s.start) : NaN;
  if (isObj(s) && Number.isFinite(start) && isNum(s.intervalMs) && s.intervalMs > 0) {
    t0 = start / 1000;
    step = s.intervalMs / 1000;
    const lengths: number[] = [];
    for (const v of Object.values(s)) if (Array.isArray(v)) lengths.push(v.length);
    for (const g of [s.errors, s.compliance]) if (isObj(g)) for (const v of Object.values(g)) if (Array.isArray(v)) lengths.push(v.length);
    n = lengths.length ? Math.max(...lengths) : 0;
    const per = `per ${formatDuration(s.intervalMs)}`;
    const take = (key: string, from: unknown = s[key]) => {
      const a = numbers(from, n);
      if (a !== null) series[key] = a;
      return a !== null;
    };
    const time = (spec: Omit<ChartSpec, 'kind' | 'series' | 'section'>, refs: SeriesRef[], kind: 'time' | 'stack' = 'time') => {
      const present = refs.filter((x) => series[x.key] !== undefined);
      if (present.length > 0) charts.push({ ...spec, kind, series: present, section: 'sim' });
    };
    if (n > 0) {
      for (const k of ['scansOnline', 'scansOffline', 'scanFailures', 'wsusInFlight', 'stateSent', 'stateIngested', 'stateLatencyP50', 'stateLatencyP99', 'backlog', 'downloads', 'installs', 'restarts']) take(k);
      if (isObj(s.errors)) {
        const codes = Object.values(s.errors).filter(Array.isArray);
        if (codes.length > 0 || Object.keys(s.errors).length === 0) {
          const sum = new Array<Num>(n).fill(0);
          for (const a of codes) for (let i = 0; i < n; i++) if (isNum(a[i])) sum[i] = (sum[i] as number) + (a[i] as number);
          series.errors = sum;
        }
      }
      const comp = isObj(s.compliance) ? s.compliance : {};
      for (const k of ['installed', 'notRequired', 'required', 'unknown'] as const) take('compliance.' + k, comp[k]);

      time({ id: 'wsus-scans', title: 'WSUS scans (the scan storm)', note: `Scans started ${per}; online scans in flight at WSUS (grey area) on the right axis.`, y: { label: `scans ${per}`, fmt: 'count' }, y2: { label: 'in flight at WSUS', fmt: 'count' } }, [
        { key: 'wsusInFlight', label: 'online scans in flight at WSUS', color: C.grey, y2: true, area: true },
        { key: 'scansOnline', label: 'online scans started', color: C.blue },
        { key: 'scansOffline', label: 'offline scans', color: C.green },
        { key: 'scanFailures', label: 'scan failures', color: C.red },
      ]);
      time({ id: 'state-messages', title: 'State messages', note: `Messages sent by the clients and ingested by the MP, ${per}.`, y: { label: `messages ${per}`, fmt: 'count' } }, [
        { key: 'stateSent', label: 'sent', color: C.blue },
        { key: 'stateIngested', label: 'ingested', color: C.orange, dash: [6, 3] },
      ]);
      time({ id: 'state-latency', title: 'State-message latency per interval', note: 'Queued on the client -> ingested at the MP, of the messages ingested in each interval (simulated time, log scale; gaps: none ingested).', sparse: true, y: { label: 'latency', fmt: 'dur' } }, [
        { key: 'stateLatencyP50', label: 'p50', color: C.blue },
        { key: 'stateLatencyP99', label: 'p99', color: C.red },
      ]);
      time({ id: 'backlog', title: 'MP backlog', note: 'State messages received and waiting to be processed, at the end of each interval.', y: { label: 'messages', fmt: 'count' } }, [{ key: 'backlog', label: 'MP backlog depth', color: C.purple }]);
      time(
        { id: 'compliance', title: 'Compliance at the MP', note: 'Share of (client, update) pairs in each state at the end of each interval, stacked (gaps: not sampled).', y: { label: 'share of pairs', fmt: 'pct' } },
        [
          { key: 'compliance.installed', label: 'Installed', color: C.green },
          { key: 'compliance.notRequired', label: 'Not Required', color: C.sky },
          { key: 'compliance.required', label: 'Required', color: C.orange },
          { key: 'compliance.unknown', label: 'Unknown', color: '#9a9a9a' },
        ],
        'stack',
      );
      time({ id: 'work', title: 'Deployment work and errors', note: `Downloads, installs, restarts and errors (every HRESULT summed) ${per}.`, y: { label: per, fmt: 'count' } }, [
        { key: 'downloads', label: 'downloads', color: C.blue },
        { key: 'installs', label: 'installs', color: C.green },
        { key: 'restarts', label: 'restarts', color: C.purple },
        { key: 'errors', label: 'errors (all codes)', color: C.red },
      ]);
      // the load server by server, with more than one SUP or DP: where it went when one failed
      const palette = [C.blue, C.orange, C.green, C.purple, C.sky, C.red, C.black, C.grey];
      for (const [group, id, title, note] of [
        ['scansBySup', 'scans-by-sup', 'Scans by SUP', `Online scans that ended (completed or failed) at each software update point, ${per}.`],
        ['downloadsByDp', 'downloads-by-dp', 'Downloads by DP', `Downloads completed from each distribution point, ${per}.`],
      ] as const) {
        const g = s[group];
        if (!isObj(g) || Object.keys(g).length < 2) continue;
        const refs: SeriesRef[] = [];
        Object.keys(g).forEach((name, k) => {
          if (take(`${group}.${name}`, g[name])) refs.push({ key: `${group}.${name}`, label: name, color: palette[k % palette.length]! });
        });
        time({ id, title, note, y: { label: per, fmt: 'count' } }, refs);
      }
    }
  }

  const hs = histogramsOf(r);
  const sim = curvesOf(hs.filter((h) => h.clock === 'sim'));
  if (sim !== null) {
    curves.sim = sim;
    charts.push({ id: 'latency-distribution', title: 'Latency distributions (simulated time)', note: 'Value at each percentile over the whole run; x on a "nines" scale, y on a log scale.', kind: 'curve', curves: 'sim', series: [], section: 'dist', y: { label: 'simulated time', fmt: 'dur' } });
  }
  const wall = curvesOf(hs.filter((h) => h.clock === 'wall'));
  if (wall !== null) {
    curves.wall = wall;
    charts.push({ id: 'operation-latency', title: 'Operation latency (wall clock)', note: 'Per-operation request latency and scheduler lag (wall clock) at each percentile; y on a log scale.', kind: 'curve', curves: 'wall', series: [], section: 'dist', y: { label: 'wall ms', fmt: 'dur' } });
  }

  const wallAxis = wallCharts(r, series, charts);

  // only the series some chart plots are embedded, each once
  const used = new Set(charts.flatMap((c) => c.series.map((x) => x.key)));
  for (const k of Object.keys(series)) if (!used.has(k)) delete series[k];
  // page order: the wall-time section (HTTP), the simulated time series, the distributions
  const order = { wall: 0, sim: 1, dist: 2 };
  charts.sort((a, b) => order[a.section] - order[b.section]);
  return { t0, step, n, series, curves, charts, ...(wallAxis !== null ? { wall: wallAxis } : {}) };
}

const ENDPOINT_COLOR: Record<string, string> = { mp: C.blue, wsus: C.orange, dp: C.green };
const ENDPOINT_NAME: Record<string, string> = { mp: 'MP (CCM_POST)', wsus: 'WSUS (MS-WUSP)', dp: 'DP (content GET)' };
const MORE = [C.purple, C.sky, C.black, C.grey, C.red];

/**
 * The wall-time section of an HTTP run (results.json wallSeries): requests per
 * second per endpoint, p50/p95/p99 per endpoint, errors per second by HTTP
 * status and by HRESULT. Its series are keyed `wall.*` and drawn on the wall
 * axis; nothing when the run made no HTTP request.
 */
function wallCharts(r: ReportInput, series: Record<string, Num[]>, charts: ChartSpec[]): ClientData['wall'] | null {
  const w = r.wallSeries;
  if (!isObj(w) || typeof w.start !== 'string' || !isNum(w.intervalMs) || w.intervalMs <= 0 || !isObj(w.endpoints)) return null;
  const start = Date.parse(w.start);
  if (!Number.isFinite(start)) return null;
  const lengths: number[] = [];
  for (const e of Object.values(w.endpoints)) if (isObj(e)) for (const a of Object.values(e)) if (Array.isArray(a)) lengths.push(a.length);
  const n = lengths.length > 0 ? Math.max(...lengths) : 0;
  if (n === 0) return null;
  const perS = 1000 / w.intervalMs;
  const rate = (a: unknown): Num[] | null => {
    const x = numbers(a, n);
    return x === null ? null : x.map((v) => (v === null ? null : Math.round(v * perS * 1000) / 1000));
  };
  const per = w.intervalMs === 1000 ? 'per second' : `per second (${formatDuration(w.intervalMs)} buckets)`;
  const reqRefs: SeriesRef[] = [];
  const eps = Object.entries(w.endpoints).filter(([, e]) => isObj(e));
  eps.forEach(([ep, e], k) => {
    const color = ENDPOINT_COLOR[ep] ?? MORE[k % MORE.length]!;
    const req = rate(isObj(e) ? e.requests : undefined);
    if (req !== null) {
      series[`wall.${ep}.requests`] = req;
      reqRefs.push({ key: `wall.${ep}.requests`, label: ENDPOINT_NAME[ep] ?? ep, color });
    }
  });
  const errSum = new Array<Num>(n).fill(0);
  let anyErr = false;
  for (const [, e] of eps) {
    const x = isObj(e) ? numbers(e.errors, n) : null;
    if (x === null) continue;
    anyErr = true;
    x.forEach((v, i) => (errSum[i] = (errSum[i] as number) + (v ?? 0) * perS));
  }
  if (anyErr) {
    series['wall.errors'] = errSum;
    reqRefs.push({ key: 'wall.errors', label: 'failed (any endpoint)', color: C.red, dash: [5, 3] });
  }
  if (reqRefs.length > 0)
    charts.push({ id: 'http-requests', section: 'wall', clock: 'wall', kind: 'time', title: 'Requests per second', note: `Operations that ended, per endpoint, ${per}, over wall time (UTC); failed: an error answer, a timeout or a broken connection.`, y: { label: 'requests / s', fmt: 'count' }, series: reqRefs });
  for (const [ep, e] of eps) {
    if (!isObj(e)) continue;
    const refs: SeriesRef[] = [];
    for (const [q, color, dash] of [['p50', C.blue, undefined], ['p95', C.orange, undefined], ['p99', C.red, [5, 3]]] as const) {
      const x = numbers(e[q], n);
      if (x === null || !x.some((v) => v !== null)) continue;
      series[`wall.${ep}.${q}`] = x;
      refs.push({ key: `wall.${ep}.${q}`, label: q, color, ...(dash ? { dash: [...dash] } : {}) });
    }
    if (refs.length > 0)
      charts.push({ id: `http-latency-${ep}`, section: 'wall', clock: 'wall', kind: 'time', sparse: true, title: `Latency over time: ${ENDPOINT_NAME[ep] ?? ep}`, note: `p50 / p95 / p99 of the operations that ended in each ${formatDuration(w.intervalMs)} (wall ms from the intended send time, log scale; gaps: none ended).`, y: { label: 'latency', fmt: 'dur' }, series: refs });
  }
  const errRefs: SeriesRef[] = [];
  let k = 0;
  for (const [group, label] of [['errorsByStatus', 'HTTP '], ['errorsByCode', '']] as const) {
    const g = w[group];
    if (!isObj(g)) continue;
    for (const [code, a] of Object.entries(g)) {
      const x = rate(a);
      if (x === null || !x.some((v) => v !== null && v > 0)) continue;
      const key = `wall.${group}.${code}`;
      series[key] = x;
      errRefs.push({ key, label: label + code, color: [C.red, C.purple, C.orange, C.sky, C.black, C.green, C.grey][k++ % 7]!, ...(group === 'errorsByCode' ? { dash: [5, 3] } : {}) });
    }
  }
  if (errRefs.length > 0)
    charts.push({ id: 'http-errors', section: 'wall', clock: 'wall', kind: 'time', title: 'Errors per second by HTTP status and by HRESULT', note: `Responses other than 2xx by status (solid), and the errors the clients saw by HRESULT (dashed: a status maps to one, a timeout or a reset has no status), ${per}.`, y: { label: 'errors / s', fmt: 'count' }, series: errRefs });
  return { t0: start / 1000, step: w.intervalMs / 1000, n };
}

/** The `data-chart` names a report of these results contains, in page order. */
export function reportCharts(results: ReportInput): string[] {
  return buildClientData(results).charts.map((c) => c.id);
}

// ---------------------------------------------------------------- tables

function headerHtml(r: ReportInput): string {
  const sc = isObj(r.scenario) ? r.scenario : {};
  const clock = isObj(r.clock) ? r.clock : {};
  const mode = typeof r.mode === 'string' ? r.mode : typeof clock.mode === 'string' ? clock.mode : null;
  const badges: string[] = [];
  if (r.valid === false) badges.push(`<span class="badge bad">INVALID${clock.invalidReason ? ': ' + esc(clock.invalidReason) : ''}</span>`);
  else if (r.valid === true) badges.push('<span class="badge good">valid</span>');
  if (r.partial === true) badges.push(`<span class="badge warn">PARTIAL${typeof r.reached === 'string' ? ': reached ' + esc(r.reached) : ''}</span>`);
  if (typeof r.abortedBy === 'string' && r.abortedBy !== '') badges.push(`<span class="badge bad">aborted by ${esc(r.abortedBy)}</span>`);
  const facts: [string, string][] = [];
  if (isNum(sc.clients)) facts.push(['clients', int(sc.clients)]);
  if (typeof sc.duration === 'string') facts.push(['duration', esc(sc.duration)]);
  if (typeof sc.start === 'string') facts.push(['start', esc(sc.start)]);
  if (isNum(sc.seed)) facts.push(['seed', String(sc.seed)]);
  const wall = isObj(r.wall) ? r.wall : {};
  if (typeof wall.startedAt === 'string') facts.push(['ran', esc(wall.startedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z').replace(/Z$/, ' UTC'))]);
  if (isNum(wall.elapsedMs)) facts.push(['wall time', esc(wall.elapsedMs >= 1000 ? formatDuration(Math.round(wall.elapsedMs / 1000) * 1000) : `${Math.round(wall.elapsedMs)}ms`)]);
  if (mode !== null) facts.push(['mode', esc(mode) + (mode === 'scaled' && isNum(clock.timeFactor) ? ` x${clock.timeFactor}` : '')]);
  const tool = isObj(r.tool) ? `${esc(r.tool.name ?? 'suca-fleet')} ${esc(r.tool.version ?? '')}` : 'suca-fleet';
  facts.push(['results', `${tool}, schema ${isNum(r.schemaVersion) ? r.schemaVersion : '?'}`]);
  return `<header>
<h1>${esc(typeof sc.name === 'string' ? sc.name : 'suca-fleet run')} <span class="badges">${badges.join(' ')}</span></h1>
<dl class="facts">${facts.map(([k, v]) => `<div><dt>${k}</dt><dd>${v}</dd></div>`).join('')}</dl>
</header>`;
}

/** Headline groups, in page order: the first whose test a figure's name passes holds it. */
const HEADLINE_GROUPS: readonly [string, (k: string) => boolean][] = [
  ['State messages', (k) => k.startsWith('state_') || k.startsWith('mp_backlog')],
  ['Scans', (k) => k.startsWith('scan') || k.startsWith('wsus_')],
  ['Deployments', (k) => ['installs', 'restarts'].includes(k) || k.startsWith('compliance_') || k.startsWith('deployment_')],
  ['HTTP requests and errors', (k) => k.startsWith('errors_') || k.endsWith('_latency_p99')],
  ['Run', () => true],
];

function headlineHtml(r: ReportInput): string {
  const groups = HEADLINE_GROUPS.map(() => [] as string[]);
  for (const [k, h] of Object.entries(HEADLINE)) {
    let v: number | null = null;
    try {
      v = h.get(r as unknown as Results);
    } catch {
      v = null; // a section this results.json does not have
    }
    if (!isNum(v)) continue;
    groups[HEADLINE_GROUPS.findIndex(([, test]) => test(k))]!.push(`<tr><td><code>${esc(k)}</code></td><td class="num">${esc(formatValue(k, v))}</td><td class="desc">${esc(h.describe)}</td></tr>`);
  }
  const body = groups.flatMap((rows, i) => (rows.length === 0 ? [] : [`<tr class="group"><th colspan="3">${esc(HEADLINE_GROUPS[i]![0])}</th></tr>`, ...rows]));
  if (body.length === 0) return '';
  return `<section class="panel" data-section="headline"><h2>Headline figures</h2><table><thead><tr><th>figure</th><th class="num">value</th><th>meaning</th></tr></thead><tbody>${body.join('')}</tbody></table></section>`;
}

/** Scans by what triggered them (scans.byTrigger), busiest first; left out when the run has none. */
function triggersHtml(r: ReportInput): string {
  const bt = isObj(r.scans) && isObj(r.scans.byTrigger) ? r.scans.byTrigger : null;
  if (bt === null) return '';
  const rows = Object.entries(bt)
    .flatMap(([t, c]) => (isObj(c) ? [{ t, on: isNum(c.online) ? c.online : 0, off: isNum(c.offline) ? c.offline : 0 }] : []))
    .filter((x) => x.on + x.off > 0)
    .sort((a, b) => b.on + b.off - (a.on + a.off) || (a.t < b.t ? -1 : 1));
  if (rows.length === 0) return '';
  const total = rows.reduce((a, x) => a + x.on + x.off, 0);
  return `<section class="panel" data-section="triggers"><h2>Scans by trigger</h2><p class="note">What started each scan: online scans go to WSUS, offline ones run against the cache.</p><table><thead><tr><th>trigger</th><th class="num">online</th><th class="num">offline</th><th class="num">share</th></tr></thead><tbody>${rows
    .map((x) => `<tr><td><code>${esc(x.t)}</code></td><td class="num">${int(x.on)}</td><td class="num">${int(x.off)}</td><td class="num">${pctOf(x.on + x.off, total)}</td></tr>`)
    .join('')}<tr class="total"><td>all</td><td class="num">${int(rows.reduce((a, x) => a + x.on, 0))}</td><td class="num">${int(rows.reduce((a, x) => a + x.off, 0))}</td><td class="num"></td></tr></tbody></table></section>`;
}

/** HTTP runs: responses by status (wallSeries.statuses) beside the errors the clients saw by HRESULT (errors.byCode). */
function errorsHtml(r: ReportInput): string {
  const st = isObj(r.wallSeries) && isObj(r.wallSeries.statuses) ? Object.entries(r.wallSeries.statuses).filter((e): e is [string, number] => isNum(e[1])) : [];
  if (st.length === 0) return '';
  const all = st.reduce((a, [, v]) => a + v, 0);
  const statusRows = st.map(([k, v]) => `<tr><td><code>${esc(k)}</code></td><td class="num${/^2/.test(k) ? '' : ' bad'}">${int(v)}</td><td class="num">${pctOf(v, all)}</td></tr>`).join('');
  const byCode = isObj(r.errors) && isObj(r.errors.byCode) ? Object.entries(r.errors.byCode).filter(([, v]) => isObj(v)) : [];
  const codeRows = byCode
    .map(([k, v]) => {
      const row = v as Record<string, unknown>;
      return `<tr><td><code>${esc(k)}</code></td><td class="num bad">${int(row.total)}</td>${['scan', 'download', 'report', 'policy'].map((src) => `<td class="num">${int(row[src])}</td>`).join('')}</tr>`;
    })
    .join('');
  return `<section class="panel wide" data-section="http-errors"><h2>Responses and errors</h2><div class="pair"><div><h3>HTTP responses by status</h3><table><thead><tr><th>status</th><th class="num">responses</th><th class="num">share</th></tr></thead><tbody>${statusRows}</tbody></table></div><div><h3>Errors the clients saw, by HRESULT</h3><table><thead><tr><th>HRESULT</th><th class="num">total</th><th class="num">scan</th><th class="num">download</th><th class="num">report</th><th class="num">policy</th></tr></thead><tbody>${codeRows || '<tr><td colspan="6" class="muted">none</td></tr>'}</tbody></table></div></div></section>`;
}

function thresholdsHtml(r: ReportInput): string {
  if (!Array.isArray(r.thresholds) || r.thresholds.length === 0) return ''; // none set: left out
  const fmt = (metric: unknown, v: unknown) => (isNum(v) ? formatValue(String(metric ?? ''), v) : 'n/a');
  const rows = r.thresholds.filter(isObj).map((t) => {
    const ok = t.ok === true;
    const by = isNum(t.by) ? (t.by > 0 ? '+' : '-') + fmt(t.metric, Math.abs(t.by)) : t.ok === false && !isNum(t.value) ? 'not measured' : '';
    return `<tr class="${ok ? 'pass' : 'fail'}"><td><span class="badge ${ok ? 'good' : 'bad'}">${ok ? 'PASS' : 'FAIL'}</span></td><td><code>${esc(t.expr ?? `${t.metric ?? '?'}${t.op ?? ''}${t.limit ?? ''}`)}</code>${t.abortOnFail === true ? ' <span class="muted">(aborts the run)</span>' : ''}</td><td class="num">${esc(fmt(t.metric, t.value))}</td><td class="num">${esc(t.op ?? '')} ${esc(fmt(t.metric, t.limit))}</td><td class="num">${esc(by)}</td></tr>`;
  });
  const body = rows.length ? rows.join('') : '<tr><td colspan="5" class="muted">no thresholds set for this run</td></tr>';
  return `<section class="panel"><h2>Thresholds</h2><table><thead><tr><th></th><th>threshold</th><th class="num">value</th><th class="num">limit</th><th class="num">by</th></tr></thead><tbody>${body}</tbody></table></section>`;
}

/** p95 of an operation from its histogram (results.json keeps p50/p90/p99/p99.9; k6 and Gatling users read p95). */
function p95Of(r: ReportInput, op: string): number | null {
  const h = isObj(r.histograms) ? r.histograms['op.' + op.replace(' ', '.')] : undefined;
  const u = isObj(h) && typeof h.unit === 'string' ? UNITS[h.unit] : undefined;
  if (!isObj(h) || typeof h.encoded !== 'string' || u === undefined) return null;
  try {
    const d = hdr.decodeFromCompressedBase64(h.encoded, 64, false);
    try {
      return d.totalCount === 0 ? null : Math.min(d.getValueAtPercentile(95), d.maxValue) * u.toMs;
    } finally {
      d.destroy();
    }
  } catch {
    return null;
  }
}

function operationsHtml(r: ReportInput): string {
  if (!isObj(r.operations)) return '';
  const entries = Object.entries(r.operations).flatMap(([name, o]) => (o !== undefined && isObj(o) ? [[name, o] as const] : []));
  if (entries.length === 0) return ''; // an in-process run makes no requests: left out
  const body = entries
    .map(([name, o]) => {
      const cells = ([['p50', o.p50], ['p90', o.p90], ['p95', p95Of(r, name)], ['p99', o.p99], ['p999', o.p999], ['max', o.max]] as const).map(([, v]) => `<td class="num">${wallMs(v)}</td>`).join('');
      return `<tr><td><code>${esc(name)}</code></td><td class="num">${int(o.count)}</td><td class="num${isNum(o.errors) && o.errors > 0 ? ' bad' : ''}">${int(o.errors)}</td><td class="num">${isNum(o.count) && isNum(o.errors) ? pctOf(o.errors, o.count) : 'n/a'}</td><td class="num">${fixed(o.perSecond, 1)}</td>${cells}</tr>`;
    })
    .join('');
  return `<section class="panel wide" data-section="operations"><h2>Operations</h2><p class="note">Requests the fleet made, per endpoint and operation; latency in wall-clock ms from the intended send time (no coordinated omission).</p><table><thead><tr><th>operation</th><th class="num">count</th><th class="num">errors</th><th class="num">error %</th><th class="num">per s</th><th class="num">p50</th><th class="num">p90</th><th class="num">p95</th><th class="num">p99</th><th class="num">p99.9</th><th class="num">max</th></tr></thead><tbody>${body}</tbody></table></section>`;
}

function deploymentsHtml(r: ReportInput): string {
  const ds = isObj(r.compliance) && Array.isArray(r.compliance.deployments) ? r.compliance.deployments.filter(isObj) : [];
  if (ds.length === 0) return '';
  const rows = ds.map((d) => {
    const c = isObj(d.clients) ? d.clients : {};
    const u = isObj(d.updateStates) ? d.updateStates : {};
    const nc = (x: unknown) => (isNum(x) ? x : 0);
    const tc = nc(c.compliant) + nc(c.nonCompliant) + nc(c.unknown);
    const tu = nc(u.unknown) + nc(u.notRequired) + nc(u.required) + nc(u.installed);
    return `<tr><td>${esc(d.name ?? '?')}</td><td class="num">${int(c.compliant)} of ${int(tc)} (${pctOf(nc(c.compliant), tc)})</td><td class="num">${int(c.unknown)}</td><td class="num">${pctOf(nc(u.installed), tu)}</td><td class="num">${pctOf(nc(u.required), tu)}</td><td class="num">${pctOf(nc(u.notRequired), tu)}</td><td class="num">${pctOf(nc(u.unknown), tu)}</td></tr>`;
  });
  return `<section class="panel wide"><h2>Deployments at the end</h2><table><thead><tr><th>deployment</th><th class="num">clients compliant</th><th class="num">clients unknown</th><th class="num">Installed</th><th class="num">Required</th><th class="num">Not Required</th><th class="num">Unknown</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

/** results.json `dps`, with more than one DP: each DP's requests, faulted requests, what it served. */
function dpsHtml(r: ReportInput): string {
  const dps = isObj(r.dps) ? Object.entries(r.dps).filter((e): e is [string, Record<string, unknown>] => isObj(e[1])) : [];
  if (dps.length < 2) return '';
  const gb = (x: unknown) => (isNum(x) ? (x / 1e9).toLocaleString('en-US', { maximumFractionDigits: 2 }) + ' GB' : 'n/a');
  const rows = dps.map(([dp, f]) => `<tr><td>${esc(dp)}</td><td class="num">${int(f.requests)}</td><td class="num">${int(f.faulted)}</td><td class="num">${int(f.downloads)}</td><td class="num">${gb(f.bytes)}</td></tr>`);
  return `<section class="panel wide" data-section="dps"><h2>Distribution points</h2><p class="note">Counted by the stub DP: a request is a download in-process, a content GET or HEAD over HTTP; faulted, those a scenario fault hit.</p><table><thead><tr><th>DP</th><th class="num">requests</th><th class="num">faulted</th><th class="num">downloads served</th><th class="num">bytes served</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

// ---------------------------------------------------------------- page

const CSS = `
:root { color-scheme: light; --fg: #1b1f24; --muted: #5b6470; --line: #d9dee4; --bg: #ffffff; --panel: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header, main { max-width: 1400px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 18px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h1 { font-size: 22px; margin: 0 0 8px; }
h2 { font-size: 16px; margin: 0 0 8px; }
h3 { font-size: 15px; margin: 0 0 2px; }
.facts { display: flex; flex-wrap: wrap; gap: 4px 22px; margin: 0 0 8px; }
.facts div { display: flex; gap: 6px; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; font-weight: 600; }
.badge { display: inline-block; font-size: 12px; font-weight: 700; padding: 1px 7px; border-radius: 4px; vertical-align: middle; }
.badge.good { background: #dcf3e6; color: #0b5d2e; }
.badge.bad { background: #fde2de; color: #9b1c0c; }
.badge.warn { background: #fff1c9; color: #6b4a00; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 560px), 1fr)); gap: 16px; margin: 16px 0; align-items: start; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 12px 14px; overflow-x: auto; }
.wide { grid-column: 1 / -1; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.bad { color: #9b1c0c; font-weight: 600; }
.desc, .muted, .note { color: var(--muted); }
.note { margin: 0 0 6px; font-size: 13px; }
code { font: 12.5px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.charts { display: grid; grid-template-columns: 1fr; gap: 16px; margin: 16px 0 28px; }
.chart { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px 4px; min-width: 0; }
.chart .plot { width: 100%; overflow: hidden; }
.chart .error { color: #9b1c0c; }
.uplot { font-family: inherit; }
.u-legend { font-size: 12.5px; text-align: left; }
.u-legend .u-marker { width: 12px; height: 12px; }
.axis-label { fill: var(--fg); }
h2.section { font-size: 18px; margin: 22px 0 0; padding-top: 10px; border-top: 1px solid var(--line); }
tr.group th { color: var(--fg); background: #eaeef2; font-size: 13px; }
tr.total td { font-weight: 600; }
.pair { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 380px), 1fr)); gap: 16px; }
`;

let clientJs: string | null = null;

/**
 * The page script (report-browser/main.ts), compiled by npm run build (its own
 * tsconfig: DOM, a plain script) to dist beside this module. Run from the
 * TypeScript sources (tests), there is no compiled file beside this one: the
 * source is transpiled the same way with TypeScript, a dev dependency and so
 * there whenever the sources run. Rejected: a bundler (esbuild) for one file
 * with no imports; a String.raw template (untyped, unlinted, 200 lines).
 */
function pageScript(): string {
  if (clientJs !== null) return clientJs;
  const compiled = new URL('./report-browser/main.js', import.meta.url);
  if (existsSync(compiled)) return (clientJs = readFileSync(compiled, 'utf8'));
  const ts = createRequire(import.meta.url)('typescript') as typeof import('typescript');
  const src = readFileSync(new URL('./report-browser/main.ts', import.meta.url), 'utf8');
  clientJs = ts.transpileModule(src, { compilerOptions: { target: ts.ScriptTarget.ES2019, module: ts.ModuleKind.None, strict: true } }).outputText;
  return clientJs;
}

/** One self-contained HTML file showing the results: no network needed to open it. */
export function renderReportHtml(results: ReportInput): string {
  const r: ReportInput = isObj(results) ? results : {};
  const f = uplotFiles();
  const data = buildClientData(r);
  const chartDiv = (c: ChartSpec) => `<div class="chart" data-chart="${esc(c.id)}"><h3>${esc(c.title)}</h3><p class="note">${esc(c.note)}</p><div class="plot"></div></div>`;
  const section = (id: ChartSpec['section']) => data.charts.filter((c) => c.section === id).map(chartDiv).join('\n');
  const wallCharts = section('wall');
  const simCharts = section('sim');
  const distCharts = section('dist');
  const name = isObj(r.scenario) && typeof r.scenario.name === 'string' ? r.scenario.name : 'run';
  const noCharts = data.charts.length === 0 ? '<p class="muted">This results.json has no time series or histograms to chart.</p>' : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<link rel="icon" href="data:,">
<title>suca-fleet report: ${esc(name)}</title>
<!-- uPlot ${esc(f.version)} (MIT, https://github.com/leeoniya/uPlot), inlined -->
<style>${inlineSafe(f.css, 'style')}</style>
<style>${CSS}</style>
</head>
<body>
${headerHtml(r)}
<main>
<div class="grid">
${headlineHtml(r)}
${thresholdsHtml(r)}
${triggersHtml(r)}
${deploymentsHtml(r)}
${dpsHtml(r)}
</div>
${wallCharts || operationsHtml(r) || errorsHtml(r) ? `<section data-section="wall"><h2 class="section">HTTP over wall time</h2><div class="grid">
${operationsHtml(r)}
${errorsHtml(r)}
</div>
<div class="charts">
${wallCharts}
</div></section>` : ''}
${simCharts ? `<section data-section="sim"><h2 class="section">Over simulated time</h2><div class="charts">
${simCharts}
</div></section>` : ''}
${distCharts ? `<section data-section="dist"><h2 class="section">Distributions</h2><div class="charts">
${distCharts}
</div></section>` : ''}
${noCharts}
</main>
<script type="application/json" id="report-data">${scriptJson(data)}</script>
<script>${inlineSafe(f.js, 'script')}</script>
<script>${inlineSafe(pageScript(), 'script')}</script>
</body>
</html>
`;
}

/** Writes the report of these results to `file`. */
export function writeReport(file: string, results: ReportInput): void {
  writeFileSync(file, renderReportHtml(results));
}
