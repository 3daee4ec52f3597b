// The HTTP transport: each typed request of the core becomes what the real
// client puts on the wire, through undici.
//   policy.*, location.*, state.report -> CCM_POST to the MP (agent/wire/ccm, via MpWire)
//   wsus.scan                          -> the MS-WUSP sequence (wua.ts)
//   dp.download                        -> GET of each update's content on the DP
// One undici Agent holds a keep-alive Pool per origin (clients poll the same
// MP every hour: keeping connections saves a TCP and TLS handshake per poll),
// and p-limit bounds the requests in flight per endpoint so a fleet cannot
// open more sockets than the bound. Failures become the HRESULTs the real
// client reports (agent/wire/hresult.ts).
//
// Two ways to deliver answers:
// - as they come (scaled time): deliver(client, now(), reply);
// - lockstep (virtual time): answers are held and handed over by settle() in
//   the order the requests were made, at the simulated time they were made, so
//   a virtual-time run over HTTP gives the same trace as the in-process one
//   (the contract test).

import { performance } from 'node:perf_hooks';
import { Agent, DecoratorHandler, request, type Dispatcher } from 'undici';
import pLimit, { type LimitFunction } from 'p-limit';
import type { Reply, Request } from '../../core/types.js';
import { HR } from '../../core/constants.js';
import type { Deliver, Transport } from '../transport.js';
import { TIMEOUT_CODE } from '../transport.js';
import { hresultForError, hresultForStatus } from '../../wire/hresult.js';
import { wuaScan, type UnreportedFailure } from './wua.js';
import { WuaDatastore } from './datastore.js';
import { WuaSessions } from './sessions.js';
import { OPERATIONS_OF } from '../../wire/operations.js';

/** Failed scans a client keeps for its next ReportEventBatch (see HttpTransport.unreported). */
const MAX_UNREPORTED = 16;

/** The MP side of the transport (CCM_POST codec); see mp-wire.ts. */
export interface MpWire {
  exchange(req: Exclude<Request, { kind: 'wsus.scan' | 'dp.download' }>, mpUrl: string, dispatcher: Dispatcher, timeoutMs: number): Promise<Reply>;
}

export interface HttpTransportOptions {
  /** the MP's base URL (http[s]://host:port) */
  readonly mp: string;
  readonly mpWire: MpWire;
  /** client index -> its GUID (without braces) */
  readonly clientGuid: (idx: number) => string;
  /** update GUID (any case) -> catalogue index, for scan results */
  readonly updateIndex: (guid: string) => number | undefined;
  /** catalogue index -> its update GUID, lower case (what RefreshCache names a held revision by); absent: the client never calls RefreshCache */
  readonly updateGuid?: (update: number) => string | undefined;
  /** content URL of an update on a DP base URL */
  readonly contentUrl: (dpBase: string, update: number) => string;
  /** simulated time now */
  readonly now: () => number;
  readonly timeoutMs: number;
  /** requests in flight at once, per endpoint (MP, each SUP, each DP) */
  readonly concurrency?: number;
  /** keep-alive connections per origin */
  readonly connections?: number;
  /** CA certificate(s) to trust for https */
  readonly ca?: string | Buffer | undefined;
  /** true: hold answers for settle() (virtual time) */
  readonly lockstep?: boolean;
  readonly onOperation?: (endpoint: string, op: string) => void;
  /**
   * Per-operation latency in wall ms ("mp RequestAssignments", "wsus SyncUpdates",
   * "dp GET"), measured from the time the operation was meant to go out, not
   * from when a socket or a p-limit slot was free (no coordinated omission):
   * the first operation of an exchange from intendedAt(t) of the event that
   * made the request, each later one of a sequence (the WUA scan's calls, a
   * download's files) from the answer before it, when the real client would
   * send it.
   */
  readonly onLatency?: (key: string, wallMs: number, ok: boolean) => void;
  /** wall time (performance.now()) at which a request made at simulated time t was due; default: now */
  readonly intendedAt?: (t: number) => number;
  /**
   * Every HTTP response's status, seen once where undici delivers it (an
   * interceptor on the one Agent): MP, WSUS and DP alike, before wua.ts,
   * mp-wire.ts or the DP download map it to an HRESULT (agent/wire/hresult.ts).
   * Counted there rather than in each caller: one place, and no codec changes.
   */
  readonly onStatus?: (status: number) => void;
  /**
   * Called whenever an HTTP answer (any endpoint) has ended, as a microtask
   * queued ahead of the answer's own continuation: the scaled clock runs the
   * events that fell due meanwhile (Clock.catchUp) before the answer is
   * decoded and its sequence sends its next call. Without it a burst of
   * answers in one turn of the event loop (each a decode, the next request's
   * framing and deflate) held every due event back until the burst was done.
   */
  readonly onAnswer?: () => void;
}

