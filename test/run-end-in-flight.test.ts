// The end of a scaled run over HTTP with requests still on the wire: they are
// dropped and counted (wire.abandonedAtEnd), never turned into client errors
// by the generator closing its own connections.

import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { resolveScenario } from '../harness/scenario/resolve.js';
import { runFleet } from '../harness/run.js';
import { buildResults } from '../harness/output/results.js';

describe('requests in flight at the end of a run', () => {
  it('are abandoned, not failed: no errors, no timings, a count', async () => {
    // every policy request is answered 6 s (wall) late; the run lasts 0.5 s of wall time (1 simulated
    // minute at x120, was x60: 1 s; the 6 clients start within its first 20 s all the same) and waits 2 s more
    const sc = resolveScenario({
      clients: 6,
      duration: '1m',
      model: { startWithin: '20s' },
      faults: [{ target: 'mp.policy', operation: 'RequestAssignments', from: '0', to: '1d', delay: '6s' }],
    });
    const t0 = performance.now();
    const o = await runFleet(sc, { logger: pino({ level: 'silent' }), clock: { mode: 'scaled', timeFactor: 120, lagBoundMs: 1000 }, transport: { kind: 'http', sign: false } });
    // it did not wait for the late answers
    expect(performance.now() - t0).toBeLessThan(5500);
    const r = buildResults(o);
    expect(r.events['policy.requested']).toBe(6);
    expect(r.wire!.abandonedAtEnd).toBe(6);
    expect(r.errors.total).toBe(0);
    expect(r.events['policy.failed']).toBe(0);
    expect(r.operations['mp RequestAssignments']).toBeUndefined();
  });
});
