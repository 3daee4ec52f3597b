// The update catalogue a stub WSUS serves, generated from the scenario and
// seed: ids, sizes, which updates need a restart, and per-update
// applicability / installed-at-start fractions (agent/core/machine.ts turns
// those into each machine's truth).

import { guidFor, hash32, unit } from '../../agent/core/prng.js';
import { updateKeys, type Applicability } from '../../agent/core/machine.js';
import type { CatalogueView } from '../../agent/core/types.js';
import type { CatalogueSpec } from './config.js';
import { generateSupersedence, releaseVersions, type CatalogueVersions, type Supersedence } from './catalogue-sync.js';

export interface Catalogue extends CatalogueView, Applicability, CatalogueVersions, Supersedence {
  readonly ids: readonly string[];
  readonly kb: Uint32Array;
  /** revision numbers (MS-WUSP RevisionID) */
  readonly revision: Uint32Array;
  /** SHA-1 hex of each update's (synthetic) content, for content URLs */
  readonly sha1: readonly string[];
}

const KIND_UPDATE = 2;
const KIND_SOURCE = 3;

export function generateCatalogue(seed: number, spec: CatalogueSpec): Catalogue {
  const syncs = [...(spec.syncs ?? [])].sort((a, b) => a.at - b.at);
  // updates added by syncs follow the initial ones (generated up front: sizes never change)
  const releaseVersion = releaseVersions(spec.updates, syncs);
  const n = releaseVersion?.length ?? spec.updates;
  const bytes = new Float64Array(n);
  const restartRequired = new Uint8Array(n);
  const applicableFraction = new Float64Array(n);
  const installedFraction = new Float64Array(n);
  const kb = new Uint32Array(n);
  const revision = new Uint32Array(n);
  const ids: string[] = [];
  const sha1: string[] = [];
  const firstNew = spec.updates - spec.newUpdates;
  for (let u = 0; u < n; u++) {
    ids.push(guidFor(seed, KIND_UPDATE, u));
    // sizes spread log-uniformly: many small definition-like updates, few large cumulative ones
    const r = unit(seed, u, 0xb17e);
    const lo = Math.log(spec.minBytes);
    const hi = Math.log(spec.maxBytes);
    bytes[u] = Math.round(Math.exp(lo + r * (hi - lo)));
    restartRequired[u] = unit(seed, u, 0x4e57) < spec.restartFraction ? 1 : 0;
    // applicability varies around the scenario's fraction so some updates apply to nearly all, some to few
    applicableFraction[u] = Math.min(1, Math.max(0, spec.applicableFraction * (0.5 + unit(seed, u, 0xa991))));
    // updates released this cycle (and those later syncs add) are on no machine yet
    installedFraction[u] = u >= firstNew ? 0 : spec.installedFraction;
    kb[u] = 5000000 + (hash32(seed, u, 0x0cb) % 100000);
    revision[u] = 100 + (hash32(seed, u, 0x4e7) % 100000);
    let h = '';
    for (let k = 0; k < 5; k++) h += hash32(seed, u, 0x5a1, k).toString(16).padStart(8, '0');
    sha1.push(h.toUpperCase());
  }
  const sup = spec.supersedence;
  const supersedence = sup === undefined ? {} : generateSupersedence(seed, spec.updates, syncs, sup.fraction, sup.expireAfter, (u, salt) => unit(seed, u, salt));
  return {
    ...supersedence,
    size: n,
    bytes,
    restartRequired,
    applicableFraction,
    installedFraction,
    updateKey: updateKeys(seed, n),
    updateSourceId: guidFor(seed, KIND_SOURCE, 0),
    updateSourceVersion: 1,
    releaseVersion,
    syncTimes: syncs.map((x) => x.at),
    supSyncLag: spec.supSyncLag ?? 0,
    ids,
    kb,
    revision,
    sha1,
  };
}
