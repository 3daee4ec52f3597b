// The client record. One plain object per client with a fixed shape (V8 keeps
// it as a fast-properties object) and two flat number arrays (state-message
// queue, cache); its timers, its other doubles and its per-update flags live in
// fleet-wide typed arrays (tm for the timers and other doubles, upd for the
// flags: a row per client; issue 13 measured 2,110 -> 1,278 B per idle client
// with them). Timers are
// plain numbers: Infinity means "not set". The fleet scheduler only ever holds
// one entry per client, at nextDue(state).

import type { AgentEvent, ClientSettings, DeploymentPolicy, ReplyBody, ScanTrigger, WindowEntry, WindowSet } from './types.js';
import { streamSeed } from './prng.js';
import { MSG_STRIDE } from './types.js';

// Per-update flags (ClientState.upd)
export const U_REPORTED_MASK = 0b11; // last 500 state created by a scan (DETECT.*)
export const U_INSTALLED = 1 << 2; // machine truth: the update's files are installed
export const U_APPLICABLE = 1 << 3; // metadata from the last online scan says it applies
export const U_PENDING_RESTART = 1 << 4; // installed, waiting for a restart to complete
export const U_CACHED = 1 << 5; // content is in the client cache
export const U_Q500 = 1 << 6; // an unsent 500 for this update is in the queue
export const U_Q402 = 1 << 7; // an unsent 402 for this update is in the queue

// Booleans of the record (ClientState.bits)
/** a policy request is out: the next poll waits for its cycle to end */
export const F_AWAITING_POLICY = 1 << 0;
/** the WUA datastore holds update metadata (of metaSup) */
export const F_HAS_METADATA = 1 << 1;

// Small integers packed in ClientState.bits above the F_* flags (issue 13: a
// field each was 8 B a client). Their ranges are bounded by the scenario's
// limits (harness/scenario/limits.ts): 501 state IDs 0..6 (SCAN_STATE),
// deployment indexes below 20 (limits.deployments), actions at most 10,000
// (limits.listEntries). A value outside is a bug: the setters throw.
const B_SCAN_SHIFT = 2;
const B_SCAN_MASK = 0x7;
const B_RESTART_SHIFT = 5;
const B_RESTART_MASK = 0x1f;
const B_ACTION_SHIFT = 10;
const B_ACTION_MASK = 0x3fff;

/** `word` with v in its bits shift.. (mask wide); a value the bits cannot hold throws (a bug, not a figure). */
function packedInto(word: number, shift: number, mask: number, v: number, what: string): number {
  if (!(v >= 0 && v <= mask && (v | 0) === v)) throw new RangeError(`${what} ${v} does not fit the client record's ${mask.toString(2).length} bits`);
  return (word & ~(mask << shift)) | (v << shift);
}
function packed(s: ClientState, shift: number, mask: number, v: number, what: string): void {
  s.bits = packedInto(s.bits, shift, mask, v, what);
}
/** the last 501 state queued (SCAN_STATE.*; 0 before any) */
export function scanStateOf(s: ClientState): number {
  return (s.bits >>> B_SCAN_SHIFT) & B_SCAN_MASK;
}
export function setScanState(s: ClientState, v: number): void {
  packed(s, B_SCAN_SHIFT, B_SCAN_MASK, v, '501 state');
}
/** the deployment (policy index) whose install asked for the pending restart, -1 none */
export function restartDeploymentOf(s: ClientState): number {
  return ((s.bits >>> B_RESTART_SHIFT) & B_RESTART_MASK) - 1;
}
export function setRestartDeployment(s: ClientState, v: number): void {
  packed(s, B_RESTART_SHIFT, B_RESTART_MASK, v + 1, 'restart deployment index + 1');
}
/** the index of the scenario action the client runs next (ctx.actions) */
export function actionIdxOf(s: ClientState): number {
  return (s.bits >>> B_ACTION_SHIFT) & B_ACTION_MASK;
}
export function setActionIdx(s: ClientState, v: number): void {
  packed(s, B_ACTION_SHIFT, B_ACTION_MASK, v, 'action index');
}

