// suca-fleet report RESULTS.json: the summary again, and the HTML report
// written beside the file (or where --html says); bad files exit 2.

import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { cli } from './helpers/cli.js';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'suca-report-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('suca-fleet report', () => {
  it('prints the run summary and writes report.html beside the results, or at --html', async () => {
    const out = join(dir, 'run');
    const run = await cli('run', '--clients', '100', '--duration', '3d', '--out', out, '--no-report', '--quiet', '--log-level', 'warn', '--threshold', 'state_latency_p99<20m');
    expect(run.code).toBe(0);
    expect(existsSync(join(out, 'report.html'))).toBe(false);
    const r = await cli('report', join(out, 'results.json'));
    expect(r.code).toBe(0);
    // the same summary the run printed (up to the list of files the run wrote)
    expect(run.out).toContain(`\nWritten:\n  results.json  ${join(out, 'results.json')}\n`);
    expect(r.out.startsWith(run.out.slice(0, run.out.indexOf('\nWritten:\n')).trimEnd())).toBe(true);
    expect(r.out).toContain(`Report: ${join(out, 'report.html')}`);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html.startsWith('<!doctype html>') || html.startsWith('<!DOCTYPE html>')).toBe(true);
    // self-contained: no script or stylesheet from elsewhere
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html).not.toMatch(/<link[^>]+stylesheet/i);
    const other = join(dir, 'elsewhere.html');
    expect((await cli('report', join(out, 'results.json'), '--html', other)).code).toBe(0);
    expect(existsSync(other)).toBe(true);
  });

  it('bad files exit 2 and say what is wrong', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"schemaVersion": 2, "scenario": {}');
    const r1 = await cli('report', bad);
    expect(r1.code).toBe(2);
    expect(r1.err).toContain('not a readable results.json');
    writeFileSync(bad, JSON.stringify({ schemaVersion: 1 }));
    const r2 = await cli('report', bad);
    expect(r2.code).toBe(2);
    expect(r2.err).toContain('schemaVersion: 1, this suca-fleet reads 2');
    expect((await cli('report', join(dir, 'nope.json'))).code).toBe(2);
    expect((await cli('report', join(dir, 'run', 'results.json'), '--html', '/nonexistent/dir/r.html')).code).toBe(2);
  });
});
