// A child process run to its end, its output collected: for the few tests whose
// point is a real process (the bin's exit code through a pipe, a pod's
// environment). Async (not spawnSync), so that a file can run several at once
// and its own servers keep answering meanwhile.

import { spawn } from 'node:child_process';

export interface Exited {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
  /** stdout and stderr interleaved as they arrived, as a pod's log shows them */
  readonly log: string;
}

/** Runs `file args` with stdin closed; SIGKILL after `killAfterMs` (a hang fails, it does not block the suite). */
export function exec(file: string, args: readonly string[], o: { readonly env?: NodeJS.ProcessEnv; readonly killAfterMs?: number } = {}): Promise<Exited> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(o.env !== undefined ? { env: o.env } : {}) });
    let out = '';
    let err = '';
    let log = '';
    child.stdout.on('data', (c: Buffer) => {
      const s = c.toString();
      out += s;
      log += s;
    });
    child.stderr.on('data', (c: Buffer) => {
      const s = c.toString();
      err += s;
      log += s;
    });
    const kill = setTimeout(() => child.kill('SIGKILL'), o.killAfterMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(kill);
      resolve({ code, out, err, log });
    });
  });
}
