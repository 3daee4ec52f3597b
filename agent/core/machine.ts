// What is true on an emulated machine before the fleet starts: which catalogue
// updates apply to it and which are already installed. Both the agent (its
// machine) and the WSUS stub (which updates it hands a client) derive this from
// (seed, clientIdx, updateIdx) with the same function, so the two sides agree
// without sharing memory.

import { unit } from './prng.js';

/** Per-update probabilities, as generated for the catalogue. */
export interface Applicability {
  readonly applicableFraction: Float64Array;
  readonly installedFraction: Float64Array;
}

const SALT_APPLICABLE = 0xa991;
const SALT_INSTALLED = 0x1a57;

export function isApplicable(seed: number, a: Applicability, client: number, update: number): boolean {
  return unit(seed, client, update, SALT_APPLICABLE) < a.applicableFraction[update]!;
}

export function isInstalledAtStart(seed: number, a: Applicability, client: number, update: number): boolean {
  return isApplicable(seed, a, client, update) && unit(seed, client, update, SALT_INSTALLED) < a.installedFraction[update]!;
}

/** The update indices that apply to a client, ascending. */
export function applicableUpdates(seed: number, a: Applicability, client: number): number[] {
  const out: number[] = [];
  const n = a.applicableFraction.length;
  for (let u = 0; u < n; u++) if (isApplicable(seed, a, client, u)) out.push(u);
  return out;
}
