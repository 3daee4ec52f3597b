// Enforcement rules that are not the loop's control flow: install outcomes
// (a share of update installs fails with a given HRESULT), the retry limit of a
// failing deployment, and "Install all other deployments with deadline within
// N". Pure: decisions are stateless hashes of (seed, client, update, attempt),
// so a run is deterministic by seed and a client needs no extra stream draws.

import type { ClientDeployment } from './state.js';
import type { CoreCtx, DeploymentPolicy } from './types.js';
import { unit } from './prng.js';

const SALT_INSTALL_FAIL = 0x1f41;
const SALT_SERVER = 0x5e7e;

/**
 * The outcome of installing one update on one attempt (0: the deployment's
 * first install, 1: the first retry, ...): 0 when it succeeds, otherwise the
 * HRESULT it fails with. model.installFailures lists codes with the share of
 * update installs failing with each; the shares add up to at most 1.
 */
export function installOutcome(ctx: CoreCtx, client: number, update: number, attempt: number): number {
  const fs = ctx.model.installFailures;
  if (fs.length === 0) return 0;
  const r = unit(ctx.seed, client, update, SALT_INSTALL_FAIL + attempt * 0x10000);
  let acc = 0;
  for (let i = 0; i < fs.length; i++) {
    acc += fs[i]!.fraction;
    if (r < acc) return fs[i]!.code;
  }
  return 0;
}

/** A deployment whose installs failed more than model.installRetryLimit times is not retried by re-evaluation. */
export function mayRetryInstall(ctx: CoreCtx, d: ClientDeployment): boolean {
  return d.installFailures <= ctx.model.installRetryLimit;
}

/**
 * "Install all other deployments with deadline within N" (client setting, 0 =
 * No, the default): when one deployment's deadline comes, the other required
 * deployments whose deadline falls within N of now are enforced with it. True
 * for a deployment to pull forward at t.
 */
export function pullForward(within: number, d: ClientDeployment, t: number): boolean {
  return within > 0 && d.deadlineAt !== Infinity && d.deadlineAt > t && d.policy.available <= t && d.policy.deadline !== null && d.policy.deadline <= t + within;
}

/** Whether a client's machine is a server (a hash of seed and client: stable, no state). */
export function isServer(ctx: CoreCtx, client: number): boolean {
  const f = ctx.model.serverFraction ?? 0;
  return f > 0 && unit(ctx.seed, client, SALT_SERVER) < f;
}

/** The deployment suppresses the automatic restart on this machine (SuppressReboot: bit 1 workstations, bit 2 servers). */
export function restartSuppressed(ctx: CoreCtx, client: number, p: DeploymentPolicy): boolean {
  const bits = p.suppressRestartFor ?? (p.suppressRestart ? 3 : 0);
  if (bits === 0) return false;
  if (bits === 3) return true;
  return (bits & (isServer(ctx, client) ? 2 : 1)) !== 0;
}
