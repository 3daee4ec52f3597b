// The fleet runner: every client's record, the one scheduler, the transport,
// and the loop that wakes clients in time order. In virtual time the loop
// runs as fast as it can and yields to the event loop between slices so
// signals, progress and lag measurement keep working.

import type { ClientState } from '../core/state.js';
import {
  createClient, createCoreStore, T_ACTION, T_DEPLOYMENT, T_FIRST_SCAN, T_JOB, T_POLICY, T_POWER, T_REEVAL, T_RESTART, T_RETRY, T_SCHEDULE, T_STATE, T_WINDOW,
  TIMERS, TIMER_STRIDE,
} from '../core/state.js';
import { firstPolicyPoll, initClient, onReply, onWake } from '../core/agent.js';
import { streamSeed } from '../core/prng.js';
import type { AgentEvent, CoreCtx, Effect, Reply } from '../core/types.js';
import { installedAtStart } from '../core/machine.js';
import { slotGroup } from '../core/power.js';
import type { Applicability } from '../core/machine.js';
import { U_INSTALLED } from '../core/state.js';
import { MonotoneLane, Scheduler } from './scheduler.js';
import type { Transport } from './transport.js';

/**
 * Receives every event the clients report. `client` is the client's index in
 * this fleet, 0 .. clients - 1 (for per-client arrays); its id, its identity,
 * is firstClient + client (the same in a shard as in the whole fleet).
 */
export type EventSink = (t: number, client: number, e: AgentEvent) => void;

/** A stub-side process that needs waking in simulated time (the MP's ingest processor). */
export interface TimedProcess {
  nextDue(): number;
  onWake(t: number): void;
  /**
   * true when client requests can change nextDue(): a state report (the MP's ingest) or a request
   * whose answer is put off (deferred replies). Checked after those only; others are only
   * rescheduled after their own wakes.
   */
  readonly reactive?: boolean;
}

// the fleet's own slots in a client's TIMER_STRIDE block, after the core's TIMERS
const LANE_AT = TIMERS;
const HEAP_KEY = TIMERS + 1;
/** polls read ahead at a time (Fleet.touchAhead) */
const AHEAD = 8;
/**
 * The policy lane's room beyond one entry a client: a client has one live
 * entry, and the stale ones of polls that moved wait at the head until their
 * time. Measured (peak entries at 50,000 clients, the library scenarios at
 * their own durations and the default at 30 days): at most 50,001
 * (sup-switch, catalogue-and-enforcement), so an exact-size lane grew there
 * (x1.5) for one entry; 1/64 more is 0.2 B a client.
 */
const laneRoom = (clients: number): number => clients + Math.ceil(clients / 64) + 16;

export interface FleetOptions {
  readonly clients: number;
  /**
   * Id of the first client (default 0): the fleet runs clients firstClient ..
   * firstClient + clients - 1, a shard of a larger fleet. A client's id is its
   * identity (s.idx, request.client, deliver()'s client: PRNG stream, machine
   * truth, GUID), so a client behaves the same in a shard as in the whole
   * fleet; records and arrays are indexed by id - firstClient, and the sink is
   * given that local index.
   */
  readonly firstClient?: number;
  readonly ctx: Omit<CoreCtx, 'out' | 'store'>;
  readonly applicability: Applicability;
  readonly transport: Transport;
  readonly sink: EventSink;
  readonly processes?: readonly TimedProcess[];
}

/**
 * What a fleet sorts its slots by, for clients base .. base+n-1: (group, first
 * policy poll, client id). Simultaneous events come in slot order, so whoever
 * must know that order (workers/trace-order.ts keys a worker's trace lines by
 * it) reads it here.
 */
export function slotSortKeys(ctx: Pick<CoreCtx, 'seed' | 'start' | 'model'>, base: number, n: number): { firstPoll: Float64Array; group: Int32Array } {
  const firstPoll = new Float64Array(n);
  const group = new Int32Array(n);
  const holder = { rng: 0 };
  for (let i = 0; i < n; i++) {
    holder.rng = streamSeed(ctx.seed, base + i);
    firstPoll[i] = firstPolicyPoll(holder, ctx);
    group[i] = slotGroup(ctx, base + i);
  }
  return { firstPoll, group };
}

