// Management point: machine policy (assignments and bodies), WSUS and content
// location, and state-message ingest with a processing queue and the
// compliance view the site would show per client and update.

import type { ClientSettings, DeploymentPolicy, PolicyAssignment, Reply, ServiceWindowPolicy } from '../../agent/core/types.js';
import { WINDOW_SLOT_BASE } from '../../agent/core/types.js';
import { inCollection } from '../../agent/core/localtime.js';
import { MSG_FLAGS, MSG_SERIAL, MSG_STATE_ID, MSG_STRIDE, MSG_TIME, MSG_TOPIC, MSG_TOPIC_TYPE, msgParam, paramCode } from '../../agent/core/types.js';
import { DETECT, TOPIC } from '../../agent/core/constants.js';
import { guidFor, unit } from '../../agent/core/prng.js';
import type { StubConfig } from './config.js';
import type { Catalogue } from './catalogue.js';
import { DEFAULT_MIN_MISSING_MESSAGE_AGE, ResyncTracker } from './resync.js';
import { siteVersionAt, supVersionAt } from './catalogue-sync.js';
import { UNKNOWN_TOPIC } from '../../agent/wire/topics.js';

const KIND_DEPLOYMENT = 4;
const KIND_WINDOW = 6;
/** the policy version carries the client's collection mask above this (base versions stay below it: epochs < 2^16) */
const COLLECTION_VERSION_UNIT = 2 ** 37;
const SALT_TARGET = 0x7a67;
const MAX_DEPLOYMENTS = 20;
/** out-of-order serials kept per client (a real client is at most a few reports ahead) */
const MAX_AHEAD = 100_000;
// backlog entry layout
const BACKLOG_STRIDE = 9;
const B_CLIENT = 0;
const B_SERIAL = 1;
const B_TYPE = 2;
const B_STATE = 3;
const B_TOPIC = 4;
const B_QUEUED = 5;
const B_SENT = 6;
const B_RECEIVED = 7;
/** the message's user parameter (501: the scan's error HRESULT) */
const B_PARAM = 8;

type AssignmentsReply = Extract<Reply, { kind: 'policy.assignments' }>;
const EMPTY_LOCATION: Reply = Object.freeze({ kind: 'location.wsus', sups: Object.freeze([]) as readonly string[] });

/**
 * What the ingest reports about each processed message (for metrics). `client`
 * is the client's index among the clients this MP serves (its id minus
 * firstClient), as the fleet's event sink names it.
 */
export interface IngestObserver {
  /** queuedAt: on the client; sentAt: the client sent the report; receivedAt: the MP took it; t: processed */
  ingested(t: number, client: number, topicType: number, stateId: number, queuedAt: number, sentAt: number, receivedAt: number): void;
  duplicate(t: number, client: number, serial: number): void;
  /** when the client sent the report the MP is receiving now, on the client's clock (absent: the receipt time) */
  reportSentAt?(client: number, receivedAt: number): number;
}

/** A maintenance window the MP serves: its policy, its collection, when it exists. */
export interface ServedWindow {
  readonly policy: ServiceWindowPolicy;
  readonly collection: number;
  readonly created: number;
  readonly removed: number | null;
}

const NO_DPS: Reply = Object.freeze({ kind: 'location.content', dps: Object.freeze([]) as readonly string[] });

export class ManagementPoint {
  readonly deployments: DeploymentPolicy[];
  /** every collection's windows, in order; window k is assignment slot WINDOW_SLOT_BASE + k */
  readonly windows: ServedWindow[];
  private readonly changeTimes: number[];
  /** assignmentsAt's last lookup: its time and the epoch there */
  private epochT = -Infinity;
  private epochN = 0;
  private readonly replyCache = new Map<number, AssignmentsReply>();

