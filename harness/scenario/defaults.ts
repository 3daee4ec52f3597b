// The one defaults object. Every scenario field not given in a file takes its
// value from here; `suca-fleet scenario default` prints it. Numbers are the
// real client's defaults from shared/reference/client-behaviour.md.

export const DEFAULT_SCENARIO = {
  name: 'default',
  seed: 1,
  clients: 1000,
  start: '2026-01-05T00:00:00Z',
  duration: '10d',
  client: {
    softwareUpdatesEnabled: true,
    policyPollingInterval: '60m',
    stateMessageCycle: '15m',
    scanSchedule: '7d',
    reevaluationSchedule: '7d',
    scheduleRandomDelay: '2h',
    firstScanWindow: '2h',
    scanTtl: '24h',
    scanRetryDelay: '30m',
    scanRetryCount: 4,
    supSwitchDelay: '2m',
    scanRetryCodes: ['0x8024401C', '0x80244022', '0x80244010', '0x80072EFD', '0x80072EFE', '0x8024400A'],
    cacheSizeMB: 5120,
    cacheMinRetention: '1440m',
    restartCountdown: '90m',
    downloadRandomDelay: '2h',
    deadlineRandomDelay: '2h',
    // "Disable deadline randomization": Yes by default (installs start at the deadline)
    disableDeadlineRandomization: true,
    gracePeriod: '0',
    // "Install all other deployments with deadline within N": No; N 7 days when set to Yes
    installOtherDeployments: false,
    installOtherDeploymentsWithin: '7d',
    // Computer Restart notifications (agent/core/restart.ts): off keeps the restart without any
    // notification, as earlier versions; on, the product's defaults: final countdown 15 min,
    // reminders every 240 min (the snooze)
    restartNotifications: false,
    restartFinalCountdown: '15m',
    restartReminderInterval: '240m',
  },
  model: {
    startWithin: '60m',
    onlineScanMin: '2m',
    onlineScanMax: '6m',
    offlineScan: '30s',
    installPerUpdate: '2m',
    restartDuration: '3m',
    downloadMbps: 100,
    requestTimeout: '60s',
    // the download's content location: no DP found, asked again this often, failed after the
    // timeout (client-behaviour.md section 4, "location 604800 s"; the retry interval is not public)
    contentLocationRetry: '1h',
    contentLocationTimeout: '7d',
    downloadRetry: '1h',
    downloadTimeout: '10d',
  },
  site: {
    softwareUpdatesEnabledAt: '0',
    sups: ['http://sup1.stub.test:8530'],
    dps: ['http://dp1.stub.test/SMS_DP_SMSPKG$'],
    mpProcessingRate: 0,
    mpProcessingInterval: '10s',
    minMissingMessageAge: '2880m',
  },
  catalogue: {
    updates: 200,
    newUpdates: 10,
    applicableFraction: 0.5,
    installedFraction: 0.9,
    restartFraction: 0.3,
    minSizeMB: 0.5,
    maxSizeMB: 800,
    // WSUS syncs during the run, each adding updates after the initial ones: [{ at: '4d', updates: 5 }]
    syncs: [] as { at: string; updates: number }[],
    // how long after a sync the SUPs serve it (until then: empty WSUS location for the new version)
    supSyncLag: '0',
    // updates added by syncs supersede an earlier one with this probability; superseded ones
    // expire expireAfter after the successor's sync (null: never)
    supersedence: { fraction: 0, expireAfter: null as string | null },
  },
  // power schedules (agent/core/power.ts): every fraction 0 = every machine always on
  power: {
    workstations: { fraction: 0, onAt: '7h', offAt: '18h', spread: '90m', weekendsOff: true },
    laptops: { fraction: 0, onAt: '8h', offAt: '17h', spread: '2h', weekendsOff: true, awayEvery: '14d', awayMin: '1d', awayMax: '5d' },
    neverReturn: { fraction: 0, within: '10d' },
  },
  deployments: [
    {
      name: 'Monthly security updates',
      updates: { newest: 10 },
      created: '1d',
      available: '1d',
      deadline: '3d',
      suppressRestart: false,
      userInstallFraction: 0,
      targetFraction: 1,
      localTime: false,
      overrideServiceWindows: false,
      rebootOutsideOfServiceWindows: false,
      maxRunTime: '60m',
    },
  ],
  enforcement: {
    // shares of update installs failing with an HRESULT, e.g. [{ code: '0x80070643', fraction: 0.02 }]
    installFailures: [] as { code: string; fraction: number }[],
    // re-evaluations retry a failed deployment install this many times
    installRetryLimit: 3,
    // share of machines that are servers (deployments may suppress restarts on workstations or servers only)
    serverFraction: 0,
  },
  actions: [] as unknown[],
  timeZones: [] as { zone: string; fraction: number }[],
  // Software Center users: the product's default business hours (05:00-22:00, Monday-Friday);
  // nobody opted in to installs outside them; user installs of available deployments a day after on average
  users: {
    businessHours: { from: '05:00', to: '22:00', days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'] },
    outsideBusinessHoursFraction: 0,
    installDelayMean: '1d',
    // with client.restartNotifications: users who restart from the first reminder; who snooze every reminder
    restartNowFraction: 0,
    snoozeFraction: 0,
  },
  collections: [] as unknown[],
  faults: [] as unknown[],
  thresholds: [] as (string | { threshold: string; abortOnFail?: boolean; delayAbortEval?: string })[],
} as const;

/** Defaults of a deployment entry's optional fields. */
export const DEPLOYMENT_DEFAULTS = {
  created: null as string | null, // null: created at its available time
  suppressRestart: false,
  suppressRestartWorkstations: false,
  suppressRestartServers: false,
  userInstallFraction: 0,
  targetFraction: 1,
  localTime: false,
  overrideServiceWindows: false,
  rebootOutsideOfServiceWindows: false,
  maxRunTime: '60m',
  contentDistributed: null as string | null, // null: on the DPs before the run starts
};

/** Defaults of a maintenance window's optional fields. */
export const WINDOW_DEFAULTS = { recurrence: 'weekly' as const, type: 'all' as const, localTime: false };

/**
 * Defaults of the WSUS capacity model's fields, when `site.wsusPool` is given
 * (absent: no capacity model, the default; kept out of DEFAULT_SCENARIO so
 * runs without it record the same effective scenario as before). queueLength
 * is IIS's default; privateMemoryLimitMB 0 never recycles (the WSUS setup
 * writes 1,843,200 KB = 1,800 MB); workers and service times are ours (no
 * public figure): 64 workers at 20-60 ms an operation and 5 ms per update
 * serve ~75 full scans a second of the default 200-update catalogue.
 */
export const WSUS_POOL_DEFAULTS = {
  workers: 64,
  queueLength: 1000,
  serviceTimeMin: '20ms',
  serviceTimeMax: '60ms',
  serviceTimePerUpdate: '5ms',
  privateMemoryLimitMB: 0,
  baseMemoryMB: 500,
  memoryPerScanMB: 10,
  recycleTime: '1m',
  // HTTP 503 (WU_E_PT_HTTP_STATUS_SERVICE_UNAVAIL), a retry-class code; 0x80072EE2 is not one
  overloadCode: '0x80244022',
  sups: null as string[] | null,
};

export const ACTION_DEFAULTS = { within: '0', fraction: 1 };
export const FAULT_DEFAULTS = { rate: 1, sup: null as string | null, dp: null as string | null };