/**
 * The earliest of a client's timers other than its policy poll, in straight
 * code: the loop over TIMERS with the poll skipped was 6-8 % of the bench's
 * profile (it runs after every wake). Its slots are checked below.
 */
function otherTimers(tm: Float64Array, b: number): number {
  const a = Math.min(tm[b + T_JOB]!, tm[b + T_STATE]!, tm[b + T_ACTION]!, tm[b + T_FIRST_SCAN]!);
  const c = Math.min(tm[b + T_SCHEDULE]!, tm[b + T_REEVAL]!, tm[b + T_RETRY]!, tm[b + T_RESTART]!);
  const d = Math.min(tm[b + T_DEPLOYMENT]!, tm[b + T_WINDOW]!, tm[b + T_POWER]!);
  return Math.min(a, c, d);
}
// every timer but the poll is in otherTimers: a timer added to state.ts without it would never fire
const OTHER_TIMERS = [T_JOB, T_STATE, T_ACTION, T_FIRST_SCAN, T_SCHEDULE, T_REEVAL, T_RETRY, T_RESTART, T_DEPLOYMENT, T_WINDOW, T_POWER];
if (OTHER_TIMERS.length !== TIMERS - 1 || new Set([...OTHER_TIMERS, T_POLICY]).size !== TIMERS || OTHER_TIMERS.some((x) => x >= TIMERS)) {
  throw new Error('fleet.ts otherTimers does not cover state.ts TIMERS');
}

export class Fleet {
  /** client records by slot (see the constructor); slotOf maps a client id minus firstClient to its slot */
  readonly states: ClientState[] = [];
  readonly slotOf: Int32Array;
  readonly firstClient: number;
  readonly sched: Scheduler;
  /** policy polls (see MonotoneLane) */
  private readonly lane: MonotoneLane;
  /**
   * Every client's timers (TIMER_STRIDE slots each). The fleet keeps two
   * slots of its own beside them: where the client's poll sits in the lane
   * (NaN: not there) and its key in the heap, so filing a client after a
   * wake reads one cache line instead of the heap's position arrays.
   */
  private readonly timers: Float64Array;
  private readonly ctx: CoreCtx;
  private readonly out: Effect[] = [];
  private readonly processes: readonly TimedProcess[];
  private readonly reactive: number[] = [];
  /** client wakes + replies handled */
  events = 0;
  now: number;

