// run --workers 2 --abort-on-fail in virtual time: the thresholds are
// checked in the main thread on the merge of every worker's figures so far
// (each worker posts them about once a wall second), as in scaled time; a
// failed one stops every worker there, and the run exits 99 with the merged
// partial results, abortedBy naming the threshold. In-process through main().

import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers/cli.js';
import { EXIT } from '../harness/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'suca-workers-virtual-abort-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('run --workers 2 --abort-on-fail in virtual time', () => {
  it('stops every worker when a threshold fails on the merged figures', async () => {
    const out = join(dir, 'out');
    // the clients' first state messages are ingested within the first simulated hour, so the first live check
    // (about a wall second in) fails; 30 days of 8,000 clients take about 8 wall s of both workers' loops on the
    // loaded 2-core VM, so the stop is still mid-run (20,000 clients: tens of seconds, mostly building the fleet)
    const clients = 8000;
    const limit = clients;
    const r = await cli('run', '--clients', String(clients), '--duration', '30d', '--workers', '2', '--out', out, '--quiet', '--abort-on-fail', '--threshold', `state_ingested<${limit}`);
    expect(r.code, r.err.slice(-2000)).toBe(EXIT.THRESHOLDS);
    expect(r.err).toContain(`threshold state_ingested<${limit} failed during the run (abortOnFail)`);
    const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as {
      partial: boolean; abortedBy: string | null; reached: string; scenario: { start: string };
      stateMessages: { ingested: number }; thresholds: { expr: string; ok: boolean; value: number }[];
      merged: { from: { partial: boolean }[] };
    };
    expect(res.abortedBy).toBe(`state_ingested<${limit}`);
    expect(res.partial).toBe(true);
    expect(res.merged.from.map((f) => f.partial)).toEqual([true, true]);
    expect(res.stateMessages.ingested).toBeGreaterThanOrEqual(limit);
    expect(res.thresholds.find((t) => t.expr === `state_ingested<${limit}`)!.ok).toBe(false);
    // the workers' own figures add up to the merged count (each worker ingests its clients' messages itself)
    const ws = [1, 2].map((k) => JSON.parse(readFileSync(join(out, 'workers', `worker-${k}-of-2.results.json`), 'utf8')) as { stateMessages: { ingested: number } });
    expect(ws[0]!.stateMessages.ingested + ws[1]!.stateMessages.ingested).toBe(res.stateMessages.ingested);
    // stopped well before the 30 days' end
    expect(Date.parse(res.reached)).toBeLessThan(Date.parse(res.scenario.start) + 30 * 86_400_000);
  }, 180_000);
});
