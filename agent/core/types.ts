import type { CoreStore } from './state.js';
import type { LocalModel } from './localtime.js';

// Types of the pure core: the client record, the messages it exchanges with
// the MP / WSUS / DP (typed; agent/wire encodes them for real servers), the
// events it reports and the context (ports) it is given.

/** Software Updates Client Agent settings, delivered by machine policy. Durations in ms. */
export interface ClientSettings {
  readonly softwareUpdatesEnabled: boolean;
  readonly policyPollingInterval: number;
  readonly stateMessageCycle: number;
  readonly scanInterval: number;
  readonly reevaluationInterval: number;
  /** Random delay added to each scan / re-evaluation schedule start (2 h). */
  readonly scheduleRandomDelay: number;
  /** First scan lands within this window after the policy that enables software updates (2 h). */
  readonly firstScanWindow: number;
  /** Metadata time to live (24 h). */
  readonly scanTtl: number;
  readonly scanRetryDelay: number;
  readonly scanRetryCount: number;
  /** Extra wait before moving to the next SUP after the last retry (2 min). */
  readonly supSwitchDelay: number;
  readonly scanRetryCodes: readonly number[];
  readonly cacheSizeBytes: number;
  readonly cacheMinRetention: number;
  readonly restartCountdown: number;
  /** Content download starts within this window after the available time (2 h). */
  readonly downloadRandomDelay: number;
  /** With deadline randomization on, installs start within this window after the deadline (Scheduler MaxRandomDelay, 2 h). */
  readonly deadlineRandomDelay: number;
  /**
   * Client setting "Disable deadline randomization" (Computer Agent; default
   * Yes, client-behaviour.md section 1): true, required installs start at the
   * deadline; false, each client waits up to deadlineRandomDelay after it.
   */
  readonly disableDeadlineRandomization: boolean;
  /** Grace period for enforcement after a deadline the machine was off at: from power-on (0 to 120 h; power.ts). */
  readonly gracePeriod: number;
  /**
   * "Install all other deployments with deadline within N": when a deadline
   * comes, required deployments whose deadline is within this much are
   * installed with it. Absent or 0: No (the product's default).
   */
  readonly installOtherDeploymentsWithin?: number;
  /** The update source (WSUS catalogue) version the site's policy carries; absent: 1. Raised by each catalogue sync. */
  readonly updateSourceVersion?: number;
  /**
   * Computer Restart: "Specify the amount of time that a user is presented a
   * final countdown notification before a device gets restarted" (15 min;
   * restart.ts). Absent or 0: restart notifications are not modelled (the
   * restart simply comes restartCountdown after the install, as before).
   */
  readonly restartFinalCountdown?: number;
  /**
   * "Specify the frequency of reminder notifications presented to the user,
   * after the deadline, before a device gets restarted" (240 min; earlier
   * versions: the snooze duration, 4 h). Set with restartFinalCountdown.
   */
  readonly restartReminderInterval?: number;
}

/** A deployment (assignment) as policy describes it. Times are epoch ms. */
export interface DeploymentPolicy {
  readonly index: number;
  readonly id: string;
  readonly name: string;
  /** Update indices in the catalogue. */
  readonly updates: readonly number[];
  readonly available: number;
  /** null: optional deployment (no deadline, no pre-download, installed only by a user). */
  readonly deadline: number | null;
  readonly suppressRestart: boolean;
  /**
   * Restart suppression by machine type when it is not all or nothing
   * (SuppressReboot bits: 1 workstations, 2 servers); absent: suppressRestart
   * decides for both.
   */
  readonly suppressRestartFor?: number;
  /** Fraction of targeted clients whose user installs from Software Center before the deadline. */
  readonly userInstallFraction: number;
  /**
   * UseGMTTimes false: `available` and `deadline` are the client's local wall
   * clock (epoch ms read as if UTC); each client maps them to UTC with its own
   * time zone (agent/core/localtime.ts). true: they are UTC instants.
   */
  readonly localTime: boolean;
  /** OverrideServiceWindows: installs may run outside maintenance windows. */
  readonly overrideServiceWindows: boolean;
  /** RebootOutsideOfServiceWindows: the restart after the install may happen outside maintenance windows. */
  readonly rebootOutsideOfServiceWindows: boolean;
  /** Maximum run time of the deployment's updates (ms, 5..9,999 min; 60 min default): an install starts in a window only if it fits the time left. */
  readonly maxRunTime: number;
}

