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
  /** the trigger of a reevaluation.started whose scan has not started yet */
  reevalTrigger: string | null;
  /** failed installs per deployment id */
  installFailed: Map<string, number>;
  /** deployments enforced early with another's deadline (installOtherDeploymentsWithin) */
  pulled: Set<string>;
  /** the SUP a switchSup action moved the client to, until its next online scan */
  switchedTo: string | null;
}

export function checkTrace(lines: Iterable<TraceLine>, sc: ResolvedScenario): ConformanceReport {
  const st = sc.settings;
  const cat = generateCatalogue(sc.seed, sc.stub.catalogue);
  const mp = new ManagementPoint({ ...sc.stub, clients: 1 }, cat);
  const deps = new Map(mp.deployments.map((d) => [d.id, d]));
  const views = new Map<string, ClientView>();
  const violations: Violation[] = [];
  const checks: Record<string, number> = {};
  let n = 0;
  const ok = (rule: string) => (checks[rule] = (checks[rule] ?? 0) + 1);
  const bad = (rule: string, l: TraceLine, detail: string) => {
    ok(rule);
    if (violations.length < 1000) violations.push({ rule, client: l.client, t: l.t, detail });
  };
  const expect = (cond: boolean, rule: string, l: TraceLine, detail: () => string) => (cond ? ok(rule) : bad(rule, l, detail()));

  for (const l of lines) {
    n++;
    let v = views.get(l.client);
    if (v === undefined) {
      v = {
        lastT: -Infinity, lastPolicyReq: -Infinity, enabledAt: -Infinity, firstScans: 0, lastOnlineScanDone: -Infinity,
        scanOpen: null, scheduleK: 1, reevalK: 1, depKnownAt: new Map(), depDeadlineAt: new Map(), installOpen: null,
        lastInstallDone: -Infinity, installedBeforeDeadline: false, restartScheduledAt: Infinity, restartOpen: false,
        restartDoneAt: -Infinity, expectAfterRestart: false, pendingRestart: false, serialMax: 0, unsent: new Map(),
        delivered: new Set(), superseded: 0, reevalTrigger: null, installFailed: new Map(), pulled: new Set(), switchedTo: null,
      };
      views.set(l.client, v);
    }
    expect(l.t >= v.lastT, 'trace.timeOrder', l, () => `event at ${l.t} after one at ${v!.lastT}`);
    v.lastT = l.t;
    if (v.expectAfterRestart && l.ev !== 'state.queued' && l.ev !== 'state.sent') {
      v.expectAfterRestart = false;
      expect(l.ev === 'scan.started' && l.trigger === 'afterRestart' && l.t === v.restartDoneAt, 'restart.afterRestartScan', l,
        () => `after a restart with pending updates the next event is ${l.ev} ${String(l.trigger ?? '')}, not an afterRestart scan`);
    }

    switch (l.ev) {
      case 'policy.requested': {
        if (v.lastPolicyReq === -Infinity) {
          expect(l.t < sc.start + sc.model.startWithin, 'policy.firstPoll', l, () => `first poll ${l.t - sc.start} ms after start, window ${sc.model.startWithin}`);
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
              expect(l.t >= created && l.t <= created + st.policyPollingInterval + sc.model.restartDuration, 'policy.deploymentLatency', l,
                () => `deployment known ${l.t - created} ms after creation`);
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
          expect(l.t >= v.enabledAt && l.t < v.enabledAt + st.firstScanWindow, 'scan.firstWindow', l, () => `first scan ${l.t - v!.enabledAt} ms after the enabling policy`);
        }
        if (trigger === 'schedule' || trigger === 'reevaluation') {
          const interval = trigger === 'schedule' ? st.scanInterval : st.reevaluationInterval;
          const k = trigger === 'schedule' ? v.scheduleK++ : v.reevalK++;
          const nominal = v.enabledAt + k * interval;
          expect(l.t >= nominal && l.t < nominal + st.scheduleRandomDelay + BUSY_SLACK_MS, `scan.${trigger}Window`, l,
            () => `${trigger} scan #${k} at ${l.t - nominal} ms after nominal`);
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
        expect(l.from !== l.to && sc.stub.sups.includes(l.to as string), 'sup.switched', l, () => `switch from ${String(l.from)} to ${String(l.to)}`);
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
          if (o.online && v.switchedTo !== null) {
            // a policy with another SUP list can move it again; only the stub's fixed list is checked
            expect(l.sup === v.switchedTo, 'sup.switchedScan', l, () => `first online scan after switchSup on ${String(l.sup)}, not ${v!.switchedTo}`);
            v.switchedTo = null;
          }
        } else {
          expect(o.online, 'scan.onlyOnlineFails', l, () => 'an offline scan failed');
          const code = parseInt(String(l.code), 16) >>> 0;
          v.switchedTo = null;
          if (st.scanRetryCodes.includes(code)) {
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
        const from = Math.max(d.available, known);
        expect(l.t >= from && l.t < Math.max(d.available + st.downloadRandomDelay, known + 1), 'deployment.downloadWindow', l, () => `available fired ${l.t - d.available} ms after available time`);
        break;
      }
      case 'deployment.deadline': {
        const d = deps.get(l.deployment as string);
        if (d === undefined || d.deadline === null) break;
        const deadline = d.deadline;
        const known = v.depKnownAt.get(d.id) ?? Infinity;
        const rnd = d.disableDeadlineRandomization ? 1 : st.deadlineRandomDelay;
        expect(l.t >= deadline && l.t < Math.max(deadline + rnd, known + 1), 'deployment.deadlineWindow', l, () => `deadline fired ${l.t - deadline} ms after the deadline`);
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
      case 'install.started': {
        const d = deps.get(l.deployment as string);
        expect(v.scanOpen === null, 'install.noScanRunning', l, () => 'install while a scan runs');
        if (d !== undefined && d.deadline !== null && !v.depDeadlineAt.has(d.id)) {
          // an install before the deadline happens only for clients whose user installs early
          expect(d.userInstallFraction > 0, 'install.notBeforeDeadline', l, () => 'install before the deadline');
        }
        v.installedBeforeDeadline = d !== undefined && d.deadline !== null && l.t < d.deadline && !v.pulled.has(d.id);
        v.installOpen = l.deployment as string;
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
        if (d !== undefined && d.deadline !== null && v.installedBeforeDeadline) min = Math.max(min, d.deadline);
        expect(at === min, 'restart.countdown', l, () => `restart at ${at - v!.lastInstallDone} ms after the install (expected ${min - v!.lastInstallDone})`);
        // (suppressed on workstations or servers only: which this machine is, the trace does not say)
        expect(d === undefined || !d.suppressRestart, 'restart.suppression', l, () => 'restart scheduled for a deployment that suppresses restarts');
        v.restartScheduledAt = Math.min(v.restartScheduledAt, at);
        break;
      }
      case 'restart.started': {
        expect(!v.restartOpen && v.scanOpen === null && v.installOpen === null, 'restart.idle', l, () => 'restart while busy');
        if (v.restartScheduledAt !== Infinity) {
          expect(l.t >= v.restartScheduledAt, 'restart.notEarly', l, () => `restart ${v!.restartScheduledAt - l.t} ms before it was due`);
        }
        v.restartOpen = true;
        break;
      }
      case 'restart.completed': {
        expect(v.restartOpen, 'restart.pairing', l, () => 'restart.completed without restart.started');
        v.restartOpen = false;
        v.restartScheduledAt = Infinity;
        v.restartDoneAt = l.t;
        if (v.pendingRestart) v.expectAfterRestart = true;
        v.pendingRestart = false;
        break;
      }
      case 'state.queued': {
        const serial = l.serial as number;
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
          for (const s of serials) {
            expect(!v.delivered.has(s), 'state.deliveredOnce', l, () => `serial ${s} delivered twice`);
            v.delivered.add(s);
            v.unsent.delete(s);
          }
        }
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
    if (sc.stub.faults.every((f) => f.target !== 'mp.state')) {
      let oldest = Infinity;
      for (const q of v.unsent.values()) oldest = Math.min(oldest, q);
      expect(oldest >= sc.end - st.stateMessageCycle - sc.model.restartDuration, 'state.deliveredByEnd', end,
        () => `${v!.unsent.size} messages undelivered at the end, oldest queued ${sc.end - oldest} ms before it`);
    }
    expect(v.enabledAt === -Infinity || v.firstScans === 1 || v.enabledAt > sc.end - st.firstScanWindow, 'scan.firstHappened', end,
      () => `${v!.firstScans} firstPolicy scans`);
  }
  return { clients: views.size, lines: n, checks, violations };
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