  private readonly settingsOff: ClientSettings;
  /** when each update's content reaches the DPs (epoch ms; -Infinity: before the run) */
  private readonly contentAt: Float64Array;
  readonly counters = {
    assignmentRequests: 0, bodyRequests: 0, wsusLocationRequests: 0, contentLocationRequests: 0,
    /** content location requests answered with no DP: the content was not on the DPs yet (deployments[].contentDistributed) */
    contentLocationNotFound: 0,
    stateReports: 0, stateMessagesReceived: 0, stateMessagesIngested: 0, stateDuplicates: 0,
    /** out-of-order serials beyond MAX_AHEAD for one client, not recorded */
    stateOutOfOrderDropped: 0,
    /** reports answered as accepted but lost (a 'lose' fault): their serials leave a gap */
    stateReportsLost: 0,
    /** ingested messages of a topic the scenario does not model (UNKNOWN_TOPIC, from a client built elsewhere): serial kept, no state changed */
    stateMessagesUnknownTopic: 0,
    /**
     * state messages in reports from a client that is not one of the scenario's (a real client,
     * or another tool, registered with this MP): taken as a real MP takes them, not ingested
     * (the MP's views are sized to the scenario)
     */
    stateMessagesForeignClient: 0,
  };

  // ingest backlog: a FIFO of BACKLOG_STRIDE numbers per message in one
  // growable Float64Array (no GC-scanned arrays of millions of elements)
  private backlogBuf = new Float64Array(BACKLOG_STRIDE * 4096);
  private head = 0; // first message (index in messages)
  private tail = 0; // one past the last
  private processAt = Infinity;

  // Client ids are global (a shard's stub serves ids firstClient ..); the
  // per-client arrays below are indexed by the local index id - firstClient.
  private readonly firstClient: number;
  // idempotency (by local index): every serial <= contiguous[l] was seen; later ones in `ahead`
  private readonly contiguous: Float64Array;
  private readonly ahead = new Map<number, Set<number>>();

  /**
   * compliance view: last 500 state per (client, update) at k = l * updates + u,
   * read with updateStateAt(k): two bits each (DETECT states are 0..3), four to
   * a byte; 300 state per (client, deployment) at [l * max(1, deployments) + d];
   * l = client id - firstClient. Packed since issue 13: one byte per pair was
   * 200 B of the 2,070 B per idle client of the 100k bench (now 50 B).
   */
  private readonly updateStates: Uint8Array;
  readonly deploymentState: Uint8Array;
  /** count of (client, update) pairs per DETECT state */
  readonly detectCounts = new Float64Array(4);
  /**
   * the site's view of each client's scan (v_UpdateScanStatus): the last 501
   * state and its error HRESULT (signed, as the site stores it), by local index
   */
  readonly scanState: Uint8Array;
  readonly scanError: Int32Array;
  /** serial gaps and resync requests (./resync.ts) */
  readonly resync: ResyncTracker;
  /** highest serial received per client (in the backlog or processed), by local index */
  private readonly maxReceived: Uint32Array;
  /** after a resync request: the first serial above this one restarts the contiguous run (0: none) */
  private readonly rebaseAbove: Uint32Array;
  observer: IngestObserver | null = null;
  /**
   * run --workers N in virtual time with a rate-limited backlog: a worker's MP
   * hands each report it accepts here (the client's id, when it arrived, when
   * the client sent it, the messages) instead of queueing it; the one backlog
   * of the site is modelled in the main thread (harness/workers/backlog.ts).
   */
  forward: ((client: number, t: number, sent: number, msgs: readonly number[]) => void) | null = null;
  /** client requests (state reports) change when the processor next runs */
  readonly reactive = true;

