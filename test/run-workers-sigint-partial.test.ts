// run --workers 2: SIGINT to the main thread stops every worker where it is;
// each worker's partial results are merged and written, marked partial, and
// the run exits 130 as a single run stopped by SIGINT does.

import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT } from '../harness/errors.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'suca-fleet.js');
// the fleet's signing keys from a file (run --keys): the bin need not make a pair (0.1-0.5 s of CPU a key)
const KEYS = join(root, 'test', 'fixtures', 'keys', 'fleet-2048.pem');
const dir = mkdtempSync(join(tmpdir(), 'suca-workers-int-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('run --workers 2, SIGINT mid-run', () => {
  it('stops both workers and writes their merged partial results', async () => {
    const out = join(dir, 'out');
    // 1 simulated hour at x300 would take 12 wall s: interrupted a second after the workers' simulated start,
    // 5 simulated minutes in (x60 waited 4 s after both 'run started' lines, 2 of them the start lead). SIGINT
    // sent to the process: the bin's own signal wiring is the point, so the bin and not main(argv, io).
    const child = spawn(process.execPath, [bin, 'run', '--clock', 'scaled', '--time-factor', '300', '--clients', '100', '--duration', '1h', '--workers', '2', '--out', out, '--json', '--quiet', '--keys', KEYS], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    let sent = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      // both workers ready: the main thread names the one wall instant of the simulated start
      const at = /"startAt":"([^"]+)"[^\n]*"msg":"workers ready/.exec(stderr);
      if (!sent && at !== null) {
        sent = true;
        setTimeout(() => child.kill('SIGINT'), Math.max(0, Date.parse(at[1]!) - Date.now()) + 1000);
      }
    });
    const kill = setTimeout(() => child.kill('SIGKILL'), 100_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    clearTimeout(kill);
    expect(sent, stderr.slice(-2000)).toBe(true);
    expect(code, stderr.slice(-2000)).toBe(EXIT.INTERRUPTED);
    expect(stderr).toContain('stopped by SIGINT');
    const r = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as {
      partial: boolean; reached: string; scenario: { start: string }; shard: { clients: number };
      merged: { from: { partial: boolean }[] }; agentEvents: number;
    };
    expect(JSON.parse(stdout)).toEqual(r);
    expect(r.partial).toBe(true);
    // every worker's part is there, each partial
    expect(r.merged.from.map((f) => f.partial)).toEqual([true, true]);
    expect(r.shard.clients).toBe(100);
    // stopped between the start and the end: about 1 wall s x 300 in, far from the hour
    const reached = Date.parse(r.reached);
    expect(reached).toBeGreaterThan(Date.parse(r.scenario.start));
    expect(reached).toBeLessThan(Date.parse(r.scenario.start) + 3_600_000);
    expect(r.agentEvents).toBeGreaterThan(0);
  }, 120_000);
});
