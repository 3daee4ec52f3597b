// Scenario files: strict schema, every problem listed with its path, merged
// over the defaults, checked across fields, frozen.

import { describe, expect, it } from 'vitest';
import { resolveScenario } from '../harness/scenario/resolve.js';
import { ScenarioError } from '../harness/errors.js';
import { DEFAULT_SCENARIO } from '../harness/scenario/defaults.js';

function issues(input: unknown): { path: string; message: string }[] {
  try {
    resolveScenario(input, 'test.json');
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    expect((err as ScenarioError).code).toBe('SUCA_ERR_INVALID_SCENARIO');
    return [...(err as ScenarioError).issues];
  }
  throw new Error('expected the scenario to be rejected');
}

describe('scenario validation', () => {
  it('the built-in default is the one the issue describes', () => {
    const sc = resolveScenario(undefined);
    expect(sc.clients).toBe(1000);
    expect(sc.stub.catalogue.updates).toBe(200);
    expect(sc.duration).toBe(10 * 86_400_000);
    expect(sc.stub.deployments).toHaveLength(1);
    const d = sc.stub.deployments[0]!;
    expect(d.available - sc.start).toBe(86_400_000);
    expect(d.deadline! - sc.start).toBe(3 * 86_400_000);
    // the real client's defaults
    expect(sc.settings.policyPollingInterval).toBe(60 * 60_000);
    expect(sc.settings.stateMessageCycle).toBe(15 * 60_000);
    expect(sc.settings.scanTtl).toBe(24 * 3_600_000);
    expect(sc.settings.cacheSizeBytes).toBe(5120 * 1024 * 1024);
    expect(sc.settings.restartCountdown).toBe(90 * 60_000);
    expect(sc.settings.scanRetryCount).toBe(4);
  });

  it('rejects unknown keys at any depth, naming their path', () => {
    const got = issues({ clientz: 5, client: { scanTTL: '1h' }, deployments: [{ name: 'a', updates: [1], available: '1d', deadline: null, colour: 'red' }] });
    const paths = got.map((i) => i.path).sort();
    expect(paths).toEqual(['', 'client', 'deployments[0]'].sort());
    expect(got.map((i) => i.message).join(' ')).toMatch(/clientz/);
    expect(got.map((i) => i.message).join(' ')).toMatch(/scanTTL/);
    expect(got.map((i) => i.message).join(' ')).toMatch(/colour/);
  });

  it('reports every problem at once', () => {
    const got = issues({
      clients: 0,
      duration: 'ten days',
      seed: -1,
      client: { scanRetryCount: 0, scanRetryCodes: ['80244022'] },
      catalogue: { applicableFraction: 1.5 },
      faults: [{ target: 'sup', from: '1d', to: '2d', code: '0x1' }],
    });
    const paths = got.map((i) => i.path);
    for (const p of ['clients', 'duration', 'seed', 'client.scanRetryCount', 'client.scanRetryCodes[0]', 'catalogue.applicableFraction', 'faults[0].target']) {
      expect(paths, p).toContain(p);
    }
  });

  it('checks across fields after merging the defaults', () => {
    const got = issues({
      catalogue: { updates: 50, newUpdates: 60 },
      model: { onlineScanMin: '10m', onlineScanMax: '5m' },
      client: { scanSchedule: '12h' },
      deployments: [
        { name: 'a', updates: [10, 70], available: '2d', deadline: '1d' },
        { name: 'a', updates: { newest: 80 }, created: '3d', available: '2d', deadline: null },
      ],
      faults: [{ target: 'mp.state', from: '2d', to: '1d', code: '0x80072EFD', sup: 'http://nope' }],
    });
    const byPath = Object.fromEntries(got.map((i) => [i.path, i.message]));
    expect(byPath['catalogue.newUpdates']).toMatch(/more than catalogue.updates/);
    expect(byPath['model.onlineScanMin']).toMatch(/longer than model.onlineScanMax/);
    expect(byPath['client.scanSchedule']).toMatch(/1 day/);
    expect(byPath['deployments[0].updates']).toMatch(/70 is outside the catalogue/);
    expect(byPath['deployments[0].deadline']).toMatch(/before its available time/);
    expect(byPath['deployments[1].name']).toMatch(/used by an earlier deployment/);
    expect(byPath['deployments[1].updates.newest']).toMatch(/more than catalogue.updates/);
    expect(byPath['deployments[1].created']).toMatch(/after its available time/);
    expect(byPath['faults[0].to']).toMatch(/after from/);
    expect(byPath['faults[0].sup']).toBeDefined();
  });

  it('client settings past the ranges the client allows (client-behaviour.md section 1), each at its path', () => {
    const byPath = Object.fromEntries(issues({ client: { restartCountdown: '20161m', cacheMinRetention: '10081m', installOtherDeploymentsWithin: '30h' } }).map((i) => [i.path, i.message]));
    expect(byPath['client.restartCountdown']).toMatch(/1 to 20,160 minutes/);
    expect(byPath['client.cacheMinRetention']).toMatch(/at most 10,080 minutes/);
    expect(byPath['client.installOtherDeploymentsWithin']).toMatch(/whole hours or 1 to 365 whole days/);
    expect(Object.fromEntries(issues({ client: { restartCountdown: '0' } }).map((i) => [i.path, i.message]))['client.restartCountdown']).toMatch(/1 to 20,160/);
    // the limits themselves are allowed
    expect(() => resolveScenario({ client: { restartCountdown: '20160m', cacheMinRetention: '10080m', installOtherDeploymentsWithin: '365d' } })).not.toThrow();
  });

  it('resolves durations, times and overrides, and freezes the result', () => {
    const sc = resolveScenario({ start: '2026-03-01T00:00:00Z', client: { scanTtl: '1d2h' }, actions: [{ kind: 'manualScan', at: '2d', within: '30m', fraction: 0.5 }, { kind: 'restart', at: '1d' }] }, 'x', { clients: 7, duration: '36h', seed: 9 });
    expect(sc.clients).toBe(7);
    expect(sc.seed).toBe(9);
    expect(sc.duration).toBe(36 * 3_600_000);
    expect(sc.settings.scanTtl).toBe(26 * 3_600_000);
    // actions are sorted by time and default to every client
    expect(sc.actions.map((a) => a.kind)).toEqual(['restart', 'manualScan']);
    expect(sc.actions[0]!.fraction).toBe(1);
    expect(sc.actions[1]!.at).toBe(Date.parse('2026-03-03T00:00:00Z'));
    expect(Object.isFrozen(sc)).toBe(true);
    expect(Object.isFrozen(sc.settings)).toBe(true);
    expect(Object.isFrozen(sc.stub.deployments[0])).toBe(true);
    expect(() => ((sc as { clients: number }).clients = 1)).toThrow();
  });

  it('a bad override is reported against the scenario field it replaces', () => {
    try {
      resolveScenario({}, 'x', { duration: 'soon' });
      throw new Error('not rejected');
    } catch (err) {
      expect((err as ScenarioError).issues).toEqual([{ path: 'duration', message: '"soon" is not a duration (from --duration)' }]);
    }
  });

  it('the default object itself passes the schema unchanged', () => {
    const sc = resolveScenario(JSON.parse(JSON.stringify(DEFAULT_SCENARIO)));
    expect(sc.effective).toEqual(resolveScenario(undefined).effective);
  });
});
