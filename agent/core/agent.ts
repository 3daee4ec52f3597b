// The Software Updates Client Agent loop as a pure state machine.
//
//   onWake(state, ctx, t)          timers due at t fired
//   onReply(state, ctx, t, reply)  a request sent earlier was answered
//   nextDue(state)                 when the client next needs waking
//
// Transitions append effects (requests to send, events to report) to ctx.out
// and update the client record they are given; they read no clock, timer,
// randomness or I/O of their own: time is the `t` argument, randomness the
// client's PRNG stream stored in its record. Mutating the record in place
// rather than returning a new one is deliberate: at 100,000 clients an
// immutable copy per transition cost more than the transition itself.
//
// Numbers and rules: ../../../shared/reference/client-behaviour.md and
// shared/seeds/003 (the main specification of the loop).

import { C_LAST_ONLINE_SCAN_AT, C_LAST_SCAN_AT, C_REEVAL_NOMINAL, C_SCHEDULE_NOMINAL, C_STATE_PHASE, C_SU_ENABLED_AT, setActionIdx, actionIdxOf, setRestartDeployment, metaKnownOf, setMetaKnown, setCold } from './state.js';
import type { ClientState, Job, JobKind } from './state.js';
import { ClientDeployment, F_AWAITING_POLICY, F_HAS_METADATA, wantWorkAgain } from './state.js';
import {
  D_DOWNLOADED, D_ENFORCED, D_EVALUATED, D_INSTALLED, D_RESTART_PENDING, D_USER_INSTALL,
  D_WAIT_CONTENT, D_WAIT_MW, D_WANT_DOWNLOAD, D_WANT_INSTALL,
  P_DEPLOYMENT_WORK, P_FIRST, P_MANUAL_EVAL, P_MANUAL_SCAN, P_NEWDEP, P_REEVAL, P_RESTART, P_SCHEDULE, P_USER_RESTART, P_WINDOW_RESTART,
  P_RESTART_COUNTDOWN, P_RESTART_NOW, setSlotVersion, smallInt,
  U_APPLICABLE, U_CACHED, U_INSTALLED, U_PENDING_RESTART,
  T_ACTION, T_DEPLOYMENT, T_FIRST_SCAN, T_JOB, T_POLICY, T_POWER, T_REEVAL, T_RESTART, T_RETRY, T_SCHEDULE, T_STATE, T_WINDOW, TIMERS,
} from './state.js';
import { applyWindowPolicies, holdAtInstall, holdInstall, holdRestart, windowOpened, windowsAtAssignments } from './windows.js';
import { clientInstant } from './localtime.js';
import { scheduleUserInstall } from './users.js';
import type { AgentEvent, ClientSettings, CoreCtx, DeploymentPolicy, Effect, Reply, ScanTrigger, WindowEntry } from './types.js';
import { rand, randInt, randMs, unit, type RngHolder } from './prng.js';
import { CI_ENFORCE, COMPLIANCE, ENFORCE, EVAL, HR, SCAN_STATE, TOPIC } from './constants.js';
import { SCAN_RULES, scanIsOnline } from './scan-rules.js';
import { nextStateBoundary, onStateReply, queueState, sendStates } from './statemsg.js';
import { addToCache, touch } from './cache.js';
import { initPower, isOff, powerWake } from './power.js';
import { resyncState } from './resync.js';
import { restartDue, restartDueAt, restartStarted, restartTimer } from './restart.js';
import { installOutcome, mayRetryInstall, pullForward, restartSuppressed } from './enforcement.js';
import { applySupersedence } from './supersedence.js';
import { applicableList, clearApplicable, evaluateFlags } from './flags.js';


const SALT_ACTION_PICK = 0xac71;
const SALT_ACTION_TIME = 0xac72;
const SALT_USER_INSTALL = 0x05e4;

// ---------------------------------------------------------------------------
// entry points

/** A new client: first policy request within model.startWithin of the start, first scenario action. */
export function initClient(s: ClientState, ctx: CoreCtx): void {
  s.tm[s.tb + T_POLICY] = firstPolicyPoll(s, ctx);
  s.tm[s.tb + C_STATE_PHASE] = rand(s);
  scheduleAction(s, ctx, 0);
  initPower(s, ctx);
}

/** The first policy poll: the first draw of the client's stream (the fleet also asks it before creating records). */
export function firstPolicyPoll(h: RngHolder, ctx: Pick<CoreCtx, 'start' | 'model'>): number {
  return ctx.start + randMs(h, ctx.model.startWithin);
}

/** When the client next needs waking (Infinity: only a reply can wake it). */
export function nextDue(s: ClientState): number {
  const tm = s.tm;
  const b = s.tb;
  let m = tm[b]!;
  for (let i = b + 1; i < b + TIMERS; i++) if (tm[i]! < m) m = tm[i]!;
  return m;
}

/** Earliest deployment timer, cached on the client so a wake touches deployment records only when one is due. */
function recomputeDepDue(s: ClientState): void {
  let m = Infinity;
  const ds = s.deployments;
  for (let i = 0; i < ds.length; i++) {
    const d = ds[i]!;
    if (d.downloadAt < m) m = d.downloadAt;
    if (d.deadlineAt < m) m = d.deadlineAt;
    if (d.userInstallAt < m) m = d.userInstallAt;
  }
  s.tm[s.tb + T_DEPLOYMENT] = m;
}

export function onWake(s: ClientState, ctx: CoreCtx, t: number): void {
  // power schedule (power.ts): an off machine does nothing until it is back
  if (s.tm[s.tb + T_POWER] <= t && powerWake(s, ctx, t)) return;
  if (s.tm[s.tb + T_JOB] <= t) {
    s.tm[s.tb + T_JOB] = Infinity;
    stepEnded(s, ctx, t);
  }
  if (s.tm[s.tb + T_POLICY] <= t) pollPolicy(s, ctx, t);
  if (s.tm[s.tb + T_STATE] <= t) sendStates(s, ctx, t);
  if (s.tm[s.tb + T_ACTION] <= t) runAction(s, ctx, t);
  const st = s.settings;
  if (st !== null) {
    if (s.tm[s.tb + T_FIRST_SCAN] <= t) {
      s.tm[s.tb + T_FIRST_SCAN] = Infinity;
      s.pending |= P_FIRST;
    }
    if (s.tm[s.tb + T_SCHEDULE] <= t) {
      s.pending |= P_SCHEDULE;
      s.tm[s.tb + C_SCHEDULE_NOMINAL] += st.scanInterval;
      s.tm[s.tb + T_SCHEDULE] = s.tm[s.tb + C_SCHEDULE_NOMINAL] + randMs(s, st.scheduleRandomDelay);
    }
    if (s.tm[s.tb + T_REEVAL] <= t) {
      s.pending |= P_REEVAL;
      s.tm[s.tb + C_REEVAL_NOMINAL] += st.reevaluationInterval;
      s.tm[s.tb + T_REEVAL] = s.tm[s.tb + C_REEVAL_NOMINAL] + randMs(s, st.scheduleRandomDelay);
    }
  }
  if (s.tm[s.tb + T_RETRY] <= t) {
    s.tm[s.tb + T_RETRY] = Infinity;
    const j = s.job;
    if (j !== null && j.phase === 'retryWait') {
      j.trigger = 'retry';
      startScan(s, ctx, t, j);
    } else if (j !== null && (j.phase === 'contentWait' || j.phase === 'downloadWait')) contentRetry(s, ctx, t, j);
  }
  if (s.tm[s.tb + T_RESTART] <= t) {
    s.tm[s.tb + T_RESTART] = Infinity;
    // the restart, or a step of its notifications (restart.ts)
    restartTimer(s, ctx, t);
  }
  if (s.tm[s.tb + T_WINDOW] <= t) windowOpened(s);
  if (s.tm[s.tb + T_DEPLOYMENT] <= t) fireDeploymentTimers(s, ctx, t);
  pump(s, ctx, t);
}

