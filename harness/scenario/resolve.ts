// Scenario loading: parse, validate (all problems at once), merge over the
// defaults, check across fields, resolve durations and indices, freeze.

import { readFileSync } from 'node:fs';
import { parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';
import type { ClientAction, ClientModel, ClientSettings, PowerModel } from '../../agent/core/types.js';
import type { DeploymentSpec, FaultSpec, FaultTarget, StubConfig, WsusPoolSpec } from '../../server-stub/core/config.js';
import { resolveFaultEffect } from '../../server-stub/core/fault-kinds/index.js';
import { OPERATIONS_OF } from '../../agent/wire/operations.js';
import { ScenarioError, HarnessError, type ScenarioIssue } from '../errors.js';
import { tryParseDuration } from '../duration.js';
import { parseThreshold, type Threshold } from '../thresholds.js';
import { ACTION_DEFAULTS, DEFAULT_SCENARIO, DEPLOYMENT_DEFAULTS, FAULT_DEFAULTS, WINDOW_DEFAULTS, WSUS_POOL_DEFAULTS } from './defaults.js';
import { buildLocalModel, isTimeZone, serviceWindowResolver, WEEKDAYS, windowPolicyOf, type CollectionSpec, type UsersSpec } from './localtime.js';
import { scenarioSchema, type ScenarioInput } from './schema.js';
import { LIMITS, fmt } from './limits.js';

const MB = 1024 * 1024;

/** Operations a fault may name, per target (the wire operations behind each typed request). */
const OPERATIONS: Record<FaultTarget, readonly string[]> = {
  'mp.policy': [...OPERATIONS_OF['policy.assignments'], ...OPERATIONS_OF['policy.body']],
  'mp.location': [...OPERATIONS_OF['location.wsus'], ...OPERATIONS_OF['location.content']],
  'mp.state': OPERATIONS_OF['state.report'],
  wsus: OPERATIONS_OF['wsus.scan'],
  dp: OPERATIONS_OF['dp.download'],
};

/**
 * The part of the fleet a run emulates: shard `index` of `count` (1-based),
 * clients firstClient .. firstClient + clients - 1 of the scenario's. The
 * whole fleet is shard 1 of 1.
 */
export interface Shard {
  readonly index: number;
  readonly count: number;
  readonly firstClient: number;
  readonly clients: number;
}

export interface ResolvedScenario {
  readonly name: string;
  readonly seed: number;
  /** the scenario's clients (all shards) */
  readonly clients: number;
  /** the clients this run emulates (and its embedded stub serves) */
  readonly shard: Shard;
  readonly start: number;
  readonly duration: number;
  readonly end: number;
  readonly settings: ClientSettings;
  readonly model: ClientModel;
  readonly actions: readonly ClientAction[];
  readonly stub: StubConfig;
  /** threshold expressions of the scenario (parsed and checked) */
  readonly thresholds: readonly Threshold[];
  /** the effective scenario (defaults filled in), as a user would write it */
  readonly effective: Readonly<Record<string, unknown>>;
}

/** Command-line overrides of scenario fields. */
export interface ScenarioOverrides {
  clients?: number | undefined;
  duration?: string | undefined;
  seed?: number | undefined;
  /** `K/N`: run shard K of N (--shard) */
  shard?: string | undefined;
  /**
   * The simulated start (ISO 8601), over the scenario's: the start the run
   * command aligned on an external stub's clock (clock/align.ts), handed to
   * the worker threads of `run --workers N`, which resolve the scenario again
   */
  start?: string | undefined;
}

/**
 * Shard K of N of C clients: the contiguous range [floor((K-1)C/N), floor(KC/N)).
 * Every client is in exactly one shard, and shard sizes differ by at most one.
 */
export function shardOf(spec: string | undefined, clients: number): Shard {
  if (spec === undefined) return { index: 1, count: 1, firstClient: 0, clients };
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(spec);
  const bad = (why: string) => new HarnessError('SUCA_ERR_INVALID_ARGUMENT', `--shard ${spec}: ${why}`);
  if (m === null) throw bad('not K/N with whole numbers K and N (example: --shard 2/4 runs the second quarter of the clients)');
  const k = Number(m[1]);
  const n = Number(m[2]);
  if (!Number.isSafeInteger(k) || !Number.isSafeInteger(n)) throw bad('K and N must be whole numbers');
  if (n < 1) throw bad('N, the number of shards, must be at least 1');
  if (k < 1 || k > n) throw bad(`K, the shard to run, must be from 1 to N (${n})`);
  if (n > clients) throw bad(`${n} shards of ${clients} clients: N must be at most the number of clients`);
  const firstClient = Math.floor(((k - 1) * clients) / n);
  return { index: k, count: n, firstClient, clients: Math.floor((k * clients) / n) - firstClient };
}

export function readScenarioFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new HarnessError('SUCA_ERR_SCENARIO_READ', `${file}: cannot read scenario (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ScenarioError(file, [{ path: '', message: `not valid JSON: ${jsonSyntaxError(text, (err as Error).message)}` }]);
  }
}

/**
 * Where a JSON text goes wrong, as line:column (1-based) and what was
 * expected. JSON.parse stays the parser (strict, no comments); its messages
 * give a position only for some errors on Node 20 ("Unexpected token '}',
 * "{"a":}" is not valid JSON" has none), so on failure jsonc-parser (the
 * VS Code JSON scanner, no dependencies) scans the text again, in strict
 * mode, for the offset of the first error.
 */
export function jsonSyntaxError(text: string, fallback: string): string {
  const errors: ParseError[] = [];
  parseJsonc(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const e = errors[0];
  if (e === undefined) return fallback;
  let line = 1;
  let col = 1;
  for (let i = 0; i < e.offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      col = 1;
    } else col++;
  }
  const what = printParseErrorCode(e.error).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  const near = text.slice(e.offset, e.offset + Math.max(1, Math.min(e.length, 20)));
  return `line ${line}, column ${col}: ${what}${e.offset >= text.length ? ' (at the end of the file)' : ` at ${JSON.stringify(near)}`}`;
}

function pathOf(p: readonly PropertyKey[]): string {
  let s = '';
  for (const k of p) s += typeof k === 'number' ? `[${k}]` : (s ? '.' : '') + String(k);
  return s;
}

const d = (s: string): number => tryParseDuration(s)!;

/** Validates and resolves a scenario (undefined input: the built-in default). */
export function resolveScenario(input: unknown, source = '(built-in default)', overrides: ScenarioOverrides = {}): ResolvedScenario {
  const checked = typeCheck(input ?? {});
  if (checked.data === null) throw new ScenarioError(source, checked.issues);
  // type errors first; the semantic checks then see the rest of the scenario (defaults where a field was refused)
  const issues: ScenarioIssue[] = [...checked.issues];
  const typeErrorCount = issues.length;
  const inp: ScenarioInput = checked.data;
  const D = DEFAULT_SCENARIO;
  const m = {
    name: inp.name ?? D.name,
    seed: overrides.seed ?? inp.seed ?? D.seed,
    clients: overrides.clients ?? inp.clients ?? D.clients,
    start: overrides.start ?? inp.start ?? D.start,
    duration: overrides.duration ?? inp.duration ?? D.duration,
    client: { ...D.client, ...inp.client },
    model: { ...D.model, ...inp.model },
    // the capacity model's defaults fill in only when the scenario asks for one
    site: withPool({ ...D.site, ...inp.site }, inp.site?.wsusPool),
    catalogue: { ...D.catalogue, ...inp.catalogue },
    power: {
      workstations: { ...D.power.workstations, ...inp.power?.workstations },
      laptops: { ...D.power.laptops, ...inp.power?.laptops },
      neverReturn: { ...D.power.neverReturn, ...inp.power?.neverReturn },
    },
    deployments: (inp.deployments ?? D.deployments).map((x) => ({ ...DEPLOYMENT_DEFAULTS, ...x })),
    enforcement: { ...D.enforcement, ...inp.enforcement },
    actions: (inp.actions ?? []).map((x) => ({ ...ACTION_DEFAULTS, ...x })),
    timeZones: inp.timeZones ?? D.timeZones,
    users: { ...D.users, ...inp.users, businessHours: { ...D.users.businessHours, ...inp.users?.businessHours } },
    collections: (inp.collections ?? []).map((c) => ({ ...c, maintenanceWindows: c.maintenanceWindows.map((w) => ({ ...WINDOW_DEFAULTS, ...w })) })),
    faults: (inp.faults ?? []).map((x) => ({ ...FAULT_DEFAULTS, ...x })),
    thresholds: inp.thresholds ?? [],
  };

  const where = (p: string, message: string) => issues.push({ path: p, message });
  const durationMs = tryParseDuration(m.duration);
  if (durationMs === null) where('duration', `"${m.duration}" is not a duration (from --duration)`);
  else if (durationMs <= 0) where('duration', 'must be longer than 0');
  else if (durationMs > LIMITS.durationMs.max) where('duration', `"${m.duration}" is longer than the longest run, ${LIMITS.durationMs.max / 86_400_000}d`);
  if (!Number.isInteger(m.clients) || m.clients < LIMITS.clients.min || m.clients > LIMITS.clients.max) where('clients', `${m.clients}: a whole number from ${fmt(LIMITS.clients.min)} to ${fmt(LIMITS.clients.max)}`);
  const c = m.client;
  for (const k of ['policyPollingInterval', 'stateMessageCycle', 'scanSchedule', 'reevaluationSchedule', 'scanTtl', 'scanRetryDelay'] as const) {
    if (d(c[k]) <= 0) where(`client.${k}`, 'must be longer than 0');
  }
  // client-behaviour.md: scan and re-evaluation schedules are at least 1 day
  if (d(c.scanSchedule) < d('1d')) where('client.scanSchedule', 'the client allows 1 day at least');
  if (d(c.reevaluationSchedule) < d('1d')) where('client.reevaluationSchedule', 'the client allows 1 day at least');
  // client-behaviour.md: N is 1-23 hours or 1-365 days
  const otherWithin = d(c.installOtherDeploymentsWithin);
  // the console's two units: whole hours below a day, whole days from one (30h is neither)
  if (otherWithin < d('1h') || otherWithin > d('365d')) where('client.installOtherDeploymentsWithin', 'the client allows 1 hour to 365 days');
  else if (otherWithin < d('1d') ? otherWithin % d('1h') !== 0 : otherWithin % d('1d') !== 0) {
    where('client.installOtherDeploymentsWithin', 'the client allows 1 to 23 whole hours or 1 to 365 whole days');
  }
  // client-behaviour.md section 1: the cache's minimum time before removal at most 10,080 minutes
  if (d(c.cacheMinRetention) > d('10080m')) where('client.cacheMinRetention', 'the client allows at most 10,080 minutes (7 days)');
  // Computer Restart (client-behaviour.md section 1): the restart 1 to 20,160 min after the deadline; the final
  // countdown within it (our bound: the product's console refuses a countdown longer than the restart time)
  const restartCountdown = d(c.restartCountdown);
  if (restartCountdown < d('1m') || restartCountdown > d('20160m')) where('client.restartCountdown', 'the client allows 1 to 20,160 minutes (14 days)');
  const finalCountdown = d(c.restartFinalCountdown);
  const reminderInterval = d(c.restartReminderInterval);
  if (c.restartNotifications) {
    if (finalCountdown < d('1m') || finalCountdown > restartCountdown) where('client.restartFinalCountdown', `must be 1 minute to client.restartCountdown (${c.restartCountdown})`);
    if (reminderInterval < d('1m')) where('client.restartReminderInterval', 'must be 1 minute at least');
  }
  if (m.users.restartNowFraction + m.users.snoozeFraction > 1) where('users.snoozeFraction', 'users who restart now and who snooze together are more than all clients (1)');
  const mo = m.model;
  if (d(mo.onlineScanMin) > d(mo.onlineScanMax)) where('model.onlineScanMin', `is longer than model.onlineScanMax (${mo.onlineScanMax})`);
  // a client waiting for content asks again this often for up to the timeout: 1 ms would be 600 M requests a client a week
  if (d(mo.contentLocationRetry) < 1000) where('model.contentLocationRetry', 'is under 1s: a client waiting for content would ask the MP again and again');
  if (d(mo.downloadRetry) < 1000) where('model.downloadRetry', 'is under 1s: a client whose DPs all fail would ask them again and again');
  const cat = m.catalogue;
  if (cat.newUpdates > cat.updates) where('catalogue.newUpdates', `is more than catalogue.updates (${cat.updates})`);
  if (cat.minSizeMB > cat.maxSizeMB) where('catalogue.minSizeMB', `is more than catalogue.maxSizeMB (${cat.maxSizeMB})`);
  const startMs = Date.parse(m.start);
  const gracePeriod = d(c.gracePeriod);
  if (gracePeriod < 0 || gracePeriod > d('120h')) where('client.gracePeriod', 'the client allows 0 to 120 hours');
  const pw = m.power;
  for (const k of ['workstations', 'laptops'] as const) {
    const ps = pw[k];
    if (d(ps.onAt) >= d(ps.offAt)) where(`power.${k}.onAt`, `must be before power.${k}.offAt (${ps.offAt})`);
    if (d(ps.offAt) + d(ps.spread) > d('24h')) where(`power.${k}.offAt`, `plus spread (${ps.spread}) must be within the day (24h)`);
    if (d(ps.onAt) + d(ps.spread) >= d(ps.offAt)) where(`power.${k}.spread`, `the on-time plus spread must be before offAt (${ps.offAt})`);
  }
  if (pw.workstations.fraction + pw.laptops.fraction > 1) where('power.laptops.fraction', 'workstations and laptops together are more than all clients (1)');
  if (d(pw.laptops.awayMin) > d(pw.laptops.awayMax)) where('power.laptops.awayMin', `is longer than power.laptops.awayMax (${pw.laptops.awayMax})`);
  if (d(pw.laptops.awayEvery) > 0 && d(pw.laptops.awayMax) >= d(pw.laptops.awayEvery)) where('power.laptops.awayMax', `must be shorter than power.laptops.awayEvery (${pw.laptops.awayEvery})`);
  const powerOn = pw.workstations.fraction > 0 || pw.laptops.fraction > 0 || pw.neverReturn.fraction > 0;
  const schedule = (ps: typeof pw.workstations) => ({ fraction: ps.fraction, onAt: d(ps.onAt), offAt: d(ps.offAt), spread: d(ps.spread), weekendsOff: ps.weekendsOff });
  const power: PowerModel | null = !powerOn ? null : {
    start: startMs,
    workstations: schedule(pw.workstations),
    laptops: { ...schedule(pw.laptops), awayEvery: d(pw.laptops.awayEvery), awayMin: d(pw.laptops.awayMin), awayMax: d(pw.laptops.awayMax) },
    neverReturn: { fraction: pw.neverReturn.fraction, within: d(pw.neverReturn.within) },
  };
  // catalogue syncs: their updates follow the initial ones; update u is released at releaseAt[u - cat.updates]
  const syncs = [...cat.syncs].map((x) => ({ at: d(x.at), updates: x.updates })).sort((a, b) => a.at - b.at);
  const supersedence = { ...D.catalogue.supersedence, ...cat.supersedence };
  const totalUpdates = cat.updates + syncs.reduce((a, x) => a + x.updates, 0);
  if (totalUpdates > 65535) where('catalogue.syncs', `the catalogue with its syncs holds ${totalUpdates} updates, at most 65,535`);
  const releaseAt = (u: number): number => {
    let first = cat.updates;
    for (const x of syncs) {
      if (u < first + x.updates) return x.at;
      first += x.updates;
    }
    return 0;
  };
  const en = m.enforcement;
  const failShare = en.installFailures.reduce((a, f) => a + f.fraction, 0);
  if (failShare > 1 + 1e-9) where('enforcement.installFailures', `the fractions add up to ${failShare}, more than 1`);
  en.installFailures.forEach((f, i) => {
    if ((parseInt(f.code, 16) >>> 0) === 0) where(`enforcement.installFailures[${i}].code`, 'a failure code is not 0x0 (S_OK)');
  });

  const deployments: DeploymentSpec[] = [];
  m.deployments.forEach((dep, i) => {
    const p = `deployments[${i}]`;
    let updates: number[];
    if (Array.isArray(dep.updates)) {
      updates = [...new Set(dep.updates)].sort((a, b) => a - b);
      for (const u of updates) if (u >= totalUpdates) where(`${p}.updates`, `update index ${u} is outside the catalogue (0..${totalUpdates - 1})`);
    } else {
      const n = dep.updates.newest;
      if (n > cat.updates) where(`${p}.updates.newest`, `is more than catalogue.updates (${cat.updates})`);
      updates = [];
      for (let u = Math.max(0, cat.updates - n); u < cat.updates; u++) updates.push(u);
    }
    if ('disableDeadlineRandomization' in dep) {
      where(`${p}.disableDeadlineRandomization`, 'is no longer a deployment field: deadline randomization is the client setting client.disableDeadlineRandomization (default true: installs start at the deadline; false: each client waits up to client.deadlineRandomDelay after it)');
    }
    const mrt = d(dep.maxRunTime);
    if (mrt < d('5m') || mrt > d('9999m')) where(`${p}.maxRunTime`, 'the client allows 5 to 9,999 minutes');
    if (updates.length > 1000) where(`${p}.updates`, 'a deployment holds at most 1,000 updates');
    const available = d(dep.available);
    const deadline = dep.deadline === null ? null : d(dep.deadline);
    const created = dep.created === null || dep.created === undefined ? available : d(dep.created);
    if (deadline !== null && deadline < available) where(`${p}.deadline`, `is before its available time (${dep.available})`);
    if (created > available) where(`${p}.created`, `is after its available time (${dep.available}); policy must reach clients first`);
    for (const u of updates) {
      if (u >= cat.updates && u < totalUpdates && releaseAt(u) > created) {
        where(`${p}.updates`, `update index ${u} comes with the catalogue sync at ${releaseAt(u)} ms, after the deployment is created`);
        break;
      }
    }
    deployments.push({
      name: dep.name,
      updates,
      created: startMs + created,
      available: startMs + available,
      deadline: deadline === null ? null : startMs + deadline,
      // SuppressReboot bits; all-or-nothing stays suppressRestart, one machine type is suppressRestartFor
      ...restartBits(dep.suppressRestart, dep.suppressRestartWorkstations, dep.suppressRestartServers),
      userInstallFraction: dep.userInstallFraction,
      targetFraction: dep.targetFraction,
      localTime: dep.localTime,
      overrideServiceWindows: dep.overrideServiceWindows,
      rebootOutsideOfServiceWindows: dep.rebootOutsideOfServiceWindows,
      maxRunTime: d(dep.maxRunTime),
      contentDistributed: dep.contentDistributed === null || dep.contentDistributed === undefined ? -Infinity : startMs + d(dep.contentDistributed),
    });
  });
  const names = new Set<string>();
  m.deployments.forEach((dep, i) => {
    if (names.has(dep.name)) where(`deployments[${i}].name`, `"${dep.name}" is used by an earlier deployment`);
    names.add(dep.name);
  });

  const wsusPool = resolveWsusPool(m.site, where);
  const faults: FaultSpec[] = m.faults.map((f, i) => {
    const p = `faults[${i}]`;
    if (d(f.from) >= d(f.to)) where(`${p}.to`, `must be after from (${f.from})`);
    if (f.sup !== null && f.sup !== undefined && !(m.site.sups as readonly string[]).includes(f.sup)) where(`${p}.sup`, `"${f.sup}" is not one of site.sups`);
    if (f.sup !== null && f.sup !== undefined && f.target !== 'wsus') where(`${p}.sup`, 'only applies to target "wsus"');
    if (f.dp !== null && f.dp !== undefined && !(m.site.dps as readonly string[]).includes(f.dp)) where(`${p}.dp`, `"${f.dp}" is not one of site.dps`);
    if (f.dp !== null && f.dp !== undefined && f.target !== 'dp') where(`${p}.dp`, 'only applies to target "dp"');
    if (f.operation !== undefined && !OPERATIONS[f.target].includes(f.operation)) {
      where(`${p}.operation`, `"${f.operation}" is not an operation of ${f.target} (${OPERATIONS[f.target].join(', ')})`);
    }
    // the effect fields and what they mean: server-stub/core/fault-kinds/
    const effect = resolveFaultEffect(f, { target: f.target, path: p, ms: d, where }) ?? { kind: 'drop' }; // null: the issue is recorded, the scenario refused below
    return {
      target: f.target,
      operation: f.operation ?? null,
      from: startMs + d(f.from),
      to: startMs + d(f.to),
      rate: f.rate,
      effect,
      sup: f.sup ?? null,
      dp: f.dp ?? null,
    };
  });

  // time zones and maintenance windows (harness/scenario/localtime.ts)
  m.timeZones.forEach((z, i) => {
    if (!isTimeZone(z.zone)) where(`timeZones[${i}].zone`, `"${z.zone}" is not a time zone this runtime knows (IANA names, e.g. Europe/Berlin)`);
  });
  if (m.timeZones.length > 0) {
    const sum = m.timeZones.reduce((a, z) => a + z.fraction, 0);
    if (Math.abs(sum - 1) > 1e-9) where('timeZones', `the fractions add up to ${sum}, not 1`);
  }
  const collections: CollectionSpec[] = m.collections.map((c, ci) => ({
    name: c.name,
    fraction: c.fraction,
    windows: c.maintenanceWindows.map((w, wi) => {
      const ms = d(w.duration);
      // client-behaviour.md section 1: 5 minutes to under 24 hours
      const wp = `collections[${ci}].maintenanceWindows[${wi}]`;
      if (ms < d('5m') || ms >= d('24h')) where(`${wp}.duration`, 'a maintenance window lasts 5 minutes to under 24 hours');
      // the policy carries the window as a schedule token: whole minutes, years 1970..2033
      if (ms % 60_000 !== 0) where(`${wp}.duration`, 'a maintenance window lasts whole minutes (its schedule token has no seconds)');
      const start = Date.parse(w.start + 'Z');
      if (start % 60_000 !== 0) where(`${wp}.start`, 'a maintenance window starts on a whole minute (its schedule token has no seconds)');
      const year = new Date(start).getUTCFullYear();
      if (year < 1970 || year > 2033) where(`${wp}.start`, 'a schedule token holds start years 1970 to 2033');
      if (w.created !== undefined && w.removed !== undefined && d(w.removed) <= d(w.created)) where(`${wp}.removed`, 'must be after created');
      return { start, duration: ms, recurrence: w.recurrence, type: w.type, localTime: w.localTime };
    }),
  }));

  // users: a model only when the scenario describes them or has an optional deployment users install
  const ui = inp.users;
  const hm = (x: string) => Number(x.slice(0, 2)) * 3_600_000 + Number(x.slice(3)) * 60_000;
  let usersSpec: UsersSpec | null = null;
  if (ui !== undefined || m.deployments.some((x) => x.deadline === null && (x.userInstallFraction ?? 0) > 0)) {
    const u = m.users;
    usersSpec = {
      businessFrom: hm(u.businessHours.from),
      businessTo: hm(u.businessHours.to),
      businessDays: u.businessHours.days.map((x) => WEEKDAYS.indexOf(x as (typeof WEEKDAYS)[number])),
      outsideBusinessHoursFraction: u.outsideBusinessHoursFraction,
      installDelayMean: d(u.installDelayMean),
    };
    if (usersSpec.businessFrom >= usersSpec.businessTo) where('users.businessHours.to', 'must be after from');
  }

  const actions: ClientAction[] = m.actions
    .map((a) => ({ kind: a.kind, at: startMs + d(a.at), within: d(a.within), fraction: a.fraction }))
    .sort((a, b) => a.at - b.at);

  const thresholds: Threshold[] = [];
  m.thresholds.forEach((t, i) => {
    try {
      if (typeof t === 'string') thresholds.push(parseThreshold(t, `thresholds[${i}]`));
      else thresholds.push({ ...parseThreshold(t.threshold, `thresholds[${i}]`), abortOnFail: t.abortOnFail === true, delayAbortEval: t.delayAbortEval !== undefined ? d(t.delayAbortEval) : 0 });
    } catch (err) {
      where(`thresholds[${i}]`, (err as Error).message.replace(/^thresholds\[\d+\]: /, ''));
    }
  });

  if (issues.length > 0) throw new ScenarioError(source, withoutEchoes(issues, typeErrorCount, checked.refused));
  const shard = shardOf(overrides.shard, m.clients);

  const settings: ClientSettings = Object.freeze({
    softwareUpdatesEnabled: c.softwareUpdatesEnabled,
    policyPollingInterval: d(c.policyPollingInterval),
    stateMessageCycle: d(c.stateMessageCycle),
    scanInterval: d(c.scanSchedule),
    reevaluationInterval: d(c.reevaluationSchedule),
    scheduleRandomDelay: d(c.scheduleRandomDelay),
    firstScanWindow: d(c.firstScanWindow),
    scanTtl: d(c.scanTtl),
    scanRetryDelay: d(c.scanRetryDelay),
    scanRetryCount: c.scanRetryCount,
    supSwitchDelay: d(c.supSwitchDelay),
    scanRetryCodes: Object.freeze(c.scanRetryCodes.map((x) => parseInt(x, 16) >>> 0)),
    cacheSizeBytes: c.cacheSizeMB * MB,
    cacheMinRetention: d(c.cacheMinRetention),
    restartCountdown,
    downloadRandomDelay: d(c.downloadRandomDelay),
    deadlineRandomDelay: d(c.deadlineRandomDelay),
    disableDeadlineRandomization: c.disableDeadlineRandomization,
    gracePeriod,
    // absent when No: bodies and settings stay as they were without the setting
    ...(c.installOtherDeployments ? { installOtherDeploymentsWithin: otherWithin } : {}),
    // absent when off: the restart comes without notifications, and policy bodies keep their bytes
    ...(c.restartNotifications ? { restartFinalCountdown: finalCountdown, restartReminderInterval: reminderInterval } : {}),
  });
  const local = buildLocalModel(m.timeZones, collections, startMs, startMs + durationMs!, usersSpec);
  const model: ClientModel = Object.freeze({
    onlineScanMin: d(mo.onlineScanMin),
    onlineScanMax: d(mo.onlineScanMax),
    offlineScan: d(mo.offlineScan),
    installPerUpdate: d(mo.installPerUpdate),
    restartDuration: d(mo.restartDuration),
    // Mbit/s -> bytes per ms
    downloadBytesPerMs: (mo.downloadMbps * 1_000_000) / 8 / 1000,
    startWithin: d(mo.startWithin),
    requestTimeout: Math.max(1, d(mo.requestTimeout)),
    contentLocationRetry: Math.max(1, d(mo.contentLocationRetry)),
    contentLocationTimeout: d(mo.contentLocationTimeout),
    downloadRetry: Math.max(1, d(mo.downloadRetry)),
    downloadTimeout: d(mo.downloadTimeout),
    local,
    // maintenance windows reach the clients as the MP's CCM_ServiceWindow policies (server-stub/core/mp.ts)
    serviceWindows: serviceWindowResolver(local?.zones ?? [], startMs - 2 * 86_400_000, startMs + durationMs! + 2 * 86_400_000),
    // power schedules follow each client's zone in the core (agent/core/power.ts, zoneOf)
    power,
    installFailures: en.installFailures.map((f) => ({ code: parseInt(f.code, 16) >>> 0, fraction: f.fraction })),
    installRetryLimit: en.installRetryLimit,
    ...(en.serverFraction > 0 ? { serverFraction: en.serverFraction } : {}),
    ...(m.users.restartNowFraction > 0 ? { restartNowFraction: m.users.restartNowFraction } : {}),
    ...(m.users.snoozeFraction > 0 ? { restartSnoozeFraction: m.users.snoozeFraction } : {}),
  });
  const stub: StubConfig = deepFreeze({
    seed: m.seed,
    // the embedded stub serves the shard's clients
    clients: shard.clients,
    firstClient: shard.firstClient,
    start: startMs,
    settings,
    softwareUpdatesEnabledAt: c.softwareUpdatesEnabled ? startMs + d(m.site.softwareUpdatesEnabledAt) : Infinity,
    catalogue: {
      updates: cat.updates,
      newUpdates: cat.newUpdates,
      applicableFraction: cat.applicableFraction,
      installedFraction: cat.installedFraction,
      restartFraction: cat.restartFraction,
      minBytes: Math.round(cat.minSizeMB * MB),
      maxBytes: Math.round(cat.maxSizeMB * MB),
      syncs: syncs.map((x) => ({ at: startMs + x.at, updates: x.updates })),
      supSyncLag: d(cat.supSyncLag),
      supersedence: { fraction: supersedence.fraction, expireAfter: supersedence.expireAfter === null ? null : d(supersedence.expireAfter) },
    },
    deployments,
    ...(collections.length > 0 ? {
      collections: collections.map((c, ci) => ({
        fraction: c.fraction,
        windows: c.windows.map((w, wi) => {
          const x = m.collections[ci]!.maintenanceWindows[wi]!;
          const { id: _id, ...window } = windowPolicyOf(w, '');
          return { window, created: x.created !== undefined ? startMs + d(x.created) : startMs, removed: x.removed !== undefined ? startMs + d(x.removed) : null };
        }),
      })),
    } : {}),
    sups: [...m.site.sups],
    dps: [...m.site.dps],
    // site.mpProcessingRate is the whole site's: a shard's MP processes its share (the whole fleet: the rate itself)
    mpProcessingRate: m.site.mpProcessingRate * (shard.clients / m.clients),
    mpProcessingInterval: Math.max(1, d(m.site.mpProcessingInterval)),
    minMissingMessageAge: d(m.site.minMissingMessageAge),
    faults,
    ...(wsusPool !== null ? { wsusPool } : {}),
  });
  return deepFreeze({
    name: m.name,
    seed: m.seed,
    clients: m.clients,
    shard,
    start: startMs,
    duration: durationMs!,
    end: startMs + durationMs!,
    settings,
    model,
    actions,
    stub,
    thresholds,
    effective: JSON.parse(JSON.stringify(m)) as Record<string, unknown>,
  });
}

/**
 * The schema's check, then the same input with every refused field taken out
 * (so its default stands in) until what is left passes: the semantic checks
 * run on that, and a scenario's type errors and semantic errors are reported
 * together. `refused` are the paths taken out (a field, or the list or
 * object holding it when it cannot go alone); data is null when nothing is
 * left to check (the root is not an object).
 */
function typeCheck(input: unknown): { data: ScenarioInput | null; issues: ScenarioIssue[]; refused: string[] } {
  const first = scenarioSchema.safeParse(input);
  if (first.success) return { data: first.data, issues: [], refused: [] };
  const issues = first.error.issues.map((i) => ({ path: pathOf(i.path), message: i.message }));
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return { data: null, issues, refused: [] };
  const copy = JSON.parse(JSON.stringify(input)) as Record<string, unknown>;
  const refused: string[] = [];
  let pending = first.error.issues;
  // each round takes out at least one key, so it ends; 50 rounds is far more than any scenario needs
  for (let round = 0; round < 50; round++) {
    for (const i of pending) {
      const keys = i.code === 'unrecognized_keys' ? (i as { keys: string[] }).keys.map((k) => [...i.path, k]) : [i.path];
      for (const p of keys) {
        const taken = takeOut(copy, p, refused);
        if (taken !== null) refused.push(taken);
      }
    }
    const again = scenarioSchema.safeParse(copy);
    if (again.success) return { data: again.data, issues, refused };
    pending = again.error.issues;
  }
  return { data: null, issues, refused };
}

/**
 * Removes the value at path from o: the key of an object; a list entry takes
 * its whole list with it (indices of the entries after it must not move); a
 * path taken out before (a required field) takes its parent. Returns the path
 * removed, or null when there was nothing to remove.
 */
function takeOut(o: Record<string, unknown>, path: readonly PropertyKey[], refused: readonly string[]): string | null {
  let p = [...path];
  // a list entry, or inside one: the list goes
  const firstIndex = p.findIndex((k) => typeof k === 'number');
  if (firstIndex >= 0) p = p.slice(0, firstIndex);
  while (p.length > 0 && refused.includes(pathOf(p))) p = p.slice(0, -1);
  if (p.length === 0) return null;
  let parent: unknown = o;
  for (const k of p.slice(0, -1)) {
    if (parent === null || typeof parent !== 'object') return null;
    parent = (parent as Record<PropertyKey, unknown>)[k as string];
  }
  if (parent === null || typeof parent !== 'object') return null;
  const key = p[p.length - 1] as string;
  if (!(key in (parent as object))) return refused.includes(pathOf(p)) ? null : pathOf(p);
  delete (parent as Record<string, unknown>)[key];
  return pathOf(p);
}

/** The semantic issues minus those about a field the type check refused (its default stood in) and minus repeats. */
function withoutEchoes(issues: readonly ScenarioIssue[], typeErrors: number, refused: readonly string[]): ScenarioIssue[] {
  const under = (path: string, r: string) => path === r || path.startsWith(r + '.') || path.startsWith(r + '[');
  const seen = new Set<string>();
  return issues.filter((i, n) => {
    const key = i.path + '\0' + i.message;
    if (seen.has(key)) return false;
    seen.add(key);
    return n < typeErrors || !refused.some((r) => under(i.path, r));
  });
}

type PoolInput = NonNullable<NonNullable<ScenarioInput['site']>['wsusPool']>;
type MergedPool = { -readonly [K in keyof typeof WSUS_POOL_DEFAULTS]: (typeof WSUS_POOL_DEFAULTS)[K] };

/** The site with its capacity model's defaults filled in (only when the scenario asks for one: absent or null stays as given). */
function withPool<S extends object>(site: S, pool: PoolInput | null | undefined): Omit<S, 'wsusPool'> & { wsusPool?: MergedPool | null } {
  const { wsusPool: _given, ...rest } = site as S & { wsusPool?: unknown };
  if (pool === undefined) return rest;
  return { ...rest, wsusPool: pool === null ? null : ({ ...WSUS_POOL_DEFAULTS, ...pool } as MergedPool) };
}

/** The WSUS capacity model from site.wsusPool (merged with its defaults), or null when the scenario has none. */
function resolveWsusPool(site: { readonly sups: readonly string[]; readonly wsusPool?: MergedPool | null | undefined }, where: (p: string, m: string) => void): WsusPoolSpec | null {
  const p = site.wsusPool;
  if (p === undefined || p === null) return null;
  const at = 'site.wsusPool';
  const min = d(p.serviceTimeMin);
  const max = d(p.serviceTimeMax);
  if (min > max) where(`${at}.serviceTimeMin`, `is longer than ${at}.serviceTimeMax (${p.serviceTimeMax})`);
  if (p.privateMemoryLimitMB > 0 && p.baseMemoryMB + p.memoryPerScanMB >= p.privateMemoryLimitMB) {
    where(`${at}.privateMemoryLimitMB`, `is reached by the idle pool and one request (baseMemoryMB ${p.baseMemoryMB} + memoryPerScanMB ${p.memoryPerScanMB}): the pool would never serve`);
  }
  if (p.privateMemoryLimitMB > 0 && p.memoryPerScanMB <= 0) where(`${at}.memoryPerScanMB`, 'must be above 0 for the memory limit to be reached');
  for (const [i, s] of (p.sups ?? []).entries()) if (!site.sups.includes(s)) where(`${at}.sups[${i}]`, `"${s}" is not one of site.sups`);
  if (site.sups.length > 1024) where('site.sups', 'at most 1,024 SUPs with a capacity model');
  const code = parseInt(p.overloadCode, 16) >>> 0;
  if (code === 0) where(`${at}.overloadCode`, 'a failure code is not 0x0 (S_OK)');
  return {
    workers: p.workers,
    queueLength: p.queueLength,
    serviceTimeMin: min,
    serviceTimeMax: max,
    serviceTimePerUpdate: d(p.serviceTimePerUpdate),
    privateMemoryLimitMB: p.privateMemoryLimitMB,
    baseMemoryMB: p.baseMemoryMB,
    memoryPerScanMB: p.memoryPerScanMB,
    recycleTime: d(p.recycleTime),
    // what a refused request gets is the hresult fault kind's decision: in-process the code, over HTTP
    // the failure that makes a real client report it (0x80244022: a 503; 0x80072EE2: no answer)
    refusal: { kind: 'hresult', code },
    sups: p.sups === null ? null : [...p.sups],
  };
}

function restartBits(all: boolean, workstations: boolean, servers: boolean): { suppressRestart: boolean; suppressRestartFor?: number } {
  const bits = (all ? 3 : 0) | (workstations ? 1 : 0) | (servers ? 2 : 0);
  return bits === 1 || bits === 2 ? { suppressRestart: false, suppressRestartFor: bits } : { suppressRestart: bits === 3 };
}

function deepFreeze<T>(o: T): T {
  if (o !== null && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as object)) deepFreeze(v);
  }
  return o;
}