// undici's typings declare DecoratorHandler's constructor only; its runtime class has every callback
interface Decorating extends Dispatcher.DispatchHandler {
  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>, statusMessage?: string): void;
  onResponseEnd(controller: Dispatcher.DispatchController, trailers: Record<string, string | string[] | undefined>): void;
}
const Decorator = DecoratorHandler as unknown as new (h: Dispatcher.DispatchHandler) => Decorating;

/** Passes every callback on; reports the status of the response first, and its end (the answer hook) before passing that on. */
class StatusTap extends Decorator {
  constructor(handler: Dispatcher.DispatchHandler, private readonly tap: (status: number) => void, private readonly answered: (() => void) | null) {
    super(handler);
  }
  override onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>, statusMessage?: string): void {
    this.tap(statusCode);
    super.onResponseStart(controller, statusCode, headers, statusMessage);
  }
  override onResponseEnd(controller: Dispatcher.DispatchController, trailers: Record<string, string | string[] | undefined>): void {
    if (this.answered !== null) queueMicrotask(this.answered);
    super.onResponseEnd(controller, trailers);
  }
}

/**
 * The same tap for a handler of undici's current API (fetch.ts's, every
 * CCM_POST and SOAP call): forwards each callback as it is, without
 * DecoratorHandler's state asserts and argument spreading on every chunk.
 */
class StatusTapDirect implements Dispatcher.DispatchHandler {
  constructor(private readonly h: Dispatcher.DispatchHandler, private readonly tap: (status: number) => void, private readonly answered: (() => void) | null) {}
  onRequestStart(c: Dispatcher.DispatchController, context: unknown): void {
    this.h.onRequestStart?.(c, context);
  }
  onRequestUpgrade(c: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>, socket: import('node:stream').Duplex): void {
    this.h.onRequestUpgrade?.(c, statusCode, headers, socket);
  }
  onResponseStart(c: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>, statusMessage?: string): void {
    this.tap(statusCode);
    this.h.onResponseStart?.(c, statusCode, headers, statusMessage);
  }
  onResponseData(c: Dispatcher.DispatchController, chunk: Buffer): void {
    this.h.onResponseData?.(c, chunk);
  }
  onResponseEnd(c: Dispatcher.DispatchController, trailers: Record<string, string | string[] | undefined>): void {
    // queued before the handler resolves the answer's promise: the hook runs first (see onAnswer)
    if (this.answered !== null) queueMicrotask(this.answered);
    this.h.onResponseEnd?.(c, trailers);
  }
  onResponseError(c: Dispatcher.DispatchController, err: Error): void {
    this.h.onResponseError?.(c, err);
  }
}

/** A chain of operations of one exchange, each timed from the one before it (see onLatency). */
class Stopwatch {
  constructor(private mark: number, private readonly sink: (key: string, ms: number, ok: boolean) => void) {}
  lap(key: string, ok: boolean): void {
    const t = performance.now();
    this.sink(key, t - this.mark, ok);
    this.mark = t;
  }
}

