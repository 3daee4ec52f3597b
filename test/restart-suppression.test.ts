// Restart suppression per machine type (issue 11, Scope 8; seed 003 "The
// system restart can be suppressed for servers and workstations"): a
// deployment may suppress the automatic restart on workstations, on servers,
// or both (SuppressReboot bits 1 and 2). Which machines are servers:
// enforcement.serverFraction, a hash of (seed, client).

import { describe, expect, it } from 'vitest';
import { CoreKit, DAY } from './helpers/kit.js';
import { isServer } from '../agent/core/enforcement.js';
import { decodePolicyBody, encodePolicyBody } from '../agent/wire/ccm/policy.js';

function input(flags: Record<string, boolean>) {
  return {
    clients: 12,
    catalogue: { restartFraction: 1, applicableFraction: 1 },
    enforcement: { serverFraction: 0.5 },
    deployments: [{ name: 'D', updates: { newest: 5 }, created: '1d', available: '1d', deadline: '2d', ...flags }],
  };
}

function restartedClients(k: CoreKit) {
  return new Set(k.of('restart.scheduled').map((r) => r.client));
}

describe('restart suppression per workstation / server', () => {
  it('servers only: workstations restart after the countdown, servers never', () => {
    const k = new CoreKit(input({ suppressRestartServers: true }));
    k.runFor(4 * DAY);
    const servers = k.clients.filter((s) => isServer(k.ctx, s.idx)).map((s) => s.idx);
    expect(servers.length).toBeGreaterThan(0);
    expect(servers.length).toBeLessThan(12);
    const installed = new Set(k.of('install.completed').filter((r) => r.e.restartRequired).map((r) => r.client));
    const restarted = restartedClients(k);
    for (const c of installed) expect(restarted.has(c)).toBe(!servers.includes(c));
    expect(k.stub.mp.deployments[0]!.suppressRestartFor).toBe(2);
  });

  it('workstations only: the reverse', () => {
    const k = new CoreKit(input({ suppressRestartWorkstations: true }));
    k.runFor(4 * DAY);
    const installed = new Set(k.of('install.completed').filter((r) => r.e.restartRequired).map((r) => r.client));
    const restarted = restartedClients(k);
    expect(installed.size).toBeGreaterThan(0);
    for (const c of installed) expect(restarted.has(c)).toBe(isServer(k.ctx, c));
  });

  it('both checkboxes are suppressRestart (bits 3); neither suppresses nothing', () => {
    const both = new CoreKit(input({ suppressRestartWorkstations: true, suppressRestartServers: true }));
    expect(both.stub.mp.deployments[0]).toMatchObject({ suppressRestart: true });
    expect(both.stub.mp.deployments[0]!.suppressRestartFor).toBeUndefined();
    both.runFor(4 * DAY);
    expect(both.of('restart.scheduled')).toHaveLength(0);
    const none = new CoreKit(input({}));
    none.runFor(4 * DAY);
    expect(restartedClients(none).size).toBe(new Set(none.of('install.completed').filter((r) => r.e.restartRequired).map((r) => r.client)).size);
  });

  it('the policy body carries the bits in SuppressReboot and reads them back', () => {
    const k = new CoreKit(input({ suppressRestartServers: true }));
    const d = k.stub.mp.deployments[0]!;
    const xml = encodePolicyBody({ policyId: d.id, policyVersion: 1, policySource: 'SMS:PS1', kind: 'deployment', deployment: d }, (u) => k.stub.catalogue.ids[u]!);
    expect(xml).toContain('<property name="SuppressReboot" type="19"><value>2</value></property>');
    const back = decodePolicyBody(xml, { updateIndexOf: (g) => k.stub.catalogue.ids.findIndex((x) => x.toLowerCase() === g.toLowerCase()) });
    expect(back.kind === 'deployment' && [back.deployment.suppressRestart, back.deployment.suppressRestartFor]).toEqual([false, 2]);
  });
});