  constructor(private readonly o: FleetOptions) {
    this.ctx = { ...o.ctx, out: this.out, store: createCoreStore() };
    this.processes = o.processes ?? [];
    this.processes.forEach((p, i) => p.reactive === true && this.reactive.push(o.clients + i));
    this.sched = new Scheduler(o.clients + this.processes.length);
    // one poll per client and the room laneRoom measured; the lane grows if ever full (the order
    // is kept). Twice the clients was 32 B a client (heap snapshot of the 100k fleet, issue 13).
    this.lane = new MonotoneLane(laneRoom(o.clients));
    this.now = o.ctx.start;
    const seed = o.ctx.seed;
    const U = o.ctx.catalogue.size;
    const base = (this.firstClient = o.firstClient ?? 0);
    // Clients are stored in slots ordered by their policy-poll phase. Polls
    // then visit records and timers in memory order (the hardware prefetcher
    // follows), where client-id order made every poll two cache misses.
    // Scheduler ids are slots; s.idx stays the client's identity (base + i).
    const n = o.clients;
    // With zones and power schedules, clients are grouped by (zone, power
    // class) first (power.ts slotGroup): those on at the same hours sit in
    // one range. Without either every group is 0 and the order is as before.
    // Measured alone (site, 100k clients x 10 d, BENCHMARKS.md "Issue 11"):
    // no change above the noise; kept since it costs nothing and the
    // read-ahead below is measured with it.
    const { firstPoll, group } = slotSortKeys(o.ctx, base, n);
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => group[a]! - group[b]! || firstPoll[a]! - firstPoll[b]! || a - b);
    this.slotOf = new Int32Array(n);
    // every client's timers in one array, TIMER_STRIDE slots each
    const timers = (this.timers = new Float64Array(n * TIMER_STRIDE));
    // and every client's update flags, U bytes each (ClientState.upd), a row rounded up to whole
    // 32-bit words so that the scans' loops read them four at a time (core/flags.ts)
    const row = (U + 3) & ~3;
    const upd = new Uint8Array(n * row);
    for (let k = 0; k < n; k++) {
      const i = order[k]!;
      this.slotOf[i] = k;
      const s = createClient(seed, base + i, U, timers, k * TIMER_STRIDE, upd, k * row);
      timers[k * TIMER_STRIDE + LANE_AT] = NaN;
      timers[k * TIMER_STRIDE + HEAP_KEY] = Infinity;
      // machine truth at the start: updates already installed
      installedAtStart(seed, o.applicability, base + i, (u) => (s.upd[s.ub + u] = U_INSTALLED));
      initClient(s, this.ctx);
      this.states.push(s);
      this.reschedule(k);
    }
    for (let p = 0; p < this.processes.length; p++) this.sched.set(o.clients + p, this.processes[p]!.nextDue());
  }

  /**
   * The run is over: the state-message queue pool lets go of its free buffers
   * (what the fleet cycled through in its last quarter hour: 30 B a client of
   * the 100k default fleet at the end of 30 days, 1,034 B of heap per idle
   * client against 1,004 B, npm run bench). Clients keep their queues, and a
   * later queue takes a new buffer.
   */
  finished(): void {
    this.ctx.store.queues.clear();
  }

  /** Simulated time of the next event (Infinity: nothing scheduled). */
  nextTime(): number {
    const lane = this.lane;
    const tm = this.timers;
    while (lane.size > 0 && tm[lane.peekId() * TIMER_STRIDE + LANE_AT] !== lane.peekTime()) lane.shift();
    return Math.min(lane.peekTime(), this.sched.peekTime());
  }

  /**
   * Runs until simulated time `end` (exclusive) or until `sliceMs` of wall
   * time passed; true when `end` was reached. `onEvent` (scaled time) is told
   * the simulated time of each event as it is handled.
   */
  runSlice(end: number, sliceMs: number, wallNow: () => number, onEvent?: (t: number) => void, pause?: () => boolean): boolean {
    const sched = this.sched;
    const lane = this.lane;
    const tm = this.timers;
    const n = this.o.clients;
    const deadline = wallNow() + sliceMs;
    let k = 0;
    for (;;) {
      // entries of the lane whose client has moved its poll since are dropped here
      while (lane.size > 0 && tm[lane.peekId() * TIMER_STRIDE + LANE_AT] !== lane.peekTime()) lane.shift();
      // merge heap and lane by (time, id): the order a single heap would give
      const th = sched.peekTime();
      const tl = lane.peekTime();
      const fromLane = tl < th || (tl === th && tl !== Infinity && lane.peekId() < sched.peekId());
      const t = fromLane ? tl : th;
      if (t >= end) {
        // nothing is consumed: the next slice starts from the same entry
        if (end > this.now) this.now = end;
        return true;
      }
      let id: number;
      if (fromLane) {
        id = lane.peekId();
        lane.shift();
        tm[id * TIMER_STRIDE + LANE_AT] = NaN;
        if (--this.ahead <= 0) this.touchAhead();
      } else {
        id = sched.peekId(); // stays at the top of the heap and is rescheduled in place
      }
      this.now = t;
      if (onEvent !== undefined) onEvent(t);
      if (id < n) this.wake(id, t);
      else {
        const p = this.processes[id - n]!;
        p.onWake(t);
        sched.set(id, p.nextDue());
      }
      // lockstep transports: stop until the answers to this event's requests are in
      if (pause !== undefined && pause()) return false;
      // checking the wall clock every event would cost more than the event
      if ((++k & 1023) === 0 && wallNow() >= deadline) return false;
    }
  }

  /** polls taken from the lane until the next touchAhead */
  private ahead = 0;
  /** what touchAhead read (kept so that the reads are not dropped as dead code) */
  touched = 0;

  /**
   * Reads the records of the lane's next AHEAD polls after the next AHEAD, in
   * one loop of independent loads: their cache misses overlap, where each
   * poll's own wake would take its misses one after the other. The
   * hardware prefetcher does this for polls in slot order (the default
   * scenario); a power-on puts a client's polls at a phase unrelated to its
   * slot, so the site's polls read records in random order. Measured with
   * slotGroup and power.ts's leaner nextPowerChange (site, 100k clients x
   * 10 d, CPU time): 65.1 / 66.8 s before, 53.6 / 54.5 s after (BENCHMARKS.md
   * "Issue 11"); the default scenario's polls are in order and did not move
   * beyond the noise.
   */
  private touchAhead(): void {
    const lane = this.lane;
    const tm = this.timers;
    const states = this.states;
    let x = 0;
    for (let k = AHEAD; k < 2 * AHEAD; k++) {
      const id = lane.idAt(k);
      if (id < 0) break;
      // a row is 128 B, at an alignment JS cannot see: slots 0, 7 and 15 are in every line it spans
      const b = id * TIMER_STRIDE;
      x += tm[b]! + tm[b + 7]! + tm[b + 15]!;
    }
    for (let k = AHEAD; k < 2 * AHEAD; k++) {
      const id = lane.idAt(k);
      if (id < 0) break;
      const st = states[id]!;
      x += st.tb + st.policyVersion;
    }
    this.touched = x;
    this.ahead = AHEAD;
  }

  /**
   * Files a client's timers after a transition: its policy poll in the lane
   * when the lane accepts it, everything else (and a refused poll) in the heap.
   */
  private reschedule(id: number): void {
    const tm = this.timers;
    const b = id * TIMER_STRIDE;
    const poll = tm[b + T_POLICY]!;
    const other = otherTimers(tm, b);
    let inLane = tm[b + LANE_AT]!;
    if (poll !== inLane) inLane = tm[b + LANE_AT] = poll !== Infinity && this.lane.tryPush(id, poll) ? poll : NaN;
    const key = inLane === poll ? other : Math.min(other, poll);
    if (key !== tm[b + HEAP_KEY]) {
      tm[b + HEAP_KEY] = key;
      this.sched.set(id, key);
    }
  }

  private wake(id: number, t: number): void {
    const s = this.states[id]!;
    this.events++;
    onWake(s, this.ctx, t);
    this.drain(s, t);
  }

  /** A reply for client `client` (its id) that arrived later (asynchronous transports). */
  deliver(client: number, t: number, r: Reply): void {
    const s = this.states[this.slotOf[client - this.firstClient]!]!;
    this.events++;
    onReply(s, this.ctx, t, r);
    this.drain(s, t);
    // the server side may have been given work by the exchange that just ended
    this.checkReactive();
  }

  private checkReactive(): void {
    for (const id of this.reactive) {
      const due = this.processes[id - this.o.clients]!.nextDue();
      if (due !== this.sched.dueOf(id)) this.sched.set(id, due);
    }
  }

  private drain(s: ClientState, t: number): void {
    const out = this.out;
    const sink = this.o.sink;
    const transport = this.o.transport;
    const local = s.idx - this.firstClient;
    let sent = false;
    // effects appended while draining (from synchronous replies) are handled in order
    for (let i = 0; i < out.length; i++) {
      const eff = out[i]!;
      if (eff.type === 'event') sink(t, local, eff.e);
      else {
        const r = transport.request(eff.req, t);
        // what can move a reactive process's due time: a state report (the MP's ingest) or an
        // answer put off (the in-process transport's deferred replies); a poll answered at once
        // moves neither (checkReactive after every request was 1.8 % of the 100k x 30 d profile)
        if (r === null || eff.req.kind === 'state.report') sent = true;
        if (r !== null) {
          this.events++;
          onReply(s, this.ctx, t, r);
        }
      }
    }
    // pop() is inlined where `out.length = 0` is a call into the runtime (3.5 % of
    // the 10k x 300 d profile as "set length")
    while (out.length !== 0) out.pop();
    this.reschedule(s.tb / TIMER_STRIDE);
    // stub processes may have been given work by the requests just made
    if (sent) this.checkReactive();
  }
}
