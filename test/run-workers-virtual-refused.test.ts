// run --workers N in virtual time refuses the scenario models that couple
// one client's answers to other clients' requests at once (zero lookahead
// with the synchronous in-process transport, so no window between the
// workers is exact): the WSUS capacity model (site.wsusPool) and the MP's
// rate-limited backlog (site.mpProcessingRate > 0). Exit 2 with
// SUCA_ERR_WORKERS_COUPLED naming the scenario field, both at once, before
// anything is written; the same scenario runs in one thread.

import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers/cli.js';
import { EXIT } from '../harness/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'suca-workers-coupled-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('run --workers in virtual time, coupled models', () => {
  it('refuses site.wsusPool and site.mpProcessingRate > 0, naming both fields, writing nothing', async () => {
    const scenario = join(dir, 'coupled.json');
    writeFileSync(scenario, JSON.stringify({ name: 'coupled', clients: 20, duration: '1d', site: { mpProcessingRate: 50, wsusPool: { workers: 2 } } }));
    const out = join(dir, 'out');
    const r = await cli('run', '--scenario', scenario, '--workers', '2', '--out', out, '--trace', join(dir, 't.ndjson'));
    expect(r.code).toBe(EXIT.CONFIG);
    expect(r.out).toBe('');
    const lines = r.err.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('suca-fleet: SUCA_ERR_WORKERS_COUPLED: --workers 2 in virtual time'))).toHaveLength(2);
    expect(r.err).toContain('site.wsusPool:');
    expect(r.err).toContain('site.mpProcessingRate 50:');
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(dir, 't.ndjson'))).toBe(false);
  });

  it('refuses the built-in storm scenario (its MP backlog), which one thread runs', async () => {
    const r = await cli('run', '--scenario', 'patch-tuesday-storm', '--clients', '20', '--duration', '1h', '--workers', '2');
    expect(r.code).toBe(EXIT.CONFIG);
    expect(r.err).toMatch(/SUCA_ERR_WORKERS_COUPLED: .*site\.mpProcessingRate 50: the MP's backlog is the whole site's/);
    const one = await cli('run', '--scenario', 'patch-tuesday-storm', '--clients', '20', '--duration', '1h', '--quiet', '--log-level', 'warn');
    expect(one.code, one.err).toBe(0);
  });
});