// Pending work bits (ClientState.pending)
export const P_FIRST = 1 << 0;
export const P_SCHEDULE = 1 << 1;
export const P_REEVAL = 1 << 2;
export const P_NEWDEP = 1 << 3;
export const P_MANUAL_SCAN = 1 << 4;
export const P_MANUAL_EVAL = 1 << 5;
export const P_RESTART = 1 << 6;
/** some deployment has D_WANT_DOWNLOAD or D_WANT_INSTALL set (saves touching deployment records on every wake) */
export const P_DEPLOYMENT_WORK = 1 << 8;
/** the pending restart was started by the user (not a required restart): not held by maintenance windows */
export const P_USER_RESTART = 1 << 9;
/** a required restart waits for a maintenance window (windows.ts; T_WINDOW wakes it) */
export const P_WINDOW_RESTART = 1 << 10;
/** restart notifications (restart.ts): the final countdown of the pending restart is shown */
export const P_RESTART_COUNTDOWN = 1 << 11;
/** restart notifications: the user chose to restart from the reminder; T_RESTART is that moment */
export const P_RESTART_NOW = 1 << 12;
// Above the P_* bits (0..12, only ever set, cleared and tested one by one),
// ClientState.pending holds metaKnown: the catalogue updates the metadata
// knows of, at most 65,535 (the scenario schema refuses a catalogue with its
// syncs past it). A field of its own was 8 B a client (issue 13).
const P_META_SHIFT = 13;
const P_META_MASK = 0xffff;
/** How many catalogue updates the client's metadata knows of (a prefix of the catalogue). */
export function metaKnownOf(s: ClientState): number {
  return (s.pending >>> P_META_SHIFT) & P_META_MASK;
}
export function setMetaKnown(s: ClientState, v: number): void {
  s.pending = packedInto(s.pending, P_META_SHIFT, P_META_MASK, v, 'metaKnown');
}

// Deployment flags (ClientDeployment.flags)
export const D_WANT_DOWNLOAD = 1 << 0;
export const D_WANT_INSTALL = 1 << 1;
export const D_DOWNLOADED = 1 << 2;
export const D_INSTALLED = 1 << 3; // an install of this deployment completed at least once
export const D_ENFORCED = 1 << 4; // deadline reached: missing updates get (re)installed
export const D_EVALUATED = 1 << 5;
export const D_USER_INSTALL = 1 << 6; // the pending install was started by the user, before the deadline
export const D_RESTART_PENDING = 1 << 7; // an install of this deployment waits for a restart
export const D_WAIT_MW = 1 << 9; // the wanted install waits for a maintenance window (reported once: windows.ts)
export const D_WAIT_CONTENT = 1 << 10; // the download waits for content (402 state 2 reported once for the wait: agent.ts waitForContent)

/**
 * A download or install job put back (a power-off, a wait for content yielding): its deployment
 * asks for the work again, and pump starts it anew, with the scan before it.
 */
export function wantWorkAgain(s: ClientState, j: Job): void {
  s.deployments[j.dep]!.flags |= j.kind === 'install' ? D_WANT_INSTALL : D_WANT_DOWNLOAD;
  s.pending |= P_DEPLOYMENT_WORK;
}

/** Doubles per deployment in a times chunk (ClientDeployment: download, deadline, user install, locate since, download since). */
const DT_STRIDE = 5;
/** Doubles per times chunk: 160 KB, 4,096 deployments. */
const DT_CHUNK = DT_STRIDE * 4096;
/**
 * Memory one fleet's records share, owned by the fleet (CoreCtx.store), not
 * by this module: two fleets in one process (tests, workers) share nothing.
 * - The chunk new deployments take their times from. Chunks are never grown
 *   or reused: a deployment keeps its chunk, and a chunk lives as long as one
 *   of its deployments does; the store holds only the one being filled (the
 *   times a record reads never depend on which chunk it has).
 * - The interned slot-version arrays by their text (setSlotVersion): which
 *   array a client holds never changes what it reads.
 */
