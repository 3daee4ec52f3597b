// run --workers N: the fleet split across N worker threads by client range.
//
// A thread of their own (stub-thread.ts) serves the embedded stub servers
// (MP, WSUS, DP) on 127.0.0.1 with their simulated clock, the main thread
// keeping the coordination (start, progress, signals, abortOnFail, the
// merge); worker k runs shard k/N of the
// clients (the --shard machinery: a contiguous range, the clients' global
// ids and so their behaviour as in the whole fleet) over HTTP against the
// stub MP, as `run --shard k/N --mp URL --start-at T` would in a process of
// its own (deploy/k8s and test/k8s-indexed-job-local.test.ts do exactly
// that in processes). Every worker is told the same simulated start at the
// same wall instant, picked once all of them are ready (modules loaded,
// scenario resolved) plus START_LEAD_WALL_MS, so their series line up; their
// results.json are merged by mergeResults, the code `suca-fleet merge` runs
// (counters added, HDR histograms merged, never averaged), and the
// thresholds are evaluated on the merged figures.
//
// Rejected: one stub core per worker (each worker its own embedded stubs).
// The WSUS capacity model and the MP's backlog are site-wide: N stubs would
// give N times the capacity and N separate backlogs.
//
// With the stubs outside the workers, what the stub MP counts is not in the
// workers' results (as for `run --mp URL`): stub-view.ts takes those
// figures from the stubs, in their thread (asked through stub-handle.ts).
// Against an external MP (--workers N --mp URL, scaled time) there is no
// stub thread: every worker runs its shard against that MP, as N processes
// of `run --shard K/N --mp URL --start-at T` would, started at the instant
// the run command aligned on the MP's clock when it is a suca-fleet stub
// (the aligned start reaches the workers as a scenario override); the MP's
// own figures are the external MP's, n/a in the merge as in one run. Run
// as shard K/S (--shards S in a pod of an Indexed Job), the workers split
// that shard (workerShard) and the merge is written as shard K/S (asShard).
//
// Virtual time (--clock virtual, in-process): worker k runs shard k/N
// against a stub core of its own, which is exact for the parts of the stub
// that answer a client from that client's own history (policy, locations,
// the scan without a capacity model, DP, faults: hashes of seed, client and
// second; the MP's ingest when it is immediate, site.mpProcessingRate 0,
// resync included). Those have no lookahead limit: nothing another worker's
// clients do can change this worker's answers, so the lockstep window is the
// whole run (no barrier, nothing exchanged before the results) and the merge
// is exact. The MP's rate-limited backlog (site.mpProcessingRate > 0) is the
// site's one queue, but it changes no answer (a report is accepted at once):
// the workers forward their reports, keyed by moment, between slices, and
// the main thread models the one backlog in the single thread's order up to
// the slowest worker's time (backlog.ts). What stays coupled at zero
// lookahead with a synchronous transport: the WSUS capacity model
// (site.wsusPool: admission, queue wait and recycle from every scan before)
// and a lost upload beside a backlog (its resync answer depends on when the
// backlog processed the client's messages). A window would be one request
// long (a barrier per request across threads); coupledModels refuses them
// instead (SUCA_ERR_WORKERS_COUPLED, exit 2). --trace: each worker keys its
// lines by moment and the main thread merges them into the single thread's
// order (trace-order.ts). In scaled time --trace is merged the same way,
// by time then client, and the state report send times reach the stub MP
// here through shared memory (the latency split, stub-view.ts).

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { START_LEAD_WALL_MS } from '../clock/align.js';
import { HarnessError } from '../errors.js';
import { mergeResults } from '../output/merge.js';
import { endOutputs, writtenFiles } from '../output/outputs/index.js';
import { formatResultsJson, type Results } from '../output/results.js';
import { formatSummary, formatWritten } from '../output/summary.js';
import { evaluateThresholds, formatThresholds, type Threshold } from '../thresholds.js';
import { verdictOf } from '../exit.js';
import { reportError } from '../commands/common.js';
import type { Output } from '../output/output.js';
import type { Io, StopSignal } from '../io.js';
import type { Logger, LogLevel } from '../logger.js';
import type { ClockOptions, RunPlan, TransportOptions } from '../plan.js';
import type { ProgressSnapshot } from '../run.js';
import type { ScenarioOverrides, Shard } from '../scenario/resolve.js';
import { StubThread } from './stub-handle.js';
import type { FromWorker, ToWorker, WorkerTask } from './protocol.js';
import { mergeKeyedTraces } from './trace-order.js';
import { KeyPool } from '../../agent/wire/ccm/signing.js';
import { SiteBacklog } from './backlog.js';
import { writeSeriesNdjson } from './series-file.js';
import type { StubConfig } from '../../server-stub/core/index.js';
import { unlinkSync } from 'node:fs';

