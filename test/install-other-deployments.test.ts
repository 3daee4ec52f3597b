// "Install all other deployments with deadline within N" (client setting,
// client-behaviour.md section 1: default No, N 7 days, 1-23 h or 1-365 d):
// when a deployment's deadline comes, the other required deployments whose
// deadline is within N are enforced with it (deployment.pulledForward), each
// after its own beforeInstall scan; their restart is not postponed to their
// own deadline. With the default (No) each waits for its deadline.

import { describe, expect, it } from 'vitest';
import { CoreKit, DAY, T0 } from './helpers/kit.js';
import { resolveScenario } from '../harness/scenario/resolve.js';

function input(client: Record<string, unknown> = {}) {
  return {
    catalogue: { updates: 60, newUpdates: 30, applicableFraction: 1, restartFraction: 0 },
    client,
    deployments: [
      { name: 'A', updates: [30, 31, 32], created: '1d', available: '1d', deadline: '3d' },
      { name: 'B', updates: [33, 34, 35], created: '1d', available: '1d', deadline: '6d' },
      { name: 'C', updates: [36, 37, 38], created: '1d', available: '1d', deadline: '20d' },
      // not available yet at A's deadline: never pulled forward
      { name: 'E', updates: [39, 40], created: '1d', available: '4d', deadline: '5d' },
    ],
  };
}

function installTimes(k: CoreKit) {
  const ids = k.stub.mp.deployments.map((d) => d.id);
  return Object.fromEntries(['A', 'B', 'C', 'E'].map((n, i) => [n, k.of('install.started').filter((r) => r.e.deployment === ids[i]).map((r) => r.t)]));
}

describe('installOtherDeploymentsWithin', () => {
  it('default No: every deployment installs at its own deadline', () => {
    const k = new CoreKit(input());
    k.runFor(25 * DAY);
    expect(k.sc.settings.installOtherDeploymentsWithin).toBeUndefined();
    expect(k.of('deployment.pulledForward')).toHaveLength(0);
    const t = installTimes(k);
    expect(t.A![0]!).toBeGreaterThanOrEqual(T0 + 3 * DAY);
    expect(t.B![0]!).toBeGreaterThanOrEqual(T0 + 6 * DAY);
    expect(t.C![0]!).toBeGreaterThanOrEqual(T0 + 20 * DAY);
  });

  it('Yes with 7 days: B (due within 7 d of A) installs right after A, each after a beforeInstall scan; C and the not-yet-available E wait', () => {
    const k = new CoreKit(input({ installOtherDeployments: true }));
    k.runFor(25 * DAY);
    expect(k.sc.settings.installOtherDeploymentsWithin).toBe(7 * DAY);
    const [a, b, c, e] = k.stub.mp.deployments;
    const pulled = k.of('deployment.pulledForward');
    expect(pulled.map((r) => [r.t, r.e.deployment, r.e.by])).toEqual([[T0 + 3 * DAY, b!.id, a!.id]]);
    // the pulled-forward deployment fires no deadline of its own later
    expect(k.of('deployment.deadline').filter((r) => r.e.deployment === b!.id)).toHaveLength(0);
    const t = installTimes(k);
    expect(t.B![0]!).toBeGreaterThan(t.A![0]!);
    expect(t.B![0]!).toBeLessThan(T0 + 3 * DAY + DAY);
    const scansBeforeB = k.scans().filter((r) => r.t > t.A![0]! && r.t <= t.B![0]! && r.e.trigger === 'beforeInstall');
    expect(scansBeforeB).toHaveLength(1);
    expect(t.C![0]!).toBeGreaterThanOrEqual(T0 + 20 * DAY);
    expect(t.E![0]!).toBeGreaterThanOrEqual(T0 + 5 * DAY);
    expect(k.of('install.completed').filter((r) => r.e.deployment === b!.id)[0]!.e.updates).toBe(3);
    void c; void e;
  });

  it('a restart needed by a pulled-forward deployment follows the countdown, not its own deadline', () => {
    const inp = input({ installOtherDeployments: true, restartCountdown: '90m' });
    inp.catalogue.restartFraction = 1;
    // only B asks for a restart
    (inp.deployments[0] as Record<string, unknown>).suppressRestart = true;
    const k = new CoreKit(inp);
    k.runFor(5 * DAY);
    const b = k.stub.mp.deployments[1]!;
    const done = k.of('install.completed').find((r) => r.e.deployment === b.id)!;
    const sched = k.of('restart.scheduled').filter((r) => r.e.deployment === b.id);
    // scheduled before B's deadline (6d), at its install + the countdown
    expect(sched).toHaveLength(1);
    expect(sched[0]!.e.at).toBe(done.t + 90 * 60_000);
    expect(sched[0]!.e.at).toBeLessThan(b.deadline!);
    expect(k.of('restart.started').length).toBeGreaterThan(0);
    expect(k.of('restart.started')[0]!.t).toBeLessThan(T0 + 5 * DAY);
  });

  it('N outside 1 hour .. 365 days is refused', () => {
    expect(() => resolveScenario({ client: { installOtherDeployments: true, installOtherDeploymentsWithin: '30m' } })).toThrow(/installOtherDeploymentsWithin/);
    expect(() => resolveScenario({ client: { installOtherDeploymentsWithin: '400d' } })).toThrow(/installOtherDeploymentsWithin/);
    expect(resolveScenario({ client: { installOtherDeployments: true, installOtherDeploymentsWithin: '12h' } }).settings.installOtherDeploymentsWithin).toBe(12 * 3_600_000);
    // the console's units: whole hours below a day, whole days from one
    for (const bad of ['30h', '23h30m', '1d12h']) expect(() => resolveScenario({ client: { installOtherDeploymentsWithin: bad } }), bad).toThrow(/1 to 23 whole hours or 1 to 365 whole days/);
    for (const ok of ['1h', '23h', '1d', '48h', '365d']) expect(() => resolveScenario({ client: { installOtherDeploymentsWithin: ok } }), ok).not.toThrow();
  });
});

describe('installOtherDeploymentsWithin in the settings policy body', () => {
  it('is written as SUCA_installOtherDeploymentsWithin (uint64 ms) only when set; a body without it reads as No', async () => {
    const { encodePolicyBody, decodePolicyBody } = await import('../agent/wire/ccm/policy.js');
    const on = resolveScenario({ client: { installOtherDeployments: true, installOtherDeploymentsWithin: '2d' } }).settings;
    const off = resolveScenario({}).settings;
    const body = (settings: typeof on) => encodePolicyBody({ policyId: '{S}', policyVersion: 1, policySource: 'SMS:PS1', kind: 'settings', settings }, () => '');
    const xmlOn = body(on);
    expect(xmlOn).toContain('<property name="SUCA_installOtherDeploymentsWithin" type="21"><value>172800000</value></property>');
    expect(body(off)).not.toContain('installOtherDeploymentsWithin');
    const back = decodePolicyBody(xmlOn, { updateIndexOf: () => undefined });
    expect(back.kind === 'settings' && back.settings.installOtherDeploymentsWithin).toBe(2 * DAY);
    const backOff = decodePolicyBody(body(off), { updateIndexOf: () => undefined });
    expect(backOff.kind === 'settings' && backOff.settings.installOtherDeploymentsWithin).toBeUndefined();
  });
});
