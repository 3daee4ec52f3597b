// Live progress: a block redrawn in place on a terminal, a pino line per
// interval elsewhere, nothing with --quiet.

import { describe, expect, it } from 'vitest';
import { cli, cliWith } from './helpers/cli.js';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createProgress, etaSeconds, formatBlock, formatEta } from '../harness/output/progress.js';
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
  it('the terminal block: percent done, ETA, simulated time, clients, request and error rates, messages/s, in flight, lag', () => {
    const rates = { events: 250_000, sent: 6000, ingested: 5500, requests: 800, errors: 0.5 };
    const lines = formatBlock(snap({ requests: 4000, requestErrors: 2 }), rates, 'storm', 200);
    expect(lines).toHaveLength(3);
    // a quarter done in 2 wall seconds: 6 s to go at that pace
    expect(lines[0]).toMatch(/storm .* 25\.0%   ETA 6s   simulated 2026-01-06 00:00   wall 2\.0 s/);
    expect(lines[1]).toContain('clients 1,000');
    expect(lines[1]).toContain('requests 4,000 (800/s)');
    expect(lines[1]).toContain('errors 3 (0.5/s)');
    expect(lines[1]).toMatch(/ingested 11\.0k \(5,500\/s\)/);
    expect(lines[2]).toContain('17 requests');
    expect(lines[2]).toContain('5 online scans');
    expect(lines[2]).toContain('failed requests 2');
    expect(lines[2]).toContain('lag p99 12 ms');
    // in-process: no requests to count
    const v = formatBlock(snap({ lagP99Ms: null, mode: 'virtual', requests: 0, inFlight: 0 }), { ...rates, requests: 0 }, 'x', 200);
    expect(v[2]).toContain('virtual time');
    expect(v[1]).not.toContain('requests');
  });

  it('the ETA: remaining share at the pace so far', () => {
    expect(etaSeconds(snap())).toBe(6); // 25% in 2 s
    expect(etaSeconds(snap({ simNow: START + 3 * DAY, wallMs: 90_000 }))).toBe(30); // 75% in 90 s
    expect(etaSeconds(snap({ simNow: START }))).toBeNull();
    expect(etaSeconds(snap({ simNow: START + 4 * DAY }))).toBe(0);
    expect([formatEta(null), formatEta(42.4), formatEta(185), formatEta(3720)]).toEqual(['--', '42s', '3m05s', '1h02m']);
  });

  it('fitted to the terminal: 60 columns keep the share, the ETA and the rates; 160 show every figure', () => {
    const rates = { events: 250_000, sent: 6000, ingested: 5500, requests: 800, errors: 0.5 };
    const p = snap({ requests: 4000, requestErrors: 2 });
    const narrow = formatBlock(p, rates, 'a-very-long-scenario-name-indeed', 60);
    for (const l of narrow) expect(l.length).toBeLessThanOrEqual(60);
    expect(narrow[0]).toMatch(/25\.0%   ETA 6s/);
    expect(narrow[0]).toContain('…'); // the name gave way, cut visibly
    expect(narrow[1]).toContain('requests 4,000 (800/s)');
    expect(narrow[1]).toContain('errors 3 (0.5/s)');
    const wide = formatBlock(p, rates, 'a-very-long-scenario-name-indeed', 160);
    for (const l of wide) expect(l.length).toBeLessThanOrEqual(160);
    expect(wide[0]).toContain('a-very-long-scenario-name-indeed');
    expect(wide[0]).toContain('simulated 2026-01-06 00:00');
    expect(wide[1]).toContain('state messages sent 12.0k (6,000/s), ingested 11.0k (5,500/s)');
    // the bar grows with the room
    expect((wide[0]!.match(/[█░]/g) ?? []).length).toBeGreaterThan((narrow[0]!.match(/[█░]/g) ?? []).length);
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
    // the ETA and the rates per second over the interval (the first: since the start, 2 s)
    expect(o).toMatchObject({ etaSeconds: 6, requests: 0, requestsPerSecond: 0, errorsPerSecond: 1.5 });
  });

  it('a terminal of unknown size (a pty says 0 columns): drawn 100 wide', () => {
    let out = '';
    const p = createProgress({ stream: { isTTY: true, columns: 0, write: (x: string) => (out += x) }, logger: pino({ level: 'silent' }), quiet: false, name: 'x' })!;
    p.update(snap());
    expect(out).toMatch(/25\.0%   ETA/);
    for (const l of out.trimEnd().split('\n')) expect(l.length).toBeLessThanOrEqual(100);
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

  // the fake terminals of the issue: a narrow one and a wide one, through the command
  const blocks = (err: string) => err.split(/\x1b\[3F\x1b\[J|\n/).filter((l) => l.startsWith('suca-fleet ') || l.startsWith('  '));
  it('the CLI on a 60-column terminal: no line of the block is wider', async () => {
    const r = await cliWith({ tty: { columns: 60 } }, 'run', '--clients', '300', '--duration', '5d', '--progress-every', '20ms', '--log-level', 'warn');
    expect(r.code).toBe(0);
    const lines = blocks(r.err);
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(60);
    expect(lines.some((l) => /100\.0%   ETA 0s/.test(l))).toBe(true);
  });

  it('the CLI on a 160-column terminal: every figure, within 160', async () => {
    const r = await cliWith({ tty: { columns: 160 } }, 'run', '--clients', '300', '--duration', '5d', '--progress-every', '20ms', '--log-level', 'warn');
    expect(r.code).toBe(0);
    const lines = blocks(r.err);
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(160);
    expect(lines.some((l) => l.includes('state messages sent'))).toBe(true);
    expect(lines.some((l) => l.includes('simulated 2026-01-'))).toBe(true);
  });
});
