// The stub side as one typed handler: the in-process transport calls
// handle(); server-stub/http (later) decodes the wire and calls the same.

import type { Reply, Request } from '../../agent/core/types.js';
import type { StubConfig } from './config.js';
import { generateCatalogue, type Catalogue } from './catalogue.js';
import { Faults } from './faults.js';
import { ManagementPoint } from './mp.js';
import { WsusServer } from './wsus.js';
import { DistributionPoint } from './dp.js';

export type { StubConfig, FaultSpec, FaultTarget, DeploymentSpec, CatalogueSpec } from './config.js';
export type { Catalogue } from './catalogue.js';
export type { IngestObserver } from './mp.js';
export { generateCatalogue, ManagementPoint, WsusServer, DistributionPoint, Faults };

export class StubCore {
  readonly catalogue: Catalogue;
  readonly faults: Faults;
  readonly mp: ManagementPoint;
  readonly wsus: WsusServer;
  readonly dp: DistributionPoint;

  constructor(readonly cfg: StubConfig) {
    this.catalogue = generateCatalogue(cfg.seed, cfg.catalogue);
    this.faults = new Faults(cfg.seed, cfg.faults);
    this.mp = new ManagementPoint(cfg, this.catalogue, this.faults);
    this.wsus = new WsusServer(cfg, this.catalogue, this.faults);
    this.dp = new DistributionPoint(cfg, this.catalogue, this.faults);
  }

  handle(req: Request, t: number): Reply {
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
        return this.wsus.scan(req.client, t, req.sup);
      case 'dp.download':
        return this.dp.download(req.client, t, req.dp, req.updates);
      case 'state.report':
        return this.mp.relay(req.client, t, req.msgs);
    }
  }
}