export interface CoreStore {
  dtChunk: Float64Array;
  dtUsed: number;
  readonly slotVectors: Map<string, readonly number[]>;
  readonly queues: QueuePool;
  /** the 32-bit view of the update flags last asked for (flags.ts flagWords) and the bytes it views */
  flagBytes: Uint8Array | null;
  flagWords: Int32Array | null;
  /** what the last evaluation found (flags.ts evaluateFlags): the counts, and (update, state) pairs of the changes */
  readonly counts: { notRequired: number; required: number; installed: number };
  readonly changes: number[];
  /**
   * The last policy.received effect (frozen): the next client whose poll ends with the same
   * version, deployment list and enablement pushes it again (agent.ts policyDone). Nearly every
   * poll does, since clients share the MP's reply; it saves the two objects a poll's event was.
   */
  lastReceived: { readonly type: 'event'; readonly e: Extract<AgentEvent, { ev: 'policy.received' }> } | null;
}

export function createCoreStore(): CoreStore {
  return {
    dtChunk: new Float64Array(0), dtUsed: 0, slotVectors: new Map(), queues: new QueuePool(),
    flagBytes: null, flagWords: null, counts: { notRequired: 0, required: 0, installed: 0 }, changes: [], lastReceived: null,
  };
}

/** Where a queue's messages start: its first number is how many numbers follow in use. */
export const Q0 = 1;
/** The smallest queue buffer: 8 messages. */
const QUEUE_MIN = Q0 + 8 * MSG_STRIDE;

/**
 * The buffers state-message queues are kept in, by size class (8, 16, 32, ...
 * messages), handed back when a queue is sent or outgrows its buffer.
 * A queue lives up to a state-message cycle (15 min): as a growing JS array
 * it outlived two scavenges and was copied to the old generation, where it
 * died (91 % of the bytes promoted in the 100k default fleet over 3 days, 1.5
 * GB, from the heap profiler with objects collected by major GCs counted),
 * and RSS carried hundreds of MB of that garbage between mark-compacts.
 *
 * The free lists decay: every QUEUE_TRIM_MS of simulated time each list drops
 * as many buffers as it never went below since the last trim (its low-water
 * mark), so the pool holds what the fleet cycles through, not what the
 * first-scan peak needed (unbounded, it kept 1.6 KB a client after the peak:
 * 2,607 B of heap per idle client instead of 973 B, 100k x 10 d).
 */
export class QueuePool {
  private readonly free: number[][][] = [];
  /** per class, the shortest its free list has been since the last trim */
  private readonly low: number[] = [];
  private nextTrim = -Infinity;

  /** A buffer of at least `numbers` numbers (its contents are stale) at simulated time t. */
  take(numbers: number, t: number): number[] {
    if (t >= this.nextTrim) this.trim(t);
    let c = 0;
    let cap = QUEUE_MIN;
    while (cap < numbers) {
      cap *= 2;
      c++;
    }
    const l = this.free[c];
    if (l === undefined || l.length === 0) {
      this.low[c] = 0;
      // filled with doubles: double elements (holey, as new Array(n) starts), on the heap, no ArrayBuffer each
      return new Array<number>(cap).fill(0.5);
    }
    const b = l.pop()!;
    if (l.length < this.low[c]!) this.low[c] = l.length;
    return b;
  }

  /** Hands a buffer back (EMPTY_QUEUE is ignored). */
  give(b: number[]): void {
    if (b.length < QUEUE_MIN) return;
    const c = Math.log2(b.length / QUEUE_MIN);
    let l = this.free[c];
    if (l === undefined) {
      this.free[c] = l = [];
      this.low[c] = 0;
    }
    l.push(b);
  }

  private trim(t: number): void {
    for (let c = 0; c < this.free.length; c++) {
      const l = this.free[c];
      if (l === undefined) continue;
      l.length -= this.low[c]!;
      this.low[c] = l.length;
    }
    this.nextTrim = t + QUEUE_TRIM_MS;
  }

  /** Drops every free buffer (the run is over; queues in use keep theirs). */
  clear(): void {
    this.free.length = 0;
    this.low.length = 0;
  }

