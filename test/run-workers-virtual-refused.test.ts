// run --workers N in virtual time refuses the scenario models that couple
// one client's answers to other clients' requests at once (zero lookahead
// with the synchronous in-process transport, so no window between the
// workers is exact): the WSUS capacity model (site.wsusPool), and a lost
// upload (faults[i].lose) beside the MP's rate-limited backlog
// (site.mpProcessingRate > 0: the resync answer then depends on when the
// site's one backlog processed the client's messages). Exit 2 with
// SUCA_ERR_WORKERS_COUPLED naming the scenario field, every one at once,
// before anything is written; the same scenario runs in one thread. (The
// backlog alone is modelled exactly: run-workers-virtual-backlog.test.ts.)

import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers/cli.js';
import { EXIT } from '../harness/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'suca-workers-coupled-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('run --workers in virtual time, coupled models', () => {
  it('refuses site.wsusPool, and a lost upload with site.mpProcessingRate > 0, naming both fields, writing nothing', async () => {
    const scenario = join(dir, 'coupled.json');
    writeFileSync(scenario, JSON.stringify({
      name: 'coupled', clients: 20, duration: '1d', site: { mpProcessingRate: 50, wsusPool: { workers: 2 } },
      faults: [{ target: 'mp.policy', from: '1h', to: '2h', rate: 0.5, delay: '1m' }, { target: 'mp.state', from: '1h', to: '2h', rate: 0.5, lose: true }],
    }));
    const out = join(dir, 'out');
    const r = await cli('run', '--scenario', scenario, '--workers', '2', '--out', out, '--trace', join(dir, 't.ndjson'));
    expect(r.code).toBe(EXIT.CONFIG);
    expect(r.out).toBe('');
    const lines = r.err.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('suca-fleet: SUCA_ERR_WORKERS_COUPLED: --workers 2 in virtual time'))).toHaveLength(2);
    expect(r.err).toContain('site.wsusPool:');
    expect(r.err).toContain('faults[1].lose with site.mpProcessingRate 50:');
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(dir, 't.ndjson'))).toBe(false);
  });

  it('runs the same scenario in one thread', async () => {
    const scenario = join(dir, 'coupled.json');
    const one = await cli('run', '--scenario', scenario, '--quiet', '--log-level', 'warn');
    expect(one.code, one.err).toBe(0);
  });
});
