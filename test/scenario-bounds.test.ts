// Every numeric scenario field is bounded (fractions in [0, 1], durations up
// to LIMITS.durationMs, counts whole and capped, lists capped); a scenario's
// type errors and semantic errors are listed together, each with its JSON
// path; JSON syntax errors say line and column; `scenario default FILE`
// writes FILE (issue 10 items 3 and 6).

import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers/cli.js';
import { LIMITS } from '../harness/scenario/limits.js';
import { DEFAULT_SCENARIO } from '../harness/scenario/defaults.js';

const STACK = /\n\s+at [^\n]*[(:]/;
const dir = mkdtempSync(join(tmpdir(), 'suca-scb-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

async function check(scenario: unknown): Promise<{ code: number; lines: string[]; err: string }> {
  const file = join(dir, `s${n++}.json`);
  writeFileSync(file, typeof scenario === 'string' ? scenario : JSON.stringify(scenario));
  const r = await cli('scenario', 'check', file);
  expect(r.err).not.toMatch(STACK);
  return { code: r.code, lines: r.err.split('\n').slice(1).filter((l) => l.trim() !== ''), err: r.err };
}

const has = (lines: string[], path: string, text: string) => lines.some((l) => l.trim().startsWith(path + ':') && l.includes(text));

describe('scenario: bounds of every numeric field', () => {
  it('fractions, counts, sizes, durations and lists past their bounds: exit 2, each with its path and its bound', async () => {
    const maxDays = LIMITS.durationMs.max / 86_400_000;
    const { code, lines } = await check({
      clients: LIMITS.clients.max + 1,
      seed: -1,
      duration: `${maxDays + 1}d`,
      client: { scanRetryCount: 2.5, cacheSizeMB: LIMITS.sizeMB.max * 2, scanSchedule: `${maxDays * 2}d` },
      model: { downloadMbps: LIMITS.downloadMbps.max + 1 },
      site: { mpProcessingRate: -1 },
      catalogue: { updates: LIMITS.updates.max + 1, applicableFraction: 1.5, maxSizeMB: LIMITS.sizeMB.max + 1 },
      enforcement: { installRetryLimit: LIMITS.retries.max + 1 },
      power: { workstations: { fraction: -0.1 } },
      actions: Array.from({ length: LIMITS.listEntries.max + 1 }, () => ({ kind: 'manualScan', at: '1h' })),
    });
    expect(code).toBe(2);
    const en = (x: number) => x.toLocaleString('en-US');
    expect(has(lines, 'clients', `a whole number from 1 to ${en(LIMITS.clients.max)}`)).toBe(true);
    expect(has(lines, 'seed', `from 0 to ${en(LIMITS.seed.max)}`)).toBe(true);
    expect(has(lines, 'duration', `longer than the longest duration, ${maxDays}d`)).toBe(true);
    expect(has(lines, 'client.scanRetryCount', 'a whole number')).toBe(true);
    expect(has(lines, 'client.cacheSizeMB', `to ${en(LIMITS.sizeMB.max)} MB`)).toBe(true);
    expect(has(lines, 'client.scanSchedule', `${maxDays}d`)).toBe(true);
    expect(has(lines, 'model.downloadMbps', `to ${en(LIMITS.downloadMbps.max)} Mbit/s`)).toBe(true);
    expect(has(lines, 'site.mpProcessingRate', 'from 0 to')).toBe(true);
    expect(has(lines, 'catalogue.updates', `to ${en(LIMITS.updates.max)}`)).toBe(true);
    expect(has(lines, 'catalogue.applicableFraction', 'a fraction from 0 to 1')).toBe(true);
    expect(has(lines, 'catalogue.maxSizeMB', `at most ${en(LIMITS.sizeMB.max)} MB`)).toBe(true);
    expect(has(lines, 'enforcement.installRetryLimit', `to ${en(LIMITS.retries.max)}`)).toBe(true);
    expect(has(lines, 'power.workstations.fraction', 'a fraction from 0 to 1')).toBe(true);
    expect(has(lines, 'actions', `at most ${en(LIMITS.listEntries.max)} entries`)).toBe(true);
  });

  it('type errors and semantic errors are listed together (type errors used to hide the rest)', async () => {
    const { code, lines } = await check({
      clients: 'many', // type
      client: { policyPollingInterval: 'hourly', typo: 1 }, // type, unknown key
      model: { onlineScanMin: '9m', onlineScanMax: '6m' }, // semantic
      catalogue: { updates: 20, newUpdates: 30 }, // semantic
      deployments: [{ name: 'a', updates: { newest: 5 }, available: '2d', deadline: '1d' }], // semantic
    });
    expect(code).toBe(2);
    expect(has(lines, 'clients', '')).toBe(true);
    expect(has(lines, 'client.policyPollingInterval', 'not a duration')).toBe(true);
    expect(lines.some((l) => l.includes('client:') && l.includes('typo'))).toBe(true);
    expect(has(lines, 'model.onlineScanMin', 'longer than model.onlineScanMax (6m)')).toBe(true);
    expect(has(lines, 'catalogue.newUpdates', 'more than catalogue.updates (20)')).toBe(true);
    expect(has(lines, 'deployments[0].deadline', 'before its available time (2d)')).toBe(true);
    // nothing about the refused fields' defaults that stood in for them
    expect(lines).toHaveLength(6);
  });

  it('a refused list entry takes its list out of the semantic checks, and nothing is said about the defaults that stood in', async () => {
    const { lines } = await check({ deployments: [{ name: '', updates: { newest: 5 }, available: '1d', deadline: null }], catalogue: { newUpdates: 900 } });
    expect(has(lines, 'deployments[0].name', '')).toBe(true);
    expect(has(lines, 'catalogue.newUpdates', `more than catalogue.updates (${DEFAULT_SCENARIO.catalogue.updates})`)).toBe(true);
    expect(lines).toHaveLength(2);
  });

  it('JSON syntax errors give line and column', async () => {
    // line 3, column 9: the "t" of "tru"
    const a = await check('{\n  "clients": 5,\n  "seed": tru\n}\n');
    expect(a.code).toBe(2);
    expect(a.err).toMatch(/not valid JSON: line 3, column 11: invalid symbol at "tru"/);
    // a message that has no position on Node 20 ("Unexpected token '}', ... is not valid JSON")
    const b = await check('{"clients":}');
    expect(b.err).toMatch(/not valid JSON: line 1, column 12: value expected at "}"/);
    const c = await check('{"clients": 5,');
    expect(c.err).toMatch(/not valid JSON: line 1, column 15: property name expected \(at the end of the file\)/);
  });
});

describe('scenario default FILE', () => {
  it('writes the default scenario to FILE, refuses to overwrite it without --force', async () => {
    const file = join(dir, 'default.json');
    const w = await cli('scenario', 'default', file);
    expect(w.code).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(DEFAULT_SCENARIO);
    expect(w.out).toBe(`${file}: the default scenario written\n`);
    writeFileSync(file, '{"name": "mine"}');
    const again = await cli('scenario', 'default', file);
    expect(again.code).toBe(2);
    expect(again.err).toContain(`SUCA_ERR_OUTPUT: scenario default ${file}: the file exists; give --force to overwrite it`);
    expect(readFileSync(file, 'utf8')).toBe('{"name": "mine"}');
    expect((await cli('scenario', 'default', file, '--force')).code).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(DEFAULT_SCENARIO);
    const bad = await cli('scenario', 'default', '/proc/suca-default.json');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('SUCA_ERR_OUTPUT: scenario default /proc/suca-default.json: cannot write there');
    expect(existsSync('/proc/suca-default.json')).toBe(false);
  });
});
