// run --workers N in scaled time: the embedded stub servers (MP, WSUS, DP)
// in a worker thread of their own, so that the main thread keeps only the
// coordination (the workers' start, progress, SIGINT, abortOnFail, the
// merge) and the stubs' HTTP parsing, ingest and replies do not share an
// event loop with it. The stubs' simulated clock starts at the wall instant
// the main thread hands over ('start'); the MP's state-message processor
// and the series sampler wake on a 20 ms wall timer here, as they did in
// the main thread. The stubs' own figures reach the merge on request
// ('figures': the workers' merged results in, the whole fleet's out,
// stub-view.ts withStubFigures), the ingest count for live progress through
// shared memory (a Float64 the timer writes).

import { parentPort, workerData } from 'node:worker_threads';
import { loadScenario } from '../scenario/extends.js';
import { planRun } from '../plan.js';
import { startStubServers } from '../../server-stub/http/index.js';
import { createLogger } from '../logger.js';
import type { Results } from '../output/results.js';
import { observeStub, withStubFigures } from './stub-view.js';
import type { FromStubThread, StubThreadTask, ToStubThread } from './protocol.js';

const port = parentPort!;
const task = workerData as StubThreadTask;
const post = (m: FromStubThread) => port.postMessage(m);
const logger = createLogger(task.logLevel, { write: (line: string) => post({ type: 'log', line }) });

async function serve(): Promise<void> {
  const sc = loadScenario(task.scenario, task.overrides);
  const plan = planRun(sc, { seriesInterval: task.seriesInterval, clock: task.clock, transport: task.transport });
  const tk = task.transport;
  const f = task.clock.mode === 'scaled' ? task.clock.timeFactor : 1;
  let startWall: number | null = null;
  const simNow = () => (startWall === null ? plan.clock.start : plan.clock.start + (Date.now() - startWall) * f);
  const servers = await startStubServers({
    config: plan.stub,
    logger,
    clock: simNow,
    tls: tk.kind === 'http' ? tk.tls : undefined,
    external: { wsus: tk.kind === 'http' ? tk.external?.wsus : undefined, dp: tk.kind === 'http' ? tk.external?.dp : undefined },
    verifySignatures: tk.kind !== 'http' || tk.sign !== false,
    poolWallPerSimulatedMs: 1 / f,
  });
  const atStub = observeStub(plan, servers, new Float64Array(task.reportSent));
  const ingested = new Float64Array(task.ingested);
  // a single run wakes these from the fleet's scheduler; here they are outside every worker's, on a wall timer
  // (20 ms = 1.2 simulated s at x60), never past the run's end
  const tick = setInterval(() => {
    if (startWall === null) return;
    const t = Math.min(simNow(), plan.clock.end);
    if (servers.core.mp.nextDue() <= t) servers.core.mp.onWake(t);
    for (let d = atStub.sampler.nextDue(); d <= t; d = atStub.sampler.nextDue()) atStub.sampler.onWake(d);
    ingested[0] = atStub.state.ingested;
  }, 20);
  await new Promise<void>((resolveClosed) => {
    const onMessage = (m: ToStubThread) => {
      if (m.type === 'start') startWall = m.startWallEpochMs;
      else if (m.type === 'figures') {
        try {
          const out = withStubFigures(JSON.parse(m.json) as Results, plan, servers, atStub, m.thresholds, m.live);
          ingested[0] = atStub.state.ingested;
          post({ type: 'figures', id: m.id, json: JSON.stringify(out), error: null });
        } catch (err) {
          post({ type: 'figures', id: m.id, json: null, error: (err as Error).message });
        }
      } else if (m.type === 'close') {
        clearInterval(tick);
        port.off('message', onMessage);
        servers.close().then(resolveClosed, resolveClosed);
      }
    };
    port.on('message', onMessage);
    post({ type: 'listening', urls: servers.urls });
  });
}

try {
  await serve();
} catch (err) {
  post({ type: 'error', code: (err as { code?: string })?.code ?? null, message: (err as Error)?.message ?? String(err), stack: (err as Error)?.stack ?? null });
}