export interface WorkersOptions {
  readonly io: Io;
  readonly logger: Logger;
  readonly logLevel: LogLevel;
  readonly workers: number;
  /** the scenario argument and overrides, as the run command resolved them (each worker adds its shard) */
  readonly scenario: string | undefined;
  readonly overrides: ScenarioOverrides;
  /** the whole fleet's plan: the stub servers' config, the run's span */
  readonly plan: RunPlan;
  readonly seriesInterval: number;
  /** scaled (over HTTP, the stubs here) or virtual (in-process, a stub core per worker) */
  readonly clock: ClockOptions;
  readonly transport: TransportOptions;
  /** --trace FILE, merged from the workers' keyed traces (trace-order.ts) */
  readonly tracePath?: string | undefined;
  /** --trace-events: the events the trace keeps (null: all) */
  readonly traceEvents?: ReadonlySet<string> | null;
  /** --series-ndjson FILE, written from the merged series at the end */
  readonly seriesNdjsonPath?: string | undefined;
  readonly thresholds: readonly Threshold[];
  readonly live: readonly Threshold[];
  readonly outputs: readonly Output[];
  readonly print: 'summary' | 'json' | 'json-line';
  /** --out: each worker's own results.json goes to workers/ under it (what was merged, for checking) */
  readonly outDir?: string | undefined;
}

/** The compiled worker: beside this file in dist/, or dist/ seen from the TypeScript sources (vitest). */
export function workerFile(): string {
  return compiledFile('worker');
}

/** A compiled thread script of this folder (worker, stub-thread). */
export function compiledFile(name: string): string {
  const here = fileURLToPath(import.meta.url);
  const file = here.endsWith('.ts') ? join(resolve(dirname(here), '..', '..'), 'dist', 'harness', 'workers', `${name}.js`) : join(dirname(here), `${name}.js`);
  if (!existsSync(file)) throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', `--workers: the compiled worker ${file} is missing (worker threads run JavaScript: npm run build)`);
  return file;
}

/** The workers' snapshots summed: counts added, the earliest simulated time, the worst lag. */
export function sumSnapshots(ps: readonly ProgressSnapshot[]): ProgressSnapshot {
  const first = ps[0]!;
  const sum = (f: (p: ProgressSnapshot) => number | undefined) => ps.reduce((n, p) => n + (f(p) ?? 0), 0);
  const lags = ps.map((p) => p.lagP99Ms).filter((x): x is number => x !== null);
  return {
    simNow: Math.min(...ps.map((p) => p.simNow)),
    start: first.start,
    end: first.end,
    clients: sum((p) => p.clients),
    wallMs: Math.max(...ps.map((p) => p.wallMs)),
    agentEvents: sum((p) => p.agentEvents),
    stateSent: sum((p) => p.stateSent),
    // an external MP's (null: each worker's is): not seen, not 0
    stateIngested: ps.some((p) => p.stateIngested === null) ? null : sum((p) => p.stateIngested ?? 0),
    errors: sum((p) => p.errors),
    inFlight: sum((p) => p.inFlight),
    requests: sum((p) => p.requests),
    requestErrors: sum((p) => p.requestErrors),
    scansInFlight: sum((p) => p.scansInFlight),
    lagP99Ms: lags.length > 0 ? Math.max(...lags) : null,
    mode: first.mode,
  };
}

