// The suca-fleet command as a user runs it (the built bin, in a child process).

import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/suca-fleet.js', import.meta.url));
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'suca-cli-'));
  // npm test builds first; running this file alone needs `npm run build`
  expect(existsSync(fileURLToPath(new URL('../dist/harness/cli.js', import.meta.url))), 'run npm run build first').toBe(true);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('suca-fleet CLI', () => {
  it('run with no arguments runs the built-in scenario to its summary', () => {
    const r = cli('run', '--log-level', 'silent');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/suca-fleet: default — 1,000 clients, 10d simulated/);
    for (const heading of ['Scans', 'WSUS peak scans per minute', 'State messages', 'latency queue -> ingest', 'peak per 1m: ingested / backlog', 'in flight to the MP', 'online scan duration', 'restarts', 'Compliance at the MP', 'firstPolicy']) {
      expect(r.out).toContain(heading);
    }
    expect(r.err).toBe('');
  });

  it('--out writes results.json, --trace the NDJSON trace, --json prints the results', () => {
    const out = join(dir, 'o');
    const trace = join(dir, 't.ndjson');
    const r = cli('run', '--clients', '20', '--duration', '3d', '--seed', '4', '--out', out, '--trace', trace, '--json', '--log-level', 'warn');
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

  it('a bad scenario exits 2, lists every problem with its path and writes nothing', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ clients: -3, client: { policyPollingInterval: 'hourly', typo: 1 } }));
    const out = join(dir, 'never');
    const r = cli('run', '--scenario', bad, '--out', out);
    expect(r.code).toBe(2);
    expect(r.err).toContain('SUCA_ERR_INVALID_SCENARIO');
    expect(r.err).toContain('clients:');
    expect(r.err).toContain('client.policyPollingInterval:');
    expect(r.err).toMatch(/client: .*typo/);
    expect(existsSync(out)).toBe(false);
    expect(r.out).toBe('');
  });

  it('unreadable or malformed scenario files exit 2', () => {
    expect(cli('run', '--scenario', join(dir, 'missing.json')).err).toContain('SUCA_ERR_SCENARIO_READ');
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"clients": 5,');
    const r = cli('run', '--scenario', broken);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/broken\.json: 1 problem[\s\S]*not valid JSON/);
  });

  it('unknown flags, bad flag values and unknown commands exit 2', () => {
    for (const args of [['run', '--clinets', '5'], ['run', '--duration', 'soon'], ['run', '--clients', '0'], ['run', '--seed', '-4'], ['run', '--log-level', 'loud'], ['launch']]) {
      const r = cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toMatch(/SUCA_ERR_/);
    }
  });

  it('an --out that cannot be written exits 2 before running', () => {
    const file = join(dir, 'afile');
    writeFileSync(file, 'x');
    const r = cli('run', '--out', join(file, 'sub'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('SUCA_ERR_OUTPUT');
  });

  it('scenario default prints a scenario that scenario check accepts', () => {
    const r = cli('scenario', 'default');
    expect(r.code).toBe(0);
    const file = join(dir, 'default.json');
    writeFileSync(file, r.out);
    const c = cli('scenario', 'check', file);
    expect(c.code).toBe(0);
    expect(c.out).toMatch(/ok \(default: 1000 clients, 1 deployments/);
    expect(cli('scenario', 'check', fileURLToPath(new URL('../scenarios/patch-tuesday-storm.json', import.meta.url))).code).toBe(0);
  });
});

describe('suca-fleet stub', () => {
  it('prints its URLs, serves /health, and stops by itself after --duration', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [bin, 'stub', '--duration', '3s', '--log-level', 'silent'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const first = await new Promise<string>((resolve) => {
      let buf = '';
      child.stdout.on('data', (c: Buffer) => {
        buf += c.toString();
        if (buf.includes('\n')) resolve(buf.split('\n')[0]!);
      });
    });
    const urls = JSON.parse(first) as { mp: string; wsus: string; dp: string };
    for (const u of [urls.mp, urls.wsus, urls.dp]) {
      expect(u).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const r = await fetch(`${u}/health`);
      expect(r.status).toBe(200);
    }
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
  });

  it('a port in use exits 2', async () => {
    const { createServer } = await import('node:net');
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as { port: number }).port;
    const r = cli('stub', '--mp-port', String(port), '--duration', '1s', '--log-level', 'silent');
    s.close();
    expect(r.code).toBe(2);
    expect(r.err).toContain('SUCA_ERR_INVALID_ARGUMENT');
  });
});
