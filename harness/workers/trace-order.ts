// run --workers N --trace FILE in virtual time: every worker writes the
// trace lines of its clients, each with the key of the moment it happened
// in, and the main thread merges the workers' files by that key into the
// one trace a single thread writes for the same seed (byte for byte).
//
// The single thread's order is the fleet scheduler's: entries pop by
// (simulated time, entity id), and every trace line belongs to the "moment"
// an entry's pop starts (a client's wake, with the synchronous replies it
// gets; or a late reply the in-process transport's DeferredReplies hands
// over). Entity ids are slots: clients in slots sorted by (group, first
// policy poll, client id) (agent/runtime/fleet.ts slotSortKeys; the group is
// the time zone and power class, 0 without either), the stub processes after every
// client (MP, deferred replies, sampler). A worker's fleet sorts its own
// clients the same way, so its order is the single thread's restricted to
// its clients; across workers the key says where a moment falls:
//
//   a client's wake at t:            [t, 0, group(c), firstPoll(c), c]
//   a late reply delivered at t:     [t, 1, ...key of the moment that made the request]
//
// compared element by element (numbers). At one t every client wakes before
// the deferred replies (phase 0 < 1), clients in slot order; the deferred
// replies due at t go out in the order they were pushed (DeferredReplies is
// stable for equal times), which is the order of the moments that made the
// requests: the nested key. A chain always ends at a wake of the same client
// (a reply goes to the client that asked), so keys of different clients never
// tie, and lines of one moment stay in the worker's order (a stable merge).
//
// Scaled time (over HTTP, no late replies in process): every line is a
// wake's, keyed [t, 0, group(c), firstPoll(c), c], so the merge is by time, then by
// client in slot order. It has no reproducible order to match (the wall
// clock paces it): a worker's own lines are in the order it wrote them, a
// wake's lines carrying its due time up to a scheduler lag late, so the
// merge of files that are sorted but for that lag is too.
//
// Rejected: sorting by (t, client) only. Two clients' late replies due at the
// same millisecond go out in request order, not client order, and the
// storm-faults golden trace has such pairs. Keying by (t, firstPoll, c) alone,
// as before the slots were grouped by zone and power class (issue 11), gave
// patch-tuesday (three zones) with --workers 2 another order for the clients
// whose deadline falls on one millisecond (test/trace-events-filter found it).

import { closeSync, openSync, readSync, unlinkSync } from 'node:fs';
import { slotSortKeys } from '../../agent/runtime/fleet.js';
import type { AgentEvent, CoreCtx, Reply } from '../../agent/core/types.js';
import type { DeferredReplies } from '../../agent/runtime/transport.js';
import { LineFile } from '../output/line-file.js';
import { traceFields, type TraceNames } from '../output/trace.js';
import type { Output, RunStart } from '../output/output.js';
import type { StubCore } from '../../server-stub/core/index.js';

/** What runPlan tells the tracker (RunHooks.moments): the requests made, and the deferred replies to follow. */
export interface MomentHooks {
  /** a client makes a request at t (before the transport answers it) */
  request(client: number, t: number): void;
  /** the in-process transport's late replies, once bound to the fleet */
  deferred(d: DeferredReplies): void;
  /** the run's stub core, once made (the MP's reports forwarded: backlog.ts) */
  stub?(core: StubCore): void;
  /** between slices of the fleet's loop: every event before simulated time `now` has happened */
  slice?(now: number): void;
}

/** The key of the moment a worker's fleet is in (see above), from the requests made and the late replies delivered. */
export class Moments implements MomentHooks {
  private readonly firstPoll: Float64Array;
  private readonly group: Int32Array;
  private reqClient = -1;
  private reqT = 0;
  /** the key of the late reply being delivered (null: not in a delivery) */
  private inDelivery: string | null = null;
  /** keys of the pending late replies, in DeferredReplies' own order */
  private readonly pendingAt: number[] = [];
  private readonly pendingKey: string[] = [];

  constructor(private readonly firstClient: number, clients: number, ctx: Pick<CoreCtx, 'seed' | 'start' | 'model'>) {
    // what Fleet sorts its slots by (group, first policy poll, client id): simultaneous wakes come in that order
    ({ firstPoll: this.firstPoll, group: this.group } = slotSortKeys(ctx, firstClient, clients));
  }

  private wakeKey(t: number, local: number): string {
    return `${t},0,${this.group[local]!},${this.firstPoll[local]!},${this.firstClient + local}`;
  }

  /** The key of an agent event of client `local` (its index in the shard) at t. */
  eventKey(t: number, local: number): string {
    return this.inDelivery ?? this.wakeKey(t, local);
  }

  /** The key of the request being made (the last request() told). */
  requestKey(): string {
    return this.inDelivery ?? this.wakeKey(this.reqT, this.reqClient - this.firstClient);
  }

  request(client: number, t: number): void {
    this.reqClient = client;
    this.reqT = t;
  }