/** Runs the fleet across o.workers worker threads; writes the merged outputs and returns the exit code, as the run command does. */
export async function runWorkers(o: WorkersOptions): Promise<number> {
  const { io, plan } = o;
  const n = o.workers;
  const log = o.logger.child({ module: 'workers' });
  const file = workerFile();
  const virtual = o.clock.mode === 'virtual';
  // the run's start on the wall (wall.startedAt, the progress line's wall time)
  const t0 = Date.now();
  // the wall instant of the simulated start, once every worker is ready
  let startWall: number | null = null;
  const tk = o.transport;
  // the clients' state report send times, written by the workers, read by the stub MP at receipt (the cycle wait
  // and in-flight split of state latency, as a single run's metrics tell them); 8 B per client
  // --mp URL: every worker's clients talk to that MP (and the WSUS and DP it hands out, or --wsus / --dp), as
  // shards would; no stub thread, and the MP's own figures are the external MP's (n/a in the merge, as for one run)
  const externalMp = tk.kind === 'http' && tk.external?.mp !== undefined;
  const sentShared = tk.kind === 'http' && !virtual && !externalMp ? new SharedArrayBuffer(8 * plan.metrics.clients) : null;
  if (sentShared !== null) new Float64Array(sentShared).fill(NaN);
  const errors: { k: number; code: string | null; message: string; stack: string | null }[] = [];
  const workers: Worker[] = [];
  const send = (m: ToWorker) => {
    for (const w of workers) w.postMessage(m);
  };
  // SIGINT / SIGTERM from the start: the stub thread takes a moment to load, and a signal then stops every worker
  // as soon as it is made (each stops where it is once started: partial results)
  let stoppedBy: StopSignal | null = null;
  const onSignal = (sig: StopSignal) => {
    stoppedBy = sig;
    log.warn({ signal: sig }, 'stopping every worker');
    send({ type: 'stop' });
  };
  io.signals.once('SIGINT', onSignal);
  io.signals.once('SIGTERM', onSignal);
  // scaled: the one set of stub servers, in a thread of their own (stub-thread.ts; their figures come back through
  // it, stub-view.ts); virtual: none (each worker has its own stub core). k 0 in errors: the stub thread
  const stubs = sentShared === null ? null : await StubThread.start(compiledFile('stub-thread'), {
    scenario: o.scenario,
    overrides: o.overrides,
    seriesInterval: o.seriesInterval,
    clock: o.clock,
    transport: tk,
    reportSent: sentShared,
    logLevel: o.logLevel,
  }, io, (e) => {
    errors.push({ k: 0, ...e });
    send({ type: 'stop' });
  }).catch((err: unknown) => {
    io.signals.off('SIGINT', onSignal);
    io.signals.off('SIGTERM', onSignal);
    throw err;
  });
  // virtual time with a rate-limited MP backlog: the site's one backlog, here, fed by every worker's reports (backlog.ts)
  const backlog = virtual && plan.stub.mpProcessingRate > 0 ? new SiteBacklog(plan, n) : null;
  // the whole fleet's figures: the workers' merged (and the stubs' own: from the stub thread in scaled time, or the site backlog's)
  const whole = async (got: { r: Results; file: string }[], thresholds: readonly Threshold[], live: boolean): Promise<Results> => {
    const m = asShard(mergeResults(got, live ? {} : { thresholds }), plan);
    if (backlog !== null) {
      if (!live) backlog.finish(Date.parse(m.reached), m.partial);
      return backlog.figures(m, thresholds, live);
    }
    return stubs === null ? m : await stubs.figures(m, thresholds, live);
  };
  const tracePart = (k: number) => `${o.tracePath}.worker-${k}-of-${n}.keyed`;
  // the trace and the NDJSON series are written here from the workers' (below), not by the outputs of this thread,
  // which never see an event (the series file the output opened is closed empty, and rewritten)
  const mergedHere = (x: Output) => x.name === 'trace' || x.name === 'series-ndjson';
  for (const x of o.outputs) if (mergedHere(x)) x.finish?.();
  const outputs = o.outputs.filter((x) => !mergedHere(x));
  const progressed = outputs.filter((x) => x.progress !== undefined);
  // the outputs' own pace (5 s as log lines, 250 ms on a terminal); the workers post at it too
  const every = progressed.length === 0 ? 1000 : Math.min(...progressed.map((x) => x.progressEveryMs ?? 250));
  const latest: (ProgressSnapshot | undefined)[] = new Array(n).fill(undefined);
  let lastShown = 0;
  // process.cpuUsage() is the whole process's, every thread's: a worker's figure is not its own, and a sum counts N times
  const cpu0 = process.cpuUsage();
  const show = (force: boolean) => {
    const ps = latest.filter((p): p is ProgressSnapshot => p !== undefined);
    if (ps.length < n || progressed.length === 0) return;
    const now = Date.now();
    if (!force && now - lastShown < every) return;
    lastShown = now;
    // ingested is counted where the stub MP is, here (a worker's is 0: its MP is external)
    // and the wall time is this thread's (the workers' last snapshots arrive apart: their rates would divide by nothing)
    const sum = sumSnapshots(ps);
    const s = { ...sum, stateIngested: stubs !== null ? stubs.ingestedSoFar() : backlog !== null ? backlog.metrics.state.ingested : sum.stateIngested, wallMs: Date.now() - t0 };
    for (const x of progressed) x.progress!(s);
  };
  const results: (string | null)[] = new Array(n).fill(null);
  let ready = 0;
  // abortOnFail: the thresholds checked on the merge of every worker's latest figures (and the stubs'), about once a wall second
  const liveLatest: (Results | undefined)[] = new Array(n).fill(undefined);
  let lastLive = 0;
  let abortedBy: string | null = null;
  // one check at a time (the stubs' figures come from their thread)
  let checking = false;
  const liveCheck = async () => {
    if (checking || abortedBy !== null || stoppedBy !== null || liveLatest.some((r) => r === undefined) || Date.now() - lastLive < 1000) return;
    lastLive = Date.now();
    checking = true;
    let now: Results;
    try {
      now = await whole(liveLatest.map((r, k) => ({ r: r!, file: `worker ${k + 1}/${n}` })), [], true);
    } catch (err) {
      log.warn({ err }, 'abortOnFail: the workers\' figures so far could not be merged; checked again in a second');
      return;
    } finally {
      checking = false;
    }
    if (abortedBy !== null || stoppedBy !== null) return;
    const due = o.live.filter((t) => Date.parse(now.reached) - plan.clock.start >= (t.delayAbortEval ?? 0));
    const failed = due.length === 0 ? undefined : evaluateThresholds(now, due).find((t) => !t.ok && t.value !== null);
    if (failed === undefined) return;
    abortedBy = failed.expr;
    log.warn({ threshold: failed.expr }, 'threshold failed with abortOnFail on the workers\' merged figures: stopping every worker');
    send({ type: 'stop' });
  };
  // one signing pair for every worker, as one process has (and generated once: 50-250 ms a key)
  const wtk: TransportOptions = tk.kind === 'http' && tk.sign !== false && tk.keys === undefined ? { ...tk, keys: KeyPool.shared(2).toPem() } : tk;
  let ran = false;
  try {
    const done = Array.from({ length: n }, (_, i) => {
      const task: WorkerTask = {
        scenario: o.scenario,
        overrides: { ...o.overrides, shard: workerShard(plan.outputs.shard, i, n) },
        seriesInterval: o.seriesInterval,
        clock: o.clock,
        transport: stubs === null || wtk.kind !== 'http' ? wtk : { ...wtk, external: { mp: stubs.urls.mp }, tls: undefined },
        keyedTrace: o.tracePath !== undefined ? tracePart(i + 1) : undefined,
        ...(o.traceEvents != null ? { traceEvents: [...o.traceEvents] } : {}),
        ...(sentShared !== null ? { reportSent: sentShared } : {}),
        forwardReports: backlog !== null,
        thresholds: o.thresholds,
        live: o.live.length > 0,
        logLevel: o.logLevel,
        progressEveryMs: every,
      };
      const w = new Worker(file, { workerData: task });
      workers.push(w);
      if (stoppedBy !== null) w.postMessage({ type: 'stop' } satisfies ToWorker);
      return new Promise<void>((resolveDone) => {
        w.on('message', (m: FromWorker) => {
          if (m.type === 'log') io.stderr.write(m.line);
          else if (m.type === 'progress') {
            latest[i] = m.p;
            show(false);
          } else if (m.type === 'ready') {
            if (++ready === n) {
              // every worker is ready: one start for all, on a whole second, at least the lead ahead (or --start-at)
              // (virtual time: at once, each at its own pace; the instant is not used)
              startWall = o.clock.mode === 'virtual' ? Date.now() : o.clock.startWallEpochMs ?? Math.ceil((Date.now() + START_LEAD_WALL_MS) / 1000) * 1000;
              stubs?.start(startWall);
              if (!virtual && startWall < Date.now()) log.warn({ startAt: new Date(startWall).toISOString(), lateMs: Date.now() - startWall }, '--start-at passed before every worker was ready: the run starts late (its first events due at once, as lag)');
              if (!virtual) log.info({ workers: n, startAt: new Date(startWall).toISOString(), mp: stubs?.urls.mp ?? (tk.kind === 'http' ? tk.external?.mp : undefined) }, 'workers ready: simulated start at one wall instant');
              else log.info({ workers: n }, 'workers ready: each runs its clients against its own stub core in virtual time');
              send({ type: 'start', startWallEpochMs: startWall });
            }
          } else if (m.type === 'live') {
            liveLatest[i] = JSON.parse(m.json) as Results;
            void liveCheck();
          } else if (m.type === 'reports') {
            backlog?.add(i, m);
          } else if (m.type === 'result') {
            results[i] = m.json;
          } else if (m.type === 'error') {
            errors.push({ k: i + 1, code: m.code, message: m.message, stack: m.stack });
            results[i] = m.partial;
            send({ type: 'stop' });
          }
        });
        w.on('error', (err) => {
          errors.push({ k: i + 1, code: null, message: err.message, stack: err.stack ?? null });
          send({ type: 'stop' });
        });
        w.on('exit', () => resolveDone());
      });
    });
    await Promise.all(done);
    ran = true;
  } finally {
    io.signals.off('SIGINT', onSignal);
    io.signals.off('SIGTERM', onSignal);
    // the workers could not be run: nothing to ask the stubs for (else they are closed once their figures are in)
    if (!ran) await stubs?.close();
  }
  const got = results.flatMap((r, i) => (r === null ? [] : [{ r: JSON.parse(r) as Results, file: `worker ${i + 1}/${n}`, k: i + 1 }]));
  let all: Results | null = null;
  try {
    all = got.length === n ? withProcessCpu(await whole(got, o.thresholds, false), cpu0, t0) : null;
  } finally {
    await stubs?.close();
  }
  // the threshold that stopped every worker (the workers themselves abort on nothing)
  const merged = all === null || abortedBy === null ? all : { ...all, abortedBy };
  const perWorker = writePerWorker(o.outDir, got.map((g) => ({ r: g.r, k: g.k })), n);
  // the workers' keyed traces merged into the one trace (what they wrote, also when stopped or failed)
  const extra: { what: string; path: string }[] = [];
  if (o.tracePath !== undefined) {
    const parts = Array.from({ length: n }, (_, k) => tracePart(k + 1)).filter((p) => existsSync(p));
    if (parts.length === n) {
      mergeKeyedTraces(parts, o.tracePath);
      extra.push({ what: 'trace', path: o.tracePath });
    } else for (const p of parts) unlinkSync(p);
  }
  if (o.seriesNdjsonPath !== undefined && merged !== null) {
    writeSeriesNdjson(o.seriesNdjsonPath, merged);
    extra.push({ what: 'series NDJSON', path: o.seriesNdjsonPath });
  }
  show(true);
  if (errors.length > 0) {
    const e = errors[0]!;
    const who = e.k === 0 ? 'the stub thread' : `worker ${e.k}/${n}`;
    const err = e.code?.startsWith('SUCA_ERR_') === true ? new HarnessError(e.code as never, `${who}: ${e.message}`) : Object.assign(new Error(`${who}: ${e.message}`), { stack: e.stack ?? undefined });
    const lines: string[] = [];
    if (merged !== null) {
      endOutputs(outputs, merged);
      const files = [...writtenFiles(outputs), ...extra].map((x) => x.path);
      lines.push(files.length > 0 ? `every worker's figures up to the failure are merged in ${files.join(', ')} (results marked partial)` : 'nothing was written (no --out given)');
    } else lines.push(`${n - got.length} of ${n} workers left no results: nothing was written`);
    return reportError(io, err, `running the fleet in ${n} workers`, lines);
  }
  if (merged === null) return reportError(io, new Error(`${n - got.length} of ${n} workers ended without results`), `running the fleet in ${n} workers`);
  endOutputs(outputs, merged);
  io.stdout.write(o.print === 'json-line' ? JSON.stringify(merged) + '\n' : o.print === 'json' ? formatResultsJson(merged) : formatSummary(merged) + formatThresholds(merged.thresholds) + formatWritten([...writtenFiles(outputs), ...extra, ...perWorker]));
  const verdict = verdictOf(merged, stoppedBy);
  if (verdict.message !== null) io.stderr.write(`suca-fleet: ${verdict.message}\n`);
  return verdict.code;
}