  /** Free buffers held (for tests). */
  get held(): number {
    let n = 0;
    for (const l of this.free) if (l !== undefined) n += l.length;
    return n;
  }
}

/** How often the queue pool gives back what it did not use (simulated time). */
export const QUEUE_TRIM_MS = 15 * 60_000;

/**
 * What a client knows and does about one deployment. Its times (DT_STRIDE) live in
 * a shared Float64Array chunk and its flags, compliance and enforcement in one
 * small integer (accessors keep the fields' names and values). As a plain
 * object of nine fields it was 96 B and three boxed doubles of 16 B (V8 keeps
 * a double field as a HeapNumber of its own) = 144 B a deployment; then 72 B +
 * 24 B in the chunk (heap snapshot of the 100k default fleet, issue 13); the two
 * wait starts (content location, download) add 16 B in the chunk.
 */
export class ClientDeployment {
  readonly policy: DeploymentPolicy;
  readonly slotVersion: number;
  /** flags (D_*, bits 0..15), compliance + 1 (bits 16..20), enforcement + 1 (bits 21..26): a small integer */
  private w: number;
  /** installs of this deployment that had a failed update (the next one is retry number installFailures) */
  installFailures: number;
  /** the times chunk and this deployment's first slot in it */
  private readonly tc: Float64Array;
  private readonly to: number;

  constructor(policy: DeploymentPolicy, slotVersion: number, store: CoreStore) {
    this.policy = policy;
    this.slotVersion = slotVersion;
    this.w = 0; // flags 0, compliance -1, enforcement -1
    this.installFailures = 0;
    if (store.dtUsed + DT_STRIDE > store.dtChunk.length) {
      store.dtChunk = new Float64Array(DT_CHUNK);
      store.dtUsed = 0;
    }
    this.tc = store.dtChunk;
    this.to = store.dtUsed;
    store.dtUsed += DT_STRIDE;
    this.tc.fill(Infinity, this.to, this.to + DT_STRIDE);
  }

  get downloadAt(): number {
    return this.tc[this.to]!;
  }
  set downloadAt(v: number) {
    this.tc[this.to] = v;
  }
  get deadlineAt(): number {
    return this.tc[this.to + 1]!;
  }
  set deadlineAt(v: number) {
    this.tc[this.to + 1] = v;
  }
  get userInstallAt(): number {
    return this.tc[this.to + 2]!;
  }
  set userInstallAt(v: number) {
    this.tc[this.to + 2] = v;
  }
  /**
   * When the first content location request of the download under way went,
   * kept until a DP is found or the location times out (Infinity: none): the
   * timeout counts from there, across the job's yields and restarts.
   */
  get locateSince(): number {
    return this.tc[this.to + 3]!;
  }
  set locateSince(v: number) {
    this.tc[this.to + 3] = v;
  }
  /**
   * When the download under way first started (a DP was found), kept until it
   * completes or fails (Infinity: none): the download timeout counts from
   * there, across DP failures, waits, yields and power-offs.
   */
  get downloadSince(): number {
    return this.tc[this.to + 4]!;
  }
  set downloadSince(v: number) {
    this.tc[this.to + 4] = v;
  }
  /** D_* bits (all below bit 16) */
  get flags(): number {
    return this.w & 0xffff;
  }
  set flags(v: number) {
    this.w = (this.w & ~0xffff) | v;
  }
  /** last 300 state queued (COMPLIANCE.*, -1 none) */
  get compliance(): number {
    return ((this.w >>> 16) & 0x1f) - 1;
  }
  set compliance(v: number) {
    this.w = (this.w & ~(0x1f << 16)) | ((v + 1) << 16);
  }
  /** last 301 state queued (ENFORCE.*, -1 none) */
  get enforcement(): number {
    return ((this.w >>> 21) & 0x3f) - 1;
  }
  set enforcement(v: number) {
    this.w = (this.w & ~(0x3f << 21)) | ((v + 1) << 21);
  }
}

