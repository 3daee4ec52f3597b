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
import { DistributionPoint } from './dp.js';

export type { StubConfig, FaultSpec, FaultTarget, FaultEffect, WsusFaultCode, DeploymentSpec, CatalogueSpec } from './config.js';
export type { Catalogue } from './catalogue.js';
export type { HttpFailure, HttpPlan } from './fault-kinds/index.js';
export type { IngestObserver } from './mp.js';
export { generateCatalogue, ManagementPoint, WsusServer, DistributionPoint, Faults };

export interface Exchange {
  readonly reply: Reply;
  /** the answer is late by this much */
  readonly delayMs: number;
  /** the answer never arrives (the request was processed) */
  readonly dropped: boolean;
  readonly fault: FaultSpec | null;
}

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
   * One request with the scenario's faults applied. A fault that stops the
   * request (HRESULT, status, reset, SOAP fault) answers with the HRESULT the
   * in-process client would see, and the request is not processed; a delay or
   * a dropped reply is processed normally and reported beside the reply, for
   * the transport (or the HTTP server) to act on.
   */
  exchange(req: Request, t: number): Exchange {
    const target = TARGET_OF[req.kind];
    const fault = this.faults.match(target, OPERATIONS_OF[req.kind], t, req.client, req.kind === 'wsus.scan' ? req.sup : null);
    if (fault === null) return { reply: this.dispatch(req, t), delayMs: 0, dropped: false, fault: null };
    // what the fault does is its kind's decision (./fault-kinds/)
    const o = inProcessOutcome(fault.effect, target);
    if (!o.processed) {
      if (req.kind === 'wsus.scan') this.wsus.counters.scanFailures++;
      return { reply: { kind: 'error', req: req.kind, code: o.code }, delayMs: 0, dropped: false, fault };
    }
    if (o.recovered) this.recoveries++;
    if (o.lost === true && req.kind === 'state.report') return { reply: this.mp.lost(), delayMs: o.delayMs, dropped: o.dropped, fault };
    // ServerChanged / ConfigChanged: the client also drops its datastore, so the sync that follows is a full one
    const full = o.resync === true && req.kind === 'wsus.scan';
    return { reply: this.dispatch(full ? { ...req, held: [] } : req, t), delayMs: o.delayMs, dropped: o.dropped, fault };
  }

  /**
   * What the HTTP servers do with one wire operation: null when no fault hits
   * it (answer normally), otherwise the fault's plan, which they render as is
   * (server-stub/http/faults.ts). `client` is -1 when the request names none
   * (a content GET): the fault's rate then picks whole seconds.
   */
  planHttp(target: FaultTarget, operation: string, t: number, client: number, sup: string | null = null): HttpPlan | null {
    const fault = this.faults.match(target, [operation], t, client, sup);
    return fault === null ? null : httpPlan(fault.effect, target);
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
        return this.mp.contentLocation(req.client, t);
      case 'wsus.scan':
        return this.wsus.scan(req.client, t, req.sup, req.held);
      case 'dp.download':
        return this.dp.download(req.client, t, req.dp, req.updates);
      case 'state.report':
        return this.mp.relay(req.client, t, req.msgs);
    }
  }
}