/**
 * wall.cpu of the merge is the sum of the workers' figures, each the whole
 * process's (Node 20 has no per-thread CPU usage): N times the truth. The
 * process's own, from this thread over the run, replaces it. (Peak RSS, the
 * largest worker's, is the process's already.) wall.startedAt is this
 * thread's start of the run, before the workers were made, as a single run's
 * is before it waits for its start (the workers' are once each was loaded).
 */
function withProcessCpu(r: Results, cpu0: NodeJS.CpuUsage, t0: number): Results {
  const used = process.cpuUsage(cpu0);
  const elapsedMs = Math.max(1, Date.now() - t0);
  const cpu = { userMs: Math.round(used.user / 1000), systemMs: Math.round(used.system / 1000), cores: Math.round(((used.user + used.system) / 1000 / elapsedMs) * 100) / 100 };
  return { ...r, wall: { ...r.wall, startedAt: new Date(t0).toISOString(), cpu } };
}

/** --out DIR: DIR/workers/worker-K-of-N.results.json, each worker's results as it posted them. */
function writePerWorker(dir: string | undefined, rs: readonly { r: Results; k: number }[], n: number): { what: string; path: string }[] {
  if (dir === undefined) return [];
  const sub = join(dir, 'workers');
  mkdirSync(sub, { recursive: true });
  return rs.map(({ r, k }) => {
    const path = join(sub, `worker-${k}-of-${n}.results.json`);
    writeFileSync(path, formatResultsJson(r));
    return { what: `worker ${k}/${n}`, path };
  });
}