/**
 * One SMS_ScheduleToken, decoded (agent/wire/ccm/schedule-token.ts): the start
 * is a wall-clock time held as epoch ms read as UTC (the token has no offset;
 * gmt true: it is a UTC instant), to the minute.
 */
export interface ScheduleToken {
  readonly start: number;
  /** DayDuration, HourDuration, MinuteDuration together, in minutes */
  readonly durationMinutes: number;
  /** IsGMT */
  readonly gmt: boolean;
  readonly recur:
    | { readonly kind: 'none' }
    /** SMS_ST_RecurInterval: DaySpan / HourSpan / MinuteSpan */
    | { readonly kind: 'interval'; readonly days: number; readonly hours: number; readonly minutes: number }
    /** SMS_ST_RecurWeekly: Day 1 = Sunday .. 7, every ForNumberOfWeeks */
    | { readonly kind: 'weekly'; readonly day: number; readonly weeks: number }
    /** SMS_ST_RecurMonthlyByWeekday: WeekOrder 0 = last, 1..4; Day 1 = Sunday .. 7; every ForNumberOfMonths */
    | { readonly kind: 'monthlyByWeekday'; readonly day: number; readonly months: number; readonly week: number }
    /** SMS_ST_RecurMonthlyByDate: MonthDay 0 = the last day, 1..31 */
    | { readonly kind: 'monthlyByDate'; readonly date: number; readonly months: number };
}

/** A maintenance window as policy delivers it (a CCM_ServiceWindow instance). */
export interface ServiceWindowPolicy {
  readonly id: string;
  /** ServiceWindowType: 1 all deployments, 4 software updates; the others (programs, OSD, ...) do not hold updates */
  readonly type: number;
  /** the Schedules property: one or more schedule tokens (each occurrence opens the window) */
  readonly schedules: readonly ScheduleToken[];
  /** days added to each monthly-by-weekday occurrence ("second Tuesday + N days"); SUCA_OffsetDays, its real encoding is not public */
  readonly offsetDays: number;
}

/** A window policy a client holds: its assignment slot and version, and the window. */
export interface WindowEntry {
  readonly slot: number;
  readonly version: number;
  readonly window: ServiceWindowPolicy;
}

/** A client's windows from policy: shared, interned by the port (ClientModel.serviceWindows). */
export interface WindowSet {
  readonly entries: readonly WindowEntry[];
  /** merged UTC intervals [start, end, ...] ascending; software-update windows only when there are any */
  readonly intervals: Float64Array;
}

/** First assignment slot of service-window policies (after settings 0 and deployments 1..20). */
export const WINDOW_SLOT_BASE = 21;

/** One entry of a ReplyAssignments. */
export interface PolicyAssignment {
  readonly id: string;
  readonly version: number;
  /** 0 = SUCA settings, d + 1 = deployment d, WINDOW_SLOT_BASE + w = service window w (any slot may carry any body from a real MP) */
  readonly slot: number;
}

/** Update metadata the client knows from the catalogue (sizes, restart behaviour). */
export interface CatalogueView {
  readonly size: number;
  readonly bytes: Float64Array;
  readonly restartRequired: Uint8Array;
  /** Update source (WSUS content) ID and version for the WSUS location request. */
  readonly updateSourceId: string;
  /** the version at the start (a client asks for the one its policy carries once it has one) */
  readonly updateSourceVersion: number;
  /**
   * Per update, the update source version it appears in (updates added by
   * catalogue syncs during the run); undefined when the catalogue never
   * changes. A client knows nothing of an update newer than its metadata.
   */
  readonly releaseVersion?: Uint16Array | undefined;
  /** flat [superseded, successor] update pairs (catalogue supersedence); undefined: none */
  readonly supersededPairs?: Uint16Array | undefined;
}

// ---- requests and replies -------------------------------------------------

export type Request =
  | { readonly kind: 'policy.assignments'; readonly client: number; readonly knownVersion: number }
  | { readonly kind: 'policy.body'; readonly client: number; readonly assignment: PolicyAssignment }
  | { readonly kind: 'location.wsus'; readonly client: number; readonly contentId: string; readonly contentVersion: number }
  /**
   * held: the catalogue indices of the updates whose metadata the client's WUA
   * datastore holds from this same SUP, ascending (empty or absent: a full scan).
   * The transport sends their revision ids back as cached ids so the server
   * sends only what is new (MS-WUSP SyncUpdates OtherCachedUpdateIDs).
   */
  | { readonly kind: 'wsus.scan'; readonly client: number; readonly sup: string; readonly held?: readonly number[] }
  | { readonly kind: 'location.content'; readonly client: number; readonly updates: readonly number[] }
  | { readonly kind: 'dp.download'; readonly client: number; readonly dp: string; readonly updates: readonly number[]; readonly bytes: number }
  | { readonly kind: 'state.report'; readonly client: number; readonly msgs: readonly number[] };