/** A policy cycle whose assignments changed: the version and deployments it brings, the bodies still to come. */
export interface PolicyCycle {
  version: number;
  deploymentIds: readonly string[];
  /** bodies asked for and not yet received */
  left: number;
  /** policy bodies received, applied when the last one arrives */
  readonly bodies: Extract<ReplyBody, { kind: 'policy.body' }>[];
  /**
   * The window entries the cycle's ReplyAssignments still lists (windows.ts), null: the client
   * had none. Here rather than in the record since issue 13: 8 B of every record for what
   * matters only while a policy change is fetched.
   */
  windowKeep: readonly WindowEntry[] | null;
}

export type JobKind = 'scan' | 'evaluate' | 'download' | 'install' | 'restart';
export type JobPhase =
  | 'locate' | 'wsus' | 'scanning' | 'retryWait' | 'contentLocate' | 'contentWait' | 'dpRequest' | 'downloadWait' | 'downloading' | 'installing' | 'restarting';

/** The one thing a client is busy with (the real agent serialises scans, downloads, installs). */
export interface Job {
  readonly kind: JobKind;
  /** deployment index for download / install */
  readonly dep: number;
  phase: JobPhase;
  /** trigger of the scan now running or pending */
  trigger: ScanTrigger;
  /** the trigger whose rules the scan follows (differs from trigger on retries) */
  rule: ScanTrigger;
  forced: boolean;
  online: boolean;
  /** updates of the download or install under way */
  updates: number[];
  /** updates the download under way fetches (those of `updates` not in the cache) */
  fetch: number[];
  bytes: number;
  /** what follows the current scan */
  next: 'none' | 'evaluate' | 'download' | 'install' | 'afterInstall' | 'afterRestart';
  /** after the download phase, install (true) or stop */
  installAfterDownload: boolean;
  /** the install asked for a restart */
  restart: boolean;
  /** when the install completed (the restart countdown starts there) */
  installedAt: number;
  /** the update source version the location reply named (the metadata the scan brings) */
  version: number;
  /** the DPs of the last content location reply, the one asked now (an index in it), and how many of the others are left to try */
  dps: readonly string[];
  dpAt: number;
  dpLeft: number;
  /** a DP failure made the job wait (downloadWait): a location that finds DPs again does not start the download anew */
  dpRetried: boolean;
}

export interface ClientState {
  readonly idx: number;
  /**
   * The timers checked on every wake (T_* slots, epoch ms, Infinity = unset),
   * in one fleet-wide Float64Array (TIMER_STRIDE slots per client), so a
   * client's timers share a cache line and are not boxed doubles (V8 keeps
   * double object fields as separate HeapNumbers). A subarray view per client
   * was measured slower (one more object to reach per wake).
   */
  readonly tm: Float64Array;
  /** this client's first slot in tm */
  readonly tb: number;
  rng: number;

  // policy
  policyVersion: number;
  /** shared, never written (setSlotVersion) */
  slotVersions: readonly number[];
  /**
   * The policy change being fetched (bodies asked for, not all in), or null.
   * Its own object since issue 13: four fields of every record (one a boxed
   * double) were 56 B a client for what a client holds only while its policy
   * changes.
   */
  cycle: PolicyCycle | null;
  /**
   * F_* bits (booleans of the record: one field, 8 B a client less than two;
   * issue 13), and three small integers of bounded range beside them (B_*:
   * the last 501 state, the restart's deployment, the next scenario action;
   * through scanStateOf / restartDeploymentOf / actionIdxOf and their
   * setters): 24 B a client less than three fields.
   */
  bits: number;
  settings: ClientSettings | null;
  deployments: ClientDeployment[];
  deploymentIds: readonly string[];
  /**
   * The fields that keep their first value in most runs (maintenance windows,
   * SUP failures, the last resync acted on, the last scan error): COLD_DEFAULT,
   * shared, until one of them changes (setCold). Four fields of every record
   * were 32 B a client for what most clients never change (issue 13).
   */
  cold: ClientCold;