  deferred(d: DeferredReplies): void {
    const push = d.push.bind(d);
    d.push = (at: number, client: number, reply: Reply, ticket?: number) => {
      const key = this.requestKey();
      // the same stable insertion as DeferredReplies.push
      let i = this.pendingAt.length;
      while (i > 0 && this.pendingAt[i - 1]! > at) i--;
      this.pendingAt.splice(i, 0, at);
      this.pendingKey.splice(i, 0, key);
      push(at, client, reply, ticket);
    };
    const deliver = d.deliver!;
    d.deliver = (client: number, t: number, reply: Reply) => {
      this.pendingAt.shift();
      const key = this.pendingKey.shift()!;
      this.inDelivery = `${t},1,${key}`;
      try {
        deliver(client, t, reply);
      } finally {
        this.inDelivery = null;
      }
    };
  }
}

/** A worker's trace: each line prefixed by its moment's key and a tab. */
export class KeyedTrace {
  private out: LineFile | null = null;
  private names: TraceNames | null = null;

  constructor(private readonly file: string, private readonly moments: Moments, private readonly only: ReadonlySet<string> | null = null) {}

  get lines(): number {
    return this.out?.lines ?? 0;
  }

  /** The worker's trace output (named 'trace': its lines count as the trace's). */
  output(): Output & { readonly lines: number } {
    const self = this;
    const m = this.moments;
    return {
      name: 'trace',
      get lines() {
        return self.lines;
      },
      start(run: RunStart) {
        self.names = run.names;
        self.out = new LineFile(self.file, `${self.file}: worker trace`, 1 << 20);
      },
      event(t: number, c: number, e: AgentEvent) {
        if (self.only !== null && !self.only.has(e.ev)) return;
        const names = self.names!;
        self.out!.append(m.eventKey(t, c) + '\t' + JSON.stringify({ t, client: names.clientId(c), ev: e.ev, ...traceFields(e, names) }));
      },
      finish: () => self.close(),
      abort: () => self.close(),
    };
  }

  private close(): void {
    const o = this.out;
    this.out = null;
    o?.close();
  }
}

/** Lines of a file, read in 1 MiB blocks (the main thread merges files far larger than memory would like). */
class LineReader {
  private readonly fd: number;
  private readonly buf = Buffer.alloc(1 << 20);
  private rest = '';
  private lines: string[] = [];
  private at = 0;
  private eof = false;

  constructor(file: string) {
    this.fd = openSync(file, 'r');
  }

  next(): string | null {
    while (this.at >= this.lines.length) {
      if (this.eof) return null;
      const n = readSync(this.fd, this.buf, 0, this.buf.length, null);
      if (n === 0) {
        this.eof = true;
        this.lines = this.rest.length > 0 ? [this.rest] : [];
        this.rest = '';
      } else {
        const parts = (this.rest + this.buf.toString('utf8', 0, n)).split('\n');
        this.rest = parts.pop()!;
        this.lines = parts;
      }
      this.at = 0;
    }
    return this.lines[this.at++]!;
  }

  close(): void {
    closeSync(this.fd);
  }
}

interface Head {
  /** the moment's time: most lines are told apart by it alone */
  readonly t: number;
  readonly key: string;
  readonly text: string;
  /** the whole key as numbers, parsed only when two heads share t */
  parts: number[] | null;
}

function parseKey(line: string): Head {
  const tab = line.indexOf('\t');
  const key = line.slice(0, tab);
  return { t: Number(key.slice(0, key.indexOf(','))), key, text: line.slice(tab + 1), parts: null };
}

function headBefore(a: Head, b: Head): boolean {
  if (a.t !== b.t) return a.t < b.t;
  a.parts ??= a.key.split(',').map(Number);
  b.parts ??= b.key.split(',').map(Number);
  return keyBefore(a.parts, b.parts);
}

/** a before b: element by element, a prefix first (never happens between clients: see above). */
export function keyBefore(a: readonly number[], b: readonly number[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return a.length < b.length;
}

/**
 * Merges the workers' keyed traces into `file` (the keys dropped), in the
 * single thread's order; the workers' files are removed. Returns the lines written.
 * Ties (lines of one moment) keep the order of the first file that has them,
 * which is the only file that can: a moment is one client's.
 */
export function mergeKeyedTraces(parts: readonly string[], file: string): number {
  const readers = parts.map((p) => new LineReader(p));
  const heads = readers.map((r) => {
    const l = r.next();
    return l === null ? null : parseKey(l);
  });
  const out = new LineFile(file, `--trace ${file}`, 1 << 20);
  try {
    for (;;) {
      let best = -1;
      for (let k = 0; k < heads.length; k++) {
        const h = heads[k];
        if (h !== null && h !== undefined && (best < 0 || headBefore(h, heads[best]!))) best = k;
      }
      if (best < 0) break;
      out.append(heads[best]!.text);
      const l = readers[best]!.next();
      heads[best] = l === null ? null : parseKey(l);
    }
  } finally {
    out.close();
    for (const r of readers) r.close();
  }
  for (const p of parts) unlinkSync(p);
  return out.lines;
}