export type RequestKind = Request['kind'];

export type ReplyBody =
  /**
   * resync: the site's state-resync request number for this client (absent or 0: none). The client
   * resends its full state once per new number (agent/core/resync.ts; server-stub/core/resync.ts).
   */
  | { readonly kind: 'policy.assignments'; readonly version: number; readonly assignments: readonly PolicyAssignment[]; readonly deploymentIds: readonly string[]; readonly resync?: number }
  | { readonly kind: 'policy.body'; readonly slot: number; readonly version: number; readonly settings?: ClientSettings; readonly deployment?: DeploymentPolicy; readonly window?: ServiceWindowPolicy }
  /** version: the update source version the listed SUPs serve (absent: the catalogue's first) */
  | { readonly kind: 'location.wsus'; readonly sups: readonly string[]; readonly version?: number }
  | { readonly kind: 'wsus.scan'; readonly catalogueVersion: number; readonly applicable: readonly number[] }
  | { readonly kind: 'location.content'; readonly dps: readonly string[] }
  | { readonly kind: 'dp.download'; readonly bytes: number }
  | { readonly kind: 'state.report' };

/** A failed request: the HRESULT the real client would report for it. */
export interface ReplyError {
  readonly kind: 'error';
  readonly req: RequestKind;
  readonly code: number;
}

export type Reply = ReplyBody | ReplyError;

// ---- state message queue layout --------------------------------------------
// The queue is a flat number array of MSG_STRIDE fields per message; this
// avoids one object per message (measured: 20 M first-scan messages at 100k
// clients would otherwise cost ~1.5 GB of objects).
export const MSG_STRIDE = 6;
export const MSG_TOPIC_TYPE = 0;
export const MSG_STATE_ID = 1;
/** update index (500/402), deployment index (300/301/302) or 0 (501: the update source) */
export const MSG_TOPIC = 2;
export const MSG_SERIAL = 3;
export const MSG_TIME = 4;
/**
 * A packed field: the low bit is MSG_SENT_ONCE (a report carrying the message
 * failed: the MP may have it, a lost answer); the rest, floor(x / 2), is the
 * message's user parameter (501: the scan's last error HRESULT, 0 = none).
 * Packed so the queue keeps 6 numbers a message (a 7th field was rejected:
 * +17 % queue memory at the first-scan peak). Use msgParam / withSentOnce.
 */
export const MSG_FLAGS = 5;
export const MSG_SENT_ONCE = 1;

/**
 * The user parameter of a 500 / 501: scan package version x 2^32 + error
 * HRESULT (unsigned; 0 = none). Both fit a double exactly with the sent-once
 * bit (version < 2^20).
 */
export function scanParam(scanPackageVersion: number, code: number): number {
  return scanPackageVersion * 4294967296 + (code >>> 0);
}
export function paramVersion(param: number): number {
  return Math.floor(param / 4294967296);
}
export function paramCode(param: number): number {
  return param % 4294967296;
}

/** The user parameter packed in a MSG_FLAGS value. */
export function msgParam(flags: number): number {
  return Math.floor(flags / 2);
}

/** A MSG_FLAGS value with MSG_SENT_ONCE set (arithmetic: the parameter may exceed 31 bits). */
export function withSentOnce(flags: number): number {
  return flags % 2 === 1 ? flags : flags + 1;
}

// ---- events reported by the core (trace, metrics) ---------------------------

export type ScanTrigger =
  | 'firstPolicy' | 'schedule' | 'reevaluation' | 'newDeployment' | 'beforeDownload' | 'beforeInstall'
  | 'manualScan' | 'deploymentEvaluation' | 'afterInstall' | 'afterRestart' | 'retry';

