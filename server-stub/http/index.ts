// The stub servers together: MP, WSUS (with its content) and DP, each on its
// own port, all driven by one StubCore. The core is built once the ports are
// known, so the MP can hand out the WSUS and DP URLs the servers really have
// (or external ones: any of the three roles can point elsewhere).

import type { Logger } from 'pino';
import { StubCore, type StubConfig } from '../core/index.js';
import { serveRole, type RoleHandler, type RoleServer, type TlsOptions } from './server.js';
import { mpHandler, mpStats, type MpStats } from './mp-handler.js';
import { wsusHandler, wsusStats, type WsusStats } from './wsus-handler.js';
import { contentHandler } from './dp-handler.js';
import type { ContentStats } from './content.js';
import { contentMetrics, faultMetrics, mpMetrics, wsusMetrics } from './metrics.js';

export interface StubServersOptions {
  readonly config: StubConfig;
  readonly logger: Logger;
  /** simulated time now */
  readonly clock: () => number;
  readonly host?: string;
  /** the host name the URLs carry (the MP hands out WSUS and DP URLs) when clients reach the servers by another name than the bound address */
  readonly publicHost?: string | undefined;
  readonly ports?: { readonly mp?: number; readonly wsus?: number; readonly dp?: number };
  readonly tls?: TlsOptions | undefined;
  /** external servers: the MP hands these out instead of starting its own */
  readonly external?: { readonly wsus?: string | undefined; readonly dp?: string | undefined };
  readonly verifySignatures?: boolean;
  /** more for every server's GET /health (suca-fleet stub: its clock, see harness/clock/align.ts) */
  readonly health?: (() => object) | undefined;
  /**
   * wall ms per simulated ms for the WSUS capacity model's answer delays (its queue waits and
   * service times are simulated): 1 (default) renders them as wall ms, as delay faults are; a
   * scaled run gives 1 / timeFactor; a virtual-time run 0 (lockstep hands answers over at the
   * time they were asked, so a wall delay would only slow the run)
   */
  readonly poolWallPerSimulatedMs?: number;
}

export interface StubServers {
  readonly core: StubCore;
  readonly mp: RoleServer;
  readonly wsus: RoleServer | null;
  readonly dp: RoleServer | null;
  readonly urls: { readonly mp: string; readonly wsus: string; readonly dp: string };
  readonly stats: { readonly mp: MpStats; readonly wsus: WsusStats; readonly content: ContentStats };
  close(): Promise<void>;
}

export async function startStubServers(o: StubServersOptions): Promise<StubServers> {
  const handlers: { mp?: RoleHandler; wsus?: RoleHandler; dp?: RoleHandler } = {};
  const late = (role: 'mp' | 'wsus' | 'dp'): RoleHandler => (req, res, body, ctx) => handlers[role]!(req, res, body, ctx);
  const common = { logger: o.logger, host: o.host ?? '127.0.0.1', publicHost: o.publicHost, tls: o.tls, health: o.health };
  const started: RoleServer[] = [];
  try {
    const mp = await serveRole('mp', late('mp'), { ...common, port: o.ports?.mp ?? 0, ccmPost: true });
    started.push(mp);
    const wsus = o.external?.wsus === undefined ? await serveRole('wsus', late('wsus'), { ...common, port: o.ports?.wsus ?? 0 }) : null;
    if (wsus !== null) started.push(wsus);
    const dp = o.external?.dp === undefined ? await serveRole('dp', late('dp'), { ...common, port: o.ports?.dp ?? 0 }) : null;
    if (dp !== null) started.push(dp);
    const urls = { mp: mp.url, wsus: o.external?.wsus ?? wsus!.url, dp: o.external?.dp ?? dp!.url };
    // one WSUS stands for every SUP of the scenario: with a capacity model, it has the one pool
    const pool = o.config.wsusPool;
    const core = new StubCore({ ...o.config, sups: [urls.wsus], dps: [urls.dp], ...(pool !== undefined && pool !== null ? { wsusPool: { ...pool, sups: null } } : {}) });
    const stats = { mp: mpStats(), wsus: wsusStats(), content: { requests: 0, bytes: 0, notFound: 0, badRange: 0 } };
    handlers.mp = mpHandler({ core, clock: o.clock, verifySignatures: o.verifySignatures ?? true }, stats.mp);
    handlers.wsus = wsusHandler({ core, clock: o.clock, supUrl: urls.wsus, poolWallPerSimulatedMs: o.poolWallPerSimulatedMs ?? 1 }, stats.wsus, stats.content);
    handlers.dp = contentHandler(core, stats.content, o.clock);
    // each role's metric families, registered once the core exists (a scrape before that shows the HTTP ones);
    // faults are shared (the same on every role); content goes with the DP, or with the WSUS (its /Content) when the DP is external
    mpMetrics(mp.metrics, core, stats.mp);
    faultMetrics(mp.metrics, core);
    if (wsus !== null) {
      wsusMetrics(wsus.metrics, core, stats.wsus);
      if (dp === null) contentMetrics(wsus.metrics, stats.content);
      faultMetrics(wsus.metrics, core);
    }
    if (dp !== null) {
      contentMetrics(dp.metrics, stats.content);
      faultMetrics(dp.metrics, core);
    }
    return {
      core,
      mp,
      wsus,
      dp,
      urls,
      stats,
      close: async () => {
        await Promise.all(started.map((s) => s.close()));
      },
    };
  } catch (err) {
    await Promise.all(started.map((s) => s.close()));
    throw err;
  }
}
