// Scenario files: a strict schema (unknown keys rejected, every problem
// reported at once with its path), merged over DEFAULT_SCENARIO, then checked
// across fields and frozen. zod was chosen over ajv for this: the schema is
// also the TypeScript type, its issues carry paths, and scenario loading is
// not a hot path (measured: < 5 ms for the default scenario).

import { z } from 'zod';
import { tryParseDuration } from '../duration.js';
import { faultEffectFields } from '../../server-stub/core/fault-kinds/index.js';
import { LIMITS, fmt } from './limits.js';

// Every number is bounded (harness/scenario/limits.ts says why each bound is
// what it is): fractions in [0, 1], durations from 0 to LIMITS.durationMs,
// counts whole and capped, lists capped.
const MAX_DURATION = `${LIMITS.durationMs.max / 86_400_000}d`;
const duration = z.string().superRefine((s, ctx) => {
  const ms = tryParseDuration(s);
  if (ms === null) ctx.addIssue({ code: 'custom', message: 'not a duration (examples: 15m, 7d, 1d2h, 90s)' });
  else if (ms > LIMITS.durationMs.max) ctx.addIssue({ code: 'custom', message: `"${s}" is longer than the longest duration, ${MAX_DURATION}` });
});
const fraction = z.number().min(0, 'a fraction from 0 to 1').max(1, 'a fraction from 0 to 1');
const hresult = z.string().regex(/^0x[0-9a-fA-F]{1,8}$/, 'not an HRESULT (example: 0x80244022)');
/** a whole number from min to max, the bound in its message */
const whole = (min: number, max: number) => z.number().int(`a whole number from ${fmt(min)} to ${fmt(max)}`).min(min, `a whole number from ${fmt(min)} to ${fmt(max)}`).max(max, `a whole number from ${fmt(min)} to ${fmt(max)}`);
/** a number from min to max */
const bounded = (min: number, max: number, unit: string) => z.number().min(min, `from ${fmt(min)} to ${fmt(max)} ${unit}`).max(max, `from ${fmt(min)} to ${fmt(max)} ${unit}`);
const posInt = whole(1, LIMITS.retries.max);
const list = <T extends z.ZodType>(t: T) => z.array(t).max(LIMITS.listEntries.max, `at most ${fmt(LIMITS.listEntries.max)} entries`);
const U = LIMITS.updates.max;

const clientSettings = z.strictObject({
  softwareUpdatesEnabled: z.boolean(),
  policyPollingInterval: duration,
  stateMessageCycle: duration,
  scanSchedule: duration,
  reevaluationSchedule: duration,
  scheduleRandomDelay: duration,
  firstScanWindow: duration,
  scanTtl: duration,
  scanRetryDelay: duration,
  scanRetryCount: posInt,
  supSwitchDelay: duration,
  scanRetryCodes: list(hresult),
  cacheSizeMB: bounded(0, LIMITS.sizeMB.max, 'MB'),
  cacheMinRetention: duration,
  restartCountdown: duration,
  downloadRandomDelay: duration,
  deadlineRandomDelay: duration,
  disableDeadlineRandomization: z.boolean(),
  /** grace period for enforcement after a deadline the machine was off at (0 to 120 h) */
  gracePeriod: duration,
  installOtherDeployments: z.boolean(),
  installOtherDeploymentsWithin: duration,
  /** restart notifications: reminders, snooze and the final countdown (agent/core/restart.ts) */
  restartNotifications: z.boolean(),
  restartFinalCountdown: duration,
  restartReminderInterval: duration,
}).partial();

const model = z.strictObject({
  startWithin: duration,
  onlineScanMin: duration,
  onlineScanMax: duration,
  offlineScan: duration,
  installPerUpdate: duration,
  restartDuration: duration,
  downloadMbps: bounded(0, LIMITS.downloadMbps.max, 'Mbit/s'),
  requestTimeout: duration,
  contentLocationRetry: duration,
  contentLocationTimeout: duration,
  downloadRetry: duration,
  downloadTimeout: duration,
}).partial();

