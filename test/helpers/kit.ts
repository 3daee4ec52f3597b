// Test kit for the pure core: one or a few clients driven directly through
// onWake / onReply / nextDue in simulated time, answered by server-stub/core
// (in-process), with a hook to replace any reply. No sockets, no fake timers.

import { createClient, createCoreStore, U_INSTALLED, type ClientState } from '../../agent/core/state.js';
import { initClient, nextDue, onReply, onWake } from '../../agent/core/agent.js';
import type { AgentEvent, CoreCtx, Effect, Reply, Request } from '../../agent/core/types.js';
import { installedAtStart } from '../../agent/core/machine.js';
import { StubCore } from '../../server-stub/core/index.js';
import { resolveScenario, type ResolvedScenario } from '../../harness/scenario/resolve.js';

export interface Recorded {
  readonly t: number;
  readonly client: number;
  readonly e: AgentEvent;
}

/** The event type with a given name (events sharing a shape, like download.started/completed, included). */
export type EventOf<N extends AgentEvent['ev']> = AgentEvent extends infer E ? (E extends { ev: infer K } ? (N extends K ? E : never) : never) : never;

export type ReplyHook = (req: Request, t: number, normal: () => Reply) => Reply;

export const T0 = Date.parse('2026-01-05T00:00:00Z');
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

/** A scenario from a partial JSON scenario (defaults for the rest). */
export function scenario(input: Record<string, unknown> = {}): ResolvedScenario {
  return resolveScenario({ clients: 1, ...input });
}

export class CoreKit {
  readonly sc: ResolvedScenario;
  readonly stub: StubCore;
  readonly ctx: CoreCtx;
  readonly clients: ClientState[] = [];
  readonly events: Recorded[] = [];
  readonly requests: { t: number; client: number; req: Request }[] = [];
  now: number;
  hook: ReplyHook | null = null;
  private readonly out: Effect[] = [];

  constructor(input: Record<string, unknown> = {}) {
    this.sc = scenario(input);
    this.stub = new StubCore(this.sc.stub);
    this.ctx = {
      seed: this.sc.seed,
      start: this.sc.start,
      catalogue: this.stub.catalogue,
      defaultPolicyInterval: this.sc.settings.policyPollingInterval,
      model: this.sc.model,
      actions: this.sc.actions,
      out: this.out,
      store: createCoreStore(),
    };
    this.now = this.sc.start;
    for (let i = 0; i < this.sc.clients; i++) {
      const s = createClient(this.sc.seed, i, this.stub.catalogue.size);
      installedAtStart(this.sc.seed, this.stub.catalogue, i, (u) => (s.upd[s.ub + u] = U_INSTALLED));
      initClient(s, this.ctx);
      this.clients.push(s);
    }
  }

  get client(): ClientState {
    return this.clients[0]!;
  }

  private drain(s: ClientState, t: number): void {
    const out = this.out;
    for (let i = 0; i < out.length; i++) {
      const eff = out[i]!;
      if (eff.type === 'event') this.events.push({ t, client: s.idx, e: eff.e });
      else {
        this.requests.push({ t, client: s.idx, req: eff.req });
        const normal = () => this.stub.handle(eff.req, t);
        const r = this.hook !== null ? this.hook(eff.req, t, normal) : normal();
        onReply(s, this.ctx, t, r);
      }
    }
    out.length = 0;
  }

  /** Advance simulated time to `until`, waking clients (and the MP processor) in time order. */
  runUntil(until: number): void {
    for (;;) {
      let best = -1;
      let bt = Infinity;
      for (const s of this.clients) {
        const d = nextDue(s);
        if (d < bt) {
          bt = d;
          best = s.idx;
        }
      }
      const mpDue = this.stub.mp.nextDue();
      if (mpDue < bt && mpDue < until) {
        this.now = mpDue;
        this.stub.mp.onWake(mpDue);
        continue;
      }
      if (best < 0 || bt >= until) break;
      this.now = bt;
      const s = this.clients[best]!;
      onWake(s, this.ctx, bt);
      this.drain(s, bt);
    }
    this.now = until;
  }

  runFor(ms: number): void {
    this.runUntil(this.now + ms);
  }

  /** Deliver a reply to a client by hand (as an asynchronous transport would). */
  reply(r: Reply, client = 0): void {
    const s = this.clients[client]!;
    onReply(s, this.ctx, this.now, r);
    this.drain(s, this.now);
  }

  /** Events of one name, optionally for one client. */
  of<N extends AgentEvent['ev']>(name: N, client?: number): { t: number; client: number; e: EventOf<N> }[] {
    return this.events.filter((r) => r.e.ev === name && (client === undefined || r.client === client)) as never;
  }

  scans(client?: number) {
    return this.of('scan.started', client);
  }
}