export class HttpTransport implements Transport {
  private readonly agent: Agent;
  /** the Agent, or it with the status interceptor (onStatus) */
  private readonly dispatcher: Dispatcher;
  private readonly limits = new Map<string, LimitFunction>();
  private readonly registered = new Set<string>();
  /** each client's cookie of its last scan, while it lasts (sessions.ts) */
  readonly sessions = new WuaSessions();
  /**
   * Failed scans each client has not reported yet (client id -> failures, oldest first): sent as
   * events 148 in the client's next ReportEventBatch, then forgotten. At most
   * MAX_UNREPORTED a client (the oldest dropped): WUA's own event store is bounded, by a limit
   * that is not public; ours keeps a failure storm from growing the batches without end.
   */
  private readonly unreported = new Map<number, UnreportedFailure[]>();
  /** every client's WUA datastore (what it holds from which SUP), compactly: see datastore.ts */
  readonly datastore = new WuaDatastore();
  private deliverFn: Deliver | null = null;
  /** requests started and not yet answered */
  pending = 0;
  /** lockstep: answers in request order */
  private readonly queue: Promise<{ client: number; reply: Reply }>[] = [];
  /** per-endpoint operation counters */
  readonly operations = new Map<string, number>();
  /**
   * Set by abandon() at the end of a run: answers still on their way are
   * neither delivered nor timed. Closing the undici Agent fails them with
   * UND_ERR_CLOSED, which the clients would otherwise report as connection
   * errors (0x80072EFE) the server never caused.
   */
  private abandoned = false;
  /** requests abandoned at the end of the run */
  abandonedCount = 0;
  /** onLatency, silent once the run is over (one function for every Stopwatch) */
  private readonly timed = (key: string, ms: number, ok: boolean): void => {
    if (!this.abandoned) this.o.onLatency!(key, ms, ok);
  };

  constructor(private readonly o: HttpTransportOptions) {
    this.agent = new Agent({
      connections: o.connections ?? 64,
      keepAliveTimeout: 120_000,
      keepAliveMaxTimeout: 600_000,
      ...(o.ca !== undefined ? { connect: { ca: o.ca } } : {}),
    });
    const tap = o.onStatus;
    const answer = o.onAnswer;
    this.dispatcher =
      tap === undefined && answer === undefined
        ? this.agent
        : this.agent.compose((dispatch) => {
            const f = (st: number): void => {
              if (!this.abandoned) tap?.(st);
            };
            const a = answer === undefined ? null : (): void => {
              if (!this.abandoned) answer();
            };
            // request()'s handlers (the DP downloads) speak the older API: DecoratorHandler adapts them
            return (opts, handler) => dispatch(opts, handler.onRequestStart !== undefined ? new StatusTapDirect(handler, f, a) : new StatusTap(handler, f, a));
          });
  }

  bind(deliver: Deliver): void {
    this.deliverFn = deliver;
  }

  request(req: Request, t: number): null {
    this.pending++;
    const watch = this.o.onLatency === undefined ? null : new Stopwatch(this.o.intendedAt !== undefined ? this.o.intendedAt(t) : performance.now(), this.timed);
    const p = this.exchange(req, watch).then(
      (reply) => ({ client: req.client, reply }),
      (err: unknown) => ({ client: req.client, reply: { kind: 'error', req: req.kind, code: hresultForError(err) || HR.WINHTTP_CONNECTION_ERROR } as Reply }),
    );
    if (this.o.lockstep === true) this.queue.push(p);
    else
      void p.then(({ client, reply }) => {
        this.pending--;
        if (!this.abandoned) this.deliverFn!(client, this.o.now(), reply);
      });
    return null;
  }

