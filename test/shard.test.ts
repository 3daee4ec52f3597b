// Shards: `run --shard K/N` runs a contiguous range of the scenario's clients
// under their global ids, so a client behaves exactly as it does in the whole
// fleet and the shards of a run add up to the whole run.

import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { cli } from './helpers/cli.js';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { resolveScenario, shardOf, type ScenarioOverrides } from '../harness/scenario/resolve.js';
import { runFleet, type TransportOptions } from '../harness/run.js';
import { buildResults } from '../harness/output/results.js';
import { clientGuid } from '../server-stub/core/clients.js';
import { DETECT } from '../agent/core/constants.js';
import { smallWireFleet, serversAsRoles } from './helpers/fleets.js';

const silent = pino({ level: 'silent' });
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'suca-shard-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(name: string, input: Record<string, unknown>, overrides: ScenarioOverrides = {}, transport: TransportOptions = { kind: 'in-process' }) {
  const sc = resolveScenario(input, name, overrides);
  const trace = join(dir, `${name}.ndjson`);
  const o = await runFleet(sc, { tracePath: trace, logger: silent, sliceMs: 5, transport });
  const lines = readFileSync(trace, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const e = JSON.parse(l);
      // the SUP is a URL: a stub host name in-process, 127.0.0.1:port over HTTP
      serversAsRoles(e);
      return JSON.stringify(e);
    });
  return { sc, o, lines, results: buildResults(o) };
}

/** Trace lines by client GUID, in trace order. */
function byClient(lines: readonly string[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const l of lines) {
    const c = (JSON.parse(l) as { client: string }).client;
    let a = m.get(c);
    if (a === undefined) m.set(c, (a = []));
    a.push(l);
  }
  return m;
}

describe('shard ranges', () => {
  it('shard K of N is [floor((K-1)C/N), floor(KC/N)): every client in exactly one shard', async () => {
    expect(shardOf(undefined, 120)).toEqual({ index: 1, count: 1, firstClient: 0, clients: 120 });
    expect(shardOf('2/3', 120)).toEqual({ index: 2, count: 3, firstClient: 40, clients: 40 });
    for (const [c, n] of [[100, 3], [7, 7], [1000, 6], [5, 1]] as const) {
      let next = 0;
      for (let k = 1; k <= n; k++) {
        const s = shardOf(`${k}/${n}`, c);
        expect(s.firstClient).toBe(next);
        expect(s.clients).toBeGreaterThanOrEqual(Math.floor(c / n));
        expect(s.clients).toBeLessThanOrEqual(Math.ceil(c / n));
        next += s.clients;
      }
      expect(next).toBe(c);
    }
  });

  it('the embedded MP of a shard gets its share of site.mpProcessingRate; the whole fleet the rate itself', async () => {
    const input = { clients: 120, site: { mpProcessingRate: 50 } };
    expect(resolveScenario(input).stub.mpProcessingRate).toBe(50);
    const s = resolveScenario(input, 'x', { shard: '1/3' });
    expect(s.stub.mpProcessingRate).toBeCloseTo(50 / 3, 12);
    expect(s.stub).toMatchObject({ clients: 40, firstClient: 0 });
    expect(s.clients).toBe(120);
    expect(resolveScenario({ clients: 120 }, 'x', { shard: '3/3' }).stub.mpProcessingRate).toBe(0);
  });
});

