// The built bin end to end, in child processes: what only a real process
// shows (the exit code reaching the shell, a real signal, stdout through a
// pipe). Everything else about the commands runs in-process (test/cli.test.ts
// and the others, through main(argv, io)); these few stay because they are the
// slowest kind of test. Each test runs its own processes at once (async
// spawn, not spawnSync); the tests run one after another: run all at once
// (describe.concurrent) they starved the file beside them in the suite.

import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exec } from './helpers/spawn.js';

const bin = fileURLToPath(new URL('../bin/suca-fleet.js', import.meta.url));
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'suca-bin-'));
  // npm test builds first; running this file alone needs `npm run build`
  expect(existsSync(fileURLToPath(new URL('../dist/harness/cli.js', import.meta.url))), 'run npm run build first').toBe(true);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (...args: string[]) => exec(process.execPath, [bin, ...args]);

describe('the suca-fleet bin', () => {
  it('a run exits 0 and prints its results.json whole through a pipe; a failed threshold exits 99', async () => {
    const [r, f] = await Promise.all([
      cli('run', '--clients', '20', '--duration', '2d', '--json', '--log-level', 'silent', '--threshold', 'errors_rate<1'),
      cli('run', '--clients', '20', '--duration', '2d', '--log-level', 'silent', '--threshold', 'state_latency_p99<1ms'),
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).scenario).toMatchObject({ clients: 20, duration: '2d' });
    expect(r.err).toBe('');
    expect(f.code).toBe(99);
    expect(f.err).toContain('1 threshold(s) failed: state_latency_p99<1ms');
  });

  it('a results.json past the pipe buffer (64 KiB) comes through whole; a reader that stops early is no error', async () => {
    // 50 clients x 20 days at one-minute intervals: 1.4 MB of results.json; process.exit cut it at 65,536 bytes
    const args = ['run', '--clients', '50', '--duration', '20d', '--series-interval', '1m', '--json', '--quiet', '--log-level', 'warn'];
    const r = await cli(...args);
    expect(r.code, r.err).toBe(0);
    expect(r.out.length).toBeGreaterThan(1_000_000);
    expect((JSON.parse(r.out) as { series: { scansOnline: number[] } }).series.scansOnline).toHaveLength(20 * 24 * 60);
    // `| head -c 10`: the pipe closes under the writer (EPIPE), the run still ends with its own exit code
    const child = spawn(process.execPath, [bin, ...args, '--threshold', 'errors_rate<0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(err).not.toContain('internal error');
    expect(code).toBe(99);
  });

  it('bad flags exit 2, every one named', async () => {
    const [r, launch] = await Promise.all([cli('run', '--clients', '0', '--seed', '-4'), cli('launch')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--clients 0');
    expect(r.err).toContain('--seed -4');
    expect(launch.code).toBe(2);
  });

  it('SIGINT during a run: partial results written, exit 130', async () => {
    const out = join(dir, 'int');
    // 5,000 clients over 60 days: about 30 s of virtual time at 1,000 clients x 10 days a second, still under
    // way long after the first progress line (was 50,000: its set-up was CPU taken from the other tests)
    const child = spawn(process.execPath, [bin, 'run', '--clients', '5000', '--duration', '60d', '--out', out, '--log-level', 'info', '--progress-every', '50ms'], { stdio: ['ignore', 'pipe', 'pipe'] });
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

  it.runIf(existsSync('/usr/bin/script'))('on a real terminal (a pty, script(1)): stderr is seen as a TTY: the block is redrawn in place, stdout still has the summary', async () => {
    const cmd = `${process.execPath} ${bin} run --clients 500 --duration 10d --progress-every 20ms --log-level warn`;
    const r = await exec('/usr/bin/script', ['-qec', cmd, '/dev/null'], { env: { ...process.env, COLUMNS: '120' } });
    expect(r.code).toBe(0);
    expect(r.out).toContain('\x1b[3F\x1b[J');
    expect(r.out).toMatch(/100\.0%/);
    expect(r.out).toContain('State messages');
  });
});