/** the WSUS capacity model (server-stub/core/wsus-pool.ts): an IIS application pool in front of each SUP */
// IIS: maxConcurrentRequestsPerCPU x cores is in the thousands; queueLength's maximum is 65,535
const wsusPool = z.strictObject({
  workers: whole(1, 100_000),
  queueLength: whole(0, 65_535),
  serviceTimeMin: duration,
  serviceTimeMax: duration,
  serviceTimePerUpdate: duration,
  privateMemoryLimitMB: bounded(0, LIMITS.sizeMB.max, 'MB (0: no limit)'),
  baseMemoryMB: bounded(0, LIMITS.sizeMB.max, 'MB'),
  memoryPerScanMB: bounded(0, LIMITS.sizeMB.max, 'MB'),
  recycleTime: duration,
  overloadCode: hresult,
  sups: list(z.string().min(1)).min(1).nullable(),
}).partial();

const site = z.strictObject({
  softwareUpdatesEnabledAt: duration,
  /** absent or null: no capacity model (WSUS answers every request at once) */
  wsusPool: wsusPool.nullable(),
  sups: list(z.string().min(1)).min(1),
  dps: list(z.string().min(1)).min(1),
  mpProcessingRate: bounded(0, LIMITS.mpProcessingRate.max, 'messages a second (0: unlimited)'),
  mpProcessingInterval: duration,
  /** a serial gap open this long makes the site ask the client for a resync (StateSys Min Missing Message Age) */
  minMissingMessageAge: duration,
}).partial();

/** A daily power schedule in hours of the local day (UTC until per-client time zones fill the offset hook). */
const powerSchedule = {
  fraction: fraction,
  onAt: duration,
  offAt: duration,
  spread: duration,
  weekendsOff: z.boolean(),
};
const power = z.strictObject({
  workstations: z.strictObject(powerSchedule).partial(),
  laptops: z.strictObject({ ...powerSchedule, awayEvery: duration, awayMin: duration, awayMax: duration }).partial(),
  neverReturn: z.strictObject({ fraction: fraction, within: duration }).partial(),
}).partial();

const catalogue = z.strictObject({
  updates: whole(1, U),
  newUpdates: whole(0, U),
  applicableFraction: fraction,
  installedFraction: fraction,
  restartFraction: fraction,
  minSizeMB: z.number().positive('more than 0 MB').max(LIMITS.sizeMB.max, `at most ${fmt(LIMITS.sizeMB.max)} MB`),
  maxSizeMB: z.number().positive('more than 0 MB').max(LIMITS.sizeMB.max, `at most ${fmt(LIMITS.sizeMB.max)} MB`),
  syncs: list(z.strictObject({ at: duration, updates: whole(1, U) })),
  supSyncLag: duration,
  supersedence: z.strictObject({ fraction, expireAfter: duration.nullable() }).partial(),
}).partial();

const deployment = z.strictObject({
  name: z.string().min(1),
  updates: z.union([z.strictObject({ newest: whole(1, U) }), z.array(whole(0, U - 1)).min(1).max(U)]),
  created: duration.nullable().optional(),
  available: duration,
  deadline: duration.nullable(),
  /** removed: a client setting now (client.disableDeadlineRandomization); accepted here only to refuse it with that message */
  disableDeadlineRandomization: z.unknown().optional(),
  suppressRestart: z.boolean().optional(),
  suppressRestartWorkstations: z.boolean().optional(),
  suppressRestartServers: z.boolean().optional(),
  userInstallFraction: fraction.optional(),
  targetFraction: fraction.optional(),
  /** times are each client's local wall clock (UseGMTTimes false); default false (UTC) */
  localTime: z.boolean().optional(),
  /** installs may run outside maintenance windows */
  overrideServiceWindows: z.boolean().optional(),
  /** the restart after an install may happen outside maintenance windows */
  rebootOutsideOfServiceWindows: z.boolean().optional(),
  /** maximum run time of its updates, 5m..9999m */
  maxRunTime: duration.optional(),
  /** when its content reaches the distribution points (from the run's start); null: before the run */
  contentDistributed: duration.nullable().optional(),
});

