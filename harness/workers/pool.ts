// run --workers N: the fleet split across N worker threads by client range.
//
// The main thread serves the embedded stub servers (MP, WSUS, DP) on
// 127.0.0.1 with their simulated clock; worker k runs shard k/N of the
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
// Not built: virtual time (lockstep windows across workers); the run command
// refuses --workers with --clock virtual. With the stubs outside the
// workers, what the stub MP counts is not in the workers' results (as for
// `run --mp URL`): stub-view.ts takes those figures from the stubs here.

import { Worker } from 'node:worker_threads';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStubServers } from '../../server-stub/http/index.js';
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
import type { ScenarioOverrides } from '../scenario/resolve.js';
import { observeStub, withStubFigures } from './stub-view.js';
import type { FromWorker, ToWorker, WorkerTask } from './protocol.js';

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
  readonly clock: Extract<ClockOptions, { mode: 'scaled' }>;
  readonly transport: Extract<TransportOptions, { kind: 'http' }>;
  readonly thresholds: readonly Threshold[];
  readonly live: readonly Threshold[];
  readonly outputs: readonly Output[];
  readonly print: 'summary' | 'json' | 'json-line';
  /** --out: each worker's own results.json goes to workers/ under it (what was merged, for checking) */
  readonly outDir?: string | undefined;
}