  // scanning
  /**
   * The SUP whose update metadata the WUA datastore holds (the SUP of the last
   * successful online scan), null before the first. The updates it holds are
   * the U_APPLICABLE ones: a scan on the same SUP sends them back (a delta
   * scan); a scan on another SUP starts from nothing (a full scan).
   */
  metaSup: string | null;
  sups: readonly string[];
  sup: number;
  /** P_* bits, and above them the metadata's known updates (metaKnownOf) */
  pending: number;
  job: Job | null;

  // machine
  /**
   * Per-update flags (U_*) of update u at upd[ub + u]: one fleet-wide
   * Uint8Array, `updates` bytes per client (or the client's own array, ub 0).
   * One array per client was 384 B a client for 200 updates (the 200 bytes,
   * a 96 B Uint8Array and an 88 B ArrayBuffer; heap snapshot, issue 13).
   */
  readonly upd: Uint8Array;
  readonly ub: number;
  /**
   * the content cache: runs [lastUsed, k, update x k, ...], oldest added first, or, when it is
   * one run in update order, CACHE_ONE_RUN (its time: the C_CACHE_TIME slot; its updates: the
   * U_CACHED flags; cache.ts)
   */
  cache: typeof CACHE_ONE_RUN | readonly number[];

  // state messages
  serial: number;
  /**
   * unsent messages: queue[0] numbers in use from Q0, MSG_STRIDE a message (a
   * buffer of the fleet's QueuePool; EMPTY_QUEUE when there are none). The count
   * lives in the buffer: as a field of its own it was 8 B of every idle record.
   */
  queue: number[];
  /** the report under way (the former queue, handed to the transport), or null */
  sending: number[] | null;
}

/** The rarely changed fields of a client (ClientState.cold). */
export interface ClientCold {
  /** maintenance windows from policy (shared, interned: windows.ts); null: none came by policy */
  readonly windows: WindowSet | null;
  /** failed scans against the current SUP, since the last success or switch (agent.ts) */
  readonly supFailures: number;
  /** the last state-resync request number acted on (resync.ts) */
  readonly resyncSeen: number;
  /** the error HRESULT of the last 501 state queued (resent on a resync; its state: scanStateOf) */
  readonly scanError: number;
}

/** The cold fields of a client that has changed none of them: one frozen object for the fleet. */
export const COLD_DEFAULT: ClientCold = Object.freeze({ windows: null, supFailures: 0, resyncSeen: 0, scanError: 0 });

/**
 * Sets one cold field: nothing is allocated while the value stays the one
 * held (supFailures is reset to 0 after every successful scan); a client
 * still on COLD_DEFAULT gets its own object first, with every field written
 * in one order (one shape for all of them).
 */
export function setCold<K extends keyof ClientCold>(s: ClientState, key: K, value: ClientCold[K]): void {
  const c = s.cold;
  if (c[key] === value) return;
  const own = (c === COLD_DEFAULT ? { windows: c.windows, supFailures: c.supFailures, resyncSeen: c.resyncSeen, scanError: c.scanError } : c) as { -readonly [k in keyof ClientCold]: ClientCold[k] };
  own[key] = value;
  s.cold = own;
}

// Slots of a client's other doubles in its tm row, after the 16 a wake reads
// (HOT_SLOTS: the timers, the fleet's two, the two data slots) (coldOf)
/** the timers, the fleet's two slots and the two data slots come first (16 slots: two cache lines) */
const HOT_SLOTS = 16;
/** fraction of the state-message cycle at which this client sends (0..1) */
export const C_STATE_PHASE = HOT_SLOTS + 0;
/** the scan schedule's nominal time, before its random delay (Infinity: none) */
export const C_SCHEDULE_NOMINAL = HOT_SLOTS + 1;
/** the re-evaluation schedule's nominal time (Infinity: none) */
export const C_REEVAL_NOMINAL = HOT_SLOTS + 2;
/** when software updates were enabled by policy (-Infinity: never) */
export const C_SU_ENABLED_AT = HOT_SLOTS + 3;
export const C_LAST_ONLINE_SCAN_AT = HOT_SLOTS + 4;
export const C_LAST_SCAN_AT = HOT_SLOTS + 5;
/**
 * The last-used time of the client cache when it is one run in update order
 * (s.cache === CACHE_ONE_RUN; cache.ts). It held the cache's bytes until
 * issue 13's last follow-up: they are the sum of the cached updates' sizes,
 * counted from the U_CACHED flags when a download needs them (cacheBytes),
 * and the slot saves the 16 B boxed double the time was in the record.
 */