/**
 * The shard worker k (0-based) of n runs. The whole fleet: k+1 of n. Within
 * shard K of S (a pod of an Indexed Job, --shards S): shard (K-1)n + k+1 of
 * S n, so that the pod's n workers run, between them, exactly shard K/S's
 * clients: shard j of M is [floor((j-1)C/M), floor(jC/M)), and the pod's
 * workers' ranges join into [floor((K-1)nC/(Sn)), floor(KnC/(Sn))), which is
 * [floor((K-1)C/S), floor(KC/S)), shard K/S's. The clients keep their global
 * ids and so their behaviour.
 */
export function workerShard(outer: Shard, k: number, n: number): string {
  return outer.count <= 1 ? `${k + 1}/${n}` : `${(outer.index - 1) * n + k + 1}/${outer.count * n}`;
}

/**
 * The workers' merge as the run's own shard: within shard K/S the merge of
 * its n sub-shards is shard K/S, of the whole fleet's clients (what one
 * process running --shard K/S writes, so that `merge` of the pods' results
 * checks them as shards and names the missing ones), not "the whole fleet
 * of the pod's clients, with the other sub-shards missing".
 */
function asShard(m: Results, plan: RunPlan): Results {
  const outer = plan.outputs.shard;
  if (outer.count <= 1) return m;
  if (m.shard.firstClient !== outer.firstClient || m.shard.clients !== outer.clients) {
    // some worker left no results (stopped before it posted any): the merge covers part of the shard, and says so
    return m;
  }
  // mergeResults always says what it merged
  const { missingShards: _dropped, ...merged } = m.merged!;
  return { ...m, scenario: { ...m.scenario, clients: plan.outputs.clients }, shard: { ...outer }, merged };
}

