// The stub side as one typed handler: the in-process transport calls
// handle(); server-stub/http (later) decodes the wire and calls the same.

import type { Reply, Request } from '../../agent/core/types.js';
import { OPERATIONS_OF } from '../../agent/wire/operations.js';
import type { FaultSpec, FaultTarget, StubConfig } from './config.js';
import { httpPlan, inProcessOutcome, type HttpPlan } from './fault-kinds/index.js';
import { generateCatalogue, type Catalogue } from './catalogue.js';
import { Faults } from './faults.js';
import { ManagementPoint } from './mp.js';
import { WsusServer } from './wsus.js';
import { WsusPool } from './wsus-pool.js';
import { DistributionPoint } from './dp.js';

export type { WsusPoolSpec, Admission } from './wsus-pool.js';
export type { StubConfig, FaultSpec, FaultTarget, FaultEffect, WsusFaultCode, DeploymentSpec, CatalogueSpec } from './config.js';
export type { Catalogue } from './catalogue.js';
export type { HttpFailure, HttpPlan } from './fault-kinds/index.js';
export type { IngestObserver } from './mp.js';
export { generateCatalogue, ManagementPoint, WsusServer, WsusPool, DistributionPoint, Faults };

export interface Exchange {
  readonly reply: Reply;
  /** the answer is late by this much */
  readonly delayMs: number;
  /** the answer never arrives (the request was processed) */
  readonly dropped: boolean;
  readonly fault: FaultSpec | null;
  /**
   * the WSUS capacity model admitted the request: its answer goes out only if
   * settle(ticket) still says so when it is due (a pool recycle fails it)
   */
  readonly ticket?: number;
}

/** Tickets: the pool's recycle epoch at admission times this, plus the pool's index. */
const TICKET_POOLS = 1024;

/** WSUS operations an in-process scan stands for, besides its SyncUpdates rounds: GetConfig, GetCookie. */
const SCAN_FIXED_OPERATIONS = 2;
/** How long the cookie of a scan lasts (the HTTP stub's, as WSUS's): a scan within it skips GetConfig and GetCookie. */
const COOKIE_TTL_MS = 3_600_000;
/** GetExtendedUpdateInfo takes at most this many ids (the HTTP stub's MaxExtendedUpdatesPerRequest). */
const EXTENDED_PER_CALL = 50;

const TARGET_OF: Record<Request['kind'], FaultTarget> = {
  'policy.assignments': 'mp.policy',
  'policy.body': 'mp.policy',
  'location.wsus': 'mp.location',
  'location.content': 'mp.location',
  'wsus.scan': 'wsus',
  'dp.download': 'dp',
  'state.report': 'mp.state',
};


export class StubCore {
  readonly catalogue: Catalogue;
  readonly faults: Faults;
  readonly mp: ManagementPoint;
  readonly wsus: WsusServer;
  readonly dp: DistributionPoint;
  /**
   * Per client (fleet-local), until when the cookie of its last admitted pooled scan lasts: the
   * HTTP client keeps it (agent/runtime/http/sessions.ts), so a scan before then costs the pool no
   * GetConfig or GetCookie. Allocated with the first pooled scan (8 B a client, none without pools).
   */
  private cookieUntil: Float64Array | null = null;
  /** and the pool (its salt + 1) that cookie is of: another SUP's pool is another server's handshake */
  private cookiePool: Uint16Array | null = null;

  constructor(readonly cfg: StubConfig) {
    this.catalogue = generateCatalogue(cfg.seed, cfg.catalogue);
    this.faults = new Faults(cfg.seed, cfg.faults);
    this.mp = new ManagementPoint(cfg, this.catalogue);
    this.wsus = new WsusServer(cfg, this.catalogue);
    this.dp = new DistributionPoint(cfg, this.catalogue);
  }

  /** The typed answer to a request (faults applied; a delayed or dropped answer is returned as if on time). */
  handle(req: Request, t: number): Reply {
    return this.exchange(req, t).reply;
  }

