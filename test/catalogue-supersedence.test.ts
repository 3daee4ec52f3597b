// Supersedence and expiry (issue 11, Scope 6): updates a catalogue sync adds
// supersede earlier ones (catalogue.supersedence.fraction); a superseded
// update becomes Not Required on a machine once its successor is installed
// (the scan after the install says so, offline); with expireAfter it expires
// that long after its successor's sync: WSUS no longer offers it, and it leaves
// the deployments that hold it (Not Required, nothing to install).

import { describe, expect, it } from 'vitest';
import { CoreKit, DAY, T0 } from './helpers/kit.js';
import { COMPLIANCE, DETECT, TOPIC } from '../agent/core/constants.js';
import { U_APPLICABLE, U_INSTALLED } from '../agent/core/state.js';
import { applicableUpdates } from '../agent/core/machine.js';
import { generateCatalogue } from '../server-stub/core/catalogue.js';
import { resolveScenario } from '../harness/scenario/resolve.js';

const catalogue = (expireAfter: string | null) => ({
  updates: 40, newUpdates: 5, applicableFraction: 1, installedFraction: 0, restartFraction: 0,
  syncs: [{ at: '3d', updates: 4 }], supersedence: { fraction: 1, expireAfter },
});

function pairsOf(input: Record<string, unknown>): [number, number][] {
  const sc = resolveScenario(input);
  const p = generateCatalogue(sc.seed, sc.stub.catalogue).supersededPairs!;
  const out: [number, number][] = [];
  for (let i = 0; i < p.length; i += 2) out.push([p[i]!, p[i + 1]!]);
  return out;
}

function last500(k: CoreKit, c: number, u: number) {
  return k.of('state.queued', c).filter((r) => r.e.topicType === TOPIC.UPDATE_DETECTION && r.e.topic === u).at(-1);
}

describe('supersedence', () => {
  it('each update of the sync supersedes an older one (fraction 1), deterministically by seed', () => {
    const input = { catalogue: catalogue(null), deployments: [] };
    const pairs = pairsOf(input);
    expect(pairs.map((p) => p[1])).toEqual([40, 41, 42, 43]);
    for (const [old] of pairs) expect(old).toBeLessThan(40);
    expect(pairsOf(input)).toEqual(pairs);
    expect(pairsOf({ ...input, seed: 99 })).not.toEqual(pairs);
  });

  it('a superseded update is Not Required once its successor installs (afterInstall scan), Required before', () => {
    const input = {
      clients: 3,
      catalogue: catalogue(null),
      deployments: [{ name: 'New', updates: [40, 41, 42, 43], created: '4d', available: '4d', deadline: '5d' }],
      actions: [{ kind: 'manualScan', at: '3d1h' }],
    };
    const pairs = pairsOf(input);
    const k = new CoreKit(input);
    k.runUntil(T0 + 7 * DAY);
    let checked = 0;
    for (let c = 0; c < 3; c++) {
      const s = k.clients[c]!;
      const app = new Set(applicableUpdates(k.sc.seed, k.stub.catalogue, c));
      const inst = k.of('install.completed', c)[0]!;
      for (const [old, succ] of pairs) {
        if (!app.has(old) || !app.has(succ)) continue;
        checked++;
        expect(s.upd[s.ub + succ]! & U_INSTALLED).toBe(U_INSTALLED);
        // Required at the scans before the install (never installed on this machine)
        const before = k.of('state.queued', c).filter((r) => r.t < inst.t && r.e.topicType === TOPIC.UPDATE_DETECTION && r.e.topic === old).at(-1)!;
        expect(before.e.stateId).toBe(DETECT.REQUIRED);
        // Not Required from the scan right after the install on, though it is still not installed
        const after = last500(k, c, old)!;
        expect(after.e.stateId).toBe(DETECT.NOT_REQUIRED);
        expect(after.t).toBeGreaterThan(inst.t);
        expect(after.t).toBeLessThan(inst.t + 3_600_000);
        expect(s.upd[s.ub + old]! & (U_INSTALLED | U_APPLICABLE)).toBe(0);
      }
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('with expireAfter the superseded updates leave WSUS and the deployments that hold them: compliant without installing them', () => {
    const base = { clients: 3, catalogue: catalogue('1d') };
    const olds = [...new Set(pairsOf({ ...base, deployments: [] }).map((p) => p[0]))].sort((a, b) => a - b);
    const input = {
      ...base,
      deployments: [{ name: 'Old', updates: olds, created: '1d', available: '1d', deadline: '20d' }],
      // an online scan after the expiry (3d + 1d)
      actions: [{ kind: 'manualScan', at: '4d2h' }],
    };
    const k = new CoreKit(input);
    expect(Array.from(olds, (u) => k.stub.catalogue.expiresAt![u])).toEqual(olds.map(() => T0 + 4 * DAY));
    k.runUntil(T0 + 5 * DAY);
    for (let c = 0; c < 3; c++) {
      const s = k.clients[c]!;
      const app = new Set(applicableUpdates(k.sc.seed, k.stub.catalogue, c));
      const d = s.deployments[0]!;
      for (const u of olds) {
        expect(s.upd[s.ub + u]! & U_APPLICABLE).toBe(0);
        if (app.has(u)) expect(last500(k, c, u)!.e.stateId).toBe(DETECT.NOT_REQUIRED);
      }
      // nothing to install: the deployment is compliant after the evaluation at the next re-evaluation / deadline
      expect(k.of('install.started', c)).toHaveLength(0);
      void d;
    }
    // a deployment evaluation after the expiry finds it compliant
    const k2 = new CoreKit({ ...input, actions: [{ kind: 'deploymentEvaluation', at: '4d2h' }] });
    k2.runUntil(T0 + 5 * DAY);
    for (const s of k2.clients) expect(s.deployments[0]!.compliance).toBe(COMPLIANCE.COMPLIANT);
  });
});