  constructor(private readonly cfg: StubConfig, private readonly cat: Catalogue) {
    if (cfg.deployments.length > MAX_DEPLOYMENTS) throw new RangeError(`at most ${MAX_DEPLOYMENTS} deployments`);
    this.deployments = cfg.deployments.map((d, index) => ({
      index,
      id: '{' + guidFor(cfg.seed, KIND_DEPLOYMENT, index) + '}',
      name: d.name,
      updates: d.updates,
      available: d.available,
      deadline: d.deadline,
      suppressRestart: d.suppressRestart,
      ...(d.suppressRestartFor !== undefined ? { suppressRestartFor: d.suppressRestartFor } : {}),
      userInstallFraction: d.userInstallFraction,
      localTime: d.localTime,
      overrideServiceWindows: d.overrideServiceWindows,
      rebootOutsideOfServiceWindows: d.rebootOutsideOfServiceWindows,
      maxRunTime: d.maxRunTime,
    }));
    const cols = cfg.collections ?? [];
    if (cols.length > 16) throw new RangeError('at most 16 collections');
    this.windows = [];
    cols.forEach((c, ci) => {
      for (const w of c.windows) {
        const k = this.windows.length;
        this.windows.push({ policy: { id: '{' + guidFor(cfg.seed, KIND_WINDOW, k) + '}', ...w.window }, collection: ci, created: w.created, removed: w.removed });
      }
    });
    // a catalogue sync is a policy change too: the settings body carries the new update source version;
    // so is a window added to or deleted from a collection (windows there from the start add no epoch)
    const windowTimes = this.windows.flatMap((w) => [...(w.created > cfg.start ? [w.created] : []), ...(w.removed !== null ? [w.removed] : [])]);
    this.changeTimes = [cfg.softwareUpdatesEnabledAt, ...cfg.deployments.map((d) => d.created), ...cat.syncTimes, ...windowTimes].sort((a, b) => a - b);
    this.settingsOff = { ...cfg.settings, softwareUpdatesEnabled: false };
    // when each update's content is on the DPs: the earliest of the deployments that carry it
    // (a deployment without the field has its content there before the run: -Infinity)
    // (an update no deployment carries keeps -Infinity: a client never asks for its content)
    this.contentAt = new Float64Array(cat.size).fill(-Infinity);
    const carried = new Uint8Array(cat.size);
    for (const d of cfg.deployments) {
      const at = d.contentDistributed ?? -Infinity;
      for (const u of d.updates) {
        if (u >= cat.size) continue;
        this.contentAt[u] = carried[u] === 1 ? Math.min(this.contentAt[u]!, at) : at;
        carried[u] = 1;
      }
    }
    this.firstClient = cfg.firstClient;
    this.contiguous = new Float64Array(cfg.clients);

    this.updateStates = new Uint8Array(Math.ceil((cfg.clients * cat.size) / 4));
    this.deploymentState = new Uint8Array(cfg.clients * Math.max(1, cfg.deployments.length));
    this.scanState = new Uint8Array(cfg.clients);
    this.scanError = new Int32Array(cfg.clients);
    // serials are below 2^32 (a client sends far fewer): 4 bytes each
    this.maxReceived = new Uint32Array(cfg.clients);
    this.rebaseAbove = new Uint32Array(cfg.clients);
    this.resync = new ResyncTracker(cfg.clients, cfg.minMissingMessageAge ?? DEFAULT_MIN_MISSING_MESSAGE_AGE);
    this.detectCounts[DETECT.UNKNOWN] = cfg.clients * cat.size;
  }

  /** The last 500 state (DETECT) the site holds for pair k = (client id - firstClient) * updates + update. */
  updateStateAt(k: number): number {
    return (this.updateStates[k >> 2]! >> ((k & 3) << 1)) & 3;
  }

  /** Bit c set: the client (its id in the whole fleet) is a member of collection c (the draw the agent's localtime.ts makes). */
  collectionMask(client: number): number {
    const cols = this.cfg.collections;
    if (cols === undefined) return 0;
    let m = 0;
    for (let c = 0; c < cols.length; c++) if (inCollection(this.cfg.seed, client, c, cols[c]!.fraction)) m |= 1 << c;
    return m;
  }

  /** whether deployment d targets the client (its id in the whole fleet): in its collection, whenever it was created */
  targeted(client: number, d: number): boolean {
    const f = this.cfg.deployments[d]!.targetFraction;
    // unit() is in [0, 1): a deployment to every client (the default) needs no hash, once per poll
    return f >= 1 || unit(this.cfg.seed, client, d, SALT_TARGET) < f;
  }

  // -- policy ------------------------------------------------------------------

  /** ReplyAssignments for a client at t; replies are shared objects cached per (policy epoch, target mask). */
  assignments(client: number, t: number): Reply {
    this.counters.assignmentRequests++;
    const r = this.assignmentsAt(client, t);
    const n = this.resyncRequest(client, t);
    // the shared reply, or (after a resync request) the client's own copy carrying its number
    return n === 0 ? r : { ...r, resync: n };
  }

  /**
   * The resync request number for a client's policy reply at t (0: none): a
   * new one when its serial gap is older than Min Missing Message Age. Asking
   * settles the gap (./resync.ts): the missing serials are given up.
   */
  resyncRequest(client: number, t: number): number {
    const l = client - this.firstClient;
    const rs = this.resync;
    if (this.ahead.size === 0) return rs.requested[l]!; // no gap anywhere: the common case costs no Map lookup
    const set = this.ahead.get(l);
    if (set !== undefined && rs.due(l, t)) {
      let max = this.contiguous[l]!;
      for (const x of set) if (x > max) max = x;
      const givenUp = max - this.contiguous[l]! - set.size;
      this.contiguous[l] = max;
      this.ahead.delete(l);
      // serials lost above the highest received are given up too: the first one
      // above it that arrives (the resent full state) starts the sequence again
      this.rebaseAbove[l] = Math.max(max, this.maxReceived[l]!);
      return rs.ask(l, givenUp);
    }
    return rs.requested[l]!;
  }