  /**
   * The answer when no fault and no capacity model can touch the request
   * (a scenario without faults, anything but a pooled scan): processed and on
   * time, as exchange() would say, without its wrapper object. null: call
   * exchange(). The in-process transport asks this first: a policy poll's
   * exchange was 5 % of the bench's profile.
   */
  immediate(req: Request, t: number): Reply | null {
    if (!this.faults.none) return null;
    if (req.kind === 'wsus.scan') {
      if (this.wsus.pools.size > 0) return null;
      this.wsus.noteSup(req.client, req.sup);
    }
    return this.dispatch(req, t);
  }

  /**
   * One request with the scenario's faults applied. A fault that stops the
   * request (HRESULT, status, reset, SOAP fault) answers with the HRESULT the
   * in-process client would see, and the request is not processed; a delay or
   * a dropped reply is processed normally and reported beside the reply, for
   * the transport (or the HTTP server) to act on.
   */
  exchange(req: Request, t: number): Exchange {
    const target = TARGET_OF[req.kind];
    if (req.kind === 'wsus.scan') this.wsus.noteSup(req.client, req.sup);
    const fault = this.faults.match(target, OPERATIONS_OF[req.kind], t, req.client, req.kind === 'wsus.scan' ? req.sup : req.kind === 'dp.download' ? req.dp : null);
    if (fault === null) {
      if (req.kind === 'wsus.scan' && this.wsus.pools.size > 0) {
        const pool = this.wsus.poolFor(req.sup);
        if (pool !== undefined) return this.pooledScan(pool, req, t);
      }
      return { reply: this.dispatch(req, t), delayMs: 0, dropped: false, fault: null };
    }
    // what the fault does is its kind's decision (./fault-kinds/)
    const o = inProcessOutcome(fault.effect, target);
    if (req.kind === 'dp.download') this.dp.faulted(req.dp, !o.processed);
    if (!o.processed) {
      if (req.kind === 'wsus.scan') this.wsus.counters.scanFailures++;
      return { reply: { kind: 'error', req: req.kind, code: o.code }, delayMs: 0, dropped: false, fault };
    }
    if (o.recovered) this.recoveries++;
    if (o.lost === true && req.kind === 'state.report') return { reply: this.mp.lost(), delayMs: o.delayMs, dropped: o.dropped, fault };
    // ConfigChanged: the client also drops its datastore, so the sync that follows is a full one
    const full = o.resync === true && req.kind === 'wsus.scan';
    return { reply: this.dispatch(full ? { ...req, held: [] } : req, t), delayMs: o.delayMs, dropped: o.dropped, fault };
  }

  /**
   * What the HTTP servers do with one wire operation: null when no fault hits
   * it (answer normally), otherwise the fault's plan, which they render as is
   * (server-stub/http/faults.ts). `client` is -1 when the request names none
   * (a content GET): the fault's rate then picks whole seconds.
   */
  planHttp(target: FaultTarget, operation: string, t: number, client: number, server: string | null = null): HttpPlan | null {
    const fault = this.faults.match(target, [operation], t, client, server);
    return fault === null ? null : httpPlan(fault.effect, target);
  }

  /**
   * An in-process scan through the SUP's pool: the scan stands for its
   * sequence (GetConfig and GetCookie unless the client's cookie of its last
   * admitted scan still lasts, its SyncUpdates rounds, a
   * GetExtendedUpdateInfo per 50 updates sent), served as one request whose
   * service time is that many operations plus the per-update cost of what it
   * sends. Refused: the refusal's HRESULT at once (the work is not done).
   * Admitted: the answer is due after the queue wait and the service time.
   */
  private pooledScan(pool: WsusPool, req: Extract<Request, { kind: 'wsus.scan' }>, t: number): Exchange {
    const m = this.wsus.measure(req.client, t, req.held);
    const l = req.client - (this.cfg.firstClient ?? 0);
    const until = (this.cookieUntil ??= new Float64Array(this.cfg.clients));
    const of = (this.cookiePool ??= new Uint16Array(this.cfg.clients));
    const kept = l >= 0 && l < until.length && until[l]! > t && of[l] === pool.salt + 1;
    const ops = (kept ? 0 : SCAN_FIXED_OPERATIONS) + m.rounds + Math.ceil(m.sent / EXTENDED_PER_CALL);
    const a = pool.admit(t, pool.serviceTime(req.client, t, ops, m.sent));
    if (!a.admitted) return this.refused(pool, req.kind);
    if (l >= 0 && l < until.length) {
      until[l] = a.done + COOKIE_TTL_MS;
      of[l] = pool.salt + 1;
    }
    const reply = this.wsus.scan(req.client, t, req.sup, req.held);
    return { reply, delayMs: a.done - t, dropped: false, fault: null, ticket: a.ticket * TICKET_POOLS + pool.salt };
  }

