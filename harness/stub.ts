// suca-fleet stub: the stub servers on their own, in real (or scaled) time,
// until SIGINT/SIGTERM or --duration. Prints the URLs first (a JSON line a
// script can read, then the same for people).

import type { Logger } from 'pino';
import { startStubServers } from '../server-stub/http/index.js';
import { distinct } from '../server-stub/http/served.js';
import type { ResolvedScenario } from './scenario/resolve.js';
import { HarnessError } from './errors.js';
import type { SignalSource, StopSignal } from './io.js';
import { scenarioHash, stubHealthClock } from './clock/align.js';

export interface StubRunOptions {
  readonly logger: Logger;
  readonly host: string;
  readonly publicHost?: string | undefined;
  readonly ports: { readonly mp: number; readonly wsus: number; readonly dp: number };
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer } | undefined;
  readonly timeFactor: number;
  readonly verifySignatures: boolean;
  /** wall ms after which it stops by itself (null: only on a signal) */
  readonly stopAfterMs: number | null;
  readonly print: (s: string) => void;
  /** SIGINT / SIGTERM stop it */
  readonly signals: SignalSource;
}

export async function runStub(sc: ResolvedScenario, o: StubRunOptions): Promise<void> {
  const wallStart = Date.now();
  const clock = () => sc.start + (Date.now() - wallStart) * o.timeFactor;
  // GET /health publishes the clock and the scenario's hash: run --mp aligns to them (harness/clock/align.ts)
  const hash = scenarioHash(sc);
  const health = () => stubHealthClock(sc, o.timeFactor, wallStart, clock(), hash);
  let servers;
  try {
    servers = await startStubServers({
      config: sc.stub,
      logger: o.logger,
      clock,
      host: o.host,
      publicHost: o.publicHost,
      ports: o.ports,
      tls: o.tls,
      verifySignatures: o.verifySignatures,
      health,
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      // a role's ports: the first, and the last of its range when it serves several
      const range = (first: number, l: readonly string[]) => (first !== 0 && distinct(l).length > 1 ? `${first}-${first + distinct(l).length - 1}` : String(first));
      throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', `cannot listen on ${o.host} (ports mp ${o.ports.mp}, wsus ${range(o.ports.wsus, sc.stub.sups)}, dp ${range(o.ports.dp, sc.stub.dps)}): ${code}`, { cause: err });
    }
    throw err;
  }
  const u = servers.urls;
  o.print(JSON.stringify({ mp: u.mp, wsus: u.wsus, dp: u.dp, sups: u.sups, dps: u.dps, health: '/health' }) + '\n');
  // a line per SUP and DP, with the scenario's name it stands for when there are several
  const named = (l: readonly string[], names: readonly string[]) => l.map((x, k) => (l.length > 1 ? `${x}  (${names[k]})` : x));
  const sups = named(u.sups, distinct(sc.stub.sups));
  const dps = named(u.dps, distinct(sc.stub.dps));
  o.print(`MP   ${u.mp}\n${sups.map((x) => `WSUS ${x}\n`).join('')}${dps.map((x) => `DP   ${x}\n`).join('')}(Ctrl-C to stop)\n`);
  o.logger.info({ urls: servers.urls, scenario: sc.name, scenarioHash: hash, timeFactor: o.timeFactor, simStart: new Date(sc.start).toISOString() }, 'stub servers listening');
  // the MP's state-message processor runs on the wall clock here: one timer for it
  const tick = setInterval(() => {
    const t = clock();
    if (servers.core.mp.nextDue() <= t) servers.core.mp.onWake(t);
  }, 100);
  await new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const onSignal = (sig: StopSignal) => stop(sig);
    const stop = (why: string) => {
      o.logger.info({ why }, 'stopping');
      o.signals.off('SIGINT', onSignal);
      o.signals.off('SIGTERM', onSignal);
      clearTimeout(timer);
      resolve();
    };
    o.signals.once('SIGINT', onSignal);
    o.signals.once('SIGTERM', onSignal);
    if (o.stopAfterMs !== null) timer = setTimeout(() => stop('duration'), o.stopAfterMs);
  });
  clearInterval(tick);
  await servers.close();
  const mp = servers.core.mp.counters;
  o.print(`stopped: ${mp.assignmentRequests} policy requests, ${servers.core.wsus.counters.scans} scans, ${mp.stateMessagesIngested} state messages ingested\n`);
}
