// run --workers N in scaled time serves the embedded stubs from a worker
// thread of their own (harness/workers/stub-thread.ts), not from the main
// thread, which keeps the coordination: the stub MP answers while the main
// thread's event loop is blocked. A client in another process polls the
// MP's GET /health; once it is answered, the main thread blocks for a wall
// second, and answers keep coming within that second. (The stubs' figures
// reaching the merge: run-workers-scaled-merge.test.ts.)

import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { StubThread } from '../harness/workers/stub-handle.js';
import { compiledFile } from '../harness/workers/pool.js';
import type { Io, SignalSource } from '../harness/io.js';

const io: Io = { stdout: { write: () => true }, stderr: { write: () => true }, env: {}, signals: new EventEmitter() as unknown as SignalSource };
let stubs: StubThread | null = null;
afterAll(async () => {
  await stubs?.close();
});

describe('run --workers: the stubs in a thread of their own', () => {
  it('the stub MP answers while the main thread is blocked', async () => {
    const reportSent = new SharedArrayBuffer(8 * 10);
    stubs = await StubThread.start(compiledFile('stub-thread'), {
      scenario: undefined,
      overrides: { clients: 10, duration: '1h' },
      seriesInterval: 60_000,
      clock: { mode: 'scaled', timeFactor: 60, lagBoundMs: 1000, eluBound: 1 },
      transport: { kind: 'http', external: {}, sign: false, ca: undefined, tls: undefined, concurrency: 1 },
      reportSent,
      logLevel: 'silent',
    }, io, (e) => {
      throw new Error(e.message);
    });
    expect(stubs.urls.mp).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
    // a poller in another process: a line "<wall ms> <status>" per answer, every 20 ms, until killed (20 s at most)
    const poll = `const u=${JSON.stringify(new URL('/health', stubs.urls.mp).href)};const end=Date.now()+20000;(async()=>{while(Date.now()<end){try{const r=await fetch(u);await r.text();console.log(Date.now()+' '+r.status)}catch(e){console.log(Date.now()+' err')}await new Promise(r=>setTimeout(r,20))}})()`;
    const child = spawn(process.execPath, ['-e', poll], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const first = new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (/ 200\n/.test(out)) resolve();
    }));
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
    await first;
    // the main thread's loop blocked for a wall second
    const from = Date.now();
    while (Date.now() - from < 1000) {
      /* busy */
    }
    const to = Date.now();
    // what it answered during the block is in the pipe; a little more, then stop it
    await new Promise((r) => setTimeout(r, 200));
    child.kill();
    await exited;
    const answered = out.trim().split('\n').map((l) => l.split(' ')).filter(([, s]) => s === '200').map(([t]) => Number(t));
    const during = answered.filter((t) => t > from + 100 && t < to - 100);
    expect(during.length, out).toBeGreaterThan(0);
  }, 30_000);
});
