// No stack trace reaches a user (issue 10): an internal error (a bug) says
// what was being done, where the partial results went (written first, marked
// partial, as after SIGINT), and exits 1; the stack only with
// SUCA_FLEET_DEBUG=1. Output paths are checked by writing before the run:
// `report R.json --html /proc/r.html` said "internal error: ENOENT".

import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, cliWith } from './helpers/cli.js';
import { WsusServer } from '../server-stub/core/wsus.js';
import { EXIT } from '../harness/errors.js';

const STACK = /\n\s+at [^\n]*[(:]/;
const DAY = 86_400_000;

afterEach(() => vi.restoreAllMocks());

/** A bug on the WSUS server's n-th scan: the run fails part-way through, at a simulated time the results must show. */
function bugOnScan(n: number): { at: () => number } {
  let scans = 0;
  let at = NaN;
  const begin = WsusServer.prototype.begin;
  vi.spyOn(WsusServer.prototype, 'begin').mockImplementation(function (this: WsusServer, t: number, sup: string, delta: boolean) {
    if (++scans === n) {
      at = t;
      throw new TypeError('planted bug: cannot read properties of undefined');
    }
    return begin.call(this, t, sup, delta);
  });
  return { at: () => at };
}

describe('an internal error during a run', () => {
  it('exits 1, says what was being done and where the partial results are, writes them first, no stack', async () => {
    const out = mkdtempSync(join(tmpdir(), 'suca-bug-'));
    onTestFinished(() => rmSync(out, { recursive: true, force: true }));
    const trace = join(out, 'trace.ndjson');
    // 20 clients scan first within 2 h of their first policy; the 15th scan fails
    const bug = bugOnScan(15);
    const r = await cli('run', '--clients', '20', '--duration', '2d', '--out', out, '--trace', trace, '--log-level', 'silent');
    expect(r.code).toBe(EXIT.INTERNAL);
    expect(r.err).not.toMatch(STACK);
    expect(r.err).toContain('suca-fleet: internal error while running the fleet (default, 20 clients): TypeError: planted bug');
    expect(r.err).toContain(`what it measured up to there is in ${join(out, 'results.json')}, ${trace} (results marked partial)`);
    expect(r.err).toContain('SUCA_FLEET_DEBUG=1 prints its stack');
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.partial).toBe(true);
    // it reached the failing scan's time, not the end of the run
    const reached = Date.parse(results.reached);
    expect(reached).toBeGreaterThanOrEqual(bug.at());
    expect(reached).toBeLessThan(Date.parse(results.scenario.start) + 2 * DAY);
    expect(r.err).toContain(`the run stopped at ${results.reached} (simulated)`);
    // the 14 scans before the bug were served and counted
    expect(results.scans.wsus.served).toBe(14);
    expect(existsSync(join(out, 'report.html'))).toBe(true);
    expect(readFileSync(trace, 'utf8').length).toBeGreaterThan(0);
  });

  it('with SUCA_FLEET_DEBUG=1 the stack follows the message', async () => {
    bugOnScan(1);
    const r = await cliWith({ env: { SUCA_FLEET_DEBUG: '1' } }, 'run', '--clients', '5', '--duration', '1d', '--log-level', 'silent');
    expect(r.code).toBe(EXIT.INTERNAL);
    expect(r.err).toContain('nothing was written (no --out, --trace or --series-ndjson given)');
    expect(r.err).toMatch(STACK);
    expect(r.err).toContain('planted bug');
  });
});

describe('output paths are checked by writing, before any work', () => {
  it('report --html /proc/r.html: SUCA_ERR_OUTPUT naming the path, exit 2 (was "internal error: ENOENT")', async () => {
    const out = mkdtempSync(join(tmpdir(), 'suca-rep-'));
    onTestFinished(() => rmSync(out, { recursive: true, force: true }));
    expect((await cli('run', '--clients', '5', '--duration', '1h', '--out', out, '--log-level', 'silent')).code).toBe(0);
    const r = await cli('report', join(out, 'results.json'), '--html', '/proc/r.html');
    expect(r.code).toBe(2);
    expect(r.err).toBe('suca-fleet: SUCA_ERR_OUTPUT: --html /proc/r.html: cannot write there (ENOENT)\n');
  });

  it('run --out /proc, --trace and --series-ndjson under /proc: every one named, exit 2, nothing run', async () => {
    const r = await cli('run', '--clients', '5', '--duration', '1h', '--out', '/proc', '--trace', '/proc/t.ndjson', '--series-ndjson', '/proc/s.ndjson', '--log-level', 'silent');
    expect(r.code).toBe(2);
    expect(r.err).not.toMatch(STACK);
    for (const f of ['--out /proc:', '--trace /proc/t.ndjson:', '--series-ndjson /proc/s.ndjson:']) expect(r.err).toContain(`SUCA_ERR_OUTPUT: ${f} cannot write there`);
    expect(r.out).toBe('');
  });
});
