// One worker thread of run --workers N (pool.ts): shard K/N of the fleet in
// scaled time over HTTP against the main thread's stub servers, as
// `run --shard K/N --mp URL --start-at T` would run it in a process of its
// own; or in virtual time in-process against a stub core of its own, as
// `run --shard K/N` would (with --trace: every line keyed by its moment,
// for the main thread's merge, trace-order.ts). It posts 'ready' once its run is built (scenario, plan, fleet, transport), waits for the start
// the main thread picks for every worker, posts progress snapshots, stops on
// 'stop' (SIGINT, or a threshold failed on the live merge, in the main
// thread) with partial results, posts its figures so far once a second
// when abortOnFail thresholds are given, and posts its
// results.json for the main thread to merge (mergeResults).

import { parentPort, workerData } from 'node:worker_threads';
import { loadScenario } from '../scenario/extends.js';
import { planRun } from '../plan.js';
import { runPlan, type RunOutcome } from '../run.js';
import { buildResults } from '../output/results.js';
import { evaluateThresholds } from '../thresholds.js';
import { createLogger } from '../logger.js';
import { RunFailedError } from '../errors.js';
import type { FromWorker, ToWorker, WorkerTask } from './protocol.js';
import { KeyedTrace, Moments, type MomentHooks } from './trace-order.js';
import { ForwardedReports } from './backlog.js';

const port = parentPort!;
const task = workerData as WorkerTask;
const post = (m: FromWorker) => port.postMessage(m);

const stop = new AbortController();
let started: ((wall: number) => void) | null = null;
const onMessage = (m: ToWorker) => {
  if (m.type === 'stop') stop.abort();
  else if (m.type === 'start') started?.(m.startWallEpochMs);
};
port.on('message', onMessage);

// log lines go to the main thread, which writes them where its own go (the command's stderr)
const logger = createLogger(task.logLevel, { write: (line: string) => post({ type: 'log', line }) });

function resultsOf(o: RunOutcome): string {
  const base = buildResults(o);
  return JSON.stringify({ ...base, thresholds: evaluateThresholds(base, task.thresholds) });
}

async function work(): Promise<void> {
  const sc = loadScenario(task.scenario, task.overrides);
  // the start instant comes once the run is built (RunHooks.ready): the plan's clock has none
  const plan = planRun(sc, { seriesInterval: task.seriesInterval, clock: task.clock, transport: task.transport });
  const live = task.live;
  // virtual time: the key of each moment, for the trace's order and the order of the reports the site's backlog takes
  const moments = task.keyedTrace !== undefined || task.forwardReports ? new Moments(plan.fleet.firstClient, plan.fleet.clients, plan.fleet) : null;
  const keyed = task.keyedTrace === undefined ? null : new KeyedTrace(task.keyedTrace, moments!, task.traceEvents === undefined ? null : new Set(task.traceEvents));
  const forward = task.forwardReports ? new ForwardedReports(moments!, (m) => post(m)) : null;
  const hooks: MomentHooks | null = moments === null ? null : {
    request: (c, t) => moments.request(c, t),
    deferred: (d) => moments.deferred(d),
    ...(forward !== null ? { stub: (core) => forward.bind(core), slice: (now) => forward.flush(now) } : {}),
  };
  const outcome = await runPlan(plan, {
    logger,
    ...(keyed !== null ? { outputs: [keyed.output()] } : {}),
    ...(hooks !== null ? { moments: hooks } : {}),
    ...(task.reportSent !== undefined ? { reportSent: new Float64Array(task.reportSent) } : {}),
    signal: stop.signal,
    // ready once the stubs' client, the fleet and the outputs are built; stopped before the start: at once (the run ends there)
    ready: () => new Promise<number>((resolve) => {
      started = resolve;
      if (stop.signal.aborted) resolve(Date.now());
      else stop.signal.addEventListener('abort', () => resolve(Date.now()), { once: true });
      post({ type: 'ready' });
    }),
    onProgress: (p) => post({ type: 'progress', p }),
    progressEveryMs: task.progressEveryMs,
    // abortOnFail is decided on the merge of every worker's figures (pool.ts): this worker only reports its own
    ...(live ? { liveCheck: (now: () => RunOutcome) => (post({ type: 'live', json: JSON.stringify(buildResults(now())) }), null) } : {}),
  });
  // every report this worker's clients will send is with the main thread
  forward?.flush(Infinity);
  post({ type: 'result', json: resultsOf(outcome) });
}

try {
  await work();
} catch (err) {
  let partial: string | null = null;
  if (err instanceof RunFailedError) {
    try {
      partial = resultsOf((err as RunFailedError<RunOutcome>).partial());
    } catch {
      partial = null;
    }
  }
  const cause = err instanceof RunFailedError ? (err.cause as Error) : (err as Error);
  post({ type: 'error', code: (cause as { code?: string })?.code ?? null, message: cause?.message ?? String(cause), stack: cause?.stack ?? null, partial });
} finally {
  // nothing left holding the thread: it exits
  port.off('message', onMessage);
}