function fireDeploymentTimers(s: ClientState, ctx: CoreCtx, t: number): void {
  const ds = s.deployments;
  for (let i = 0; i < ds.length; i++) {
    const d = ds[i]!;
    if (d.downloadAt <= t) {
      d.downloadAt = Infinity;
      d.flags |= D_WANT_DOWNLOAD;
      s.pending |= P_DEPLOYMENT_WORK;
      emit(ctx, { ev: 'deployment.available', deployment: d.policy.id });
    }
    if (d.userInstallAt <= t) {
      d.userInstallAt = Infinity;
      if ((d.flags & D_ENFORCED) === 0) {
        d.flags |= D_WANT_INSTALL | D_USER_INSTALL;
        s.pending |= P_DEPLOYMENT_WORK;
      }
    }
    if (d.deadlineAt <= t) {
      d.deadlineAt = Infinity;
      d.flags = (d.flags | D_WANT_INSTALL | D_ENFORCED) & ~D_USER_INSTALL;
      s.pending |= P_DEPLOYMENT_WORK;
      emit(ctx, { ev: 'deployment.deadline', deployment: d.policy.id });
      const within = s.settings !== null ? (s.settings.installOtherDeploymentsWithin ?? 0) : 0;
      if (within > 0) pullDeadlinesForward(s, ctx, t, within, d);
    }
  }
  recomputeDepDue(s);
}

/** "Install all other deployments with deadline within N": the other required deployments due within N are enforced now. */
function pullDeadlinesForward(s: ClientState, ctx: CoreCtx, t: number, within: number, by: ClientDeployment): void {
  for (const o of s.deployments) {
    if (o === by || !pullForward(within, o, t)) continue;
    o.deadlineAt = o.userInstallAt = Infinity;
    o.flags = (o.flags | D_WANT_INSTALL | D_ENFORCED) & ~D_USER_INSTALL;
    emit(ctx, { ev: 'deployment.pulledForward', deployment: o.policy.id, by: by.policy.id });
  }
}

export function onReply(s: ClientState, ctx: CoreCtx, t: number, r: Reply): void {
  if (isOff(s)) return; // the answer reaches a machine that is off: nobody takes it
  const kind = r.kind === 'error' ? r.req : r.kind;
  switch (kind) {
    case 'policy.assignments':
    case 'policy.body':
      onPolicyReply(s, ctx, t, r);
      break;
    case 'state.report':
      onStateReply(s, ctx, t, r.kind !== 'error', r.kind === 'error' ? r.code : 0);
      break;
    default:
      onJobReply(s, ctx, t, r);
  }
  pump(s, ctx, t);
}

function emit(ctx: CoreCtx, e: AgentEvent): void {
  ctx.out.push({ type: 'event', e });
}

// ---------------------------------------------------------------------------
// machine policy

function pollPolicy(s: ClientState, ctx: CoreCtx, t: number): void {
  const interval = s.settings !== null ? s.settings.policyPollingInterval : ctx.defaultPolicyInterval;
  s.tm[s.tb + T_POLICY] = t + interval;
  if ((s.bits & F_AWAITING_POLICY) !== 0) return; // the previous cycle is still waiting for the MP
  s.bits |= F_AWAITING_POLICY;
  ctx.out.push(POLICY_REQUESTED);
  // A fresh request object per poll: young-generation allocation is cheaper
  // than dereferencing a cached object on a cold client record (measured).
  ctx.out.push({ type: 'send', req: { kind: 'policy.assignments', client: s.idx, knownVersion: s.policyVersion } });
}

const POLICY_REQUESTED: Effect = Object.freeze({ type: 'event', e: Object.freeze({ ev: 'policy.requested' }) });

function onPolicyReply(s: ClientState, ctx: CoreCtx, t: number, r: Reply): void {
  if ((s.bits & F_AWAITING_POLICY) === 0) return;
  if (r.kind === 'error') {
    // try again at the next polling cycle; nothing of a half-received policy is applied
    emit(ctx, { ev: 'policy.failed', code: r.code });
    s.bits &= ~F_AWAITING_POLICY;
    s.cycle = null;
    return;
  }
  if (r.kind === 'policy.assignments') {
    if (r.resync !== undefined && r.resync > s.cold.resyncSeen) resyncState(s, ctx, t, r.resync);
    if (r.version === s.policyVersion) {
      policyDone(s, ctx);
      return;
    }
    const keep = windowsAtAssignments(s, r.assignments, ctx.store);
    let n = 0;
    for (const a of r.assignments) {
      if (s.slotVersions[a.slot] !== a.version) {
        n++;
        ctx.out.push({ type: 'send', req: { kind: 'policy.body', client: s.idx, assignment: a } });
      }
    }
    // a cycle already under way (an answer given twice) keeps the bodies it has, as it did
    if (n > 0 || s.cycle !== null) {
      const c = (s.cycle ??= { version: 0, deploymentIds: [], left: 0, bodies: [], windowKeep: null });
      c.version = r.version;
      c.deploymentIds = r.deploymentIds;
      c.left = n;
      c.windowKeep = keep;
    }
    if (n === 0) {
      s.policyVersion = smallInt(r.version);
      s.deploymentIds = r.deploymentIds;
      applyWindowPolicies(s, ctx, t, keep, null);
      policyDone(s, ctx);
    }
    return;
  }
  if (r.kind === 'policy.body') {
    const c = s.cycle;
    if (c === null || c.left <= 0) return;
    // bodies are held until the whole cycle arrived, then applied together
    // (settings first: deployment schedules depend on them)
    c.bodies.push(r);
    if (--c.left > 0) return;
    const bodies = c.bodies.sort((a, b) => a.slot - b.slot);
    s.cycle = null;
    let windows: WindowEntry[] | null = null;
    for (const b of bodies) {
      setSlotVersion(s, b.slot, b.version, ctx.store);
      if (b.settings !== undefined) applySettings(s, ctx, t, b.settings);
      if (b.deployment !== undefined) addDeployment(s, ctx, t, b.deployment, b.version);
      if (b.window !== undefined) (windows ??= []).push({ slot: b.slot, version: b.version, window: b.window });
    }
    applyWindowPolicies(s, ctx, t, c.windowKeep, windows);
    s.policyVersion = smallInt(c.version);
    s.deploymentIds = c.deploymentIds;
    policyDone(s, ctx);
  }
}