  /** Lockstep: hands over every answer, in request order, until nothing is pending. */
  async settle(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0);
      const answers = await Promise.all(batch);
      for (const a of answers) {
        this.pending--;
        this.deliverFn!(a.client, this.o.now(), a.reply);
      }
    }
  }

  /** The run is over: what is still pending is dropped, not failed (see `abandoned`). */
  abandon(): void {
    if (this.abandoned) return;
    this.abandoned = true;
    this.abandonedCount = this.pending;
  }

  async close(): Promise<void> {
    this.abandon();
    // destroy, not close: close() waits for every queued request, up to the request timeout
    await this.agent.destroy();
  }

  private limit(origin: string): LimitFunction {
    let l = this.limits.get(origin);
    if (l === undefined) {
      l = pLimit(this.o.concurrency ?? 256);
      this.limits.set(origin, l);
    }
    return l;
  }

  private count(endpoint: string, op: string): void {
    const k = `${endpoint} ${op}`;
    this.operations.set(k, (this.operations.get(k) ?? 0) + 1);
    this.o.onOperation?.(endpoint, op);
  }

  private async exchange(req: Request, watch: Stopwatch | null): Promise<Reply> {
    switch (req.kind) {
      case 'wsus.scan': {
        const origin = new URL(req.sup).origin;
        return this.limit(origin)(async () => {
          // the cache the client holds from this SUP (the core says which updates): a delta scan
          const cache = this.datastore.cacheFor(req.client, req.sup, req.held);
          const unreported = this.unreported.get(req.client);
          const r = await wuaScan({
            sup: req.sup,
            clientId: this.o.clientGuid(req.client).toLowerCase(),
            dnsName: `client${req.client}.suca-fleet.test`,
            now: this.o.now,
            dispatcher: this.dispatcher,
            timeoutMs: this.o.timeoutMs,
            registered: this.registered,
            session: this.sessions.for(req.client, req.sup),
            ...(cache !== undefined ? { cache } : {}),
            ...(unreported !== undefined ? { unreported } : {}),
            ...(this.o.updateGuid !== undefined ? { identityOf: (id: number) => this.datastore.identityOf(req.sup, id, this.o.updateGuid!) } : {}),
            onOperation: (op) => this.count('wsus', op),
            ...(watch !== null ? { onOperationDone: (op: string, ok: boolean) => watch.lap('wsus ' + op, ok) } : {}),
          });
          if (!r.ok) {
            this.datastore.failed(req.client, r.dropped);
            const list = unreported ?? [];
            if (list.length === MAX_UNREPORTED) list.shift();
            list.push({ t: this.o.now(), code: r.code });
            if (unreported === undefined) this.unreported.set(req.client, list);
            return { kind: 'error', req: 'wsus.scan', code: r.code };
          }
          // the batch that ended the scan carried them
          if (unreported !== undefined) this.unreported.delete(req.client);
          // what it held (less what the server called out of scope) and what is new
          const applicable = this.datastore.learn(req.client, req.sup, req.held, cache, r.sync, this.o.updateIndex);
          return { kind: 'wsus.scan', catalogueVersion: 1, applicable };
        });
      }
      case 'dp.download': {
        const origin = new URL(req.dp).origin;
        return this.limit(origin)(async () => {
          let bytes = 0;
          for (const u of req.updates) {
            this.count('dp', 'GET');
            try {
              const res = await request(this.o.contentUrl(req.dp, u), { dispatcher: this.dispatcher, headersTimeout: this.o.timeoutMs, bodyTimeout: this.o.timeoutMs });
              if (res.statusCode !== 200) {
                await res.body.dump();
                watch?.lap('dp GET', false);
                return { kind: 'error', req: 'dp.download', code: hresultForStatus(res.statusCode) };
              }
              for await (const chunk of res.body) bytes += (chunk as Buffer).length;
              watch?.lap('dp GET', true);
            } catch (err) {
              watch?.lap('dp GET', false);
              return { kind: 'error', req: 'dp.download', code: hresultForError(err) || TIMEOUT_CODE };
            }
          }
          return { kind: 'dp.download', bytes };
        });
      }
      default: {
        const origin = new URL(this.o.mp).origin;
        return this.limit(origin)(async () => {
          this.count('mp', req.kind);
          if (watch === null) return this.o.mpWire.exchange(req, this.o.mp, this.dispatcher, this.o.timeoutMs);
          const key = 'mp ' + OPERATIONS_OF[req.kind][0]!;
          try {
            const r = await this.o.mpWire.exchange(req, this.o.mp, this.dispatcher, this.o.timeoutMs);
            watch.lap(key, r.kind !== 'error');
            return r;
          } catch (err) {
            watch.lap(key, false);
            throw err;
          }
        });
      }
    }
  }
}
