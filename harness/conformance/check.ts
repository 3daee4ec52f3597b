// Conformance checker: reads the NDJSON trace of a whole run and checks, for
// every client and event, the rules of the real client (client-behaviour.md,
// seed 003) that the trace can show. It knows nothing of the agent's code: it
// re-derives each rule from the scenario and the events alone, so a bug in
// the core and the same bug in the checker would have to be written twice.

import { SCAN_RULES } from '../../agent/core/scan-rules.js';
import type { ScanTrigger } from '../../agent/core/types.js';
import type { ResolvedScenario } from '../scenario/resolve.js';
import { ManagementPoint } from '../../server-stub/core/mp.js';
import { generateCatalogue } from '../../server-stub/core/catalogue.js';
import { clientGuid } from '../../server-stub/core/clients.js';
import { clientInstant, zoneOf } from '../../agent/core/localtime.js';
import { isOnAt } from '../../agent/core/power.js';
import { inWindow, windowsOf } from '../../agent/core/windows.js';
import type { CoreCtx } from '../../agent/core/types.js';
import { Faults } from '../../server-stub/core/faults.js';
import { OPERATIONS_OF } from '../../agent/wire/operations.js';
import { DEFAULT_MIN_MISSING_MESSAGE_AGE } from '../../server-stub/core/resync.js';

export interface TraceLine {
  readonly t: number;
  readonly client: string;
  readonly ev: string;
  readonly [k: string]: unknown;
}

export interface Violation {
  readonly rule: string;
  readonly client: string;
  readonly t: number;
  readonly detail: string;
}

export interface ConformanceReport {
  readonly clients: number;
  readonly lines: number;
  readonly checks: Record<string, number>;
  readonly violations: Violation[];
}

/** Slack for a timer whose work had to wait for the job under way (one online scan and an install at most). */
export const BUSY_SLACK_MS = 60 * 60_000;

interface ClientView {
  lastT: number;
  lastPolicyReq: number;
  enabledAt: number;
  firstScans: number;
  lastOnlineScanDone: number;
  scanOpen: { trigger: string; rule: string; online: boolean; forced: boolean; t: number } | null;
  scheduleK: number;
  reevalK: number;
  depKnownAt: Map<string, number>;
  depDeadlineAt: Map<string, number>;
  installOpen: string | null;
  lastInstallDone: number;
  installedBeforeDeadline: boolean;
  restartScheduledAt: number;
  /** deployment whose restart is scheduled */
  restartDeployment: string | null;
  restartOpen: boolean;
  restartDoneAt: number;
  expectAfterRestart: boolean;
  pendingRestart: boolean;
  serialMax: number;
  /** unsent serial -> time queued */
  unsent: Map<number, number>;
  delivered: Set<number>;
  /** once-sent messages replaced by a newer state under a new serial */
  superseded: number;
  // power (agent/core/power.ts): the last off period [offAt, onAt) (onAt Infinity while off)
  off: boolean;
  offAt: number;
  onAt: number;
  /** rule of the scan job waiting for a retry (a power-off abandons it and asks for it again) */
  retryRule: string | null;
  // resync (lost uploads: the 'lose' fault)
  /** serial -> topic key (type:topic) of every message queued and not yet delivered */
  topicOf: Map<number, string>;
  /** topics whose last delivered state went out in a lost upload, and not resent since */
  lostTopics: Set<string>;
  /** first accepted (not lost) report after the oldest unrepaired lost one: when the site sees the gap */
  gapAt: number;
  /** topics queued at the current time (a resync queues the full state just before its event) */
  queuedNow: Set<string>;
  /** a lost upload since the last resync: its serials are missing at the site */
  lostSerials: boolean;
  /** the trigger of a reevaluation.started whose scan has not started yet */
  reevalTrigger: string | null;
  /** failed installs per deployment id */
  installFailed: Map<string, number>;
  /** deployments enforced early with another's deadline (installOtherDeploymentsWithin) */
  pulled: Set<string>;
  /** the SUP a switchSup action moved the client to, until its next online scan */
  switchedTo: string | null;
  // restart notifications (agent/core/restart.ts), for the pending restart
  lastReminderAt: number;
  /** restartAt of the last reminder (null: none in the run) */
  reminderRestartAt: number | null;
  countdownAt: number;
  /** per deployment, the first download.waitingContent of the wait under way (its location timeout counts from there) */
  contentWaitFrom: Map<string, number>;
  /** per deployment, the first download.started of the download under way (its download timeout counts from there) */
  downloadFrom: Map<string, number>;
  /** per deployment, whether the last retry was a DP's (download.retrying) rather than a wait for content */
  dpRetryLast: Map<string, boolean>;
}

/**
 * The SUP and DP URLs the clients were given: the scenario's in-process; over HTTP with the
 * embedded stubs the servers' own (results.json `wire.urls.sups` / `dps`).
 */
export interface TraceServers {
  readonly sups: readonly string[];
  readonly dps: readonly string[];
}

