// Transports hand a client's typed request to the other side. The in-process
// one calls server-stub/core directly: it answers at once, or, when a
// scenario fault delays or drops the answer, later through the fleet's
// deliver() (a timed process in the fleet scheduler, no Node timer). The
// HTTP one (agent/wire + undici) always answers later.

import type { Reply, Request } from '../core/types.js';
import { HR } from '../core/constants.js';
import type { TimedProcess } from './fleet.js';

export interface Transport {
  /** The reply when it is known at once, or null when it will be delivered later. */
  request(req: Request, t: number): Reply | null;
}

/** Anything that answers typed requests with faults applied: server-stub/core's StubCore. */
export interface ExchangeHandler {
  exchange(req: Request, t: number): { readonly reply: Reply; readonly delayMs: number; readonly dropped: boolean; readonly ticket?: number };
  /** the reply when it is known to be on time with no fault (exchange() would say delay 0, not dropped); null: ask exchange() */
  immediate?(req: Request, t: number): Reply | null;
  /** the answer of a ticketed exchange when it is due (the WSUS capacity model: a pool recycle may have failed it) */
  settle?(ticket: number, reply: Reply): Reply;
}

export type Deliver = (client: number, t: number, reply: Reply) => void;

/**
 * The HRESULT a client reports when an answer did not come within its
 * timeout: WinHTTP's 0x80072EE2, for WSUS, MP and DP alike (agent/wire/hresult.ts).
 */
export const TIMEOUT_CODE: number = HR.WINHTTP_TIMEOUT;

/** Replies due later, in (time, arrival) order; a timed process of the fleet. */
export class DeferredReplies implements TimedProcess {
  readonly reactive = true;
  private due: number[] = [];
  private clients: number[] = [];
  private replies: Reply[] = [];
  /** per reply: a ticket for settle (-1: none) */
  private tickets: number[] = [];
  deliver: Deliver | null = null;
  /** turns a ticketed reply into what the client gets when it is due */
  settle: ((ticket: number, reply: Reply) => Reply) | null = null;
  /** replies held back (delayed, or turned into timeouts) */
  held = 0;

  push(at: number, client: number, reply: Reply, ticket = -1): void {
    this.held++;
    // few are pending at once (faulted requests only): sorted insertion, stable for equal times
    let i = this.due.length;
    while (i > 0 && this.due[i - 1]! > at) i--;
    this.due.splice(i, 0, at);
    this.clients.splice(i, 0, client);
    this.replies.splice(i, 0, reply);
    this.tickets.splice(i, 0, ticket);
  }

  /** replies waiting for their time now */
  get pending(): number {
    return this.due.length;
  }

  nextDue(): number {
    return this.due.length > 0 ? this.due[0]! : Infinity;
  }

  onWake(t: number): void {
    while (this.due.length > 0 && this.due[0]! <= t) {
      const client = this.clients.shift()!;
      const reply = this.replies.shift()!;
      const ticket = this.tickets.shift()!;
      this.due.shift();
      this.deliver!(client, t, ticket >= 0 && this.settle !== null ? this.settle(ticket, reply) : reply);
    }
  }
}

export class InProcessTransport implements Transport {
  readonly deferred = new DeferredReplies();

  /** @param timeoutMs how long a client waits for an answer before it gives up */
  constructor(private readonly handler: ExchangeHandler, private readonly timeoutMs: number) {
    if (handler.settle !== undefined) this.deferred.settle = handler.settle.bind(handler);
  }

  /** Where late replies go (the fleet's deliver). */
  bind(deliver: Deliver): void {
    this.deferred.deliver = deliver;
  }

  request(req: Request, t: number): Reply | null {
    const now = this.handler.immediate?.(req, t) ?? null;
    if (now !== null) return now;
    const x = this.handler.exchange(req, t);
    if (x.delayMs === 0 && !x.dropped) return x.reply;
    if (x.dropped || x.delayMs >= this.timeoutMs) {
      // processed by the server, but the client gives up waiting
      this.deferred.push(t + this.timeoutMs, req.client, { kind: 'error', req: req.kind, code: TIMEOUT_CODE });
    } else {
      this.deferred.push(t + x.delayMs, req.client, x.reply, x.ticket ?? -1);
    }
    return null;
  }
}
