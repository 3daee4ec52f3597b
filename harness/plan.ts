// A run's settings, built once at the edge from the resolved scenario and the
// flags: one small frozen part per consumer, typed for it, so each part sees
// only what it reads (the clock its start, end and pace; the HTTP wiring its
// URLs, TLS and timeout; the metrics their interval and size; the outputs the
// run's name and span). Before this, runFleet handed the whole
// ResolvedScenario to the clock, the outputs, the trace names and the HTTP
// wiring; a new scenario field then meant reading every one of them to know
// who depends on it. Now the answer is this file.

import type { ClientAction, ClientModel } from '../agent/core/types.js';
import type { StubConfig } from '../server-stub/core/config.js';
import { MINUTE } from '../agent/core/constants.js';
import type { ResolvedScenario } from './scenario/resolve.js';
import type { ClockOptions } from './clock/clock.js';

export type { ClockOptions };

/** How the agent reaches the servers (the flags' part: --transport, --mp/--wsus/--dp, --sign, TLS, --concurrency). */
export type TransportOptions =
  | { readonly kind: 'in-process' }
  | {
      readonly kind: 'http';
      /** external servers; an absent one is embedded (the embedded MP hands out external WSUS / DP URLs) */
      readonly external?: { readonly mp?: string | undefined; readonly wsus?: string | undefined; readonly dp?: string | undefined };
      /** sign MP messages (and have the embedded MP verify them) */
      readonly sign?: boolean;
      /**
       * the fleet's signing keys, PKCS#8 PEM (client i signs with key i mod n): what run --workers hands
       * each worker, so that N workers sign as one process does; absent, the thread's shared pair (KeyPool.shared)
       */
      readonly keys?: readonly string[] | undefined;
      /** CA certificate(s) the agent trusts for https */
      readonly ca?: string | Buffer | undefined;
      /** TLS for the embedded servers */
      readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer } | undefined;
      /** requests in flight per endpoint */
      readonly concurrency?: number;
    };

/** The flags a plan is built from (besides the scenario). */
export interface PlanFlags {
  /** series interval in simulated ms (default a minute) */
  readonly seriesInterval?: number | undefined;
  /** virtual time: wall ms the loop runs before yielding to the event loop (default 50) */
  readonly sliceMs?: number | undefined;
  readonly clock?: ClockOptions | undefined;
  readonly transport?: TransportOptions | undefined;
}

/** What the run is, for the outputs, the log and the trace names: no client settings, no stub config. */
export type RunInfo = Pick<ResolvedScenario, 'name' | 'seed' | 'clients' | 'shard' | 'start' | 'duration' | 'end'>;

/** What results.json says of the scenario: the run and the effective scenario as a user would write it. */
export type ResultsPlan = RunInfo & Pick<ResolvedScenario, 'effective'>;

/** The fleet: its clients and the core's context (the catalogue comes from the stub at wiring time). */
export interface FleetPlan {
  readonly clients: number;
  readonly firstClient: number;
  readonly seed: number;
  readonly start: number;
  readonly defaultPolicyInterval: number;
  readonly model: ClientModel;
  readonly actions: readonly ClientAction[];
}

export type ClockPlan =
  | { readonly mode: 'virtual'; readonly start: number; readonly end: number; readonly sliceMs: number }
  | (Extract<ClockOptions, { mode: 'scaled' }> & {
      readonly start: number;
      readonly end: number;
      /** how long the loop waits after the end for answers still on their way (plus a grace) */
      readonly requestTimeout: number;
    });

export type TransportPlan =
  | { readonly kind: 'in-process'; readonly requestTimeout: number }
  | (Extract<TransportOptions, { kind: 'http' }> & {
      readonly requestTimeout: number;
      /** client GUIDs are derived from (seed, client id) */
      readonly seed: number;
      /** the policy body's client settings the scenario gives (what the CCM policy codec fills in) */
      readonly settingsDefaults: StubConfig['settings'];
    });

export interface MetricsPlan {
  readonly start: number;
  readonly end: number;
  /** series interval, simulated ms */
  readonly interval: number;
  /** clients this run emulates (per-client scratch arrays) */
  readonly clients: number;
}

export interface RunPlan {
  readonly fleet: FleetPlan;
  readonly stub: StubConfig;
  readonly clock: ClockPlan;
  readonly transport: TransportPlan;
  readonly metrics: MetricsPlan;
  readonly outputs: RunInfo;
  readonly results: ResultsPlan;
}

/** The one place a ResolvedScenario is taken apart for a run. */
export function planRun(sc: ResolvedScenario, flags: PlanFlags = {}): RunPlan {
  const f = Object.freeze;
  const info: RunInfo = f({ name: sc.name, seed: sc.seed, clients: sc.clients, shard: sc.shard, start: sc.start, duration: sc.duration, end: sc.end });
  const c = flags.clock ?? { mode: 'virtual' };
  const t = flags.transport ?? { kind: 'in-process' };
  return f({
    fleet: f({
      clients: sc.shard.clients,
      firstClient: sc.shard.firstClient,
      seed: sc.seed,
      start: sc.start,
      defaultPolicyInterval: sc.settings.policyPollingInterval,
      model: sc.model,
      actions: sc.actions,
    }),
    stub: sc.stub,
    clock: f(c.mode === 'scaled'
      ? { ...c, start: sc.start, end: sc.end, requestTimeout: sc.model.requestTimeout }
      : { mode: 'virtual' as const, start: sc.start, end: sc.end, sliceMs: flags.sliceMs ?? 50 }),
    transport: f(t.kind === 'http'
      ? { ...t, requestTimeout: sc.model.requestTimeout, seed: sc.seed, settingsDefaults: sc.stub.settings }
      : { kind: 'in-process' as const, requestTimeout: sc.model.requestTimeout }),
    metrics: f({ start: sc.start, end: sc.end, interval: flags.seriesInterval ?? MINUTE, clients: sc.shard.clients }),
    outputs: info,
    results: f({ ...info, effective: sc.effective }),
  });
}
