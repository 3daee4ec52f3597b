// The built bin end to end, in child processes: what only a real process
// shows (the exit code reaching the shell, a real signal, stdout through a
// pipe). Everything else about the commands runs in-process (test/cli.test.ts
// and the others, through main(argv, io)); these few stay because they are the
// slowest kind of test.

import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/suca-fleet.js', import.meta.url));
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'suca-bin-'));
  // npm test builds first; running this file alone needs `npm run build`
  expect(existsSync(fileURLToPath(new URL('../dist/harness/cli.js', import.meta.url))), 'run npm run build first').toBe(true);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('the suca-fleet bin', () => {
  it('a run exits 0 and prints its results.json whole through a pipe; a failed threshold exits 99', () => {
    const r = cli('run', '--clients', '20', '--duration', '2d', '--json', '--log-level', 'silent', '--threshold', 'errors_rate<1');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).scenario).toMatchObject({ clients: 20, duration: '2d' });
    expect(r.err).toBe('');
    const f = cli('run', '--clients', '20', '--duration', '2d', '--log-level', 'silent', '--threshold', 'state_latency_p99<1ms');
    expect(f.code).toBe(99);
    expect(f.err).toContain('1 threshold(s) failed: state_latency_p99<1ms');
  });

  it('bad flags exit 2, every one named', () => {
    const r = cli('run', '--clients', '0', '--seed', '-4');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--clients 0');
    expect(r.err).toContain('--seed -4');
    expect(cli('launch').code).toBe(2);
  });

  it('SIGINT during a run: partial results written, exit 130', async () => {
    const out = join(dir, 'int');
    const child = spawn(process.execPath, [bin, 'run', '--clients', '50000', '--duration', '60d', '--out', out, '--log-level', 'info', '--progress-every', '50ms'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    // the signal once the run is under way (its first progress line), not after a guessed delay:
    // on a loaded machine the process may take seconds to start, and before its handler a SIGINT kills it
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (c: Buffer) => {
        err += c.toString();
        if (err.includes('"msg":"progress"')) resolve();
      });
    });
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(code).toBe(130);
    expect(err).toMatch(/stopped by SIGINT at .*: results are partial/);
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).partial).toBe(true);
  });

  it('stub: prints its URLs, serves /health, SIGTERM stops it with exit 0', async () => {
    const child = spawn(process.execPath, [bin, 'stub', '--log-level', 'silent'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const first = await new Promise<string>((resolve) => {
      let buf = '';
      child.stdout.on('data', (c: Buffer) => {
        buf += c.toString();
        if (buf.includes('\n')) resolve(buf.split('\n')[0]!);
      });
    });
    const urls = JSON.parse(first) as { mp: string };
    expect((await fetch(`${urls.mp}/health`)).status).toBe(200);
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
  });

  it.runIf(existsSync('/usr/bin/script'))('on a real terminal (a pty, script(1)): stderr is seen as a TTY: the block is redrawn in place, stdout still has the summary', () => {
    const cmd = `${process.execPath} ${bin} run --clients 500 --duration 10d --progress-every 20ms --log-level warn`;
    const r = spawnSync('/usr/bin/script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, COLUMNS: '120' } });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('\x1b[3F\x1b[J');
    expect(r.stdout).toMatch(/100\.0%/);
    expect(r.stdout).toContain('State messages');
  });
});