  /** A report the MP answered as accepted and then lost (a 'lose' fault): never ingested. */
  lost(): Reply {
    this.counters.stateReportsLost++;
    return { kind: 'state.report' };
  }

  /** What ReplyAssignments holds for a client at t, without counting a request (lookups by the HTTP server). */
  assignmentsAt(client: number, t: number): AssignmentsReply {
    // the policy epoch at t, from where the last lookup left it (t seldom goes back: then from 0)
    let epoch = t >= this.epochT ? this.epochN : 0;
    while (epoch < this.changeTimes.length && this.changeTimes[epoch]! <= t) epoch++;
    this.epochN = epoch;
    this.epochT = t;
    const ds = this.cfg.deployments;
    const enabled = t >= this.cfg.softwareUpdatesEnabledAt;
    // Computed on every poll: a per-client cache of the version was measured
    // slower at 100k clients (a cache miss costs more than a hash per deployment).
    let mask = 0;
    for (let d = 0; d < ds.length; d++) if (ds[d]!.created <= t && this.targeted(client, d)) mask |= 1 << d;
    // the collection mask rides above the base version (0 without collections: versions as before)
    const cmask = this.windows.length === 0 ? 0 : this.collectionMask(client);
    const version = (epoch * (1 << MAX_DEPLOYMENTS) + mask) * 2 + (enabled ? 1 : 0) + 1 + cmask * COLLECTION_VERSION_UNIT;
    let r = this.replyCache.get(version);
    if (r === undefined) {
      // settings: 1 disabled; enabled, 1 + the update source version (2 without catalogue syncs)
      const assignments: PolicyAssignment[] = [{ id: '{SUCA-SETTINGS}', version: enabled ? 1 + siteVersionAt(this.cat, t) : 1, slot: 0 }];
      const ids: string[] = [];
      for (let d = 0; d < ds.length; d++) {
        if ((mask & (1 << d)) !== 0) {
          assignments.push({ id: this.deployments[d]!.id, version: 1, slot: d + 1 });
          ids.push(this.deployments[d]!.id);
        }
      }
      // the CCM_ServiceWindow policies of the client's collections that exist at t (they do not change: version 1)
      this.windows.forEach((w, k) => {
        if ((cmask & (1 << w.collection)) !== 0 && w.created <= t && (w.removed === null || t < w.removed)) {
          assignments.push({ id: w.policy.id, version: 1, slot: WINDOW_SLOT_BASE + k });
        }
      });
      r = { kind: 'policy.assignments', version, assignments, deploymentIds: ids };
      this.replyCache.set(version, r);
    }
    return r;
  }

  private readonly settingsByVersion = new Map<number, ClientSettings>();

  /** Enabled settings carrying update source version v (v 1: the scenario's settings object as is). */
  private settingsOf(v: number): ClientSettings {
    if (v === 1) return this.cfg.settings;
    let st = this.settingsByVersion.get(v);
    if (st === undefined) {
      st = Object.freeze({ ...this.cfg.settings, updateSourceVersion: v });
      this.settingsByVersion.set(v, st);
    }
    return st;
  }

  body(client: number, t: number, a: PolicyAssignment): Reply {
    this.counters.bodyRequests++;
    return this.bodyOf(a);
  }

  /** A policy body, without counting a request. */
  bodyOf(a: PolicyAssignment): Reply {
    if (a.slot === 0) {
      return { kind: 'policy.body', slot: 0, version: a.version, settings: a.version >= 2 ? this.settingsOf(a.version - 1) : this.settingsOff };
    }
    if (a.slot >= WINDOW_SLOT_BASE) {
      const w = this.windows[a.slot - WINDOW_SLOT_BASE];
      if (w === undefined) return { kind: 'error', req: 'policy.body', code: 0x80004005 };
      return { kind: 'policy.body', slot: a.slot, version: a.version, window: w.policy };
    }
    const d = this.deployments[a.slot - 1];
    if (d === undefined) return { kind: 'error', req: 'policy.body', code: 0x80004005 };
    return { kind: 'policy.body', slot: a.slot, version: a.version, deployment: d };
  }

