// The stub servers together: the MP, a WSUS (with its content) for every SUP
// of the scenario and a server for every DP, each on its own port, all driven
// by one StubCore. The core is built once the ports are known, so the MP hands
// out the WSUS and DP URLs the servers really have (or external ones: any of
// the three roles can point elsewhere). A server per SUP and per DP, as on a
// real site where they are different hosts: a client that switches SUP, or
// fails over to the next DP, reaches another server, and a fault naming one
// SUP or one DP hits that server alone, as in-process.

import type { Logger } from 'pino';
import { StubCore, type StubConfig } from '../core/index.js';
import { serveRole, type RoleHandler, type RoleServer, type TlsOptions } from './server.js';
import { mpHandler, mpStats, type MpStats } from './mp-handler.js';
import { wsusHandler, wsusStats, type WsusStats } from './wsus-handler.js';
import { contentHandler } from './dp-handler.js';
import type { ContentStats } from './content.js';
import { contentMetrics, faultMetrics, mpMetrics, wsusMetrics } from './metrics.js';
import { StubServerError } from './errors.js';
import { distinct, portOf, servedConfig, unservable } from './served.js';

export { MAX_SERVERS_PER_ROLE, unservable } from './served.js';

export interface StubServersOptions {
  readonly config: StubConfig;
  readonly logger: Logger;
  /** simulated time now */
  readonly clock: () => number;
  readonly host?: string;
  /** the host name the URLs carry (the MP hands out WSUS and DP URLs) when clients reach the servers by another name than the bound address */
  readonly publicHost?: string | undefined;
  /**
   * The ports: the MP's, the first SUP's and the first DP's. SUP k of the scenario (its k-th distinct
   * URL) listens on wsus + k, DP k on dp + k; 0 gives each any free port.
   */
  readonly ports?: { readonly mp?: number; readonly wsus?: number; readonly dp?: number };
  readonly tls?: TlsOptions | undefined;
  /** external servers: the MP hands these out instead of starting its own (one stands for every SUP, or every DP) */
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

export interface StubUrls {
  readonly mp: string;
  /** the first SUP's URL (sups[0]) */
  readonly wsus: string;
  /** the first DP's URL (dps[0]) */
  readonly dp: string;
  /** every SUP's URL, in the order of the scenario's distinct site.sups (one when the WSUS is external) */
  readonly sups: readonly string[];
  /** every DP's URL, in the order of the scenario's distinct site.dps (one when the DP is external) */
  readonly dps: readonly string[];
}

export interface StubServers {
  readonly core: StubCore;
  readonly mp: RoleServer;
  /** the first SUP's server (null: the WSUS is external) */
  readonly wsus: RoleServer | null;
  /** the first DP's server (null: the DP is external) */
  readonly dp: RoleServer | null;
  /** every server: the MP, the SUPs', the DPs' */
  readonly all: readonly RoleServer[];
  readonly urls: StubUrls;
  /** the scenario's SUP and DP URLs to the ones served (a fault or a pool naming a SUP names the server's URL in the core) */
  readonly served: ReadonlyMap<string, string>;
  readonly stats: { readonly mp: MpStats; readonly wsus: WsusStats; readonly content: ContentStats };
  /** what the servers refused, by role and reason (`wsus:...` sums the SUPs', `dp:...` the DPs') */
  refusedByReason(): Record<string, number>;
  /** requests each server took: `mp`, `sup[k]` and `dp[k]` by the scenario's k-th distinct SUP and DP (names that add up across shards) */
  requestsByServer(): Record<string, number>;
  close(): Promise<void>;
}

export async function startStubServers(o: StubServersOptions): Promise<StubServers> {
  const supNames = distinct(o.config.sups);
  const dpNames = distinct(o.config.dps);
  const cannot = unservable(o.config, o.external);
  if (cannot.length > 0) throw new StubServerError('SUCA_ERR_STUB_TOO_MANY_SERVERS', cannot.map((c) => `${c.path}: ${c.message}`).join('; '));
  const mpHandlerRef: { h?: RoleHandler } = {};
  const common = { logger: o.logger, host: o.host ?? '127.0.0.1', publicHost: o.publicHost, tls: o.tls, health: o.health };
  const started: RoleServer[] = [];
  // the handlers are made once the core exists (it needs the servers' URLs); no request comes before: nobody has the URLs yet
  const late = (get: () => RoleHandler | undefined): RoleHandler => (req, res, body, ctx) => get()!(req, res, body, ctx);
  try {
    const mp = await serveRole('mp', late(() => mpHandlerRef.h), { ...common, port: o.ports?.mp ?? 0, ccmPost: true });
    started.push(mp);
    // a server per distinct URL of the role, unless an external one stands for them all; handlers[k] set below
    const each = async (role: 'wsus' | 'dp', names: readonly string[], external: string | undefined, first: number | undefined) => {
      const handlers: RoleHandler[] = [];
      const servers: RoleServer[] = [];
      for (let k = 0; external === undefined && k < names.length; k++) {
        const srv = await serveRole(role, late(() => handlers[k]), { ...common, port: portOf(first, k) });
        started.push(srv);
        servers.push(srv);
      }
      return { handlers, servers };
    };
    const { handlers: supHandlers, servers: sups } = await each('wsus', supNames, o.external?.wsus, o.ports?.wsus);
    const { handlers: dpHandlers, servers: dps } = await each('dp', dpNames, o.external?.dp, o.ports?.dp);
    const supUrls = o.external?.wsus !== undefined ? [o.external.wsus] : sups.map((x) => x.url);
    const dpUrls = o.external?.dp !== undefined ? [o.external.dp] : dps.map((x) => x.url);
    const served = new Map<string, string>();
    supNames.forEach((n, k) => served.set(n, supUrls[Math.min(k, supUrls.length - 1)]!));
    dpNames.forEach((n, k) => served.set(n, dpUrls[Math.min(k, dpUrls.length - 1)]!));
    const urls: StubUrls = { mp: mp.url, wsus: supUrls[0]!, dp: dpUrls[0]!, sups: supUrls, dps: dpUrls };
    const core = new StubCore(servedConfig(o.config, served));
    const stats = { mp: mpStats(), wsus: wsusStats(), content: { requests: 0, bytes: 0, notFound: 0, badRange: 0 } };
    mpHandlerRef.h = mpHandler({ core, clock: o.clock, verifySignatures: o.verifySignatures ?? true }, stats.mp);
    const poolWallPerSimulatedMs = o.poolWallPerSimulatedMs ?? 1;
    sups.forEach((srv) => supHandlers.push(wsusHandler({ core, clock: o.clock, supUrl: srv.url, poolWallPerSimulatedMs }, stats.wsus, stats.content)));
    dps.forEach((srv) => dpHandlers.push(contentHandler(core, stats.content, o.clock, srv.url)));
    // each server's metric families, registered once the core exists (a scrape before that shows the HTTP ones);
    // faults are shared (the same on every server); content goes with the DPs, or with the WSUS (its /Content) when the DP is external.
    // The role families count the role's requests over all its servers: each server's own count is suca_stub_http_requests_total
    mpMetrics(mp.metrics, core, stats.mp);
    faultMetrics(mp.metrics, core);
    for (const srv of sups) {
      wsusMetrics(srv.metrics, core, stats.wsus);
      if (dps.length === 0) contentMetrics(srv.metrics, stats.content);
      faultMetrics(srv.metrics, core);
    }
    for (const srv of dps) {
      contentMetrics(srv.metrics, stats.content);
      faultMetrics(srv.metrics, core);
    }
    return {
      core,
      mp,
      wsus: sups[0] ?? null,
      dp: dps[0] ?? null,
      all: started,
      urls,
      served,
      stats,
      refusedByReason: () => {
        const m = new Map<string, number>();
        for (const r of started) for (const [k, v] of r.stats.refused) m.set(`${r.role}:${k}`, (m.get(`${r.role}:${k}`) ?? 0) + v);
        return Object.fromEntries([...m].sort());
      },
      requestsByServer: () => ({
        mp: mp.stats.requests,
        ...Object.fromEntries(sups.map((r, k) => [`sup[${k}]`, r.stats.requests])),
        ...Object.fromEntries(dps.map((r, k) => [`dp[${k}]`, r.stats.requests])),
      }),
      close: async () => {
        await Promise.all(started.map((s) => s.close()));
      },
    };
  } catch (err) {
    await Promise.all(started.map((s) => s.close()));
    throw err;
  }
}