function policyDone(s: ClientState, ctx: CoreCtx): void {
  s.bits &= ~F_AWAITING_POLICY;
  const enabled = s.settings !== null && s.settings.softwareUpdatesEnabled;
  const st = ctx.store;
  let eff = st.lastReceived;
  if (eff === null || eff.e.version !== s.policyVersion || eff.e.deployments !== s.deploymentIds || eff.e.softwareUpdatesEnabled !== enabled) {
    eff = st.lastReceived = Object.freeze({ type: 'event', e: Object.freeze({ ev: 'policy.received', version: s.policyVersion, deployments: s.deploymentIds, softwareUpdatesEnabled: enabled }) } as const);
  }
  ctx.out.push(eff);
}

function applySettings(s: ClientState, ctx: CoreCtx, t: number, st: ClientSettings): void {
  const wasEnabled = s.settings !== null && s.settings.softwareUpdatesEnabled;
  s.settings = st;
  s.tm[s.tb + T_POLICY] = Math.min(s.tm[s.tb + T_POLICY], t + st.policyPollingInterval);
  if (st.softwareUpdatesEnabled && !wasEnabled) {
    s.tm[s.tb + C_SU_ENABLED_AT] = t;
    if (s.tm[s.tb + C_LAST_SCAN_AT] === -Infinity && (s.pending & P_FIRST) === 0) {
      // seed 003: "a compliance assessment scan is scheduled to start randomly within the next two hours"
      s.tm[s.tb + T_FIRST_SCAN] = t + randMs(s, st.firstScanWindow);
    }
    s.tm[s.tb + C_SCHEDULE_NOMINAL] = t + st.scanInterval;
    s.tm[s.tb + T_SCHEDULE] = s.tm[s.tb + C_SCHEDULE_NOMINAL] + randMs(s, st.scheduleRandomDelay);
    s.tm[s.tb + C_REEVAL_NOMINAL] = t + st.reevaluationInterval;
    s.tm[s.tb + T_REEVAL] = s.tm[s.tb + C_REEVAL_NOMINAL] + randMs(s, st.scheduleRandomDelay);
  } else if (!st.softwareUpdatesEnabled) {
    s.tm[s.tb + T_FIRST_SCAN] = s.tm[s.tb + T_SCHEDULE] = s.tm[s.tb + T_REEVAL] = Infinity;
    s.tm[s.tb + C_SCHEDULE_NOMINAL] = s.tm[s.tb + C_REEVAL_NOMINAL] = Infinity;
    s.pending &= P_RESTART | P_USER_RESTART | P_WINDOW_RESTART | P_DEPLOYMENT_WORK | P_RESTART_COUNTDOWN | P_RESTART_NOW;
  }
}

function addDeployment(s: ClientState, ctx: CoreCtx, t: number, p: DeploymentPolicy, version: number): void {
  for (const d of s.deployments) if (d.policy.index === p.index) return; // a new version of a known one: keep our schedule
  const st = s.settings;
  const downloadDelay = st !== null ? st.downloadRandomDelay : 0;
  const deadlineDelay = st !== null && !st.disableDeadlineRandomization ? st.deadlineRandomDelay : 0;
  const d = new ClientDeployment(p, version, ctx.store);
  if (p.deadline !== null) {
    // required deployment: content is pre-downloaded after the available time, randomised over 2 h
    // times in the client's local time (UseGMTTimes false) follow its zone: localtime.ts
    d.downloadAt = Math.max(t, clientInstant(ctx, s.idx, p.localTime, p.available) + randMs(s, downloadDelay));
    d.deadlineAt = Math.max(t, clientInstant(ctx, s.idx, p.localTime, p.deadline) + (deadlineDelay > 0 ? randMs(s, deadlineDelay) : 0));
    if (p.userInstallFraction > 0 && unit(ctx.seed, s.idx, p.index, SALT_USER_INSTALL) < p.userInstallFraction) {
      const from = d.downloadAt;
      const to = Math.max(from, clientInstant(ctx, s.idx, p.localTime, p.deadline));
      const at = from + randMs(s, (to - from));
      if (at < d.deadlineAt) d.userInstallAt = at;
    }
  }
  scheduleUserInstall(s, ctx, t, d);
  // a new array of the exact size, not push() (nor a spread, which grows the same way): push
  // gives an empty array room for 17 (152 B of elements a client for one deployment; heap
  // snapshot of the 100k fleet, issue 13)
  s.deployments = s.deployments.concat(d);
  recomputeDepDue(s);
  s.pending |= P_NEWDEP;
}

// ---------------------------------------------------------------------------
// scenario actions (manual cycles, user restarts, lost updates)

function scheduleAction(s: ClientState, ctx: CoreCtx, from: number): void {
  const acts = ctx.actions;
  for (let i = from; i < acts.length; i++) {
    const a = acts[i]!;
    if (unit(ctx.seed, s.idx, i, SALT_ACTION_PICK) < a.fraction) {
      setActionIdx(s, i);
      s.tm[s.tb + T_ACTION] = a.at + Math.floor(unit(ctx.seed, s.idx, i, SALT_ACTION_TIME) * a.within);
      return;
    }
  }
  setActionIdx(s, acts.length);
  s.tm[s.tb + T_ACTION] = Infinity;
}

function runAction(s: ClientState, ctx: CoreCtx, t: number): void {
  const idx = actionIdxOf(s);
  const a = ctx.actions[idx]!;
  scheduleAction(s, ctx, idx + 1);
  const enabled = s.settings !== null && s.settings.softwareUpdatesEnabled;
  switch (a.kind) {
    case 'manualScan':
      if (enabled) s.pending |= P_MANUAL_SCAN;
      break;
    case 'deploymentEvaluation':
      if (enabled) s.pending |= P_MANUAL_EVAL;
      break;
    case 'restart':
      s.pending |= P_RESTART | P_USER_RESTART;
      break;
    case 'loseUpdate':
      loseUpdate(s, ctx);
      break;
    case 'switchSup':
      switchSup(s, ctx);
      break;
  }
}

/**
 * The console's client notification "Switch to next software update point":
 * the client leaves the SUP it sticks to for another of its list (chosen as a
 * failover chooses), and its next online scan goes there, a full one (the
 * datastore's revisions are the old server's). No scan is started by it. A
 * client that knows one SUP or none stays.
 */
function switchSup(s: ClientState, ctx: CoreCtx): void {
  const n = s.sups.length;
  if (n < 2 || s.sup < 0) return;
  const from = s.sups[s.sup]!;
  let next = randInt(s, n - 1);
  if (next >= s.sup) next++;
  s.sup = next;
  setCold(s, 'supFailures', 0);
  emit(ctx, { ev: 'sup.switched', from, to: s.sups[next]! });
}

/** Something on the machine removes an installed update (preferably one a deployment enforces). */
function loseUpdate(s: ClientState, ctx: CoreCtx): void {
  const cands: number[] = [];
  for (const d of s.deployments) {
    for (const u of d.policy.updates) {
      const f = s.upd[s.ub + u]!;
      if ((f & U_INSTALLED) !== 0 && (f & U_PENDING_RESTART) === 0 && !cands.includes(u)) cands.push(u);
    }
  }
  if (cands.length === 0) {
    for (let u = 0; u < ctx.catalogue.size; u++) if ((s.upd[s.ub + u]! & U_INSTALLED) !== 0) cands.push(u);
  }
  if (cands.length === 0) return;
  const u = cands[randInt(s, cands.length)]!;
  s.upd[s.ub + u] = s.upd[s.ub + u]! & ~U_INSTALLED;
  emit(ctx, { ev: 'update.lost', update: u });
}