describe('shards of a fleet', () => {
  const storm = JSON.parse(readFileSync(new URL('../scenarios/patch-tuesday-storm.json', import.meta.url), 'utf8'));

  it('each client behaves in its shard as in the whole fleet; the shards add up to the whole run', async () => {
    const input = { ...storm, clients: 120, duration: '13d', site: { ...storm.site, mpProcessingRate: 0 } };
    const whole = await run('whole', input);
    const shards: Awaited<ReturnType<typeof run>>[] = [];
    for (let k = 1; k <= 3; k++) shards.push(await run(`shard${k}`, input, { shard: `${k}/3` }));
    expect(whole.lines.length).toBeGreaterThan(50_000);
    expect(whole.results.shard).toEqual({ index: 1, count: 1, firstClient: 0, clients: 120 });

    const wholeBy = byClient(whole.lines);
    expect(wholeBy.size).toBe(120);
    for (const [k, s] of shards.entries()) {
      expect(s.results.shard).toEqual({ index: k + 1, count: 3, firstClient: 40 * k, clients: 40 });
      expect(s.results.scenario.clients).toBe(120);
      // the shard's clients are the whole fleet's clients 40k .. 40k + 39, by their GUIDs
      const mine = byClient(s.lines);
      const expected = Array.from({ length: 40 }, (_, i) => 'GUID:' + clientGuid(input.seed, 40 * k + i));
      expect([...mine.keys()].sort()).toEqual([...expected].sort());
      for (const [c, lines] of mine) expect(lines, c).toEqual(wholeBy.get(c));
    }
    // the union of the shards' traces is the whole trace (as multisets of lines)
    expect(shards.flatMap((s) => s.lines).sort()).toEqual([...whole.lines].sort());

    // counters add up
    const sum = (f: (r: (typeof whole)['results']) => number) => shards.reduce((a, s) => a + f(s.results), 0);
    expect(sum((r) => r.agentEvents)).toBe(whole.results.agentEvents);
    for (const [ev, n] of Object.entries(whole.results.events)) expect(sum((r) => r.events[ev]!), ev).toBe(n);
    expect(sum((r) => r.policy.assignmentRequests)).toBe(whole.results.policy.assignmentRequests);
    expect(sum((r) => r.scans.wsus!.served)).toBe(whole.results.scans.wsus!.served);
    expect(sum((r) => r.stateMessages.received!)).toBe(whole.results.stateMessages.received);
    expect(sum((r) => r.stateMessages.ingested!)).toBe(whole.results.stateMessages.ingested);
    expect(sum((r) => r.stateMessages.duplicates!)).toBe(whole.results.stateMessages.duplicates);

    // final compliance at the MP: pairs per state, and clients per deployment
    for (const st of [DETECT.UNKNOWN, DETECT.NOT_REQUIRED, DETECT.REQUIRED, DETECT.INSTALLED]) {
      expect(shards.reduce((a, s) => a + s.o.stub.mp.detectCounts[st]!, 0), `state ${st}`).toBe(whole.o.stub.mp.detectCounts[st]);
    }
    expect(whole.o.stub.mp.detectCounts[DETECT.INSTALLED]).toBeGreaterThan(0);
    for (const key of ['unknown', 'notRequired', 'required', 'installed'] as const) {
      expect(sum((r) => r.compliance!.updates[key]), key).toBe(whole.results.compliance!.updates[key]);
    }
    whole.results.compliance!.deployments.forEach((d, i) => {
      for (const key of ['compliant', 'nonCompliant', 'unknown'] as const) {
        expect(sum((r) => r.compliance!.deployments[i]!.clients[key]), `${d.name} ${key}`).toBe(d.clients[key]);
      }
      for (const key of ['unknown', 'notRequired', 'required', 'installed'] as const) {
        expect(sum((r) => r.compliance!.deployments[i]!.updateStates[key]), `${d.name} ${key}`).toBe(d.updateStates[key]);
      }
    });
    expect(whole.results.compliance!.deployments[0]!.clients.compliant).toBeGreaterThan(0);
  });

  it('a shard over HTTP gives the same trace as the same shard in-process', async () => {
    const input = smallWireFleet(9);
    const a = await run('inproc-2of3', input, { shard: '2/3' });
    // unsigned: signing is not what this compares (test/contract-transports and wire-shape run signed)
    const b = await run('http-2of3', input, { shard: '2/3' }, { kind: 'http', sign: false });
    expect(a.lines.length).toBeGreaterThan(200);
    expect(b.lines).toEqual(a.lines);
    expect(b.results.compliance).toEqual(a.results.compliance);
    expect(b.results.wire!.stub!.refused).toEqual({});
    expect(b.results.compliance!.deployments[0]!.clients.compliant).toBe(3);
    // and these are clients 3..5 of the whole fleet, as they behave there
    const whole = await run('inproc-whole9', input);
    const wholeBy = byClient(whole.lines);
    const mine = byClient(b.lines);
    expect([...mine.keys()].sort()).toEqual([3, 4, 5].map((i) => 'GUID:' + clientGuid(a.sc.seed, i)).sort());
    for (const [c, lines] of mine) expect(lines, c).toEqual(wholeBy.get(c));
  });
});

describe('--shard on the command line', () => {

  it.each(['0/2', '3/2', 'a/b', '1/0', '2/200', '2', '1/2/3', '1.5/3', ' '])('--shard %s exits 2 naming --shard', async (v) => {
    const out = join(dir, `never-${v.replace(/\W/g, '_')}`);
    const r = await cli('run', '--clients', '100', '--duration', '1d', '--shard', v, '--out', out, '--log-level', 'silent');
    expect(r.code).toBe(2);
    expect(r.err).toContain('SUCA_ERR_INVALID_ARGUMENT');
    expect(r.err).toContain(`--shard ${v}`);
    expect(existsSync(out)).toBe(false);
  });

  it('--shard 2/3 runs the middle third, writes the shard in results.json and names it in the summary', async () => {
    const out = join(dir, 'o');
    const r = await cli('run', '--clients', '30', '--duration', '1d', '--shard', '2/3', '--out', out, '--log-level', 'silent');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toMatch(/30 clients \(shard 2\/3: 10 clients, ids 10\.\.19\)/);
    const written = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(written.shard).toEqual({ index: 2, count: 3, firstClient: 10, clients: 10 });
    expect(written.scenario.clients).toBe(30);
  });
});
