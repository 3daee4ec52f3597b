// The run plan (harness/plan.ts): a run's settings built once from the
// scenario and the flags, one frozen part per consumer, each holding only what
// that consumer reads, and none the whole scenario.

import { describe, expect, it } from 'vitest';
import { resolveScenario } from '../harness/scenario/resolve.js';
import { planRun } from '../harness/plan.js';

describe('run plan', () => {
  const sc = resolveScenario({ clients: 30, duration: '2d', seed: 7 }, 'test', { shard: '2/3' });

  it('each part is frozen and holds only its own settings, never the scenario itself', () => {
    const p = planRun(sc, { seriesInterval: 3_600_000 });
    for (const [name, part] of Object.entries(p)) {
      expect(Object.isFrozen(part), name).toBe(true);
      expect(Object.values(part as object).includes(sc), name).toBe(false);
    }
    expect(Object.isFrozen(p)).toBe(true);
    expect(Object.keys(p.clock).sort()).toEqual(['end', 'mode', 'sliceMs', 'start']);
    expect(Object.keys(p.metrics).sort()).toEqual(['clients', 'end', 'interval', 'start']);
    expect(Object.keys(p.outputs).sort()).toEqual(['clients', 'duration', 'end', 'name', 'seed', 'shard', 'start']);
    expect(Object.keys(p.transport).sort()).toEqual(['kind', 'requestTimeout']);
    // only the stub's part carries the stub's configuration
    expect(p.stub).toBe(sc.stub);
    for (const k of ['fleet', 'clock', 'transport', 'metrics', 'outputs', 'results'] as const) expect(Object.values(p[k]).includes(sc.stub), k).toBe(false);
  });

  it('the parts come from the scenario and the flags: a shard, a series interval, scaled time, HTTP', () => {
    const p = planRun(sc, { seriesInterval: 3_600_000, clock: { mode: 'scaled', timeFactor: 60, lagBoundMs: 50 }, transport: { kind: 'http', sign: false, concurrency: 4 } });
    expect(p.fleet).toMatchObject({ clients: sc.shard.clients, firstClient: sc.shard.firstClient, seed: 7, start: sc.start, defaultPolicyInterval: sc.settings.policyPollingInterval });
    expect(p.fleet.clients).toBe(10);
    expect(p.metrics).toEqual({ start: sc.start, end: sc.end, interval: 3_600_000, clients: 10 });
    expect(p.clock).toEqual({ mode: 'scaled', timeFactor: 60, lagBoundMs: 50, start: sc.start, end: sc.end, requestTimeout: sc.model.requestTimeout });
    expect(p.transport).toEqual({ kind: 'http', sign: false, concurrency: 4, requestTimeout: sc.model.requestTimeout, seed: 7, settingsDefaults: sc.stub.settings });
    expect(p.results.effective).toBe(sc.effective);
    expect(p.outputs.end - p.outputs.start).toBe(p.outputs.duration);
    // defaults: virtual time in 50 ms slices, in-process, a series interval of a minute
    const d = planRun(sc);
    expect(d.clock).toEqual({ mode: 'virtual', start: sc.start, end: sc.end, sliceMs: 50 });
    expect(d.transport).toEqual({ kind: 'in-process', requestTimeout: sc.model.requestTimeout });
    expect(d.metrics.interval).toBe(60_000);
  });
});