// ---------------------------------------------------------------------------
// the work queue: one job at a time

const NO_DPS: readonly string[] = Object.freeze([]);

function newJob(kind: JobKind, dep: number, trigger: ScanTrigger): Job {
  return {
    kind, dep, phase: 'scanning', trigger, rule: trigger, forced: false, online: false,
    updates: [], fetch: [], bytes: 0, next: 'none', installAfterDownload: false, restart: false, installedAt: -Infinity, version: 1,
    dps: NO_DPS, dpAt: 0, dpLeft: 0, dpRetried: false,
  };
}

/** Start the next piece of work if the client is idle. */
function pump(s: ClientState, ctx: CoreCtx, t: number): void {
  if (s.job !== null) return;
  if ((s.pending & P_RESTART) !== 0) {
    const user = (s.pending & P_USER_RESTART) !== 0;
    s.pending &= ~(P_RESTART | P_USER_RESTART);
    // a required restart outside a maintenance window waits for one (windows.ts)
    if (!holdRestart(s, ctx, t, user)) {
      startRestart(s, ctx, t, user);
      return;
    }
  }
  const st = s.settings;
  if (st === null || !st.softwareUpdatesEnabled) return;
  const p = s.pending;
  if ((p & P_MANUAL_EVAL) !== 0) return startScanJob(s, ctx, t, P_MANUAL_EVAL, 'evaluate', 'deploymentEvaluation');
  if ((p & P_MANUAL_SCAN) !== 0) return startScanJob(s, ctx, t, P_MANUAL_SCAN, 'scan', 'manualScan');
  if ((p & P_FIRST) !== 0) return startScanJob(s, ctx, t, P_FIRST, 'scan', 'firstPolicy');
  // Deployment work waits for the first compliance scan: it needs its results.
  if (s.tm[s.tb + T_FIRST_SCAN] !== Infinity) return;
  if ((p & P_DEPLOYMENT_WORK) !== 0 && startDeploymentWork(s, ctx, t)) return;
  if ((p & P_NEWDEP) !== 0) return startScanJob(s, ctx, t, P_NEWDEP, 'evaluate', 'newDeployment');
  if ((p & P_REEVAL) !== 0) return startScanJob(s, ctx, t, P_REEVAL, 'evaluate', 'reevaluation');
  if ((p & P_SCHEDULE) !== 0) return startScanJob(s, ctx, t, P_SCHEDULE, 'scan', 'schedule');
}

/** Starts an install (first) or download a deployment wants; false when none does. */
function startDeploymentWork(s: ClientState, ctx: CoreCtx, t: number): boolean {
  const ds = s.deployments;
  for (let i = 0; i < ds.length; i++) {
    const d = ds[i]!;
    if ((d.flags & D_WANT_INSTALL) !== 0 && !holdInstall(s, ctx, t, i)) {
      d.flags &= ~D_WANT_INSTALL;
      const j = newJob('install', i, 'beforeInstall');
      j.next = 'install';
      s.job = j;
      // seed 003: a scan just before every install, a reinstall at re-evaluation included
      // (non-forced: offline when the re-evaluation's own scan was online within the TTL)
      startScan(s, ctx, t, j);
      return true;
    }
  }
  for (let i = 0; i < ds.length; i++) {
    const d = ds[i]!;
    if ((d.flags & D_WANT_DOWNLOAD) !== 0) {
      d.flags &= ~D_WANT_DOWNLOAD;
      if ((d.flags & (D_DOWNLOADED | D_INSTALLED | D_ENFORCED)) !== 0) continue;
      const j = newJob('download', i, 'beforeDownload');
      j.next = 'download';
      s.job = j;
      startScan(s, ctx, t, j);
      return true;
    }
  }
  s.pending &= ~P_DEPLOYMENT_WORK;
  return false;
}

function startScanJob(s: ClientState, ctx: CoreCtx, t: number, bit: number, kind: JobKind, trigger: ScanTrigger): void {
  s.pending &= ~bit;
  const j = newJob(kind, -1, trigger);
  j.next = kind === 'evaluate' ? 'evaluate' : 'none';
  s.job = j;
  if (trigger === 'reevaluation') emit(ctx, REEVAL_SCHEDULED);
  else if (trigger === 'deploymentEvaluation') emit(ctx, REEVAL_MANUAL);
  startScan(s, ctx, t, j);
}

// shared frozen events: a re-evaluation carries nothing per client but its trigger
const REEVAL_SCHEDULED: AgentEvent = Object.freeze({ ev: 'reevaluation.started', trigger: 'schedule' });
const REEVAL_MANUAL: AgentEvent = Object.freeze({ ev: 'reevaluation.started', trigger: 'manual' });

function finishJob(s: ClientState, ctx: CoreCtx, t: number): void {
  s.job = null;
  pump(s, ctx, t);
}

// ---------------------------------------------------------------------------
// scans

function startScan(s: ClientState, ctx: CoreCtx, t: number, j: Job): void {
  const rule = SCAN_RULES[j.rule];
  j.forced = rule.forced;
  j.online = scanIsOnline(j.rule, s.settings!, s.tm[s.tb + C_LAST_ONLINE_SCAN_AT], t);
  emit(ctx, { ev: 'scan.started', trigger: j.trigger, forced: j.forced, online: j.online, rule: j.rule });
  queueState(s, ctx, t, TOPIC.UPDATE_SOURCE_SCAN, SCAN_STATE.RUNNING, 0);
  if (j.online) {
    // ScanAgent asks the MP where WSUS is before every online scan
    j.phase = 'locate';
    ctx.out.push({
      type: 'send',
      req: { kind: 'location.wsus', client: s.idx, contentId: ctx.catalogue.updateSourceId, contentVersion: locationVersion(s, ctx) },
    });
  } else {
    j.phase = 'scanning';
    s.tm[s.tb + T_JOB] = t + ctx.model.offlineScan;
  }
}

/** The update source content version the client asks the MP for: the one its policy carries (raised by catalogue syncs). */
function locationVersion(s: ClientState, ctx: CoreCtx): number {
  return s.settings?.updateSourceVersion ?? ctx.catalogue.updateSourceVersion;
}

/** Catalogue updates known at update source version v (those added by later syncs come last). */
function knownAt(ctx: CoreCtx, v: number): number {
  const rel = ctx.catalogue.releaseVersion;
  const n = ctx.catalogue.size;
  if (rel === undefined) return n;
  let k = n;
  while (k > 0 && rel[k - 1]! > v) k--;
  return k;
}