/** The compiled worker: beside this file in dist/, or dist/ seen from the TypeScript sources (vitest). */
export function workerFile(): string {
  const here = fileURLToPath(import.meta.url);
  const file = here.endsWith('.ts') ? join(resolve(dirname(here), '..', '..'), 'dist', 'harness', 'workers', 'worker.js') : join(dirname(here), 'worker.js');
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
    stateIngested: sum((p) => p.stateIngested),
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
  const f = o.clock.timeFactor;
  // the stubs' simulated clock: the scenario's start at the chosen wall instant (until it is chosen, the start)
  let startWall: number | null = null;
  const simNow = () => (startWall === null ? plan.clock.start : plan.clock.start + (Date.now() - startWall) * f);
  const tk = o.transport;
  const servers = await startStubServers({
    config: plan.stub,
    logger: o.logger,
    clock: simNow,
    tls: tk.tls,
    external: { wsus: tk.external?.wsus, dp: tk.external?.dp },
    verifySignatures: tk.sign !== false,
    poolWallPerSimulatedMs: 1 / f,
  });
  // what the stubs count, as a single run's metrics observe them (stub-view.ts)
  const atStub = observeStub(plan, servers);
  // the MP's state-message processor and the series sampler: a single run wakes them from the fleet's scheduler;
  // here they are outside every worker's, on a wall timer (20 ms = 1.2 simulated s at x60), never past the run's end
  const tick = setInterval(() => {
    if (startWall === null) return;
    const t = Math.min(simNow(), plan.clock.end);
    if (servers.core.mp.nextDue() <= t) servers.core.mp.onWake(t);
    for (let d = atStub.sampler.nextDue(); d <= t; d = atStub.sampler.nextDue()) atStub.sampler.onWake(d);
  }, 20);
  const progressed = o.outputs.filter((x) => x.progress !== undefined);
  // the outputs' own pace (5 s as log lines, 250 ms on a terminal); the workers post at it too
  const every = progressed.length === 0 ? 1000 : Math.min(...progressed.map((x) => x.progressEveryMs ?? 250));
  const latest: (ProgressSnapshot | undefined)[] = new Array(n).fill(undefined);
  let lastShown = 0;
  const t0 = Date.now();
  const show = (force: boolean) => {
    const ps = latest.filter((p): p is ProgressSnapshot => p !== undefined);
    if (ps.length < n || progressed.length === 0) return;
    const now = Date.now();
    if (!force && now - lastShown < every) return;
    lastShown = now;
    // ingested is counted where the stub MP is, here (a worker's is 0: its MP is external)
    // and the wall time is this thread's (the workers' last snapshots arrive apart: their rates would divide by nothing)
    const s = { ...sumSnapshots(ps), stateIngested: atStub.state.ingested, wallMs: Date.now() - t0 };
    for (const x of progressed) x.progress!(s);
  };
  const results: (string | null)[] = new Array(n).fill(null);
  const errors: { k: number; code: string | null; message: string; stack: string | null }[] = [];
  const workers: Worker[] = [];
  const send = (m: ToWorker) => {
    for (const w of workers) w.postMessage(m);
  };
  let stoppedBy: StopSignal | null = null;
  const onSignal = (sig: StopSignal) => {
    stoppedBy = sig;
    log.warn({ signal: sig }, 'stopping every worker');
    send({ type: 'stop' });
  };
  io.signals.once('SIGINT', onSignal);
  io.signals.once('SIGTERM', onSignal);
  let ready = 0;
  // abortOnFail: the thresholds checked on the merge of every worker's latest figures (and the stubs'), about once a wall second
  const liveLatest: (Results | undefined)[] = new Array(n).fill(undefined);
  let lastLive = 0;
  let abortedBy: string | null = null;
  const liveCheck = () => {
    if (abortedBy !== null || stoppedBy !== null || liveLatest.some((r) => r === undefined) || Date.now() - lastLive < 1000) return;
    lastLive = Date.now();
    let now: Results;
    try {
      now = withStubFigures(mergeResults(liveLatest.map((r, k) => ({ r: r!, file: `worker ${k + 1}/${n}` }))), plan, servers, atStub, [], true);
    } catch (err) {
      log.warn({ err }, 'abortOnFail: the workers\' figures so far could not be merged; checked again in a second');
      return;
    }
    const due = o.live.filter((t) => Date.parse(now.reached) - plan.clock.start >= (t.delayAbortEval ?? 0));
    const failed = due.length === 0 ? undefined : evaluateThresholds(now, due).find((t) => !t.ok && t.value !== null);
    if (failed === undefined) return;
    abortedBy = failed.expr;
    log.warn({ threshold: failed.expr }, 'threshold failed with abortOnFail on the workers\' merged figures: stopping every worker');
    send({ type: 'stop' });
  };
  try {
    const done = Array.from({ length: n }, (_, i) => {
      const task: WorkerTask = {
        scenario: o.scenario,
        overrides: { ...o.overrides, shard: `${i + 1}/${n}` },
        seriesInterval: o.seriesInterval,
        clock: o.clock,
        transport: { ...tk, external: { mp: servers.urls.mp }, tls: undefined },
        thresholds: o.thresholds,
        live: o.live.length > 0,
        logLevel: o.logLevel,
        progressEveryMs: every,
      };
      const w = new Worker(file, { workerData: task });
      workers.push(w);
      return new Promise<void>((resolveDone) => {
        w.on('message', (m: FromWorker) => {
          if (m.type === 'log') io.stderr.write(m.line);
          else if (m.type === 'progress') {
            latest[i] = m.p;
            show(false);
          } else if (m.type === 'ready') {
            if (++ready === n) {
              // every worker is ready: one start for all, on a whole second, at least the lead ahead (or --start-at)
              startWall = o.clock.startWallEpochMs ?? Math.ceil((Date.now() + START_LEAD_WALL_MS) / 1000) * 1000;
              log.info({ workers: n, startAt: new Date(startWall).toISOString(), mp: servers.urls.mp }, 'workers ready: simulated start at one wall instant');
              send({ type: 'start', startWallEpochMs: startWall });
            }
          } else if (m.type === 'live') {
            liveLatest[i] = JSON.parse(m.json) as Results;
            liveCheck();
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
  } finally {
    io.signals.off('SIGINT', onSignal);
    io.signals.off('SIGTERM', onSignal);
    clearInterval(tick);
    await servers.close();
  }
  const got = results.flatMap((r, i) => (r === null ? [] : [{ r: JSON.parse(r) as Results, file: `worker ${i + 1}/${n}` }]));
  const whole = got.length === n ? withStubFigures(mergeResults(got, { thresholds: o.thresholds }), plan, servers, atStub, o.thresholds) : null;
  // the threshold that stopped every worker (the workers themselves abort on nothing)
  const merged = whole === null || abortedBy === null ? whole : { ...whole, abortedBy };
  const perWorker = writePerWorker(o.outDir, got.map((g) => g.r), n);
  show(true);
  if (errors.length > 0) {
    const e = errors[0]!;
    const err = e.code?.startsWith('SUCA_ERR_') === true ? new HarnessError(e.code as never, `worker ${e.k}/${n}: ${e.message}`) : Object.assign(new Error(`worker ${e.k}/${n}: ${e.message}`), { stack: e.stack ?? undefined });
    const lines: string[] = [];
    if (merged !== null) {
      endOutputs(o.outputs, merged);
      const files = writtenFiles(o.outputs).map((x) => x.path);
      lines.push(files.length > 0 ? `every worker's figures up to the failure are merged in ${files.join(', ')} (results marked partial)` : 'nothing was written (no --out given)');
    } else lines.push(`${n - got.length} of ${n} workers left no results: nothing was written`);
    return reportError(io, err, `running the fleet in ${n} workers`, lines);
  }
  if (merged === null) return reportError(io, new Error(`${n - got.length} of ${n} workers ended without results`), `running the fleet in ${n} workers`);
  endOutputs(o.outputs, merged);
  io.stdout.write(o.print === 'json-line' ? JSON.stringify(merged) + '\n' : o.print === 'json' ? formatResultsJson(merged) : formatSummary(merged) + formatThresholds(merged.thresholds) + formatWritten([...writtenFiles(o.outputs), ...perWorker]));
  const verdict = verdictOf(merged, stoppedBy);
  if (verdict.message !== null) io.stderr.write(`suca-fleet: ${verdict.message}\n`);
  return verdict.code;
}

/** --out DIR: DIR/workers/worker-K-of-N.results.json, each worker's results as it posted them. */
function writePerWorker(dir: string | undefined, rs: readonly Results[], n: number): { what: string; path: string }[] {
  if (dir === undefined) return [];
  const sub = join(dir, 'workers');
  mkdirSync(sub, { recursive: true });
  return rs.map((r) => {
    const path = join(sub, `worker-${r.shard.index}-of-${n}.results.json`);
    writeFileSync(path, formatResultsJson(r));
    return { what: `worker ${r.shard.index}/${n}`, path };
  });
}

/** At most this many workers (more threads than this on one machine only share its cores). */
export const MAX_WORKERS = 64;

/**
 * --workers N, checked with the other flags. Default 1: os.availableParallelism()
 * by default in scaled time would refuse --trace and --series-ndjson, which work
 * in one thread, and change every scaled run's results (stub figures null).
 */
export function checkWorkers(a: { readonly workers?: string | undefined; readonly clock: string; readonly mp?: string | undefined; readonly shard?: string | undefined; readonly shards?: string | undefined; readonly trace?: unknown; readonly 'series-ndjson'?: unknown }, kind: 'http' | 'in-process', add: (problem: string) => void): number {
  if (a.workers === undefined) return 1;
  const given = a.workers;
  const n = /^\d+$/.test(given.trim()) ? Number(given.trim()) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_WORKERS) {
    add(`--workers: '${given}' is not a whole number from 1 to ${MAX_WORKERS} (worker threads, each running a range of the clients)`);
    return 1;
  }
  if (n === 1) return 1;
  if (a.clock !== 'scaled') add(`--workers ${n}: only for --clock scaled; in virtual time the workers would have to run in lockstep windows against one stub core, which is not built yet (run --shard K/N and merge instead)`);
  else if (kind !== 'http') add(`--workers ${n}: the workers reach the embedded stubs over HTTP; --transport in-process runs in one thread`);
  if (a.mp !== undefined) add(`--workers ${n} and --mp: the workers share the embedded stub servers; against an external MP run shards (--shard K/N) and merge them`);
  if (a.shard !== undefined || a.shards !== undefined) add(`--workers ${n} and --shard/--shards: the workers split the whole fleet; not a shard of it`);
  if (a.trace !== undefined) add(`--workers ${n} and --trace: one trace of several threads is not written yet; run without --workers for a trace`);
  if (a['series-ndjson'] !== undefined) add(`--workers ${n} and --series-ndjson: the streamed series of several threads is not written yet; the merged series are in results.json (--out)`);
  return n;
}