/** At most this many workers (more threads than this on one machine only share its cores). */
export const MAX_WORKERS = 64;

/**
 * --workers N, checked with the other flags. Not given: the number of cores
 * (os.availableParallelism()) in scaled time over HTTP against the embedded
 * stubs, where the workers do all a single run does (--trace and
 * --series-ndjson merged, the state latency split kept: the report send
 * times are shared with the stub MP's thread); 1 where they cannot run
 * (scaled time in-process, a shard) or against external servers (--mp,
 * --wsus, --dp) without a word, as the default is not the user's choice:
 * against a real MP, N workers are N connection pools of --concurrency
 * each, a load the user picks with --workers N, not one a core count picks
 * for them; and 1 in virtual time (the
 * issue's choice: a single thread's run is the reference the workers are
 * checked against). Given, N is refused (exit 2) where it cannot run, as the
 * user asked for it. The run command caps the default at the fleet's
 * clients (a worker per client at most: shards are never empty).
 */
export function checkWorkers(a: { readonly workers?: string | undefined; readonly clock: string; readonly mp?: string | undefined; readonly wsus?: string | undefined; readonly dp?: string | undefined; readonly shard?: string | undefined; readonly shards?: string | undefined }, kind: 'http' | 'in-process', add: (problem: string) => void, cores: number = availableParallelism()): { readonly n: number; readonly given: boolean } {
  const scaled = a.clock === 'scaled';
  if (a.workers === undefined) {
    // external servers: N workers would be N connection pools against them (see above)
    const fits = scaled && kind === 'http' && a.mp === undefined && a.wsus === undefined && a.dp === undefined && a.shard === undefined && a.shards === undefined;
    return { n: fits ? Math.max(1, Math.min(cores, MAX_WORKERS)) : 1, given: false };
  }
  const given = a.workers;
  const n = /^\d+$/.test(given.trim()) ? Number(given.trim()) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_WORKERS) {
    add(`--workers: '${given}' is not a whole number from 1 to ${MAX_WORKERS} (worker threads, each running a range of the clients)`);
    return { n: 1, given: true };
  }
  if (n === 1) return { n: 1, given: true };
  if (scaled && kind !== 'http') add(`--workers ${n}: in scaled time the workers reach the embedded stubs over HTTP; --transport in-process runs in one thread`);
  if (!scaled && kind !== 'in-process') add(`--workers ${n} --clock virtual: in virtual time the workers run in-process (a stub core each); over HTTP they would need one stub clock in lockstep across threads, which is not built (drop --transport http, or add --clock scaled)`);
  if ((a.shard !== undefined || a.shards !== undefined) && !(scaled && a.mp !== undefined)) {
    add(`--workers ${n} and --shard/--shards: the workers split a shard only in scaled time against an external MP (--clock scaled --mp URL: a pod of an Indexed Job against the central MP); elsewhere run more shards`);
  }
  return { n, given: true };
}

/**
 * Virtual time: the scenario's models that couple one client's answers to
 * other clients' requests, which workers with a stub core each cannot answer
 * exactly (see the head of this file). Each problem names the scenario field.
 */
export function coupledModels(stub: StubConfig): string[] {
  const out: string[] = [];
  if (stub.wsusPool !== undefined && stub.wsusPool !== null) {
    out.push('site.wsusPool: the WSUS capacity model admits, queues and recycles on every client\'s scans in one time order; a worker sees only its own clients\' (its answer at t depends on every arrival before t: no window is exact short of one request)');
  }
  // the backlog itself is modelled once in the main thread (backlog.ts); a gap in a client's serials would make its resync answer depend on it
  if (stub.mpProcessingRate > 0) {
    stub.faults.forEach((f, i) => {
      if (f.target === 'mp.state' && f.effect.kind === 'lose') {
        out.push(`faults[${i}].lose with site.mpProcessingRate ${stub.mpProcessingRate}: a lost upload opens a serial gap, and the client's resync answer then depends on when the site's one backlog processed its messages, which depends on every client's reports before them, at once (set site.mpProcessingRate to 0, immediate ingest, or run in one thread)`);
      }
    });
  }
  return out;
}