function onJobReply(s: ClientState, ctx: CoreCtx, t: number, r: Reply): void {
  const j = s.job;
  if (j === null) return; // a stale reply (the job was abandoned)
  if (r.kind === 'error') {
    if (r.req === 'location.wsus' && j.phase === 'locate') return scanFailed(s, ctx, t, j, r.code);
    if (r.req === 'wsus.scan' && j.phase === 'wsus') return scanFailed(s, ctx, t, j, r.code);
    if (r.req === 'location.content' && j.phase === 'contentLocate') return waitForContent(s, ctx, t, j, r.code);
    if (r.req === 'dp.download' && j.phase === 'dpRequest') return dpFailed(s, ctx, t, j, r.code);
    return;
  }
  switch (r.kind) {
    case 'location.wsus': {
      if (j.phase !== 'locate') return;
      if (r.sups.length === 0) return waitForLocation(s, ctx, t, j);
      if (!sameList(s.sups, r.sups)) {
        // the client sticks to its last successful SUP while the MP still lists it
        const cur = s.sup >= 0 ? s.sups[s.sup] : undefined;
        s.sups = r.sups;
        s.sup = cur !== undefined ? r.sups.indexOf(cur) : -1;
      }
      if (s.sup < 0) s.sup = randInt(s, r.sups.length);
      j.version = r.version ?? ctx.catalogue.updateSourceVersion;
      j.phase = 'wsus';
      const sup = s.sups[s.sup]!;
      ctx.out.push({ type: 'send', req: { kind: 'wsus.scan', client: s.idx, sup, held: heldMetadata(s, ctx, sup) } });
      return;
    }
    case 'wsus.scan': {
      if (j.phase !== 'wsus') return;
      const upd = s.upd;
      const b = s.ub;
      const U = ctx.catalogue.size;
      clearApplicable(ctx.store, upd, b, U);
      for (const u of r.applicable) if (u < U) upd[b + u] = upd[b + u]! | U_APPLICABLE;
      s.bits |= F_HAS_METADATA;
      s.metaSup = s.sup >= 0 ? (s.sups[s.sup] ?? null) : null;
      // the location reply's version (both transports have it alike; HTTP's SyncUpdates carries none)
      setMetaKnown(s, knownAt(ctx, j.version));
      j.phase = 'scanning';
      const m = ctx.model;
      s.tm[s.tb + T_JOB] = t + m.onlineScanMin + randMs(s, (m.onlineScanMax - m.onlineScanMin));
      return;
    }
    case 'location.content': {
      if (j.phase !== 'contentLocate') return;
      if (r.dps.length === 0) return waitForContent(s, ctx, t, j, HR.CONTENT_NOT_FOUND);
      const d = s.deployments[j.dep]!;
      d.locateSince = Infinity;
      if (d.downloadSince === Infinity) d.downloadSince = t;
      // a retry after DP failures is the same download going on: no new start, no new 301
      if (!j.dpRetried) {
        emit(ctx, { ev: 'download.started', deployment: d.policy.id, updates: j.fetch.length, bytes: j.bytes });
        setEnforcement(s, ctx, t, d, ENFORCE.DOWNLOADING);
        d.flags &= ~D_WAIT_CONTENT;
        perUpdate(s, ctx, t, j.fetch, CI_ENFORCE.DOWNLOADING);
      }
      // one DP at random, then the others of the list in turn if it fails (dpFailed)
      j.dps = r.dps;
      j.dpAt = randInt(s, r.dps.length);
      j.dpLeft = r.dps.length - 1;
      return askDp(s, ctx, j);
    }
    case 'dp.download': {
      if (j.phase !== 'dpRequest') return;
      j.phase = 'downloading';
      const bw = ctx.model.downloadBytesPerMs;
      s.tm[s.tb + T_JOB] = t + (bw > 0 ? Math.ceil(r.bytes / bw) : 0);
      return;
    }
  }
}

/**
 * What the WUA datastore holds from this SUP: the updates of the last scan
 * (U_APPLICABLE) when that scan was on the same SUP; nothing after a SUP
 * switch (the new server's revision ids are its own: the next scan is full).
 */
function heldMetadata(s: ClientState, ctx: CoreCtx, sup: string): readonly number[] {
  if ((s.bits & F_HAS_METADATA) === 0 || s.metaSup !== sup) return NOTHING_HELD;
  return applicableList(ctx.store, s.upd, s.ub, ctx.catalogue.size);
}
const NOTHING_HELD: readonly number[] = Object.freeze([]);

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function scanFailed(s: ClientState, ctx: CoreCtx, t: number, j: Job, code: number): void {
  const st = s.settings!;
  const sup = s.sup >= 0 ? (s.sups[s.sup] ?? null) : null;
  if (st.scanRetryCodes.includes(code >>> 0)) {
    // retry-class error: wait 30 min and retry the same SUP; after the
    // scanRetryCount-th failure on it, wait 2 more minutes and move to another
    setCold(s, 'supFailures', s.cold.supFailures + 1);
    let delay = st.scanRetryDelay;
    if (s.cold.supFailures >= st.scanRetryCount) {
      setCold(s, 'supFailures', 0);
      delay += st.supSwitchDelay;
      if (s.sups.length > 1) {
        let next = randInt(s, s.sups.length - 1);
        if (next >= s.sup) next++;
        s.sup = next;
      }
    }
    j.phase = 'retryWait';
    s.tm[s.tb + T_RETRY] = t + delay;
    emit(ctx, { ev: 'scan.failed', code, sup, retryAt: s.tm[s.tb + T_RETRY] });
    queueState(s, ctx, t, TOPIC.UPDATE_SOURCE_SCAN, SCAN_STATE.PENDING_RETRY, 0, code >>> 0);
    return;
  }
  // Not a retry code (0x80072EE2 among them): the scan fails, the client stays
  // on its SUP, and the work waits for the next trigger (schedule, re-evaluation).
  emit(ctx, { ev: 'scan.failed', code, sup, retryAt: null });
  queueState(s, ctx, t, TOPIC.UPDATE_SOURCE_SCAN, SCAN_STATE.FAILED, 0, code >>> 0);
  if (j.kind === 'install' && j.dep >= 0) setEnforcement(s, ctx, t, s.deployments[j.dep]!, ENFORCE.INSTALL_FAILED);
  finishJob(s, ctx, t);
}

/**
 * The MP answered the WSUS location request with no location (its SUPs do not
 * have the update source content version the client asks for yet, e.g. right
 * after a catalogue sync). The real client does not fail the scan: it reports
 * 501 state 1 "waiting for catalog location" and asks again. It is no
 * retry-class failure (no SUP failure counted, no switch); the wait is
 * scanRetryDelay, as the delay of the real client's location retry is not in
 * our references.
 */
function waitForLocation(s: ClientState, ctx: CoreCtx, t: number, j: Job): void {
  j.phase = 'retryWait';
  const at = t + s.settings!.scanRetryDelay;
  s.tm[s.tb + T_RETRY] = at;
  emit(ctx, { ev: 'scan.waitingLocation', version: locationVersion(s, ctx), retryAt: at });
  queueState(s, ctx, t, TOPIC.UPDATE_SOURCE_SCAN, SCAN_STATE.WAITING_LOCATION, 0);
}

