// run --workers N --mp URL in scaled time: the fleet's shards in worker
// threads against an external MP (here `suca-fleet stub`, in-process through
// main), no embedded stubs. The run command aligns the start on the stub's
// clock once; every worker resolves the scenario again, so the aligned start
// must reach them (a scenario override) or each would start at the
// scenario's own start, hours of simulated time off the stub's clock, and
// judge deployments and cookies at the wrong time.

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { START_GRID_ENV } from '../harness/clock/align.js';
import { cliWith } from './helpers/cli.js';
import { useStubScenario } from './helpers/stub-scenario.js';

const F = 600;
// a short grid and lead (tests only, as test/stub-run-clock-alignment explains): the point is the mark, not its width
const GRID = { gridWallMs: 500, leadWallMs: 3000 };
// every client's first policy poll within the first 10 simulated minutes (1 wall second at x600)
const SCENARIO = { name: 'workers-external', clients: 12, duration: '20m', start: '2026-01-05T00:00:00Z', model: { startWithin: '10m' } };

const stub = useStubScenario('suca-wext-', SCENARIO, F);

interface Res {
  scenario: { start: string; clients: number };
  shard: { index: number; count: number; firstClient: number; clients: number };
  merged?: { from: { shard: { index: number; count: number } }[] };
  errors: { total: number };
  wire?: { agentOperations?: Record<string, number> };
  stateMessages: { ingested: number | null; delivered: number };
}

describe('run --workers 2 --mp URL (scaled time)', () => {
  it('every worker starts at the start aligned on the stub\'s clock, and the merge is the whole fleet', async () => {
    const out = join(stub.dir, 'out');
    // the lag and busy bounds wide open: the subject is where the workers start, not the pace on a shared CI machine
    const r = await cliWith({ env: { [START_GRID_ENV]: `${GRID.gridWallMs},${GRID.leadWallMs}` } }, 'run', '--scenario', stub.file, '--clock', 'scaled', '--time-factor', String(F), '--workers', '2', '--mp', stub.urls.mp, '--lag-bound', '1h', '--elu-bound', '1', '--out', out, '--quiet', '--log-level', 'silent');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain('clock aligned to the stub');
    const h = (await (await fetch(`${stub.urls.mp}/health`)).json()) as { clock: { simStart: number } };
    const merged = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Res;
    const start = Date.parse(merged.scenario.start);
    // on a mark of the stub's clock, past its start by the lead at least: not the scenario's own start
    expect(start).toBeGreaterThanOrEqual(h.clock.simStart + GRID.leadWallMs * F);
    expect((start - h.clock.simStart) % (GRID.gridWallMs * F)).toBe(0);
    // each worker's own results: the same start, its half of the clients
    const parts = [1, 2].map((k) => JSON.parse(readFileSync(join(out, 'workers', `worker-${k}-of-2.results.json`), 'utf8')) as Res);
    for (const p of parts) expect(p.scenario.start).toBe(merged.scenario.start);
    expect(parts.map((p) => [p.shard.firstClient, p.shard.clients])).toEqual([[0, 6], [6, 6]]);
    expect(merged.merged!.from.map((f) => `${f.shard.index}/${f.shard.count}`)).toEqual(['1/2', '2/2']);
    expect(merged.shard).toMatchObject({ firstClient: 0, clients: 12 });
    // every client of both workers asked the external MP for its policy; the MP's own figures are its own
    for (const p of parts) expect(p.wire!.agentOperations!['mp policy.assignments']).toBeGreaterThanOrEqual(6);
    expect(merged.wire!.agentOperations!['mp policy.assignments']).toBe(parts.reduce((n, p) => n + p.wire!.agentOperations!['mp policy.assignments']!, 0));
    expect(merged.errors.total).toBe(0);
    expect(merged.stateMessages.ingested).toBeNull();
  }, 60_000);
});