  // -- location ----------------------------------------------------------------

  wsusLocation(client: number, t: number, contentId: string, contentVersion: number): Reply {
    this.counters.wsusLocationRequests++;
    // An update source the site does not know, or a version its SUPs have not synced yet
    // (content version mismatch), gets an empty location.
    const v = supVersionAt(this.cat, t);
    if (contentId !== this.cat.updateSourceId || contentVersion > v) return EMPTY_LOCATION;
    if (v === 1) return { kind: 'location.wsus', sups: this.cfg.sups };
    return { kind: 'location.wsus', sups: this.cfg.sups, version: v };
  }

  /**
   * MP_LocationManager's content location: the DPs, or none while the content
   * is not on them yet. A request is judged by its first update's content,
   * which is what the HTTP request names (one Package ID); in-process a
   * download's updates all come from one deployment.
   */
  contentLocation(client: number, t: number, first: number): Reply {
    this.counters.contentLocationRequests++;
    if (first >= 0 && first < this.contentAt.length && this.contentAt[first]! > t) {
      this.counters.contentLocationNotFound++;
      return NO_DPS;
    }
    return { kind: 'location.content', dps: this.cfg.dps };
  }

  // -- state messages ------------------------------------------------------------

  /** MP_RelayEndpoint: the report is accepted into the processing queue (the MP sends no reply body). */
  relay(client: number, t: number, msgs: readonly number[]): Reply {
    this.counters.stateReports++;
    const count = msgs.length / MSG_STRIDE;
    if (this.forward !== null) {
      this.counters.stateMessagesReceived += count;
      this.forward(client, t, this.observer?.reportSentAt?.(client - this.firstClient, t) ?? t, msgs);
      return { kind: 'state.report' };
    }
    this.reserve(count);
    const buf = this.backlogBuf;
    let o = this.tail * BACKLOG_STRIDE;
    const sent = this.observer?.reportSentAt?.(client - this.firstClient, t) ?? t;
    for (let i = 0; i < msgs.length; i += MSG_STRIDE, o += BACKLOG_STRIDE) {
      buf[o + B_CLIENT] = client;
      buf[o + B_SERIAL] = msgs[i + MSG_SERIAL]!;
      buf[o + B_TYPE] = msgs[i + MSG_TOPIC_TYPE]!;
      buf[o + B_STATE] = msgs[i + MSG_STATE_ID]!;
      buf[o + B_TOPIC] = msgs[i + MSG_TOPIC]!;
      buf[o + B_QUEUED] = msgs[i + MSG_TIME]!;
      buf[o + B_SENT] = sent;
      buf[o + B_RECEIVED] = t;
      buf[o + B_PARAM] = msgParam(msgs[i + MSG_FLAGS]!);
      const l = client - this.firstClient;
      if (msgs[i + MSG_SERIAL]! > this.maxReceived[l]!) this.maxReceived[l] = msgs[i + MSG_SERIAL]!;
    }
    this.tail += count;
    this.counters.stateMessagesReceived += msgs.length / MSG_STRIDE;
    if (this.cfg.mpProcessingRate <= 0) this.process(t, Infinity);
    else if (this.processAt === Infinity) this.processAt = t + this.cfg.mpProcessingInterval;
    return { kind: 'state.report' };
  }

  /** Messages waiting in the MP / StateSys backlog. */
  get backlog(): number {
    return this.tail - this.head;
  }

  /** Room for `count` more messages: compacts the consumed head away, grows when needed. */
  private reserve(count: number): void {
    const cap = this.backlogBuf.length / BACKLOG_STRIDE;
    if (this.tail + count <= cap) return;
    const live = this.tail - this.head;
    let next = this.backlogBuf;
    if (live + count > cap / 2) {
      let c = cap * 2;
      while (live + count > c / 2) c *= 2;
      next = new Float64Array(c * BACKLOG_STRIDE);
    }
    if (next === this.backlogBuf) next.copyWithin(0, this.head * BACKLOG_STRIDE, this.tail * BACKLOG_STRIDE);
    else next.set(this.backlogBuf.subarray(this.head * BACKLOG_STRIDE, this.tail * BACKLOG_STRIDE));
    this.backlogBuf = next;
    this.head = 0;
    this.tail = live;
  }