/** A scan finished: compare every update's state with the last one and report the changes. */
function completeScan(s: ClientState, ctx: CoreCtx, t: number, j: Job): void {
  s.tm[s.tb + C_LAST_SCAN_AT] = t;
  if (j.online) {
    s.tm[s.tb + C_LAST_ONLINE_SCAN_AT] = t;
    setCold(s, 'supFailures', 0);
  }
  // counts per DETECT state, and the changed states reported (flags.ts: four updates a step)
  let notRequired = 0;
  let required = 0;
  let installed = 0;
  if ((s.bits & F_HAS_METADATA) !== 0) {
    const sp = ctx.catalogue.supersededPairs;
    if (sp !== undefined) applySupersedence(s, sp);
    // updates newer than the metadata (a catalogue sync not yet scanned) are unknown to the client: no state for them
    const store = ctx.store;
    evaluateFlags(store, s.upd, s.ub, metaKnownOf(s));
    const ch = store.changes;
    for (let i = 0; i < ch.length; i += 2) queueState(s, ctx, t, TOPIC.UPDATE_DETECTION, ch[i + 1]!, ch[i]!);
    notRequired = store.counts.notRequired;
    required = store.counts.required;
    installed = store.counts.installed;
  }
  queueState(s, ctx, t, TOPIC.UPDATE_SOURCE_SCAN, SCAN_STATE.COMPLETED, 0);
  emit(ctx, {
    ev: 'scan.completed', online: j.online, required, installed, notRequired,
    sup: j.online && s.sup >= 0 ? (s.sups[s.sup] ?? null) : null,
  });
  switch (j.next) {
    case 'none':
      return finishJob(s, ctx, t);
    case 'evaluate':
      evaluateDeployments(s, ctx, t);
      return finishJob(s, ctx, t);
    case 'download':
      return beginDownload(s, ctx, t, j, false);
    case 'install':
      return installAfterScan(s, ctx, t, j);
    case 'afterInstall':
      return afterInstallFinished(s, ctx, t, j);
    case 'afterRestart':
      return afterRestartFinished(s, ctx, t);
  }
}

/** A timed step (scan, download, install, restart) ended. */
function stepEnded(s: ClientState, ctx: CoreCtx, t: number): void {
  const j = s.job;
  if (j === null) return;
  switch (j.phase) {
    case 'scanning':
      return completeScan(s, ctx, t, j);
    case 'downloading':
      return downloadDone(s, ctx, t, j);
    case 'installing':
      return installDone(s, ctx, t, j);
    case 'restarting':
      return restartDone(s, ctx, t);
    default:
      return;
  }
}

// ---------------------------------------------------------------------------
// deployments: evaluation, download, install

/** Missing updates of a deployment: applicable per the metadata and not installed on the machine. */
function missingUpdates(s: ClientState, d: ClientDeployment): number[] {
  const out: number[] = [];
  for (const u of d.policy.updates) {
    const f = s.upd[s.ub + u]!;
    if ((f & U_APPLICABLE) !== 0 && (f & U_INSTALLED) === 0) out.push(u);
  }
  return out;
}

/** Compliance of a deployment: every applicable update installed, and no restart pending for one. */
function deploymentCompliance(s: ClientState, d: ClientDeployment): number {
  for (const u of d.policy.updates) {
    const f = s.upd[s.ub + u]!;
    if ((f & U_APPLICABLE) !== 0 && ((f & U_INSTALLED) === 0 || (f & U_PENDING_RESTART) !== 0)) return COMPLIANCE.NON_COMPLIANT;
  }
  return COMPLIANCE.COMPLIANT;
}

function setCompliance(s: ClientState, ctx: CoreCtx, t: number, d: ClientDeployment): void {
  const c = deploymentCompliance(s, d);
  if (c !== d.compliance) {
    d.compliance = c;
    queueState(s, ctx, t, TOPIC.ASSIGNMENT_COMPLIANCE, c, d.policy.index);
  }
}

function setEnforcement(s: ClientState, ctx: CoreCtx, t: number, d: ClientDeployment, state: number): void {
  if (state !== d.enforcement) {
    d.enforcement = state;
    queueState(s, ctx, t, TOPIC.ASSIGNMENT_ENFORCEMENT, state, d.policy.index);
  }
}

/** After an evaluation scan: 302 and 300 per deployment; enforced deployments with missing updates are reinstalled. */
function evaluateDeployments(s: ClientState, ctx: CoreCtx, t: number): void {
  for (const d of s.deployments) {
    if ((d.flags & D_EVALUATED) === 0) {
      d.flags |= D_EVALUATED;
      queueState(s, ctx, t, TOPIC.ASSIGNMENT_EVALUATION, EVAL.SUCCEEDED, d.policy.index);
    }
    setCompliance(s, ctx, t, d);
    if ((d.flags & D_ENFORCED) !== 0 && (d.flags & D_WANT_INSTALL) === 0 && mayRetryInstall(ctx, d) && missingUpdates(s, d).length > 0) {
      // re-evaluation: missing updates are reinstalled from the cache or downloaded again
      d.flags |= D_WANT_INSTALL;
      s.pending |= P_DEPLOYMENT_WORK;
    }
  }
}

function beginDownload(s: ClientState, ctx: CoreCtx, t: number, j: Job, thenInstall: boolean): void {
  const d = s.deployments[j.dep]!;
  const need: number[] = [];
  let bytes = 0;
  for (const u of thenInstall ? j.updates : missingUpdates(s, d)) {
    if ((s.upd[s.ub + u]! & U_CACHED) === 0) {
      need.push(u);
      bytes += ctx.catalogue.bytes[u]!;
    }
  }
  j.installAfterDownload = thenInstall;
  if (need.length === 0) {
    d.downloadSince = Infinity;
    if (thenInstall) return startInstall(s, ctx, t, j);
    if (missingUpdates(s, d).length === 0) setCompliance(s, ctx, t, d);
    else {
      d.flags |= D_DOWNLOADED;
      setEnforcement(s, ctx, t, d, ENFORCE.DOWNLOADED);
    }
    return finishJob(s, ctx, t);
  }
  j.bytes = bytes;
  // content location is asked for the updates still to fetch; j.updates keeps the full install set
  j.fetch = need;
  askContentLocation(s, ctx, t, j);
}

/**
 * Asks the MP where the job's content is. The location timeout counts from the
 * first such request of the download (kept while it waits, cleared once a DP is
 * found): a round after DP failures starts a new count.
 */
function askContentLocation(s: ClientState, ctx: CoreCtx, t: number, j: Job): void {
  const d = s.deployments[j.dep]!;
  if (d.locateSince === Infinity) d.locateSince = t;
  j.phase = 'contentLocate';
  ctx.out.push({ type: 'send', req: { kind: 'location.content', client: s.idx, updates: j.fetch } });
}

/** Asks the DP the job is on (j.dps[j.dpAt]) for its content. */
function askDp(s: ClientState, ctx: CoreCtx, j: Job): void {
  j.phase = 'dpRequest';
  ctx.out.push({ type: 'send', req: { kind: 'dp.download', client: s.idx, dp: j.dps[j.dpAt]!, updates: j.fetch, bytes: j.bytes } });
}

