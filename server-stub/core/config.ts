// What the stub side needs to know, resolved from a scenario (times in epoch
// ms, durations in ms). The harness builds it; server-stub never reads files.

import type { ClientSettings } from '../../agent/core/types.js';

export type FaultTarget = 'mp.policy' | 'mp.location' | 'mp.state' | 'wsus' | 'dp';

/** WSUS SOAP fault ErrorCode values (MS-WUSP). */
export type WsusFaultCode =
  | 'InvalidCookie' | 'ConfigChanged' | 'CookieExpired' | 'RegistrationRequired' | 'ServerChanged'
  | 'InternalServerError' | 'InvalidParameters' | 'ServerBusy' | 'FileLocationChanged';

/** What a fault does to a request it hits. */
export type FaultEffect =
  /** the client sees this HRESULT (in-process); over HTTP the nearest real failure is sent */
  | { readonly kind: 'hresult'; readonly code: number }
  /** an HTTP status instead of the answer */
  | { readonly kind: 'status'; readonly status: number }
  /** the answer comes this much later (a client timeout may expire first) */
  | { readonly kind: 'delay'; readonly ms: number }
  /** the connection is reset */
  | { readonly kind: 'reset' }
  /** a WSUS SOAP fault */
  | { readonly kind: 'soapFault'; readonly code: WsusFaultCode }
  /** the server processes the request but the answer never reaches the client */
  | { readonly kind: 'drop' };

export interface FaultSpec {
  readonly target: FaultTarget;
  /** only this operation of the target (e.g. SyncUpdates, RequestAssignments), or all */
  readonly operation: string | null;
  readonly from: number;
  readonly to: number;
  /** fraction of requests in the window that are hit */
  readonly rate: number;
  readonly effect: FaultEffect;
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
  /**
   * The clients this stub serves: ids firstClient .. firstClient + clients - 1
   * (a shard of the site's clients; the whole site: firstClient 0). Client ids
   * are global identities (applicability, targeting, faults, GUIDs); the MP's
   * per-client arrays are indexed by id - firstClient.
   */
  readonly clients: number;
  readonly firstClient: number;
  readonly start: number;
  readonly settings: ClientSettings;
  /** when the site-wide policy enabling software updates appears */
  readonly softwareUpdatesEnabledAt: number;
  readonly catalogue: CatalogueSpec;
  readonly deployments: readonly DeploymentSpec[];
  readonly sups: readonly string[];
  readonly dps: readonly string[];
  /** state messages the MP processes per second of simulated time; 0 = as they arrive (a shard's stub: its share of the site's rate) */
  readonly mpProcessingRate: number;
  readonly mpProcessingInterval: number;
  readonly faults: readonly FaultSpec[];
}
