// Transports hand a client's typed request to the other side. The in-process
// one calls server-stub/core directly and answers at once (no sockets);
// the HTTP one (agent/wire + undici) answers later through the fleet's
// deliver() and so returns null here.

import type { Reply, Request } from '../core/types.js';

export interface Transport {
  /** The reply when it is known at once, or null when it will be delivered later. */
  request(req: Request, t: number): Reply | null;
}

/** Anything that answers typed requests: server-stub/core's StubCore. */
export interface TypedHandler {
  handle(req: Request, t: number): Reply;
}

export class InProcessTransport implements Transport {
  constructor(private readonly handler: TypedHandler) {}
  request(req: Request, t: number): Reply {
    return this.handler.handle(req, t);
  }
}