function downloadDone(s: ClientState, ctx: CoreCtx, t: number, j: Job): void {
  const d = s.deployments[j.dep]!;
  d.downloadSince = Infinity;
  const fetched = j.fetch;
  addToCache(s, ctx, t, fetched, j.installAfterDownload ? j.updates : fetched);
  emit(ctx, { ev: 'download.completed', deployment: d.policy.id, updates: fetched.length, bytes: j.bytes, dp: j.dps[j.dpAt] ?? '' });
  d.flags |= D_DOWNLOADED;
  perUpdate(s, ctx, t, fetched, CI_ENFORCE.DOWNLOADED);
  setEnforcement(s, ctx, t, d, ENFORCE.DOWNLOADED);
  if (j.installAfterDownload) return startInstall(s, ctx, t, j);
  finishJob(s, ctx, t);
}

/**
 * The content location found no DP (the content is not distributed yet, or
 * not to this client's boundary group) or failed (MP unreachable, an error).
 * The real client's download job does not fail at once: it asks again until
 * its location timeout (client-behaviour.md section 4: "location 604800 s"),
 * counted from the first request, then fails with the last code
 * (CONTENT_NOT_FOUND, 0x87D00607, when no DP had it). How often it asks is not
 * in our references: model.contentLocationRetry (1 h by default). The state
 * stays what it was (301 "downloading" was not sent yet: it goes with the
 * download's start).
 */
function waitForContent(s: ClientState, ctx: CoreCtx, t: number, j: Job, code: number): void {
  const d = s.deployments[j.dep]!;
  const until = d.locateSince + ctx.model.contentLocationTimeout;
  if (!(t < until)) return downloadFailed(s, ctx, t, j, code);
  // the last try at the timeout itself, not past it
  const at = Math.min(t + ctx.model.contentLocationRetry, until);
  j.phase = 'contentWait';
  s.tm[s.tb + T_RETRY] = at;
  emit(ctx, { ev: 'download.waitingContent', deployment: d.policy.id, code, retryAt: at });
  // 402 "waiting for content" once a wait, not at each of its rounds (a state message reports a change)
  if ((d.flags & D_WAIT_CONTENT) === 0) {
    d.flags |= D_WAIT_CONTENT;
    perUpdate(s, ctx, t, j.fetch, CI_ENFORCE.WAITING_CONTENT);
  }
}

/**
 * The 402 CI_ENFORCEMENT state of each update of a download (client-behaviour.md's table: 2
 * waiting for content, 12 downloading, 13 downloaded, 14 download failed), after the deployment's
 * 301 at a start, before it at an end, as an install's are. With the install's own (8, then 9, 10
 * or 11) an installed update gets the "3-5 per installed update" of the reference's volume, unless
 * an unsent one is overwritten in place (a download within one state-message cycle).
 */
function perUpdate(s: ClientState, ctx: CoreCtx, t: number, updates: readonly number[], state: number): void {
  for (const u of updates) queueState(s, ctx, t, TOPIC.CI_ENFORCEMENT, state, u);
}

const YIELD_TO = P_FIRST | P_SCHEDULE | P_REEVAL | P_NEWDEP | P_MANUAL_SCAN | P_MANUAL_EVAL;

/** An install pump would start now (wanted, not waiting for a maintenance window). */
function installWanted(s: ClientState): boolean {
  if ((s.pending & P_DEPLOYMENT_WORK) === 0) return false;
  for (const d of s.deployments) if ((d.flags & (D_WANT_INSTALL | D_WAIT_MW)) === D_WANT_INSTALL) return true;
  return false;
}

/**
 * The wait for content (or, after every DP failed, for the next round) is
 * over: the location is asked again, unless other work came meanwhile (a scan
 * cycle, a deadline's install, a re-evaluation, a restart: the job held the
 * client up to contentLocationRetry or downloadRetry). Then the job yields as
 * it does at a power-off: the deployment asks for its download or install
 * again (with the scan before it, and a new download.started when a DP is
 * found), its location and download timeouts still counted from where they
 * began.
 */
function contentRetry(s: ClientState, ctx: CoreCtx, t: number, j: Job): void {
  const p = s.pending;
  // work pump would start: a scan, a restart or an install; not one held for a maintenance window,
  // nor another download (downloads take their turns: two waiting for content would take turns hourly)
  const restart = (p & P_RESTART) !== 0 && (p & P_WINDOW_RESTART) === 0;
  if ((p & YIELD_TO) !== 0 || restart || installWanted(s)) {
    wantWorkAgain(s, j);
    s.job = null;
    return;
  }
  askContentLocation(s, ctx, t, j);
}

/**
 * The DP asked for the content failed (unreachable, an HTTP error, a timeout).
 * The real client does not fail the download at once: it tries the next DP of
 * the location's list ("it immediately tries that next distribution point",
 * the ConfigMgr writing team's test of DP retry behaviour), and when every DP
 * failed it retries later, until its download timeout (client-behaviour.md
 * section 4: "download 864000 s"), counted from the download's start; then it
 * fails with the last code. How long it waits between rounds is not in our
 * references (a DP "retried for up to 8 hours" is what one field report says
 * of the same DP): model.downloadRetry, 1 h by default. A round asks the
 * content location again (the DPs may have changed), then the DPs.
 */
function dpFailed(s: ClientState, ctx: CoreCtx, t: number, j: Job, code: number): void {
  const d = s.deployments[j.dep]!;
  const dp = j.dps[j.dpAt] ?? '';
  const until = d.downloadSince + ctx.model.downloadTimeout;
  if (!(t < until)) return downloadFailed(s, ctx, t, j, code);
  if (j.dpLeft > 0) {
    j.dpLeft--;
    j.dpAt = j.dpAt + 1 < j.dps.length ? j.dpAt + 1 : 0;
    emit(ctx, { ev: 'download.retrying', deployment: d.policy.id, dp, code, next: j.dps[j.dpAt]!, retryAt: null });
    return askDp(s, ctx, j);
  }
  // the last round at the timeout itself, not past it
  const at = Math.min(t + ctx.model.downloadRetry, until);
  j.phase = 'downloadWait';
  j.dpRetried = true;
  s.tm[s.tb + T_RETRY] = at;
  emit(ctx, { ev: 'download.retrying', deployment: d.policy.id, dp, code, next: null, retryAt: at });
}

function downloadFailed(s: ClientState, ctx: CoreCtx, t: number, j: Job, code: number): void {
  const d = s.deployments[j.dep]!;
  d.locateSince = Infinity;
  d.downloadSince = Infinity;
  d.flags &= ~D_WAIT_CONTENT;
  emit(ctx, { ev: 'download.failed', deployment: d.policy.id, code });
  perUpdate(s, ctx, t, j.fetch, CI_ENFORCE.DOWNLOAD_FAILED);
  setEnforcement(s, ctx, t, d, ENFORCE.DOWNLOAD_FAILED);
  // an enforced install is tried again at the next re-evaluation cycle
  finishJob(s, ctx, t);
}

/** The pre-install scan is done (or an evaluation just scanned): verify the cache, then install. */
function installAfterScan(s: ClientState, ctx: CoreCtx, t: number, j: Job): void {
  const d = s.deployments[j.dep]!;
  const missing = missingUpdates(s, d);
  if (missing.length === 0) {
    setCompliance(s, ctx, t, d);
    if ((d.flags & D_INSTALLED) !== 0 && (d.flags & D_RESTART_PENDING) === 0) setEnforcement(s, ctx, t, d, ENFORCE.INSTALLED);
    return finishJob(s, ctx, t);
  }
  j.updates = missing;
  // content evicted from the cache (or never downloaded) is downloaded again first
  return beginDownload(s, ctx, t, j, true);
}

