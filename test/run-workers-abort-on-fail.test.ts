// run --workers 2 --abort-on-fail: the threshold is checked in the main
// thread on the merge of every worker's figures so far (and the stubs'),
// not on each worker's alone. state_ingested is counted by the stub MP, which
// no worker sees (null in a worker's results): only the live merge can fail
// it. The run stops every worker there and exits 99 with partial results.

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
const dir = mkdtempSync(join(tmpdir(), 'suca-workers-abort-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('run --workers 2 --abort-on-fail', () => {
  it('stops every worker when a threshold fails on the merged figures', async () => {
    const out = join(dir, 'out');
    const clients = 200;
    // the default scenario's clients send their first state messages about 16 simulated minutes in: at x200
    // about 5 wall s after the 2 s start lead (x60 waited 16 s for it); the live check, about once a wall
    // second (3.3 simulated minutes), still stops the run long before the hour's end (18 wall s): 18 to 23
    // simulated minutes in, measured. Not x300: on the VM at load 20 its scheduler lag p99 reached 535 ms
    // (x120: 97 ms, x200: 101 ms) against the 1 s bound, and an invalid run exits 100 before its thresholds' 99.
    // The lag and busy bounds wide open all the same: beside a busy loop here x200 reached 1.1 s (exit 100);
    // the abort on the merged figures is the subject, not whether this machine keeps up.
    // The bin, not main(argv, io): the same wait, and in-process vitest transformed and loaded harness/ for
    // it in its fork (transform 3.7 s against 0.4 s for the three scaled files run through the bin); the bin
    // loads dist/, which the worker threads need anyway.
    const limit = clients * 0.75;
    const args = ['run', '--clock', 'scaled', '--time-factor', '200', '--lag-bound', '1h', '--elu-bound', '1', '--clients', String(clients), '--duration', '1h', '--workers', '2', '--out', out, '--quiet', '--keys', KEYS, '--abort-on-fail', '--threshold', `state_ingested<${limit}`];
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const kill = setTimeout(() => child.kill('SIGKILL'), 100_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    clearTimeout(kill);
    expect(code, stderr.slice(-2000)).toBe(EXIT.THRESHOLDS);
    expect(stderr).toContain(`threshold state_ingested<${limit} failed during the run (abortOnFail)`);
    const r = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as {
      partial: boolean; abortedBy: string | null; reached: string; scenario: { start: string };
      stateMessages: { ingested: number }; thresholds: { expr: string; ok: boolean; value: number }[];
      merged: { from: { partial: boolean }[] };
    };
    expect(r.abortedBy).toBe(`state_ingested<${limit}`);
    expect(r.partial).toBe(true);
    expect(r.merged.from.map((f) => f.partial)).toEqual([true, true]);
    // failed on the merged count, which neither worker could see
    expect(r.stateMessages.ingested).toBeGreaterThanOrEqual(limit);
    expect(r.thresholds.find((t) => t.expr === `state_ingested<${limit}`)!.ok).toBe(false);
    const ws = [1, 2].map((k) => JSON.parse(readFileSync(join(out, 'workers', `worker-${k}-of-2.results.json`), 'utf8')) as { stateMessages: { ingested: number | null } });
    for (const w of ws) expect(w.stateMessages.ingested).toBeNull();
    // stopped well before the hour's end
    expect(Date.parse(r.reached)).toBeLessThan(Date.parse(r.scenario.start) + 3_600_000);
  }, 120_000);
});