export const C_CACHE_TIME = HOT_SLOTS + 6;
/**
 * With restart notifications (restart.ts): when the pending required
 * restart is forced (in a maintenance window when the client has any);
 * T_RESTART is then the next notification step. Infinity: none, or
 * notifications not modelled (T_RESTART is the restart itself).
 */
export const C_RESTART_AT = HOT_SLOTS + 7;
/** the other doubles of a client: C_STRIDE slots of its tm row from HOT_SLOTS */
export const C_STRIDE = 8;
/** A double of a client's row (C_* slot). */
export function coldOf(s: ClientState, slot: number): number {
  return s.tm[s.tb + slot]!;
}

/**
 * 24 slots a client: 16 read on wakes, then the 8 other doubles. They were a
 * second fleet-wide array (ClientState.cd) until issue 13's follow-up: one
 * pointer of every record (8 B a client) for the same data. A row is 192 B,
 * three 64 B cache lines, so rows stay line-aligned and a wake touches the
 * same two lines as before.
 */
const TIMER_STRIDE_CONST = HOT_SLOTS + C_STRIDE;

// Timer slots in ClientState.tm
export const T_JOB = 0; // end of the timed step under way (scan, download, install, restart)
export const T_POLICY = 1; // next machine policy poll
export const T_STATE = 2; // next state-message cycle with something to send
export const T_ACTION = 3; // next scenario action for this client
export const T_FIRST_SCAN = 4;
export const T_SCHEDULE = 5; // scan schedule (nominal + random delay)
export const T_REEVAL = 6; // deployment re-evaluation schedule
export const T_RETRY = 7; // scan retry
export const T_RESTART = 8;
export const T_DEPLOYMENT = 9; // earliest timer of any deployment (kept in step by the core)
/** maintenance windows (issue 11): the next window a held install or restart waits for (windows.ts) */
export const T_WINDOW = 10;
export const T_POWER = 11; // next power-schedule transition (power.ts)
export const TIMERS = 12;
// Data slots of the timer row, beyond the fleet's own two (TIMERS, TIMERS + 1): not timers, never scanned by nextDue.
/** when the machine went off (Infinity: it is on) */
export const S_OFF_SINCE = HOT_SLOTS - 2;
/** the policy poll parked while the machine is off (kept out of the fleet's monotone lane) */
export const S_SAVED_POLICY = HOT_SLOTS - 1;
/** slots per client in a fleet-wide timer array (a multiple of 8 keeps rows cache-line aligned) */
export const TIMER_STRIDE = TIMER_STRIDE_CONST;

/**
 * The queue of a client with nothing to send, shared (a count of 0 and no
 * room: queueState takes a buffer from the fleet's QueuePool before the first
 * message). An empty array per client was 32 B of every idle record (issue 13).
 */
export const EMPTY_QUEUE: number[] = emptyQueue();

// Holey doubles, the elements kind of the pool's buffers, so that queueState's
// reads see one kind (not measured apart from the pool: the choice is the kind,
// not a figure). Not frozen, as freezing changes the kind; never written all
// the same: a queue takes a buffer before its first message (its length, 1,
// holds none), and test/state-queue-pool checks it is still [0] after every run.
function emptyQueue(): number[] {
  const q = new Array<number>(1).fill(0.5);
  q[0] = 0;
  return q;
}

/** The empty content cache, shared (never written: every change of a cache builds a new value, cache.ts). */
export const NO_CACHE: readonly number[] = Object.freeze([]);
/** s.cache of a cache that is one run in update order: a small integer, held in the record itself (no box). */
export const CACHE_ONE_RUN = 1;