function startInstall(s: ClientState, ctx: CoreCtx, t: number, j: Job): void {
  // the scan and download before it took time: the maintenance window is judged again (windows.ts)
  if (holdAtInstall(s, ctx, t, j.dep)) return finishJob(s, ctx, t);
  const d = s.deployments[j.dep]!;
  let restart = false;
  for (const u of j.updates) if (ctx.catalogue.restartRequired[u] === 1) restart = true;
  j.restart = restart;
  emit(ctx, { ev: 'install.started', deployment: d.policy.id, updates: j.updates.length, restartRequired: restart });
  setEnforcement(s, ctx, t, d, ENFORCE.INSTALLING);
  perUpdate(s, ctx, t, j.updates, CI_ENFORCE.INSTALLING);
  j.phase = 'installing';
  s.tm[s.tb + T_JOB] = t + ctx.model.installPerUpdate * j.updates.length;
}

function installDone(s: ClientState, ctx: CoreCtx, t: number, j: Job): void {
  const d = s.deployments[j.dep]!;
  const cat = ctx.catalogue;
  const attempt = d.installFailures;
  let failed = 0;
  let firstCode = 0;
  let restart = false;
  for (const u of j.updates) {
    const code = installOutcome(ctx, s.idx, u, attempt);
    if (code !== 0) {
      // the update stays missing: re-evaluation retries it (up to model.installRetryLimit)
      if (failed++ === 0) firstCode = code;
      touch(s, ctx, u, t);
      queueState(s, ctx, t, TOPIC.CI_ENFORCEMENT, CI_ENFORCE.INSTALL_FAILED, u);
      continue;
    }
    const needsRestart = cat.restartRequired[u] === 1;
    if (needsRestart) restart = true;
    s.upd[s.ub + u] = s.upd[s.ub + u]! | U_INSTALLED | (needsRestart ? U_PENDING_RESTART : 0);
    touch(s, ctx, u, t);
    queueState(s, ctx, t, TOPIC.CI_ENFORCEMENT, needsRestart ? CI_ENFORCE.PENDING_RESTART : CI_ENFORCE.INSTALLED, u);
  }
  // a restart only for updates that did install
  j.restart = restart;
  d.flags |= D_INSTALLED;
  j.installedAt = t;
  if (restart) d.flags |= D_RESTART_PENDING;
  if (failed > 0) {
    d.installFailures++;
    emit(ctx, { ev: 'install.failed', deployment: d.policy.id, updates: failed, code: firstCode, attempt });
  }
  emit(ctx, { ev: 'install.completed', deployment: d.policy.id, updates: j.updates.length - failed, restartRequired: restart });
  setEnforcement(s, ctx, t, d, failed > 0 ? ENFORCE.INSTALL_FAILED : restart ? ENFORCE.PENDING_RESTART : ENFORCE.INSTALLED);
  // forced offline scan right after the install
  j.trigger = j.rule = 'afterInstall';
  j.next = 'afterInstall';
  startScan(s, ctx, t, j);
}

function afterInstallFinished(s: ClientState, ctx: CoreCtx, t: number, j: Job): void {
  const d = s.deployments[j.dep]!;
  setCompliance(s, ctx, t, d);
  if (j.restart && !restartSuppressed(ctx, s.idx, d.policy)) {
    // Countdown after the install; an install before the deadline (user
    // initiated) postpones the automatic restart to the deadline.
    let at = j.installedAt + s.settings!.restartCountdown;
    // (a deployment enforced early with another's deadline is not postponed)
    const deadline = d.policy.deadline === null ? null : clientInstant(ctx, s.idx, d.policy.localTime, d.policy.deadline);
    if (deadline !== null && j.installedAt < deadline && (d.flags & D_ENFORCED) === 0) at = Math.max(at, deadline);
    if (at < restartDueAt(s)) {
      setRestartDeployment(s, d.policy.index);
      emit(ctx, { ev: 'restart.scheduled', at, deployment: d.policy.id });
      // T_RESTART = at, or with restart notifications the reminders and final countdown before it (restart.ts)
      restartDue(s, ctx, t, at);
    }
  }
  finishJob(s, ctx, t);
}

// ---------------------------------------------------------------------------
// restart

function startRestart(s: ClientState, ctx: CoreCtx, t: number, user: boolean): void {
  const j = newJob('restart', -1, 'afterRestart');
  j.phase = 'restarting';
  s.job = j;
  s.tm[s.tb + T_RESTART] = Infinity;
  restartStarted(s);
  emit(ctx, { ev: 'restart.started', user });
  const end = t + ctx.model.restartDuration;
  s.tm[s.tb + T_JOB] = end;
  // the machine is down: the agent polls and reports again after it is back
  if (s.tm[s.tb + T_POLICY] < end) s.tm[s.tb + T_POLICY] = end;
  if (s.tm[s.tb + T_STATE] < end) s.tm[s.tb + T_STATE] = nextStateBoundary(s, end);
}

function restartDone(s: ClientState, ctx: CoreCtx, t: number): void {
  let hadPending = false;
  const upd = s.upd;
  const b = s.ub;
  for (let u = 0; u < ctx.catalogue.size; u++) {
    if ((upd[b + u]! & U_PENDING_RESTART) !== 0) {
      upd[b + u] = upd[b + u]! & ~U_PENDING_RESTART;
      hadPending = true;
    }
  }
  setRestartDeployment(s, -1);
  emit(ctx, { ev: 'restart.completed' });
  const j = s.job!;
  if (!hadPending || s.settings === null || !s.settings.softwareUpdatesEnabled) return finishJob(s, ctx, t);
  // forced offline scan after the restart
  j.trigger = j.rule = 'afterRestart';
  j.next = 'afterRestart';
  startScan(s, ctx, t, j);
}

function afterRestartFinished(s: ClientState, ctx: CoreCtx, t: number): void {
  for (const d of s.deployments) {
    if ((d.flags & D_RESTART_PENDING) === 0) continue;
    d.flags &= ~D_RESTART_PENDING;
    for (const u of d.policy.updates) {
      if ((s.upd[s.ub + u]! & (U_APPLICABLE | U_INSTALLED)) === (U_APPLICABLE | U_INSTALLED)) {
        queueState(s, ctx, t, TOPIC.CI_ENFORCEMENT, CI_ENFORCE.INSTALLED, u);
      }
    }
    // client-behaviour.md section 4, after the restart's detection: "402/10 per update, 300
    // IsCompliant=True, 301/4", in that order (serials follow it). An install with failed updates
    // stays failed (301/6) until a retry installs them.
    setCompliance(s, ctx, t, d);
    setEnforcement(s, ctx, t, d, d.installFailures > 0 && missingUpdates(s, d).length > 0 ? ENFORCE.INSTALL_FAILED : ENFORCE.INSTALLED);
  }
  finishJob(s, ctx, t);
}
