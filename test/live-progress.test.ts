// Live progress: a block redrawn in place on a terminal, a pino line per
// interval elsewhere, nothing with --quiet.

import { describe, expect, it } from 'vitest';
import { cli, cliWith } from './helpers/cli.js';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createProgress, formatBlock } from '../harness/output/progress.js';
import type { ProgressSnapshot } from '../harness/run.js';

const START = Date.parse('2026-01-05T00:00:00Z');
const DAY = 86_400_000;

const snap = (over: Partial<ProgressSnapshot> = {}): ProgressSnapshot => ({
  simNow: START + DAY,
  start: START,
  end: START + 4 * DAY,
  clients: 1000,
  wallMs: 2000,
  agentEvents: 500_000,
  stateSent: 12_000,
  stateIngested: 11_000,
  errors: 3,
  inFlight: 17,
  scansInFlight: 5,
  lagP99Ms: 12,
  mode: 'scaled',
  ...over,
});

describe('live progress', () => {
  it('the terminal block: simulated time and percent done, clients, messages/s, in flight, errors, lag', () => {
    const lines = formatBlock(snap(), { events: 250_000, sent: 6000, ingested: 5500 }, 'storm', 200);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/storm .* 25\.0%  simulated 2026-01-06 00:00/);
    expect(lines[1]).toContain('clients 1,000');
    expect(lines[1]).toMatch(/ingested 11\.0k \(5,500\/s\)/);
    expect(lines[2]).toContain('17 requests');
    expect(lines[2]).toContain('5 online scans');
    expect(lines[2]).toContain('errors 3');
    expect(lines[2]).toContain('lag p99 12 ms');
    expect(formatBlock(snap({ lagP99Ms: null, mode: 'virtual' }), { events: 0, sent: 0, ingested: 0 }, 'x', 200)[2]).toContain('virtual time');
    // never wider than the terminal
    for (const l of formatBlock(snap(), { events: 1, sent: 1, ingested: 1 }, 'a-very-long-scenario-name', 60)) expect(l.length).toBeLessThanOrEqual(60);
  });

  it('redraws in place on a terminal: cursor up over the last block, clear, new block', () => {
    let out = '';
    const tty = { isTTY: true, columns: 120, write: (s: string) => (out += s) };
    const p = createProgress({ stream: tty, logger: pino({ level: 'silent' }), quiet: false, name: 'x' })!;
    expect(p.everyMs).toBe(250);
    p.update(snap());
    expect(out).not.toContain('\x1b[');
    const first = out.length;
    p.update(snap({ simNow: START + 2 * DAY, wallMs: 3000, stateIngested: 13_000 }));
    expect(out.slice(first).startsWith('\x1b[3F\x1b[J')).toBe(true);
    // the rate is over the last interval: 2,000 messages in one second
    expect(out.slice(first)).toContain('(2,000/s)');
    expect(out.slice(first)).toContain('50.0%');
  });

  it('elsewhere, one pino line per interval with the same figures', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (c, _e, cb) => (lines.push(c.toString()), cb()) });
    const p = createProgress({ stream: { isTTY: false, write: () => true }, logger: pino({ level: 'info' }, sink), quiet: false, name: 'x' })!;
    expect(p.everyMs).toBe(5000);
    p.update(snap());
    const o = JSON.parse(lines[0]!);
    expect(o).toMatchObject({ msg: 'progress', module: 'progress', simulatedTime: '2026-01-06T00:00:00.000Z', done: 0.25, clients: 1000, stateIngested: 11_000, inFlight: 17, errors: 3, lagP99Ms: 12 });
  });

  it('--quiet: none', () => {
    expect(createProgress({ stream: { isTTY: true, write: () => true }, logger: pino({ level: 'silent' }), quiet: true, name: 'x' })).toBeNull();
  });

  it('the CLI: log lines on a pipe at --progress-every, none with --quiet', async () => {
    // small: a 20 ms interval gives several lines within a run of a few hundred ms
    const run = (...extra: string[]) => cli('run', '--clients', '500', '--duration', '10d', ...extra);
    const loud = await run('--progress-every', '20ms');
    expect(loud.code).toBe(0);
    const progress = loud.err.split('\n').filter((l) => l.includes('"msg":"progress"')).map((l) => JSON.parse(l));
    expect(progress.length).toBeGreaterThanOrEqual(2);
    // in time order, ending at the run's end
    for (let i = 1; i < progress.length; i++) expect(Date.parse(progress[i].simulatedTime)).toBeGreaterThanOrEqual(Date.parse(progress[i - 1].simulatedTime));
    expect(progress.at(-1).done).toBe(1);
    const quiet = await run('--progress-every', '20ms', '--quiet');
    expect(quiet.code).toBe(0);
    expect(quiet.err).not.toContain('"msg":"progress"');
    expect(quiet.out).toContain('State messages');
  });

  it('the CLI on a terminal: the block is redrawn in place, stdout still has the summary (a real pty: test/cli-bin.test.ts)', async () => {
    const r = await cliWith({ tty: { columns: 120 } }, 'run', '--clients', '500', '--duration', '10d', '--progress-every', '20ms', '--log-level', 'warn');
    expect(r.code).toBe(0);
    expect(r.err).toContain('\x1b[3F\x1b[J');
    expect(r.err).toMatch(/100\.0%/);
    expect(r.out).toContain('State messages');
  });
});
