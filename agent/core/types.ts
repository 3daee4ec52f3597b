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
  /** Installs start within this window after the deadline unless the deployment disables it (2 h). */
  readonly deadlineRandomDelay: number;
  /**
   * "Install all other deployments with deadline within N": when a deadline
   * comes, required deployments whose deadline is within this much are
   * installed with it. Absent or 0: No (the product's default).
   */
  readonly installOtherDeploymentsWithin?: number;
  /** The update source (WSUS catalogue) version the site's policy carries; absent: 1. Raised by each catalogue sync. */
  readonly updateSourceVersion?: number;
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
  readonly disableDeadlineRandomization: boolean;
  readonly suppressRestart: boolean;
  /**
   * Restart suppression by machine type when it is not all or nothing
   * (SuppressReboot bits: 1 workstations, 2 servers); absent: suppressRestart
   * decides for both.
   */
  readonly suppressRestartFor?: number;
  /** Fraction of targeted clients whose user installs from Software Center before the deadline. */
  readonly userInstallFraction: number;
}

/** One entry of a ReplyAssignments. */
export interface PolicyAssignment {
  readonly id: string;
  readonly version: number;
  /** 0 = SUCA settings, d + 1 = deployment d */
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
  | { readonly kind: 'policy.assignments'; readonly version: number; readonly assignments: readonly PolicyAssignment[]; readonly deploymentIds: readonly string[] }
  | { readonly kind: 'policy.body'; readonly slot: number; readonly version: number; readonly settings?: ClientSettings; readonly deployment?: DeploymentPolicy }
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
/** MSG_SENT_ONCE when a report carrying the message failed: the MP may have it (a lost answer) */
export const MSG_FLAGS = 5;
export const MSG_SENT_ONCE = 1;

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
  | { readonly ev: 'download.started' | 'download.completed'; readonly deployment: string; readonly updates: number; readonly bytes: number }
  | { readonly ev: 'download.failed'; readonly deployment: string; readonly code: number }
  | { readonly ev: 'deployment.available' | 'deployment.deadline'; readonly deployment: string }
  /** installOtherDeploymentsWithin: this deployment (deadline within N) is enforced with `by`'s deadline */
  | { readonly ev: 'deployment.pulledForward'; readonly deployment: string; readonly by: string }
  | { readonly ev: 'cache.evicted'; readonly updates: number; readonly bytes: number }
  | { readonly ev: 'install.started' | 'install.completed'; readonly deployment: string; readonly updates: number; readonly restartRequired: boolean }
  /** updates of the install that failed (402 state 11 each, 301 state 6), code: the first one's HRESULT, attempt: 0 first install, n the n-th retry */
  | { readonly ev: 'install.failed'; readonly deployment: string; readonly updates: number; readonly code: number; readonly attempt: number }
  | { readonly ev: 'restart.scheduled'; readonly at: number; readonly deployment: string | null }
  | { readonly ev: 'restart.started' | 'restart.completed' }
  /** trigger: 'schedule' (the client's re-evaluation schedule) or 'manual' (the Deployment Evaluation Cycle action) */
  | { readonly ev: 'reevaluation.started'; readonly trigger: 'schedule' | 'manual' }
  | { readonly ev: 'update.lost'; readonly update: number }
  /** the switchSup action moved the client from one SUP to another (its next online scan goes there) */
  | { readonly ev: 'sup.switched'; readonly from: string; readonly to: string }
  /** replaced: it overwrote an unsent message; supersedes: the serial of a once-sent message it replaced with a new serial (0: none) */
  | { readonly ev: 'state.queued'; readonly topicType: number; readonly stateId: number; readonly topic: number; readonly serial: number; readonly replaced: boolean; readonly supersedes: number }
  /** msgs: the flat queue slice that was sent (MSG_STRIDE layout); serials are read from it only when traced. */
  | { readonly ev: 'state.sent'; readonly msgs: readonly number[]; readonly ok: boolean; readonly code: number }

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
  /** Shares of update installs that fail, with the HRESULT each fails with (empty: installs succeed). */
  readonly installFailures: readonly InstallFailure[];
  /** Re-evaluations retry a deployment's failed install this many times; after that it stays failed. */
  readonly installRetryLimit: number;
  /** Share of machines that are servers (restart suppression per workstation / server); absent: none. */
  readonly serverFraction?: number;
}

export interface InstallFailure {
  readonly code: number;
  readonly fraction: number;
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
}