export type AgentEvent =
  | { readonly ev: 'policy.requested' }
  | { readonly ev: 'policy.failed'; readonly code: number }
  | { readonly ev: 'policy.received'; readonly version: number; readonly deployments: readonly string[]; readonly softwareUpdatesEnabled: boolean }
  | { readonly ev: 'scan.started'; readonly trigger: ScanTrigger; readonly forced: boolean; readonly online: boolean; readonly rule: ScanTrigger }
  | { readonly ev: 'scan.completed'; readonly online: boolean; readonly required: number; readonly installed: number; readonly notRequired: number; readonly sup: string | null }
  | { readonly ev: 'scan.failed'; readonly code: number; readonly sup: string | null; readonly retryAt: number | null }
  /** the MP had no WSUS location for the update source version asked (501 state 1); the scan asks again at retryAt */
  | { readonly ev: 'scan.waitingLocation'; readonly version: number; readonly retryAt: number }
  | { readonly ev: 'download.started'; readonly deployment: string; readonly updates: number; readonly bytes: number }
  /** dp: the DP that served it (its URL as the content location listed it) */
  | { readonly ev: 'download.completed'; readonly deployment: string; readonly updates: number; readonly bytes: number; readonly dp: string }
  | { readonly ev: 'download.failed'; readonly deployment: string; readonly code: number }
  | { readonly ev: 'download.waitingContent'; readonly deployment: string; readonly code: number; readonly retryAt: number }
  /** a DP failed the download: `next` is asked at once, or (null) every DP failed and the next round starts at retryAt */
  | { readonly ev: 'download.retrying'; readonly deployment: string; readonly dp: string; readonly code: number; readonly next: string | null; readonly retryAt: number | null }
  | { readonly ev: 'deployment.available' | 'deployment.deadline'; readonly deployment: string }
  /** installOtherDeploymentsWithin: this deployment (deadline within N) is enforced with `by`'s deadline */
  | { readonly ev: 'deployment.pulledForward'; readonly deployment: string; readonly by: string }
  | { readonly ev: 'cache.evicted'; readonly updates: number; readonly bytes: number }
  | { readonly ev: 'install.started' | 'install.completed'; readonly deployment: string; readonly updates: number; readonly restartRequired: boolean }
  /** updates of the install that failed (402 state 11 each, 301 state 6), code: the first one's HRESULT, attempt: 0 first install, n the n-th retry */
  | { readonly ev: 'install.failed'; readonly deployment: string; readonly updates: number; readonly code: number; readonly attempt: number }
  | { readonly ev: 'restart.scheduled'; readonly at: number; readonly deployment: string }
  /** user: a restart the user started (an action), not one an install required */
  | { readonly ev: 'restart.started'; readonly user: boolean }
  | { readonly ev: 'restart.completed' }
  /** restart notifications (restart.ts): the temporary notification is shown; restartAt: the forced restart (null: no window in the run) */
  | { readonly ev: 'restart.reminder' | 'restart.countdown'; readonly restartAt: number | null }
  /** the user snoozed the reminder until the next one or the final countdown */
  | { readonly ev: 'restart.snoozed'; readonly until: number }
  /** until: when the window it waits for opens (null: no window in the run fits) */
  | { readonly ev: 'install.waitingForWindow' | 'restart.waitingForWindow'; readonly deployment: string; readonly until: number | null }
  /** trigger: 'schedule' (the client's re-evaluation schedule) or 'manual' (the Deployment Evaluation Cycle action) */
  | { readonly ev: 'reevaluation.started'; readonly trigger: 'schedule' | 'manual' }
  | { readonly ev: 'update.lost'; readonly update: number }
  /** the switchSup action moved the client from one SUP to another (its next online scan goes there) */
  | { readonly ev: 'sup.switched'; readonly from: string; readonly to: string }
  /** replaced: it overwrote an unsent message; supersedes: the serial of a once-sent message it replaced with a new serial (0: none) */
  | { readonly ev: 'state.queued'; readonly topicType: number; readonly stateId: number; readonly topic: number; readonly serial: number; readonly replaced: boolean; readonly supersedes: number }
  /** msgs: the flat queue slice that was sent (MSG_STRIDE layout); serials are read from it only when traced. */
  | { readonly ev: 'state.sent'; readonly msgs: readonly number[]; readonly ok: boolean; readonly code: number }
  /** the machine went off (power schedule); abandoned: the kind of job it cut short (asked for again at power-on), or null */
  | { readonly ev: 'power.off'; readonly abandoned: string | null }
  /** the machine came back after offFor ms; graced: deadlines passed while off, moved to power-on + grace period */
  | { readonly ev: 'power.on'; readonly offFor: number; readonly graced: number }
  /** the site asked for a state resync (request number) and the client queued its full state (messages) */
  | { readonly ev: 'state.resync'; readonly request: number; readonly messages: number }

export type AgentEventName = AgentEvent['ev'];

/** What a transition produces: requests to send and events to report. */
export type Effect = { readonly type: 'send'; readonly req: Request } | { readonly type: 'event'; readonly e: AgentEvent };

