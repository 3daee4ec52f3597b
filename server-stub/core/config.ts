// What the stub side needs to know, resolved from a scenario (times in epoch
// ms, durations in ms). The harness builds it; server-stub never reads files.

import type { ClientSettings } from '../../agent/core/types.js';

export type FaultTarget = 'mp.policy' | 'mp.location' | 'mp.state' | 'wsus' | 'dp';

export interface FaultSpec {
  readonly target: FaultTarget;
  readonly from: number;
  readonly to: number;
  /** fraction of requests in the window that fail */
  readonly rate: number;
  /** HRESULT the client sees */
  readonly code: number;
  /** only this SUP (wsus target), or all */
  readonly sup: string | null;
}

export interface CatalogueSpec {
  readonly updates: number;
  readonly newUpdates: number;
  readonly applicableFraction: number;
  readonly installedFraction: number;
  readonly restartFraction: number;
  readonly minBytes: number;
  readonly maxBytes: number;
}

export interface DeploymentSpec {
  readonly name: string;
  /** resolved update indices */
  readonly updates: readonly number[];
  readonly created: number;
  readonly available: number;
  readonly deadline: number | null;
  readonly disableDeadlineRandomization: boolean;
  readonly suppressRestart: boolean;
  readonly userInstallFraction: number;
  readonly targetFraction: number;
}

export interface StubConfig {
  readonly seed: number;
  readonly clients: number;
  readonly start: number;
  readonly settings: ClientSettings;
  /** when the site-wide policy enabling software updates appears */
  readonly softwareUpdatesEnabledAt: number;
  readonly catalogue: CatalogueSpec;
  readonly deployments: readonly DeploymentSpec[];
  readonly sups: readonly string[];
  readonly dps: readonly string[];
  /** state messages the MP processes per second of simulated time; 0 = as they arrive */
  readonly mpProcessingRate: number;
  readonly mpProcessingInterval: number;
  readonly faults: readonly FaultSpec[];
}
