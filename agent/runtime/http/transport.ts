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

import { Agent, request, type Dispatcher } from 'undici';
import pLimit, { type LimitFunction } from 'p-limit';
import type { Reply, Request } from '../../core/types.js';
import { HR } from '../../core/constants.js';
import type { Deliver, Transport } from '../transport.js';
import { timeoutCode } from '../transport.js';
import { hresultForError, hresultForStatus } from '../../wire/hresult.js';
import { wuaScan } from './wua.js';

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
}

export class HttpTransport implements Transport {
  private readonly agent: Agent;
  private readonly limits = new Map<string, LimitFunction>();
  private readonly registered = new Set<string>();
  private deliverFn: Deliver | null = null;
  /** requests started and not yet answered */
  pending = 0;
  /** lockstep: answers in request order */
  private readonly queue: Promise<{ client: number; reply: Reply }>[] = [];
  /** per-endpoint operation counters */
  readonly operations = new Map<string, number>();

  constructor(private readonly o: HttpTransportOptions) {
    this.agent = new Agent({
      connections: o.connections ?? 64,
      keepAliveTimeout: 120_000,
      keepAliveMaxTimeout: 600_000,
      ...(o.ca !== undefined ? { connect: { ca: o.ca } } : {}),
    });
  }

  bind(deliver: Deliver): void {
    this.deliverFn = deliver;
  }

  request(req: Request, _t: number): null {
    this.pending++;
    const p = this.exchange(req).then(
      (reply) => ({ client: req.client, reply }),
      (err: unknown) => ({ client: req.client, reply: { kind: 'error', req: req.kind, code: hresultForError(err, req.kind === 'wsus.scan' ? 'wua' : 'ccm') || HR.WINHTTP_CONNECTION_ERROR } as Reply }),
    );
    if (this.o.lockstep === true) this.queue.push(p);
    else
      void p.then(({ client, reply }) => {
        this.pending--;
        this.deliverFn!(client, this.o.now(), reply);
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

  async close(): Promise<void> {
    await this.agent.close();
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

  private async exchange(req: Request): Promise<Reply> {
    switch (req.kind) {
      case 'wsus.scan': {
        const origin = new URL(req.sup).origin;
        return this.limit(origin)(async () => {
          const r = await wuaScan({
            sup: req.sup,
            clientId: this.o.clientGuid(req.client).toLowerCase(),
            dnsName: `client${req.client}.suca-fleet.test`,
            now: this.o.now,
            dispatcher: this.agent,
            timeoutMs: this.o.timeoutMs,
            registered: this.registered,
            onOperation: (op) => this.count('wsus', op),
          });
          if (!r.ok) return { kind: 'error', req: 'wsus.scan', code: r.code };
          const applicable: number[] = [];
          for (const id of r.updateIds) {
            const u = this.o.updateIndex(id);
            if (u !== undefined) applicable.push(u);
          }
          applicable.sort((a, b) => a - b);
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
              const res = await request(this.o.contentUrl(req.dp, u), { dispatcher: this.agent, headersTimeout: this.o.timeoutMs, bodyTimeout: this.o.timeoutMs });
              if (res.statusCode !== 200) {
                await res.body.dump();
                return { kind: 'error', req: 'dp.download', code: hresultForStatus(res.statusCode) };
              }
              for await (const chunk of res.body) bytes += (chunk as Buffer).length;
            } catch (err) {
              return { kind: 'error', req: 'dp.download', code: hresultForError(err, 'bits') || timeoutCode('dp.download') };
            }
          }
          return { kind: 'dp.download', bytes };
        });
      }
      default: {
        const origin = new URL(this.o.mp).origin;
        return this.limit(origin)(() => {
          this.count('mp', req.kind);
          return this.o.mpWire.exchange(req, this.o.mp, this.agent, this.o.timeoutMs);
        });
      }
    }
  }
}