/** Scenario-level actions aimed at a fraction of clients (manual cycles, user restarts, update loss). */
export interface ClientAction {
  readonly kind: 'manualScan' | 'deploymentEvaluation' | 'restart' | 'loseUpdate' | 'switchSup';
  readonly at: number;
  readonly within: number;
  readonly fraction: number;
}

/** Timing model of work that happens on the client itself. */
export interface ClientModel {
  readonly onlineScanMin: number;
  readonly onlineScanMax: number;
  readonly offlineScan: number;
  readonly installPerUpdate: number;
  readonly restartDuration: number;
  /** Bytes per ms of the client's link to the DP; 0 = instant. */
  readonly downloadBytesPerMs: number;
  /** Clients make their first policy request uniformly within this window from the start. */
  readonly startWithin: number;
  /** How long a client waits for an answer before it reports a timeout. */
  readonly requestTimeout: number;
  /** A download whose content location found no DP (or failed) asks again after this. */
  readonly contentLocationRetry: number;
  /** ... and fails (CONTENT_NOT_FOUND, or the last error) once its first location request is this old. */
  readonly contentLocationTimeout: number;
  /** Every DP of a download failed: the next round (location, then the DPs in turn) after this. */
  readonly downloadRetry: number;
  /** ... and the download fails (the last DP's code) once it started this long ago. */
  readonly downloadTimeout: number;
  /** Time zones and maintenance windows (agent/core/localtime.ts); null: UTC clients, no windows. */
  readonly local: LocalModel | null;
  /** Power schedules of the machines (power.ts); null: every machine is always on. */
  readonly power: PowerModel | null;
  /** Shares of update installs that fail, with the HRESULT each fails with (empty: installs succeed). */
  readonly installFailures: readonly InstallFailure[];
  /** Re-evaluations retry a deployment's failed install this many times; after that it stays failed. */
  readonly installRetryLimit: number;
  /** Share of machines that are servers (restart suppression per workstation / server); absent: none. */
  readonly serverFraction?: number;
  /**
   * Maintenance windows from policy (a port, agent/core/windows.ts): the
   * interned WindowSet of these entries for a client in zone `zone` (-1: UTC).
   * Absent: window policies are ignored (core tests that model windows as
   * scenario data, ctx.model.local.windows).
   */
  readonly serviceWindows?: (entries: readonly WindowEntry[], zone: number) => WindowSet;
  /**
   * Restart notifications (restart.ts, with ClientSettings.restartFinalCountdown):
   * the share of clients whose user restarts from the first reminder, before
   * the forced restart; and the share (after those) whose user snoozes every
   * reminder. Absent: none.
   */
  readonly restartNowFraction?: number;
  readonly restartSnoozeFraction?: number;
}

export interface InstallFailure {
  readonly code: number;
  readonly fraction: number;
}


/** A daily on/off schedule: on from onAt (+ up to spread) to offAt (+ up to spread), ms into the client's local day (its time zone, DST included). */
export interface PowerSchedule {
  readonly fraction: number;
  readonly onAt: number;
  readonly offAt: number;
  readonly spread: number;
  readonly weekendsOff: boolean;
}

/** Power schedules (issue 11 item 5); every draw is a stateless hash of (seed, client, ...). */
export interface PowerModel {
  /** the run's start (laptop away periods and the never-return window count from it) */
  readonly start: number;
  readonly workstations: PowerSchedule;
  /** laptops follow their own daily schedule and are away awayMin..awayMax once every awayEvery (0: never) */
  readonly laptops: PowerSchedule & { readonly awayEvery: number; readonly awayMin: number; readonly awayMax: number };
  /** a share of all machines goes off at a random time within `within` of the start and never comes back */
  readonly neverReturn: { readonly fraction: number; readonly within: number };
  // the schedules are in each client's local time: its zone is ClientModel.local's (power.ts)
}

/** Ports: everything the core needs from outside, injected. */
export interface CoreCtx {
  readonly seed: number;
  readonly start: number;
  readonly catalogue: CatalogueView;
  /** Policy polling interval used before any policy arrived. */
  readonly defaultPolicyInterval: number;
  readonly model: ClientModel;
  readonly actions: readonly ClientAction[];
  /** Effects are appended here; the caller drains it. Reused to avoid an array per transition. */
  readonly out: Effect[];
  /** Memory the fleet's records share (deployment-time chunks, interned slot versions): one per fleet (createCoreStore). */
  readonly store: CoreStore;
}
