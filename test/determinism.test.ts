// The same scenario and seed give byte-identical results.json (apart from the
// wall-clock section) and trace; another seed gives another run.

import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { resolveScenario } from '../harness/scenario/resolve.js';
import { runFleet } from '../harness/run.js';
import { buildResults } from '../harness/output/results.js';

const silent = pino({ level: 'silent' });
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'suca-det-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(name: string, input: Record<string, unknown>) {
  const trace = join(dir, `${name}.ndjson`);
  const o = await runFleet(resolveScenario(input), { tracePath: trace, logger: silent, sliceMs: 5 });
  const { wall, ...rest } = buildResults(o);
  expect(wall.elapsedMs).toBeGreaterThanOrEqual(0);
  return { results: JSON.stringify(rest, null, 2), trace: readFileSync(trace, 'utf8') };
}

describe('determinism', () => {
  const storm = JSON.parse(readFileSync(new URL('../scenarios/patch-tuesday-storm.json', import.meta.url), 'utf8'));

  it('same scenario and seed: byte-identical results and trace', async () => {
    // 25 clients (was 150): the point is two runs of the same scenario compared byte for byte, which
    // a sixth of the fleet shows as well (the trace stays far above the 10,000 characters asserted)
    const input = { ...storm, clients: 25, duration: '12d' };
    const a = await run('a', input);
    // a different wall-clock slicing of the loop must not change anything either
    const b = await run('b', input);
    expect(a.trace.length).toBeGreaterThan(10_000);
    expect(b.results).toBe(a.results);
    expect(b.trace).toBe(a.trace);
  });

  it('machines off and on, grace period, lost uploads and resync: byte-identical by seed', async () => {
    const off = JSON.parse(readFileSync(new URL('../scenarios/machines-off.json', import.meta.url), 'utf8'));
    // 40 clients (was 120): power.off and state.resync still occur (asserted), and the comparison is the point
    const input = { ...off, clients: 40, duration: '9d' };
    const a = await run('p1', input);
    const b = await run('p2', input);
    expect(a.trace).toContain('"ev":"power.off"');
    expect(a.trace).toContain('"ev":"state.resync"');
    expect(b.results).toBe(a.results);
    expect(b.trace).toBe(a.trace);
  });

  it('catalogue syncs, supersedence, install failures and retries, pulled-forward deployments, switchSup on: byte-identical too', async () => {
    const cat = JSON.parse(readFileSync(new URL('../scenarios/catalogue-and-enforcement.json', import.meta.url), 'utf8'));
    // 20 clients (was 120): every event asserted below still occurs, and the comparison is the point
    const input = { ...cat, clients: 20 };
    const a = await run('ce-a', input);
    const b = await run('ce-b', input);
    for (const ev of ['scan.waitingLocation', 'install.failed', 'deployment.pulledForward', 'sup.switched']) expect(a.trace, ev).toContain(`"ev":"${ev}"`);
    expect(b.results).toBe(a.results);
    expect(b.trace).toBe(a.trace);
  });

  it('another seed gives another run', async () => {
    const a = await run('s1', { clients: 50, duration: '4d', seed: 1 });
    const b = await run('s2', { clients: 50, duration: '4d', seed: 2 });
    expect(b.trace).not.toBe(a.trace);
    expect(b.results).not.toBe(a.results);
  });

  it('a client behaves the same whatever the fleet around it', async () => {
    // client 0's events do not depend on how many other clients run beside it
    const small = await run('f10', { clients: 10, duration: '5d' });
    const large = await run('f200', { clients: 200, duration: '5d' });
    const id = (trace: string) => trace.split('\n').map((l) => (l ? JSON.parse(l).client : '')).find((c: string) => c)!;
    const c0 = id(small.trace);
    const pick = (trace: string) => trace.split('\n').filter((l) => l.includes(`"client":"${c0}"`)).join('\n');
    expect(pick(large.trace)).toBe(pick(small.trace));
    expect(pick(small.trace).length).toBeGreaterThan(1000);
  });
});