const weekday = z.enum(['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday']);
/** a maintenance window (client-behaviour.md section 1); start is a wall-clock time without offset */
const maintenanceWindow = z.strictObject({
  start: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/, 'not a wall-clock time (example: 2026-01-13T01:00)'),
  duration: duration,
  recurrence: z.union([
    z.enum(['none', 'daily', 'weekly']),
    z.strictObject({ monthly: z.strictObject({ week: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal('last')]), day: weekday, offsetDays: z.number().int().min(0).max(7).optional() }) }),
  ]).optional(),
  type: z.enum(['all', 'softwareUpdates']).optional(),
  localTime: z.boolean().optional(),
  /** when the site adds the window to its collection (from the run's start; default: there from the start) */
  created: duration.optional(),
  /** when the site deletes it (from the run's start); default: never */
  removed: duration.optional(),
});

const collection = z.strictObject({
  name: z.string().min(1),
  /** share of the clients that are members */
  fraction: fraction,
  maintenanceWindows: list(maintenanceWindow),
});

const timeZone = z.strictObject({ zone: z.string().min(1), fraction: fraction });

const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'not a time of day (example: 05:00)');
/** Software Center users: business hours and who installs what when */
const users = z.strictObject({
  businessHours: z.strictObject({ from: timeOfDay, to: timeOfDay, days: z.array(weekday).min(1) }).partial(),
  outsideBusinessHoursFraction: fraction,
  installDelayMean: duration,
  restartNowFraction: fraction,
  snoozeFraction: fraction,
}).partial();

const enforcement = z.strictObject({
  installFailures: list(z.strictObject({ code: hresult, fraction })),
  installRetryLimit: whole(0, LIMITS.retries.max),
  serverFraction: fraction,
}).partial();

const action = z.strictObject({
  kind: z.enum(['manualScan', 'deploymentEvaluation', 'restart', 'loseUpdate', 'switchSup']),
  at: duration,
  within: duration.optional(),
  fraction: fraction.optional(),
});

/** A fault has exactly one effect: one field per fault kind (server-stub/core/fault-kinds/: code, status, delay, reset, soapFault, drop, lose). */
const fault = z.strictObject({
  target: z.enum(['mp.policy', 'mp.location', 'mp.state', 'wsus', 'dp']),
  operation: z.string().min(1).optional(),
  from: duration,
  to: duration,
  rate: fraction.optional(),
  ...faultEffectFields({ duration, hresult }),
  sup: z.string().nullable().optional(),
  dp: z.string().nullable().optional(),
});

export const scenarioSchema = z.strictObject({
  $schema: z.string().optional(),
  /** documentation (the library's scenarios): what the scenario shows and how; not used by the run */
  description: z.string().min(1),
  /** documentation: the real-world symptom in one line, listed by `suca-fleet scenarios` */
  symptom: z.string().min(1),
  name: z.string().min(1),
  seed: whole(LIMITS.seed.min, LIMITS.seed.max),
  clients: whole(LIMITS.clients.min, LIMITS.clients.max),
  start: z.iso.datetime({ offset: true }),
  duration: duration,
  client: clientSettings,
  model: model,
  site: site,
  catalogue: catalogue,
  power: power,
  deployments: z.array(deployment).max(LIMITS.deployments.max, `at most ${LIMITS.deployments.max} deployments`),
  enforcement: enforcement,
  actions: list(action),
  /** time zones of the clients (IANA names) and their shares; empty: every client on UTC */
  timeZones: list(timeZone),
  /** collections with maintenance windows, clients drawn into each by its fraction */
  collections: z.array(collection).max(LIMITS.collections.max, `at most ${LIMITS.collections.max} collections`),
  users: users,
  faults: list(fault),
  /**
   * thresholds evaluated at the end of the run, e.g. "state_latency_p99<20m", or
   * { threshold, abortOnFail, delayAbortEval } to also check during the run and stop it on a failure
   */
  thresholds: list(
    z.union([
      z.string().min(1),
      z.strictObject({ threshold: z.string().min(1), abortOnFail: z.boolean().optional(), delayAbortEval: duration.optional() }),
    ]),
  ),
}).partial();

export type ScenarioInput = z.infer<typeof scenarioSchema>;
export type DeploymentInput = z.infer<typeof deployment>;
export type ActionInput = z.infer<typeof action>;
export type FaultInput = z.infer<typeof fault>;
