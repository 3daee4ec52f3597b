// Scenario files extending others: deep merge of objects, arrays replaced
// whole, chains, cycles refused naming the chain, strict validation of the
// merged result with each problem naming the file its field came from; and
// --scenario NAME finding the library's file.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario, loadScenarioFile, libraryScenarios, scenarioFileOf } from '../harness/scenario/extends.js';
import { cli } from './helpers/cli.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'suca-ext-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, o: unknown) => {
  const f = join(dir, name);
  writeFileSync(f, JSON.stringify(o));
  return f;
};

describe('extends', () => {
  it('merges objects deeply and replaces arrays whole, along a chain', () => {
    write('base.json', { name: 'base', clients: 50, client: { scanTtl: '12h', stateMessageCycle: '5m' }, timeZones: [{ zone: 'Europe/Berlin', fraction: 0.5 }, { zone: 'Asia/Tokyo', fraction: 0.5 }] });
    write('mid.json', { extends: './base.json', client: { scanTtl: '6h' }, timeZones: [{ zone: 'UTC', fraction: 1 }] });
    const top = write('top.json', { extends: 'mid.json', name: 'top' });
    const l = loadScenarioFile(top);
    expect(l.chain.map((f) => f.split('/').at(-1))).toEqual(['top.json', 'mid.json', 'base.json']);
    expect(l.input).toEqual({ name: 'top', clients: 50, client: { scanTtl: '6h', stateMessageCycle: '5m' }, timeZones: [{ zone: 'UTC', fraction: 1 }] });
    const sc = loadScenario(top);
    expect(sc.settings.scanTtl).toBe(6 * 3_600_000);
    expect(sc.settings.stateMessageCycle).toBe(5 * 60_000);
  });

  it('extends a library scenario by name', () => {
    const f = write('variant.json', { extends: 'first-scan-storm', client: { firstScanWindow: '30m' } });
    const sc = loadScenario(f);
    expect(sc.settings.firstScanWindow).toBe(30 * 60_000);
    expect(sc.model.startWithin).toBe(60_000); // the library file's
  });

  it('refuses a cycle, naming the chain', () => {
    write('a.json', { extends: './b.json' });
    write('b.json', { extends: './c.json' });
    write('c.json', { extends: './a.json' });
    expect(() => loadScenarioFile(join(dir, 'a.json'))).toThrow(/cycle: a\.json -> b\.json -> c\.json -> .*a\.json/);
  });

  it('validates the merged result and names the file each bad field came from', () => {
    write('bad-base.json', { client: { scanTtl: 'soon' }, model: { colour: 'red' } });
    const f = write('bad-top.json', { extends: './bad-base.json', clients: 0 });
    let msg = '';
    try {
      loadScenario(f);
    } catch (err) {
      msg = (err as Error).message;
      expect((err as { code: string }).code).toBe('SUCA_ERR_INVALID_SCENARIO');
    }
    expect(msg).toMatch(/client\.scanTtl: .*\(in .*bad-base\.json\)/);
    expect(msg).toMatch(/model: .*colour.*\(in .*bad-base\.json\)/);
    expect(msg).toMatch(/clients: .*\(in .*bad-top\.json\)/);
  });

  it('an unknown library name lists the known ones', () => {
    expect(() => loadScenarioFile(write('unknown.json', { extends: 'no-such-scenario' }))).toThrow(/not a scenario of the library \(.*first-scan-storm/);
    expect(() => scenarioFileOf('no-such-scenario')).toThrow(/the library has: .*patch-tuesday/);
  });
});

describe('run --scenario NAME', () => {
  it('runs the library file by name; an unknown name exits 2 listing the library', async () => {
    const r = await cli('run', '--scenario', 'first-scan-storm-norandom', '--clients', '30', '--duration', '1h', '--quiet', '--json', '--log-level', 'silent');
    expect(r.code).toBe(0);
    const res = JSON.parse(r.out) as { scenario: { name: string }; scans: { wsus: { peakPerMinute: { scans: number } } } };
    expect(res.scenario.name).toBe('first-scan-storm-norandom');
    expect(res.scans.wsus.peakPerMinute.scans).toBe(30);
    const bad = await cli('run', '--scenario', 'first-scan-strom');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/SUCA_ERR_SCENARIO_READ: .*first-scan-strom.*first-scan-storm/);
  });

  it('every library file is valid, named as its file', () => {
    const lib = libraryScenarios();
    expect(lib.length).toBeGreaterThanOrEqual(12);
    for (const e of lib) {
      const sc = loadScenario(e.file);
      if (e.name !== 'patch-tuesday-storm' && e.name !== 'catalogue-and-enforcement') expect(sc.name, e.file).toBe(e.name);
    }
  });
});

describe('suca-fleet scenarios', () => {
  it('lists name, symptom, clients and duration; --json too', async () => {
    const r = await cli('scenarios');
    expect(r.code).toBe(0);
    const line = r.out.split('\n').find((l) => l.startsWith('first-scan-storm '))!;
    expect(line).toMatch(/^first-scan-storm\s+2,000\s+12h\s+WSUS overloaded/);
    expect(r.out).toMatch(/first-scan-storm-norandom .*\(extends first-scan-storm\)/);
    const j = await cli('scenarios', '--json');
    const list = JSON.parse(j.out) as { name: string; clients: number; duration: string; symptom: string | null }[];
    const pt = list.find((x) => x.name === 'patch-tuesday')!;
    expect(pt).toMatchObject({ clients: 2000, duration: '14d' });
    expect(pt.symptom).toMatch(/monthly/);
    expect(list.map((x) => x.name)).toEqual(expect.arrayContaining(['first-scan-storm', 'patch-tuesday-randomized', 'required-though-installed', 'reevaluation-reinstall', 'state-resync', 'maintenance-windows', 'morning-boot']));
  });
});
