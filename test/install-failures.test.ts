// Install failures (issue 11, Scope 8): a share of update installs fails with
// the scenario's HRESULT; each failed update gets 402 state 11, the deployment
// 301 state 6 and stays non-compliant; the next re-evaluation retries the
// missing updates (after its beforeInstall scan), up to
// enforcement.installRetryLimit retries. Decisions are hashes of (seed,
// client, update, attempt): the same seed gives the same failures.

import { describe, expect, it } from 'vitest';
import { CoreKit, DAY, T0 } from './helpers/kit.js';
import { CI_ENFORCE, COMPLIANCE, ENFORCE, TOPIC } from '../agent/core/constants.js';
import { U_INSTALLED } from '../agent/core/state.js';
import { installOutcome } from '../agent/core/enforcement.js';
import { applicableUpdates } from '../agent/core/machine.js';

const CODE = 0x80070643;

function input(fraction: number, limit: number, clients = 1) {
  return {
    clients,
    catalogue: { restartFraction: 0, applicableFraction: 1 },
    deployments: [{ name: 'D', updates: { newest: 10 }, created: '1d', available: '1d', deadline: '3d' }],
    enforcement: { installFailures: [{ code: '0x80070643', fraction }], installRetryLimit: limit },
  };
}

describe('install failures', () => {
  it('every install failing: 402/11 per update, 301/6, retried at each re-evaluation until the limit, then left failed', () => {
    const k = new CoreKit(input(1, 2));
    k.runFor(45 * DAY);
    const f = k.of('install.failed');
    // the deadline install and two retries; the re-evaluations after that install nothing
    expect(f.map((r) => r.e.attempt)).toEqual([0, 1, 2]);
    for (const r of f) expect(r.e.code).toBe(CODE);
    expect(f[0]!.e.updates).toBe(k.of('install.started')[0]!.e.updates);
    const re = k.of('reevaluation.started');
    expect(re.length).toBeGreaterThanOrEqual(5);
    // each retry follows a re-evaluation and its beforeInstall scan
    for (const r of f.slice(1)) {
      const pre = k.scans().filter((x) => x.t <= r.t && x.e.trigger === 'beforeInstall').at(-1)!;
      const lastRe = re.filter((x) => x.t <= r.t).at(-1)!;
      expect(pre.t).toBeGreaterThanOrEqual(lastRe.t);
    }
    expect(k.of('install.started').filter((r) => r.t > f[2]!.t)).toHaveLength(0);
    // the failure states
    const q = k.of('state.queued');
    const inst = k.of('install.started')[0]!;
    const failed402 = q.filter((r) => r.t === f[0]!.t && r.e.topicType === TOPIC.CI_ENFORCEMENT && r.e.stateId === CI_ENFORCE.INSTALL_FAILED);
    expect(failed402).toHaveLength(inst.e.updates);
    expect(q.some((r) => r.t === f[0]!.t && r.e.topicType === TOPIC.ASSIGNMENT_ENFORCEMENT && r.e.stateId === ENFORCE.INSTALL_FAILED)).toBe(true);
    const d = k.client.deployments[0]!;
    expect(d.enforcement).toBe(ENFORCE.INSTALL_FAILED);
    expect(d.compliance).toBe(COMPLIANCE.NON_COMPLIANT);
    for (const u of d.policy.updates) expect(k.client.upd[k.client.ub + u]! & U_INSTALLED).toBe(0);
    // no restart for an install where nothing installed
    expect(k.of('restart.scheduled')).toHaveLength(0);
  });

  it('a share failing: the failed updates are the hash decisions, retried alone, until all installed (301/4, compliant)', () => {
    const k = new CoreKit(input(0.4, 5, 4));
    k.runFor(60 * DAY);
    for (let c = 0; c < 4; c++) {
      const starts = k.of('install.started', c);
      const fails = k.of('install.failed', c);
      const d = k.clients[c]!.deployments[0]!;
      // attempt n installs what attempt n-1 left: the decided failures
      const app = new Set(applicableUpdates(k.sc.seed, k.stub.catalogue, c));
      let left = d.policy.updates.filter((u) => app.has(u));
      for (let a = 0; a < starts.length; a++) {
        expect(starts[a]!.e.updates).toBe(left.length);
        left = left.filter((u) => installOutcome(k.ctx, c, u, a) !== 0);
        if (left.length > 0) expect(fails.find((r) => r.e.attempt === a)!.e.updates).toBe(left.length);
        else expect(fails.some((r) => r.e.attempt === a)).toBe(false);
      }
      if (fails.length <= 5) {
        expect(left).toEqual([]);
        expect(d.enforcement).toBe(ENFORCE.INSTALLED);
        expect(d.compliance).toBe(COMPLIANCE.COMPLIANT);
      }
    }
    // 40 % of 10 updates over 4 clients: some failure happened
    expect(k.of('install.failed').length).toBeGreaterThan(0);
  });

  it('is deterministic by seed, and another seed fails other updates', () => {
    const run = (seed: number) => {
      const k = new CoreKit({ ...input(0.3, 3, 6), seed });
      k.runFor(20 * DAY);
      return k.events.filter((r) => r.e.ev === 'install.failed' || r.e.ev === 'install.started').map((r) => [r.t, r.client, r.e]);
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });

  it('no failures configured: installs succeed, no install.failed (the default)', () => {
    const k = new CoreKit({ ...input(0, 3), enforcement: {} });
    k.runFor(10 * DAY);
    expect(k.of('install.completed').length).toBeGreaterThan(0);
    expect(k.of('install.failed')).toHaveLength(0);
    expect(k.sc.model.installFailures).toEqual([]);
    expect(T0).toBeLessThan(k.now);
  });

  it('the scenario refuses failure shares adding up to more than 1', async () => {
    const { resolveScenario } = await import('../harness/scenario/resolve.js');
    expect(() => resolveScenario({ enforcement: { installFailures: [{ code: '0x80070643', fraction: 0.7 }, { code: '0x80240022', fraction: 0.5 }] } })).toThrow(/enforcement\.installFailures/);
    expect(() => resolveScenario({ enforcement: { installFailures: [{ code: 'oops', fraction: 0.1 }] } })).toThrow(/code/);
  });
});