  private refused(pool: WsusPool, kind: Request['kind'], count = true): Exchange {
    if (count) this.wsus.counters.scanFailures++;
    const o = inProcessOutcome(pool.spec.refusal, 'wsus');
    // a refusal is a status or an HRESULT: never processed (resolve allows only those)
    const code = o.processed ? 0x80244022 : o.code;
    return { reply: { kind: 'error', req: kind, code }, delayMs: 0, dropped: false, fault: null };
  }

  /** The answer an admitted request gets when it is due: as planned, or the refusal when a recycle failed it. */
  settle(ticket: number, reply: Reply): Reply {
    const pool = this.wsus.poolList.find((p) => p.salt === ticket % TICKET_POOLS);
    if (pool === undefined || pool.ticketValid(Math.floor(ticket / TICKET_POOLS))) return reply;
    // counted as served when admitted, and in the pool's failedInRecycle
    return this.refused(pool, reply.kind === 'error' ? reply.req : (reply.kind as Request['kind']), false).reply;
  }

  /**
   * The capacity model's plan for one WSUS wire operation (HTTP): null when no
   * pool is in front of this SUP; otherwise the refusal's plan, or the answer
   * after queue wait and service, with the ticket to check when it is due
   * (ticketValid). `updates`: update metadata the answer carries at most.
   */
  planPool(sup: string, client: number, t: number, updates: number): { plan: HttpPlan; ticket: number } | null {
    // each SUP is a WSUS server of its own (server-stub/http/index.ts), with its pool or none (site.wsusPool.sups)
    const pool = this.wsus.poolFor(sup);
    if (pool === undefined) return null;
    const a = pool.admit(t, pool.serviceTime(client, t, 1, updates));
    if (!a.admitted) return { plan: httpPlan(pool.spec.refusal, 'wsus'), ticket: -1 };
    return { plan: { processed: true, delayMs: a.done - t, fail: null }, ticket: a.ticket * TICKET_POOLS + pool.salt };
  }

  /** Whether a pooled answer still goes out; otherwise the failure to send in its place (HTTP). */
  ticketFailure(ticket: number): HttpPlan | null {
    if (ticket < 0) return null;
    const pool = this.wsus.poolList.find((p) => p.salt === ticket % TICKET_POOLS);
    if (pool === undefined || pool.ticketValid(Math.floor(ticket / TICKET_POOLS))) return null;
    return httpPlan(pool.spec.refusal, 'wsus');
  }

  /** WSUS faults the client recovered from by renewing its cookie. */
  recoveries = 0;

  /** The answer to a request, no faults applied (the HTTP servers apply them as real HTTP effects). */
  answer(req: Request, t: number): Reply {
    return this.dispatch(req, t);
  }

  private dispatch(req: Request, t: number): Reply {
    switch (req.kind) {
      case 'policy.assignments':
        return this.mp.assignments(req.client, t);
      case 'policy.body':
        return this.mp.body(req.client, t, req.assignment);
      case 'location.wsus':
        return this.mp.wsusLocation(req.client, t, req.contentId, req.contentVersion);
      case 'location.content':
        return this.mp.contentLocation(req.client, t, req.updates[0] ?? -1);
      case 'wsus.scan':
        return this.wsus.scan(req.client, t, req.sup, req.held);
      case 'dp.download':
        return this.dp.download(req.client, t, req.dp, req.updates);
      case 'state.report':
        return this.mp.relay(req.client, t, req.msgs);
    }
  }
}
