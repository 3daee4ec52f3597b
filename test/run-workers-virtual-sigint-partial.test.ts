// run --workers 2 in virtual time: SIGINT to the main thread stops every
// worker where it is; each worker's partial results are merged and written,
// marked partial, with the trace the workers wrote up to there merged in
// order; the run exits 130 as a single run stopped by SIGINT does. In-process
// through main(argv, io): the signal is emitted once both workers' loops run.

import { afterAll, describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../harness/cli.js';
import { EXIT } from '../harness/errors.js';
import { testIo } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'suca-workers-virtual-int-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('run --workers 2 in virtual time, SIGINT mid-run', () => {
  it('stops both workers and writes their merged partial results and trace', async () => {
    const out = join(dir, 'out');
    const trace = join(dir, 'trace.ndjson');
    const signals = new EventEmitter();
    const t = testIo({ signals });
    // 2,000 clients for 30 simulated days: about 4 wall s of both workers' loops on the loaded 2-core VM,
    // interrupted 300 ms into both (20,000 clients, a second in, spent most of the test building the fleet
    // and merging a second's trace). SIGINT is emitted on the second 'run started' line itself, not on a poll.
    let sent = false;
    let started = 0;
    const io = { ...t.io, stderr: { write: (s: string) => {
      t.io.stderr.write(s);
      started += (s.match(/"msg":"run started"/g) ?? []).length;
      if (!sent && started === 2) {
        sent = true;
        setTimeout(() => signals.emit('SIGINT', 'SIGINT'), 300);
      }
    } } };
    const running = main(['run', '--clients', '2000', '--duration', '30d', '--workers', '2', '--out', out, '--trace', trace, '--json', '--quiet'], io);
    const code = await running;
    expect(sent, t.err().slice(-2000)).toBe(true);
    expect(code, t.err().slice(-2000)).toBe(EXIT.INTERRUPTED);
    expect(t.err()).toContain('stopped by SIGINT');
    const r = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as {
      partial: boolean; reached: string; scenario: { start: string }; shard: { clients: number };
      merged: { from: { partial: boolean; shard: { index: number } }[] }; agentEvents: number; events: Record<string, number>;
    };
    expect(JSON.parse(t.out())).toEqual(r);
    expect(r.partial).toBe(true);
    // every worker's part is there, each partial
    expect(r.merged.from.map((f) => [f.shard.index, f.partial])).toEqual([[1, true], [2, true]]);
    expect(r.shard.clients).toBe(2000);
    const reached = Date.parse(r.reached);
    expect(reached).toBeGreaterThan(Date.parse(r.scenario.start));
    expect(reached).toBeLessThan(Date.parse(r.scenario.start) + 30 * 86_400_000);
    expect(r.agentEvents).toBeGreaterThan(0);
    // the trace up to the stop: both workers' lines, in time order, the keyed parts removed
    const lines = readFileSync(trace, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { t: number; client: string; ev: string });
    expect(lines.length).toBeGreaterThan(0);
    // a line per agent event counted, none lost or doubled in the merge
    expect(lines.length).toBe(Object.values(r.events).reduce((a, b) => a + b, 0));
    for (let i = 1; i < lines.length; i++) if (lines[i]!.t < lines[i - 1]!.t) throw new Error(`trace line ${i + 1} goes back in time`);
    expect(readdirSync(dir).filter((f) => f.endsWith('.keyed'))).toEqual([]);
    expect(existsSync(trace)).toBe(true);
  }, 180_000);
});
