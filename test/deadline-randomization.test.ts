// Deadline randomization as the product has it (client-behaviour.md section 1):
// the client setting "Disable deadline randomization" defaults to Yes (required
// installs start at the deadline); set to No, each client waits a random delay
// of up to 2 h. The per-deployment flag of earlier versions is refused with a
// message naming its replacement.

import { describe, expect, it } from 'vitest';
import { CoreKit, DAY, HOUR } from './helpers/kit.js';
import { resolveScenario } from '../harness/scenario/resolve.js';
import { ScenarioError } from '../harness/errors.js';

const dep = { name: 'D', updates: { newest: 10 }, created: '1d', available: '1d2h', deadline: '4d' };

describe('deadline randomization', () => {
  it('is off by default: every client reaches the deadline at the configured instant', () => {
    const sc = resolveScenario(undefined);
    expect(sc.settings.disableDeadlineRandomization).toBe(true);
    const k = new CoreKit({ clients: 30, deployments: [dep] });
    k.runFor(5 * DAY);
    const at = k.of('deployment.deadline');
    expect(at).toHaveLength(30);
    for (const r of at) expect(r.t).toBe(k.sc.start + 4 * DAY);
  });

  it('with client.disableDeadlineRandomization false, each client waits up to 2 h, spread over the clients', () => {
    const k = new CoreKit({ clients: 30, client: { disableDeadlineRandomization: false }, deployments: [dep] });
    k.runFor(5 * DAY);
    const deadline = k.sc.start + 4 * DAY;
    const at = k.of('deployment.deadline');
    expect(at).toHaveLength(30);
    for (const r of at) {
      expect(r.t).toBeGreaterThanOrEqual(deadline);
      expect(r.t).toBeLessThan(deadline + 2 * HOUR);
    }
    expect(new Set(at.map((r) => r.t)).size).toBeGreaterThan(20);
  });

  it('the per-deployment flag is refused, naming the client setting that replaced it', () => {
    let err: unknown;
    try {
      resolveScenario({ deployments: [{ ...dep, disableDeadlineRandomization: true }] }, 'old.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScenarioError);
    const issues = (err as ScenarioError).issues;
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe('deployments[0].disableDeadlineRandomization');
    expect(issues[0]!.message).toContain('client.disableDeadlineRandomization');
  });
});