export function checkTrace(lines: Iterable<TraceLine>, sc: ResolvedScenario, servers: TraceServers = { sups: sc.stub.sups, dps: sc.stub.dps }): ConformanceReport {
  const st = sc.settings;
  const finalCountdown = st.restartFinalCountdown ?? 0;
  const reminderInterval = st.restartReminderInterval ?? Infinity;
  const cat = generateCatalogue(sc.seed, sc.stub.catalogue);
  const mp = new ManagementPoint({ ...sc.stub, clients: 1 }, cat);
  const deps = new Map(mp.deployments.map((d) => [d.id, d]));
  const views = new Map<string, ClientView>();
  const violations: Violation[] = [];
  const checks: Record<string, number> = {};
  let n = 0;
  // lost uploads: which accepted reports the site dropped (the same fault plan as the stub's, by client index)
  const loseSpecs = sc.stub.faults.filter((f) => f.target === 'mp.state' && f.effect.kind === 'lose');
  const lose = loseSpecs.length > 0 ? new Faults(sc.seed, loseSpecs) : null;
  const indexOf = new Map<string, number>();
  if (lose !== null) for (let i = 0; i < sc.shard.clients; i++) indexOf.set('GUID:' + clientGuid(sc.seed, sc.shard.firstClient + i), sc.shard.firstClient + i);
  const minMissingAge = sc.stub.minMissingMessageAge ?? DEFAULT_MIN_MISSING_MESSAGE_AGE;
  const ok = (rule: string) => (checks[rule] = (checks[rule] ?? 0) + 1);
  const bad = (rule: string, l: TraceLine, detail: string) => {
    ok(rule);
    if (violations.length < 1000) violations.push({ rule, client: l.client, t: l.t, detail });
  };
  const expect = (cond: boolean, rule: string, l: TraceLine, detail: () => string) => (cond ? ok(rule) : bad(rule, l, detail()));
  // Time zones and maintenance windows are scenario data (the zone tables and
  // merged windows of harness/scenario/localtime.ts); which zone and
  // collections a client has follows from its id. The checker reads them the
  // way the client does, then judges the trace against them.
  const local = sc.model.local;
  const idxOf = new Map<string, number>();
  const pm = sc.model.power;
  if (local !== null || pm !== null) for (let i = 0; i < sc.shard.clients; i++) idxOf.set('GUID:' + clientGuid(sc.seed, sc.shard.firstClient + i), sc.shard.firstClient + i);
  const lctx = { seed: sc.seed, model: sc.model } as unknown as CoreCtx;
  const windowsOfClient = (client: string): Float64Array | null => {
    const i = idxOf.get(client);
    if (i === undefined) return null;
    const w = windowsOf(lctx, i);
    return w.length > 0 ? w : null;
  };
  const instant = (client: string, localTime: boolean, t: number): number => {
    const i = idxOf.get(client);
    return i === undefined ? t : clientInstant(lctx, i, localTime, t);
  };

  for (const l of lines) {
    n++;
    let v = views.get(l.client);
    if (v === undefined) {
      v = {
        lastT: -Infinity, lastPolicyReq: -Infinity, enabledAt: -Infinity, firstScans: 0, lastOnlineScanDone: -Infinity,
        scanOpen: null, scheduleK: 1, reevalK: 1, depKnownAt: new Map(), depDeadlineAt: new Map(), installOpen: null,
        lastInstallDone: -Infinity, installedBeforeDeadline: false, restartScheduledAt: Infinity, restartDeployment: null, restartOpen: false,
        restartDoneAt: -Infinity, expectAfterRestart: false, pendingRestart: false, serialMax: 0, unsent: new Map(),
        delivered: new Set(), superseded: 0, off: false, offAt: -Infinity, onAt: -Infinity, retryRule: null,
        topicOf: new Map(), lostTopics: new Set(), gapAt: Infinity, queuedNow: new Set(), lostSerials: false,
        reevalTrigger: null, installFailed: new Map(), pulled: new Set(), switchedTo: null,
        lastReminderAt: -Infinity, reminderRestartAt: null, countdownAt: -Infinity, contentWaitFrom: new Map(), downloadFrom: new Map(), dpRetryLast: new Map(),
      };
      views.set(l.client, v);
    }
    expect(l.t >= v.lastT, 'trace.timeOrder', l, () => `event at ${l.t} after one at ${v!.lastT}`);
    v.lastT = l.t;
    // power-off silence: an off machine has no event but its power-on
    // the run of state.queued events just before this one (a resync queues the full state, then says so)
    if (l.ev !== 'state.queued' && l.ev !== 'state.resync') v.queuedNow.clear();
    if (v.off && l.ev !== 'power.on') bad('power.silence', l, `${l.ev} while the machine is off (since ${v.offAt})`);
    /** was the machine off at some time in [a, b) (its last off period)? */
    const offBetween = (a: number, b: number): boolean => v!.offAt !== -Infinity && v!.offAt < b && (v!.off || v!.onAt > a);
    if (v.expectAfterRestart && l.ev !== 'state.queued' && l.ev !== 'state.sent') {
      v.expectAfterRestart = false;
      expect(l.ev === 'scan.started' && l.trigger === 'afterRestart' && l.t === v.restartDoneAt, 'restart.afterRestartScan', l,
        () => `after a restart with pending updates the next event is ${l.ev} ${String(l.trigger ?? '')}, not an afterRestart scan`);
    }

    switch (l.ev) {
      case 'policy.requested': {
        if (v.lastPolicyReq === -Infinity) {
          if (l.t >= sc.start + sc.model.startWithin && offBetween(sc.start, l.t)) {
            expect(l.t === v.onAt, 'power.catchUp', l, () => `first poll ${l.t - v!.onAt} ms after power-on`);
          } else {
            expect(l.t < sc.start + sc.model.startWithin, 'policy.firstPoll', l, () => `first poll ${l.t - sc.start} ms after start, window ${sc.model.startWithin}`);
          }
        } else {
          // polls are every interval; a restart can only push one later
          expect(l.t - v.lastPolicyReq >= st.policyPollingInterval, 'policy.interval', l, () => `polls ${l.t - v!.lastPolicyReq} ms apart`);
        }
        v.lastPolicyReq = l.t;
        break;
      }
      case 'policy.received': {
        if (l.softwareUpdatesEnabled === true && v.enabledAt === -Infinity) v.enabledAt = l.t;
        for (const id of l.deployments as string[]) {
          if (!v.depKnownAt.has(id)) {
            v.depKnownAt.set(id, l.t);
            const d = deps.get(id);
            expect(d !== undefined, 'policy.knownDeployment', l, () => `unknown deployment ${id}`);
            // the deployment reaches the client at the first poll after it was created (a restart can delay that poll)
            const created = sc.stub.deployments[d?.index ?? 0]!.created;
            if (sc.stub.faults.every((f) => f.target !== 'mp.policy')) {
              const late = l.t > created + st.policyPollingInterval + sc.model.restartDuration;
              // a machine off when the deployment was created learns of it at its first poll after power-on
              if (late && offBetween(created, l.t)) {
                expect(l.t <= v.onAt + st.policyPollingInterval + sc.model.restartDuration, 'power.catchUp', l, () => `deployment known ${l.t - v!.onAt} ms after power-on`);
              } else {
                expect(l.t >= created && !late, 'policy.deploymentLatency', l, () => `deployment known ${l.t - created} ms after creation`);
              }
            }
          }
        }
        break;
      }
      case 'scan.started': {
        const trigger = l.trigger as ScanTrigger;
        const rule = (trigger === 'retry' ? l.rule : trigger) as ScanTrigger;
        expect(v.scanOpen === null, 'scan.oneAtATime', l, () => 'scan started while another runs');
        expect(rule in SCAN_RULES && rule !== 'retry', 'scan.knownTrigger', l, () => `trigger ${String(trigger)} rule ${String(rule)}`);
        const r = SCAN_RULES[rule];
        expect(l.forced === r.forced, 'scan.forced', l, () => `${rule} forced=${String(l.forced)}`);
        const wantOnline = r.online === 'always' ? true : r.online === 'never' ? false : l.t - v.lastOnlineScanDone >= st.scanTtl;
        expect(l.online === wantOnline, 'scan.onlineRule', l, () => `${rule} online=${String(l.online)}; last online scan ${l.t - v!.lastOnlineScanDone} ms ago, TTL ${st.scanTtl}`);
        expect(v.enabledAt !== -Infinity, 'scan.afterEnable', l, () => 'scan before software updates were enabled');
        if (trigger === 'firstPolicy') {
          v.firstScans++;
          expect(v.firstScans === 1, 'scan.firstOnce', l, () => 'second firstPolicy scan');
          if (l.t >= v.enabledAt + st.firstScanWindow && offBetween(v.enabledAt, l.t)) {
            // the first-scan timer passed while the machine was off: it runs after power-on
            expect(l.t - v.onAt <= BUSY_SLACK_MS, 'power.catchUp', l, () => `first scan ${l.t - v!.onAt} ms after power-on`);
          } else {
            expect(l.t >= v.enabledAt && l.t < v.enabledAt + st.firstScanWindow, 'scan.firstWindow', l, () => `first scan ${l.t - v!.enabledAt} ms after the enabling policy`);
          }
        }
        if (trigger === 'schedule' || trigger === 'reevaluation') {
          const interval = trigger === 'schedule' ? st.scanInterval : st.reevaluationInterval;
          const k = trigger === 'schedule' ? v.scheduleK++ : v.reevalK++;
          const nominal = v.enabledAt + k * interval;
          if (l.t >= nominal + st.scheduleRandomDelay + BUSY_SLACK_MS && offBetween(nominal, l.t)) {
            // missed while off: runs once after power-on, and the schedule goes on from the cycle power-on fell in
            expect(l.t - v.onAt <= BUSY_SLACK_MS, 'power.catchUp', l, () => `${trigger} scan ${l.t - v!.onAt} ms after power-on`);
            const kk = Math.floor((l.t - v.enabledAt) / interval) + 1;
            if (trigger === 'schedule') v.scheduleK = kk;
            else v.reevalK = kk;
          } else {
            expect(l.t >= nominal && l.t < nominal + st.scheduleRandomDelay + BUSY_SLACK_MS, `scan.${trigger}Window`, l,
              () => `${trigger} scan #${k} at ${l.t - nominal} ms after nominal`);
          }
        }
        // a re-evaluation's scan follows its reevaluation.started, and the trigger field names which one it was
        if (trigger === 'reevaluation' || trigger === 'deploymentEvaluation') {
          const want = trigger === 'reevaluation' ? 'schedule' : 'manual';
          expect(v.reevalTrigger === want, 'reevaluation.trigger', l, () => `${trigger} scan after reevaluation.started trigger ${String(v!.reevalTrigger)}`);
        }
        v.reevalTrigger = null;
        if (trigger === 'afterInstall') expect(v.installOpen === null && v.lastInstallDone === l.t, 'install.afterInstallScan', l, () => 'afterInstall scan not right after an install');
        v.scanOpen = { trigger, rule, online: l.online as boolean, forced: l.forced as boolean, t: l.t };
        break;
      }
      case 'reevaluation.started': {
        expect(l.trigger === 'schedule' || l.trigger === 'manual', 'reevaluation.trigger', l, () => `trigger ${String(l.trigger)}`);
        v.reevalTrigger = l.trigger as string;
        break;
      }
      case 'sup.switched': {
        expect(l.from !== l.to && servers.sups.includes(l.to as string), 'sup.switched', l, () => `switch from ${String(l.from)} to ${String(l.to)}`);
        v.switchedTo = l.to as string;
        break;
      }
      case 'scan.waitingLocation': {
        // no location for the update source version: 501/1 and a new location request after scanRetryDelay
        expect(v.scanOpen !== null && v.scanOpen.online, 'scan.waitingLocation', l, () => 'waitingLocation with no online scan under way');
        expect((l.retryAt as number) - l.t === st.scanRetryDelay, 'scan.waitingLocation', l, () => `location asked again after ${(l.retryAt as number) - l.t} ms`);
        v.scanOpen = null;
        break;
      }
      case 'scan.completed':
      case 'scan.failed': {
        const o = v.scanOpen;
        expect(o !== null, 'scan.pairing', l, () => `${l.ev} with no scan under way`);
        if (o === null) break;
        if (l.ev === 'scan.completed') {
          expect(l.online === o.online, 'scan.pairing', l, () => 'completed online flag differs from started');
          expect((l.sup === null) === !o.online, 'scan.offlineNoWsus', l, () => `online=${o.online} sup=${String(l.sup)}`);
          if (o.online) v.lastOnlineScanDone = l.t;
          v.retryRule = null;
          if (o.online && v.switchedTo !== null) {
            // a policy with another SUP list can move it again; only the stub's fixed list is checked
            expect(l.sup === v.switchedTo, 'sup.switchedScan', l, () => `first online scan after switchSup on ${String(l.sup)}, not ${v!.switchedTo}`);
            v.switchedTo = null;
          }
        } else {
          expect(o.online, 'scan.onlyOnlineFails', l, () => 'an offline scan failed');
          const code = parseInt(String(l.code), 16) >>> 0;
          v.retryRule = null;
          v.switchedTo = null;
          if (st.scanRetryCodes.includes(code)) {
            v.retryRule = o.rule;
            const wait = (l.retryAt as number) - l.t;
            expect(wait === st.scanRetryDelay || wait === st.scanRetryDelay + st.supSwitchDelay, 'scan.retryDelay', l, () => `retry after ${wait} ms`);
          } else {
            expect(l.retryAt === null, 'scan.noRetryForCode', l, () => `${String(l.code)} is not a retry code but retryAt is set`);
          }
        }
        v.scanOpen = null;
        break;
      }
      case 'deployment.available': {
        const d = deps.get(l.deployment as string);
        if (d === undefined) break;
        const known = v.depKnownAt.get(d.id) ?? Infinity;
        const available = instant(l.client, d.localTime, d.available);
        const from = Math.max(available, known);
        if (l.t >= Math.max(available + st.downloadRandomDelay, known + 1) && offBetween(from, l.t)) {
          expect(l.t === v.onAt, 'power.catchUp', l, () => `available fired ${l.t - v!.onAt} ms after power-on`);
        } else {
          expect(l.t >= from && l.t < Math.max(available + st.downloadRandomDelay, known + 1), 'deployment.downloadWindow', l, () => `available fired ${l.t - available} ms after available time`);
        }
        break;
      }
      case 'deployment.deadline': {
        const d = deps.get(l.deployment as string);
        if (d === undefined || d.deadline === null) break;
        // a deadline in local time is the client's own wall clock
        const deadline = instant(l.client, d.localTime, d.deadline);
        const known = v.depKnownAt.get(d.id) ?? Infinity;
        // the client setting: at the deadline itself, or within deadlineRandomDelay after it
        const rnd = st.disableDeadlineRandomization ? 1 : st.deadlineRandomDelay;
        if (l.t >= Math.max(deadline + rnd, known + 1) && offBetween(deadline, l.t)) {
          // off at the deadline: enforced the grace period after power-on
          expect(l.t === v.onAt + st.gracePeriod, 'power.gracePeriod', l,
            () => `deadline missed while off fired ${l.t - v!.onAt} ms after power-on, grace period ${st.gracePeriod}`);
        } else {
          expect(l.t >= deadline && l.t < Math.max(deadline + rnd, known + 1), 'deployment.deadlineWindow', l, () => `deadline fired ${l.t - deadline} ms after the deadline`);
        }
        v.depDeadlineAt.set(d.id, l.t);
        break;
      }
      case 'deployment.pulledForward': {
        // installOtherDeploymentsWithin: only with the setting on, only deployments due within N, with another's deadline
        const d = deps.get(l.deployment as string);
        const within = st.installOtherDeploymentsWithin ?? 0;
        expect(within > 0, 'deployment.pulledForward', l, () => 'pulled forward with installOtherDeployments off');
        expect(d !== undefined && d.deadline !== null && d.deadline > l.t - st.deadlineRandomDelay && d.deadline <= l.t + within, 'deployment.pulledForward', l,
          () => `deadline ${d?.deadline ?? 'none'} not within ${within} ms of ${l.t}`);
        expect(v.depDeadlineAt.has(l.by as string) && v.depDeadlineAt.get(l.by as string) === l.t, 'deployment.pulledForward', l, () => `not at ${String(l.by)}'s deadline`);
        if (d !== undefined) {
          v.depDeadlineAt.set(d.id, l.t);
          v.pulled.add(d.id);
        }
        break;
      }
      case 'download.waitingContent': {
        // asked again within model.contentLocationRetry, never past the location timeout of the wait
        const dep = l.deployment as string;
        let from = v.contentWaitFrom.get(dep);
        if (from === undefined) v.contentWaitFrom.set(dep, (from = l.t));
        const wait = (l.retryAt as number) - l.t;
        expect(wait > 0 && wait <= sc.model.contentLocationRetry, 'download.contentRetry', l, () => `content location asked again after ${wait} ms`);
        expect((l.retryAt as number) <= from + sc.model.contentLocationTimeout, 'download.contentRetry', l, () => `a retry past the location timeout of the wait since ${from}`);
        v.dpRetryLast.set(dep, false);
        break;
      }
      case 'download.started': {
        const dep = l.deployment as string;
        v.contentWaitFrom.delete(dep);
        // a yield or a power-off starts the same download again: its timeout still counts from the first start
        if (!v.downloadFrom.has(dep)) v.downloadFrom.set(dep, l.t);
        break;
      }
      case 'download.retrying': {
        // the next DP at once, or every DP failed: the next round within model.downloadRetry, never past the download timeout
        const dep = l.deployment as string;
        const from = v.downloadFrom.get(dep);
        expect(from !== undefined, 'download.dpRetry', l, () => 'a DP retry with no download started');
        expect(servers.dps.includes(l.dp as string) && (l.next === null || servers.dps.includes(l.next as string)), 'download.dp', l, () => `a retry from ${String(l.dp)} to ${String(l.next)}, not the site's DPs`);
        if (l.next === null) {
          const wait = (l.retryAt as number) - l.t;
          expect(wait > 0 && wait <= sc.model.downloadRetry, 'download.dpRetry', l, () => `the DPs asked again after ${wait} ms`);
          expect(from === undefined || (l.retryAt as number) <= from + sc.model.downloadTimeout, 'download.dpRetry', l, () => `a round past the download timeout of the download started at ${from}`);
        } else expect(l.retryAt === null && l.next !== l.dp, 'download.dpRetry', l, () => `the next DP ${String(l.next)} after ${String(l.dp)}, retryAt ${String(l.retryAt)}`);
        v.dpRetryLast.set(dep, true);
        break;
      }
      case 'download.completed':
        // served by one of the DPs the location can list
        expect(servers.dps.includes(l.dp as string), 'download.dp', l, () => `a download from ${String(l.dp)}, not one of the site's DPs`);
        v.downloadFrom.delete(l.deployment as string);
        v.dpRetryLast.delete(l.deployment as string);
        break;
      case 'download.failed': {
        const dep = l.deployment as string;
        const started = v.downloadFrom.get(dep);
        if (v.dpRetryLast.get(dep) === true && l.code !== '0x87D00607') {
          // a DP's failure ends the download only once it started model.downloadTimeout ago
          expect(started !== undefined && l.t - started >= sc.model.downloadTimeout - sc.model.requestTimeout, 'download.dpTimeout', l, () => `the download failed ${started === undefined ? 'with no start' : `${l.t - started} ms after it started`}`);
        }
        v.downloadFrom.delete(dep);
        v.dpRetryLast.delete(dep);
        // content not found only once the wait is contentLocationTimeout old (the first request was at or before its first wait)
        const from = v.contentWaitFrom.get(dep);
        if (l.code === '0x87D00607') {
          // (the first answer may come a request's time after the first request: over HTTP in scaled time)
          expect(from !== undefined && l.t - from >= sc.model.contentLocationTimeout - sc.model.requestTimeout, 'download.contentTimeout', l, () => from === undefined ? 'content not found with no wait for content' : `content not found ${l.t - from} ms after the wait began`);
        }
        v.contentWaitFrom.delete(dep);
        break;
      }
      case 'install.started': {
        const d = deps.get(l.deployment as string);
        expect(v.scanOpen === null, 'install.noScanRunning', l, () => 'install while a scan runs');
        if (d !== undefined && d.deadline !== null && !v.depDeadlineAt.has(d.id)) {
          // an install before the deadline happens only for clients whose user installs early
          // (or whose user has "install only outside my business hours": users.outsideBusinessHoursFraction)
          expect(d.userInstallFraction > 0 || (local?.outsideBusinessHoursFraction ?? 0) > 0, 'install.notBeforeDeadline', l, () => 'install before the deadline');
        }
        v.installedBeforeDeadline = d !== undefined && d.deadline !== null && l.t < instant(l.client, d.localTime, d.deadline) && !v.pulled.has(d.id);
        v.installOpen = l.deployment as string;
        if (d !== undefined && d.deadline !== null && v.depDeadlineAt.has(d.id) && !d.overrideServiceWindows) {
          // maintenance windows: a required install starts in a window with its max run time left
          const w = windowsOfClient(l.client);
          if (w !== null) {
            let fits = false;
            for (let i = 0; i < w.length; i += 2) if (w[i]! <= l.t && w[i + 1]! - l.t >= d.maxRunTime) fits = true;
            expect(fits, 'window.install', l, () => `install of ${d.name} at ${new Date(l.t).toISOString()} outside a window with ${d.maxRunTime} ms left`);
          }
        }
        break;
      }
      case 'install.completed': {
        expect(v.installOpen === l.deployment, 'install.pairing', l, () => 'install.completed without install.started');
        v.installOpen = null;
        v.lastInstallDone = l.t;
        if (l.restartRequired === true) v.pendingRestart = true;
        break;
      }
      case 'install.failed': {
        // inside its install; attempts numbered in order; re-evaluation retries stop at enforcement.installRetryLimit
        const id = l.deployment as string;
        const before = v.installFailed.get(id) ?? 0;
        expect(v.installOpen === id, 'install.failedPairing', l, () => 'install.failed outside its install');
        expect(l.attempt === before, 'install.failedAttempt', l, () => `attempt ${String(l.attempt)} after ${before} failed installs`);
        expect(before <= Math.max(1, sc.model.installRetryLimit), 'install.retryLimit', l, () => `attempt ${before} beyond the retry limit ${sc.model.installRetryLimit}`);
        const code = parseInt(String(l.code), 16) >>> 0;
        expect(sc.model.installFailures.some((f) => f.code === code), 'install.failureCode', l, () => `${String(l.code)} is not a scenario install failure code`);
        v.installFailed.set(id, before + 1);
        break;
      }
      case 'restart.scheduled': {
        const d = deps.get(l.deployment as string);
        const at = l.at as number;
        let min = v.lastInstallDone + st.restartCountdown;
        if (d !== undefined && d.deadline !== null && v.installedBeforeDeadline) min = Math.max(min, instant(l.client, d.localTime, d.deadline));
        expect(at === min, 'restart.countdown', l, () => `restart at ${at - v!.lastInstallDone} ms after the install (expected ${min - v!.lastInstallDone})`);
        // (suppressed on workstations or servers only: which this machine is, the trace does not say)
        expect(d === undefined || !d.suppressRestart, 'restart.suppression', l, () => 'restart scheduled for a deployment that suppresses restarts');
        v.restartScheduledAt = Math.min(v.restartScheduledAt, at);
        // the restart is the latest scheduled one's (the client takes a new schedule only when it is earlier than the one it holds)
        v.restartDeployment = l.deployment as string;
        // a new schedule starts its notifications afresh
        v.lastReminderAt = v.countdownAt = -Infinity;
        v.reminderRestartAt = null;
        break;
      }
      // restart notifications: reminders every restartReminderInterval before the final countdown, snoozes
      // within their limit, a countdown of restartFinalCountdown at least (agent/core/restart.ts)
      case 'restart.reminder': {
        const ra = l.restartAt as number | null;
        expect(finalCountdown > 0, 'restart.notificationsOn', l, () => 'restart reminder without client.restartNotifications');
        expect(v.countdownAt === -Infinity && (ra === null || l.t < ra - finalCountdown), 'restart.reminderBeforeCountdown', l,
          () => `reminder ${ra === null ? '' : `${ra - l.t} ms before the restart, `}after or inside the final countdown`);
        if (v.lastReminderAt !== -Infinity) {
          expect(l.t - v.lastReminderAt >= reminderInterval, 'restart.reminderInterval', l, () => `reminder ${l.t - v!.lastReminderAt} ms after the last one (interval ${reminderInterval})`);
        }
        v.lastReminderAt = l.t;
        v.reminderRestartAt = ra;
        break;
      }
      case 'restart.snoozed': {
        const until = l.until as number;
        const ra = v.reminderRestartAt;
        expect(v.lastReminderAt === l.t, 'restart.snoozeAtReminder', l, () => 'snooze without a reminder');
        expect(until <= l.t + reminderInterval && (ra === null || until <= ra - finalCountdown), 'restart.snoozeLimit', l,
          () => `snoozed for ${until - l.t} ms, past the next reminder or the final countdown`);
        break;
      }
      case 'restart.countdown': {
        const ra = l.restartAt as number | null;
        expect(finalCountdown > 0 && (ra === null || ra - l.t >= finalCountdown), 'restart.countdownLength', l,
          () => `final countdown of ${ra === null ? 'n/a' : ra - l.t} ms (the setting: ${finalCountdown})`);
        v.countdownAt = l.t;
        break;
      }
      case 'restart.started': {
        expect(!v.restartOpen && v.scanOpen === null && v.installOpen === null, 'restart.idle', l, () => 'restart while busy');
        // a user may restart before the forced restart (a restart action, or from a restart notification)
        if (v.restartScheduledAt !== Infinity && l.user !== true) {
          expect(l.t >= v.restartScheduledAt, 'restart.notEarly', l, () => `restart ${v!.restartScheduledAt - l.t} ms before it was due`);
          // no forced restart before its final countdown ended
          if (finalCountdown > 0) {
            expect(v.countdownAt !== -Infinity && l.t >= v.countdownAt + finalCountdown, 'restart.finalCountdown', l,
              () => (v!.countdownAt === -Infinity ? 'forced restart without a final countdown' : `forced restart ${l.t - v!.countdownAt} ms into a ${finalCountdown} ms countdown`));
          }
        }
        v.restartOpen = true;
        if (l.user !== true && v.restartDeployment !== null) {
          // maintenance windows: a required restart happens in a window unless its deployment allows otherwise
          const d = deps.get(v.restartDeployment);
          const w = windowsOfClient(l.client);
          if (d !== undefined && !d.rebootOutsideOfServiceWindows && w !== null) {
            expect(inWindow(w, l.t), 'window.restart', l, () => `required restart at ${new Date(l.t).toISOString()} outside a window`);
          }
        }
        break;
      }
      case 'restart.completed': {
        expect(v.restartOpen, 'restart.pairing', l, () => 'restart.completed without restart.started');
        v.restartOpen = false;
        v.restartScheduledAt = Infinity;
        v.restartDeployment = null;
        v.lastReminderAt = v.countdownAt = -Infinity;
        v.reminderRestartAt = null;
        v.restartDoneAt = l.t;
        if (v.pendingRestart) v.expectAfterRestart = true;
        v.pendingRestart = false;
        break;
      }
      case 'state.queued': {
        const serial = l.serial as number;
        const key = `${String(l.topicType)}:${String(l.topicId)}`;
        v.topicOf.set(serial, key);
        v.queuedNow.add(key);
        if (typeof l.supersedes === 'number') {
          // a new serial for a topic whose once-sent message may have reached the MP
          expect(v.unsent.has(l.supersedes), 'state.supersedesUnsent', l, () => `serial ${String(l.supersedes)} superseded but not unsent`);
          v.unsent.delete(l.supersedes);
          v.superseded++;
          expect(serial === v.serialMax + 1, 'state.serialSequence', l, () => `serial ${serial} after ${v!.serialMax}`);
          v.serialMax = Math.max(v.serialMax, serial);
          v.unsent.set(serial, l.t);
        } else if (l.replaced === true) {
          expect(v.unsent.has(serial), 'state.overwriteUnsent', l, () => `serial ${serial} overwritten but not unsent`);
          if (v.unsent.has(serial)) v.unsent.set(serial, l.t);
        } else {
          expect(serial === v.serialMax + 1, 'state.serialSequence', l, () => `serial ${serial} after ${v!.serialMax}`);
          v.serialMax = Math.max(v.serialMax, serial);
          v.unsent.set(serial, l.t);
        }
        break;
      }
      case 'state.sent': {
        const serials = l.serials as number[];
        for (const s of serials) {
          expect(v.unsent.has(s), 'state.sentWasQueued', l, () => `serial ${s} sent but not queued or already delivered`);
        }
        if (l.ok === true) {
          const lost = lose !== null && lose.match('mp.state', OPERATIONS_OF['state.report'], l.t, indexOf.get(l.client) ?? -1) !== null;
          for (const s of serials) {
            expect(!v.delivered.has(s), 'state.deliveredOnce', l, () => `serial ${s} delivered twice`);
            v.delivered.add(s);
            v.unsent.delete(s);
            const key = v.topicOf.get(s);
            v.topicOf.delete(s);
            if (key === undefined) continue;
            if (lost) v.lostTopics.add(key);
            else v.lostTopics.delete(key);
          }
          // the site sees a serial gap when a report after a lost one arrives
          if (lost) v.lostSerials = true;
          else if (v.lostSerials && v.gapAt === Infinity) v.gapAt = l.t;
        }
        break;
      }
      case 'state.resync': {
        // the site asks only for a gap older than Min Missing Message Age
        expect(v.gapAt !== Infinity && l.t >= v.gapAt + minMissingAge, 'resync.afterMinAge', l,
          () => `resync ${v!.gapAt === Infinity ? 'with no gap' : `${l.t - v!.gapAt} ms after the gap opened`}, Min Missing Message Age ${minMissingAge}`);
        // the full state is queued again: every lost topic the client still has a state for
        for (const k of v.queuedNow) v.lostTopics.delete(k);
        expect(l.messages === v.queuedNow.size, 'resync.fullState', l, () => `${String(l.messages)} messages, ${v!.queuedNow.size} queued just before`);
        v.gapAt = Infinity;
        v.lostSerials = false;
        break;
      }
      case 'power.off': {
        expect(!v.off, 'power.pairing', l, () => 'power.off while off');
        // the schedule in the client's local time (its zone, DST included): off when the schedule says so
        // (later only when an install or restart under way held it)
        const pi = idxOf.get(l.client);
        if (pm !== null && pi !== undefined) {
          expect(!isOnAt(pm, sc.seed, pi, l.t, zoneOf(lctx, pi)), 'power.scheduleLocal', l, () => `power.off at ${new Date(l.t).toISOString()}, when the schedule says on`);
        }
        // the job cut short is asked for again at power-on: a schedule scan it abandoned runs again for the same cycle
        if (l.abandoned === 'scan' || l.abandoned === 'evaluate') {
          const rule = v.scanOpen?.rule ?? v.retryRule;
          if (rule === 'schedule') v.scheduleK--;
          if (rule === 'reevaluation') v.reevalK--;
          if (rule === 'firstPolicy') v.firstScans--;
        }
        expect(l.abandoned === null || v.installOpen === null, 'power.notDuringInstall', l, () => 'power.off during an install');
        v.scanOpen = null;
        v.retryRule = null;
        v.off = true;
        v.offAt = l.t;
        v.onAt = Infinity;
        break;
      }
      case 'power.on': {
        expect(v.off, 'power.pairing', l, () => 'power.on while on');
        const pi = idxOf.get(l.client);
        if (pm !== null && pi !== undefined) {
          const z = zoneOf(lctx, pi);
          expect(isOnAt(pm, sc.seed, pi, l.t, z) && !isOnAt(pm, sc.seed, pi, l.t - 1, z), 'power.scheduleLocal', l,
            () => `power.on at ${new Date(l.t).toISOString()}, not where the local schedule turns the machine on`);
        }
        if (v.off) {
          ok('power.silence');
          expect(l.offFor === l.t - v.offAt, 'power.offFor', l, () => `offFor ${String(l.offFor)}, off since ${v!.offAt}`);
        }
        v.off = false;
        v.onAt = l.t;
        break;
      }
      default:
        break;
    }
  }

  // end of the run: every client's serials 1..max delivered, but those still waiting for a cycle
  for (const [client, v] of views) {
    const end: TraceLine = { t: sc.end, client, ev: '(end)' };
    const missing = v.serialMax - v.delivered.size - v.unsent.size - v.superseded;
    expect(missing === 0, 'state.noSerialLost', end, () => `${missing} serials neither delivered nor waiting`);
    // with the MP reachable, what is still unsent at the end was queued within the last cycle (plus a restart)
    if (sc.stub.faults.every((f) => f.target !== 'mp.state') && !offBetween0(v, sc.end - st.stateMessageCycle - sc.model.restartDuration - BUSY_SLACK_MS, sc.end)) {
      let oldest = Infinity;
      for (const q of v.unsent.values()) oldest = Math.min(oldest, q);
      expect(oldest >= sc.end - st.stateMessageCycle - sc.model.restartDuration, 'state.deliveredByEnd', end,
        () => `${v!.unsent.size} messages undelivered at the end, oldest queued ${sc.end - oldest} ms before it`);
    }
    // resync: no state lost for good. A state that went out in a lost upload is resent once the site
    // saw the gap and Min Missing Message Age passed (plus a poll and a report cycle)
    if (lose !== null) {
      const due = v.gapAt + minMissingAge + st.policyPollingInterval + st.stateMessageCycle + BUSY_SLACK_MS;
      expect(v.lostTopics.size === 0 || due >= sc.end || v.off, 'resync.noStateLostForGood', end,
        () => `${v!.lostTopics.size} topics lost in uploads, gap seen ${sc.end - v!.gapAt} ms before the end and never resynced`);
    }
    expect(v.enabledAt === -Infinity || v.firstScans === 1 || v.enabledAt > sc.end - st.firstScanWindow || offBetween0(v, v.enabledAt, sc.end), 'scan.firstHappened', end,
      () => `${v!.firstScans} firstPolicy scans`);
  }
  return { clients: views.size, lines: n, checks, violations };
}

function offBetween0(v: ClientView, a: number, b: number): boolean {
  return v.offAt !== -Infinity && v.offAt < b && (v.off || v.onAt > a);
}

/** Parses NDJSON text lines lazily. */
export function* parseTrace(text: string): Generator<TraceLine> {
  let i = 0;
  while (i < text.length) {
    let j = text.indexOf('\n', i);
    if (j < 0) j = text.length;
    if (j > i) yield JSON.parse(text.slice(i, j)) as TraceLine;
    i = j + 1;
  }
}