/**
 * The same number, as a small integer when it is a signed 32-bit one. The MP
 * computes policy versions with multiplications, so they arrive as heap
 * numbers; a record field that once held one is kept as a boxed double in
 * every record (16 B a client; heap snapshot, issue 13). Values outside int32
 * (collection masks ride above 2^16 epochs) stay as they are.
 */
export function smallInt(v: number): number {
  return (v | 0) === v ? v | 0 : v;
}

/**
 * Sets the version a client holds for an assignment slot. Slot-version arrays
 * are shared and never written: a change gives the client the interned array
 * of its new versions (slots never set stay holes, read as undefined as
 * before). Clients of one collection hold the same versions, so 100k clients
 * held 100k copies of the same two numbers: 64 B a client (a 32 B JSArray and
 * its 32 B elements; heap snapshot, issue 13), now one array for the fleet.
 * Growing by assignment instead gave room for 17 slots (152 B a client).
 */
export function setSlotVersion(s: ClientState, slot: number, version: number, store: CoreStore): void {
  const a = s.slotVersions;
  if (slot < a.length && slot in a && a[slot] === version) return;
  const n = Math.max(a.length, slot + 1);
  const b: number[] = new Array(n);
  let key = '';
  for (let i = 0; i < n; i++) {
    const v = i === slot ? version : i in a ? a[i] : undefined;
    if (v !== undefined) b[i] = v;
    key += v === undefined ? ',' : v + ',';
  }
  const vectors = store.slotVectors;
  let shared = vectors.get(key);
  if (shared === undefined) {
    // bounded: a fleet holds few distinct vectors; past the bound new ones are simply not shared with old ones
    if (vectors.size >= SLOT_VECTORS_MAX) vectors.clear();
    vectors.set(key, (shared = Object.freeze(b)));
  }
  s.slotVersions = shared;
}

/** the most interned slot-version arrays a store keeps */
const SLOT_VECTORS_MAX = 4096;
/** the slot versions of a client that has none (shared, never written) */
const NO_SLOTS: readonly number[] = Object.freeze([]);

/**
 * A client record; its timers live in `tm` from slot `tb` and its update flags
 * in `upd` from `ub` (fleet-wide arrays), or in new arrays.
 */
export function createClient(
  seed: number, idx: number, updates: number, tm: Float64Array = new Float64Array(TIMER_STRIDE), tb = 0,
  upd: Uint8Array = new Uint8Array(updates), ub = 0,
): ClientState {
  tm.fill(Infinity, tb, tb + TIMERS);
  tm[tb + C_STATE_PHASE] = 0;
  tm[tb + C_SCHEDULE_NOMINAL] = tm[tb + C_REEVAL_NOMINAL] = Infinity;
  tm[tb + C_SU_ENABLED_AT] = tm[tb + C_LAST_ONLINE_SCAN_AT] = tm[tb + C_LAST_SCAN_AT] = -Infinity;
  tm[tb + C_CACHE_TIME] = Infinity;
  tm[tb + C_RESTART_AT] = Infinity;
  tm[tb + S_OFF_SINCE] = Infinity;
  tm[tb + S_SAVED_POLICY] = Infinity;
  // Field order is layout: V8 keeps in-object fields in creation order, and a
  // policy poll (most wakes) reads only the first few, so they share one or
  // two cache lines. Measured at 100k clients: the first touch of the record
  // was the largest single cost of a wake.
  const s: ClientState = {
    idx,
    tm,
    tb,
    job: null,
    pending: 0,
    bits: 0,
    settings: null,
    policyVersion: 0,
    deploymentIds: [],
    cold: COLD_DEFAULT,
    rng: streamSeed(seed, idx),
    cycle: null,
    slotVersions: NO_SLOTS,
    deployments: [],
    queue: EMPTY_QUEUE,
    sending: null,
    serial: 0,
    upd,
    ub,
    metaSup: null,
    sups: [],
    sup: -1,
    cache: NO_CACHE,
  };
  setMetaKnown(s, updates);
  return s;
}
