// The suca-fleet command as a user runs it, in-process through main(argv, io)
// (the bin itself: test/cli-bin.test.ts).

import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { EventEmitter } from 'node:events';
import { cli, testIo } from './helpers/cli.js';
import { main } from '../harness/cli.js';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'suca-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('suca-fleet CLI', () => {
  it('run with no arguments runs the built-in scenario to its summary', async () => {
    const r = await cli('run', '--log-level', 'silent');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/suca-fleet: default — 1,000 clients, 10d simulated/);
    for (const heading of ['Scans', 'WSUS peak scans per minute', 'State messages', 'latency queue -> ingest', 'peak per 1m: ingested / backlog', 'in flight to the MP', 'online scan duration', 'restarts', 'Compliance at the MP', 'firstPolicy']) {
      expect(r.out).toContain(heading);
    }
    expect(r.err).toBe('');
  });

  it('--out writes results.json, --trace the NDJSON trace, --json prints the results', async () => {
    const out = join(dir, 'o');
    const trace = join(dir, 't.ndjson');
    const r = await cli('run', '--clients', '20', '--duration', '3d', '--seed', '4', '--out', out, '--trace', trace, '--json', '--log-level', 'warn');
    expect(r.code).toBe(0);
    const printed = JSON.parse(r.out);
    const written = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(written.schemaVersion).toBe(2);
    expect(existsSync(join(out, "report.html"))).toBe(true);
    expect(written.scenario).toMatchObject({ clients: 20, seed: 4, duration: '3d' });
    expect(printed.events).toEqual(written.events);
    const lines = readFileSync(trace, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.length).toBe(Object.values(written.events as Record<string, number>).reduce((a, b) => a + b, 0));
    expect(lines[0]).toMatchObject({ client: expect.stringMatching(/^GUID:[0-9A-F-]{36}$/), ev: 'policy.requested' });
  });

  it('a bad scenario exits 2, lists every problem with its path and writes nothing', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ clients: -3, client: { policyPollingInterval: 'hourly', typo: 1 } }));
    const out = join(dir, 'never');
    const r = await cli('run', '--scenario', bad, '--out', out);
    expect(r.code).toBe(2);
    expect(r.err).toContain('SUCA_ERR_INVALID_SCENARIO');
    expect(r.err).toContain('clients:');
    expect(r.err).toContain('client.policyPollingInterval:');
    expect(r.err).toMatch(/client: .*typo/);
    expect(existsSync(out)).toBe(false);
    expect(r.out).toBe('');
  });

  it('unreadable or malformed scenario files exit 2', async () => {
    expect((await cli('run', '--scenario', join(dir, 'missing.json'))).err).toContain('SUCA_ERR_SCENARIO_READ');
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"clients": 5,');
    const r = await cli('run', '--scenario', broken);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/broken\.json: 1 problem[\s\S]*not valid JSON/);
  });

  it('unknown flags, bad flag values and unknown commands exit 2', async () => {
    for (const args of [['run', '--clinets', '5'], ['run', '--duration', 'soon'], ['run', '--clients', '0'], ['run', '--seed', '-4'], ['run', '--log-level', 'loud'], ['launch']]) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toMatch(/SUCA_ERR_/);
    }
  });

  it('every bad flag is reported at once, each on its line with its code', async () => {
    const r = await cli('run', '--clients', '0', '--seed', '-4', '--duration', 'soon', '--time-factor', '0', '--tls-cert', 'x.pem', '--threshold', 'latency<1');
    expect(r.code).toBe(2);
    const lines = r.err.trim().split('\n');
    expect(lines).toHaveLength(6);
    for (const flag of ['--clients 0', '--seed -4', "--duration: 'soon'", '--time-factor 0', '--tls-cert and --tls-key', '--threshold #1']) {
      expect(lines.some((l) => l.startsWith('suca-fleet: SUCA_ERR_INVALID_ARGUMENT: ') && l.includes(flag)), flag).toBe(true);
    }
    expect(r.out).toBe('');
  });

  it('--help prints the commands, a command\'s --help its options; both exit 0', async () => {
    const top = await cli('--help');
    expect(top.code).toBe(0);
    for (const c of ['run', 'stub', 'report', 'compare', 'merge', 'scenario']) expect(top.out).toContain(`suca-fleet ${c}`);
    const run = await cli('run', '--help');
    expect(run.code).toBe(0);
    expect(run.out).toContain('--series-ndjson');
    expect((await cli()).code).toBe(2);
  });

  it('an --out that cannot be written exits 2 before running', async () => {
    const file = join(dir, 'afile');
    writeFileSync(file, 'x');
    const r = await cli('run', '--out', join(file, 'sub'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('SUCA_ERR_OUTPUT');
  });

  it('scenario default prints a scenario that scenario check accepts', async () => {
    const r = await cli('scenario', 'default');
    expect(r.code).toBe(0);
    const file = join(dir, 'default.json');
    writeFileSync(file, r.out);
    const c = await cli('scenario', 'check', file);
    expect(c.code).toBe(0);
    expect(c.out).toMatch(/ok \(default: 1000 clients, 1 deployments/);
    expect((await cli('scenario', 'check', fileURLToPath(new URL('../scenarios/patch-tuesday-storm.json', import.meta.url)))).code).toBe(0);
  });
});

describe('suca-fleet stub', () => {
  it('prints its URLs, serves /health, and stops on SIGINT (exit 0)', async () => {
    const signals = new EventEmitter();
    const t = testIo({ signals });
    const done = main(['stub', '--log-level', 'silent'], t.io);
    while (!t.out().includes('\n')) await new Promise((r) => setTimeout(r, 10));
    const urls = JSON.parse(t.out().split('\n')[0]!) as { mp: string; wsus: string; dp: string };
    for (const u of [urls.mp, urls.wsus, urls.dp]) {
      expect(u).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const r = await fetch(`${u}/health`);
      expect(r.status).toBe(200);
    }
    signals.emit('SIGINT', 'SIGINT');
    expect(await done).toBe(0);
    expect(t.out()).toMatch(/stopped: \d+ policy requests/);
  });

  it('a port in use exits 2', async () => {
    const { createServer } = await import('node:net');
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as { port: number }).port;
    const r = await cli('stub', '--mp-port', String(port), '--duration', '1s', '--log-level', 'silent');
    s.close();
    expect(r.code).toBe(2);
    expect(r.err).toContain('SUCA_ERR_INVALID_ARGUMENT');
  });
});
