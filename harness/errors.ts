// Harness errors: stable codes, decided on by code (never by message text).

export type HarnessErrorCode =
  /** run --mp against a suca-fleet stub whose clock it cannot follow (another time factor, or a virtual clock) */
  | 'SUCA_ERR_CLOCK_MISMATCH'
  /** run --mp against a suca-fleet stub serving another scenario (without --force) */
  | 'SUCA_ERR_SCENARIO_MISMATCH'
  | 'SUCA_ERR_INVALID_SCENARIO'
  | 'SUCA_ERR_SCENARIO_READ'
  | 'SUCA_ERR_INVALID_ARGUMENT'
  | 'SUCA_ERR_OUTPUT'
  /** run --workers N in virtual time with a scenario model that couples clients across workers (site.wsusPool, site.mpProcessingRate > 0) */
  | 'SUCA_ERR_WORKERS_COUPLED';

export class HarnessError extends Error {
  constructor(readonly code: HarnessErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HarnessError';
  }
}

/**
 * A run that failed on an internal error (a bug) part-way: `partial()` gives
 * what it measured up to there, so the command writes it before saying what
 * went wrong (as after SIGINT). The error itself is the cause.
 */
export class RunFailedError<T = unknown> extends Error {
  constructor(readonly partial: () => T, options: { cause: unknown }) {
    super(options.cause instanceof Error ? options.cause.message : String(options.cause), options);
    this.name = 'RunFailedError';
  }
}

/** One problem in a scenario, at a JSON path such as `deployments[0].deadline`. */
export interface ScenarioIssue {
  readonly path: string;
  readonly message: string;
}

export class ScenarioError extends HarnessError {
  constructor(readonly source: string, readonly issues: readonly ScenarioIssue[]) {
    super('SUCA_ERR_INVALID_SCENARIO', `${source}: ${issues.length} problem${issues.length === 1 ? '' : 's'}\n` + issues.map((i) => `  ${i.path || '(root)'}: ${i.message}`).join('\n'));
    this.name = 'ScenarioError';
  }
}

/** Process exit codes (documented in README). */
export const EXIT = {
  OK: 0,
  INTERNAL: 1,
  CONFIG: 2,
  /** a threshold failed */
  THRESHOLDS: 99,
  /** the run is invalid: the generator could not keep up (scaled clock lag past its bound) */
  INVALID: 100,
  /** stopped by SIGINT / SIGTERM: partial results written (the shell's 128 + signal) */
  INTERRUPTED: 130,
  TERMINATED: 143,
} as const;
