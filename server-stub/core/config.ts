// What the stub side needs to know, resolved from a scenario (times in epoch
// ms, durations in ms). The harness builds it; server-stub never reads files.

import type { ClientSettings, ServiceWindowPolicy } from '../../agent/core/types.js';
import type { FaultEffect } from './fault-kinds/index.js';
import type { WsusPoolSpec } from './wsus-pool.js';

export type { WsusPoolSpec } from './wsus-pool.js';

export type FaultTarget = 'mp.policy' | 'mp.location' | 'mp.state' | 'wsus' | 'dp';

/** What a fault does to a request (one of the kinds in ./fault-kinds/); WsusFaultCode: MS-WUSP ErrorCode values. */
export type { FaultEffect, WsusFaultCode } from './fault-kinds/index.js';

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
  /** only this DP (dp target), or all; absent: all */
  readonly dp?: string | null;
}

export interface CatalogueSpec {
  readonly updates: number;
  readonly newUpdates: number;
  readonly applicableFraction: number;
  readonly installedFraction: number;
  readonly restartFraction: number;
  readonly minBytes: number;
  readonly maxBytes: number;
  /** WSUS syncs that add updates during the run (catalogue-sync.ts); absent: none */
  readonly syncs?: readonly { readonly at: number; readonly updates: number }[];
  /** how long after a sync the SUPs serve it (ms) */
  readonly supSyncLag?: number;
  /** updates added by syncs supersede earlier ones with this probability; superseded ones expire expireAfter (ms) after the successor's sync, or never (null) */
  readonly supersedence?: { readonly fraction: number; readonly expireAfter: number | null };
}

export interface DeploymentSpec {
  readonly name: string;
  /** resolved update indices */
  readonly updates: readonly number[];
  readonly created: number;
  readonly available: number;
  readonly deadline: number | null;
  readonly suppressRestart: boolean;
  /** SuppressReboot bits when only workstations (1) or only servers (2) are suppressed */
  readonly suppressRestartFor?: number;
  readonly userInstallFraction: number;
  readonly targetFraction: number;
  /** times are the client's local wall clock (UseGMTTimes false) */
  readonly localTime: boolean;
  readonly overrideServiceWindows: boolean;
  readonly rebootOutsideOfServiceWindows: boolean;
  /** ms */
  readonly maxRunTime: number;
  /** when the deployment's content is on the DPs (epoch ms; -Infinity: before the run). Until then the MP finds no DP for it */
  readonly contentDistributed?: number;
}

/** A maintenance window of a collection, as the MP serves it (a CCM_ServiceWindow policy; its ID is the MP's). */
export interface WindowPolicySpec {
  readonly window: Omit<ServiceWindowPolicy, 'id'>;
  /** when the site adds it to the collection (epoch ms; clients see it at their next policy poll) */
  readonly created: number;
  /** when it is deleted (epoch ms), or null */
  readonly removed: number | null;
}

/** A collection with maintenance windows; clients are members by a stateless draw (agent/core/localtime.ts inCollection). */
export interface CollectionPolicySpec {
  readonly fraction: number;
  readonly windows: readonly WindowPolicySpec[];
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
  /** collections with maintenance windows (at most 16); absent or empty: the MP serves no CCM_ServiceWindow policy */
  readonly collections?: readonly CollectionPolicySpec[];
  readonly sups: readonly string[];
  readonly dps: readonly string[];
  /** state messages the MP processes per second of simulated time; 0 = as they arrive (a shard's stub: its share of the site's rate) */
  readonly mpProcessingRate: number;
  readonly mpProcessingInterval: number;
  /** Min Missing Message Age (site setting): a serial gap open this long makes the MP ask for a resync (default 2,880 min) */
  readonly minMissingMessageAge?: number;
  readonly faults: readonly FaultSpec[];
  /** the WSUS capacity model (./wsus-pool.ts): an IIS application pool per SUP; absent or null: answers at once, no limit */
  readonly wsusPool?: WsusPoolSpec | null;
}