  /** When the processor next runs (Infinity: idle). */
  nextDue(): number {
    return this.processAt;
  }

  /** The processor's tick: handles up to rate x interval messages. */
  onWake(t: number): void {
    this.processAt = Infinity;
    const budget = Math.max(1, Math.floor((this.cfg.mpProcessingRate * this.cfg.mpProcessingInterval) / 1000));
    this.process(t, budget);
    if (this.backlog > 0) this.processAt = t + this.cfg.mpProcessingInterval;
  }

  /** the processor's time (firstTime() records when a gap opened) */
  private processingAt = 0;

  private process(t: number, budget: number): void {
    this.processingAt = t;
    const end = Math.min(this.tail, this.head + budget);
    const U = this.cat.size;
    const D = Math.max(1, this.cfg.deployments.length);
    const buf = this.backlogBuf;
    for (let i = this.head; i < end; i++) {
      const o = i * BACKLOG_STRIDE;
      const c = buf[o + B_CLIENT]!;
      const l = c - this.firstClient;
      const serial = buf[o + B_SERIAL]!;
      if (!this.firstTime(l, serial)) {
        this.counters.stateDuplicates++;
        this.observer?.duplicate(t, l, serial);
        continue;
      }
      const type = buf[o + B_TYPE]!;
      const st = buf[o + B_STATE]!;
      const topic = buf[o + B_TOPIC]!;
      if (topic === UNKNOWN_TOPIC) {
        this.counters.stateMessagesUnknownTopic++;
      } else if (type === TOPIC.UPDATE_DETECTION && topic < U && st >= 0 && st <= 3) {
        const k = l * U + topic;
        const sh = (k & 3) << 1;
        const b = this.updateStates[k >> 2]!;
        this.detectCounts[(b >> sh) & 3]--;
        this.updateStates[k >> 2] = (b & ~(3 << sh)) | (st << sh);
        this.detectCounts[st]++;
      } else if (type === TOPIC.ASSIGNMENT_COMPLIANCE && topic < D) {
        this.deploymentState[l * D + topic] = st;
      } else if (type === TOPIC.UPDATE_SOURCE_SCAN) {
        this.scanState[l] = st;
        this.scanError[l] = paramCode(buf[o + B_PARAM]!) | 0;
      }
      this.counters.stateMessagesIngested++;
      this.observer?.ingested(t, l, type, st, buf[o + B_QUEUED]!, buf[o + B_SENT]!, buf[o + B_RECEIVED]!);
    }
    this.head = end;
    if (this.head === this.tail) this.head = this.tail = 0;
  }

  /** Records a (client, serial), the client by its local index; false when it was seen before (a re-delivery). */
  private firstTime(c: number, serial: number): boolean {
    const rb = this.rebaseAbove[c]!;
    if (rb !== 0 && serial > rb) {
      this.rebaseAbove[c] = 0;
      if (serial > this.contiguous[c]! + 1) {
        this.resync.serialsGivenUp += serial - 1 - this.contiguous[c]!;
        this.contiguous[c] = serial - 1;
      }
    }
    const cont = this.contiguous[c]!;
    if (serial <= cont) return false;
    let set = this.ahead.get(c);
    if (serial === cont + 1) {
      let next = serial;
      if (set !== undefined) {
        while (set.delete(next + 1)) next++;
        if (set.size === 0) this.ahead.delete(c);
      }
      this.contiguous[c] = next;
      if (!this.ahead.has(c)) this.resync.gapClosed(c);
      return true;
    }
    if (set === undefined) {
      set = new Set();
      this.ahead.set(c, set);
      this.resync.gapOpened(c, this.processingAt);
    }
    if (set.has(serial)) return false;
    // a client far ahead of its contiguous serial is not a real client: bound the memory it can cost
    if (set.size >= MAX_AHEAD) {
      this.counters.stateOutOfOrderDropped++;
      return false;
    }
    set.add(serial);
    return true;
  }

  /** Highest serial below which every serial of the client (its id) was ingested. */
  contiguousSerial(c: number): number {
    return this.contiguous[c - this.firstClient]!;
  }

  /** Serials ingested out of order and not yet joined up. */
  gapsOpen(): number {
    let n = 0;
    for (const s of this.ahead.values()) n += s.size;
    return n;
  }
}
