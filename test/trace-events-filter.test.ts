// run --trace FILE --trace-events LIST: the trace keeps only the events named
// (names, or prefixes as `scan.*`): the same lines, byte for byte, as the whole
// trace filtered by ev, in one thread and with --workers 2 in virtual time.
// A pattern that matches no event, a bad prefix or the flag without --trace
// is a configuration error (exit 2) naming each, reported with every other
// bad flag, before anything is written.

import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'suca-trace-events-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = ['run', '--scenario', 'patch-tuesday', '--clients', '60', '--duration', '11d', '--json', '--quiet', '--log-level', 'warn'];
const lines = (f: string) => readFileSync(f, 'utf8').split('\n').filter((l) => l !== '');
const evOf = (l: string) => (JSON.parse(l) as { ev: string }).ev;

describe('--trace-events', () => {
  it('keeps exactly the lines of the named events, in one thread and with --workers 2 (virtual time)', async () => {
    const all = join(dir, 'all.ndjson');
    const some = join(dir, 'some.ndjson');
    const some2 = join(dir, 'some-workers.ndjson');
    const a = await cli(...base, '--trace', all);
    expect(a.code, a.err).toBe(0);
    const b = await cli(...base, '--trace', some, '--trace-events', 'scan.*, install.completed');
    expect(b.code, b.err).toBe(0);
    const c = await cli(...base, '--trace', some2, '--trace-events', 'scan.*,install.completed', '--workers', '2');
    expect(c.code, c.err).toBe(0);
    const kept = (ev: string) => ev.startsWith('scan.') || ev === 'install.completed';
    const want = lines(all).filter((l) => kept(evOf(l)));
    // the whole trace has other events; the kept ones are there (scans and installs happened)
    expect(lines(all).length).toBeGreaterThan(want.length);
    expect(new Set(want.map(evOf))).toEqual(new Set(['scan.started', 'scan.completed', 'install.completed']));
    expect(lines(some)).toEqual(want);
    expect(lines(some2)).toEqual(want);
    // the results do not depend on what the trace keeps
    const ra = JSON.parse(a.out) as { events: unknown; compliance: unknown };
    const rb = JSON.parse(b.out) as { events: unknown; compliance: unknown };
    expect(rb.events).toEqual(ra.events);
    expect(rb.compliance).toEqual(ra.compliance);
  });

  it('a pattern matching no event, a bad prefix, the flag without --trace: exit 2, each named with the others, nothing written', async () => {
    const f = join(dir, 'never.ndjson');
    const r = await cli('run', '--clients', '-5', '--duration', '1d', '--trace', f, '--trace-events', 'scan.*,scan.begun,state*');
    expect(r.code).toBe(2);
    expect(r.err).toContain("--trace-events scan.*,scan.begun,state*: 'scan.begun' is no event; 'state*' is no event (a prefix is written scan.*)");
    expect(r.err).toContain('the events are policy.requested, ');
    // reported with the other bad flag, at once
    expect(r.err).toMatch(/--clients/);
    expect(existsSync(f)).toBe(false);
    const n = await cli('run', '--clients', '5', '--duration', '1d', '--trace-events', 'scan.*');
    expect(n.code).toBe(2);
    expect(n.err).toContain('SUCA_ERR_INVALID_ARGUMENT: --trace-events: needs --trace FILE');
  });
});
