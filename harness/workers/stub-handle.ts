// The main thread's handle on the stub thread (stub-thread.ts): started
// before the workers (they need the MP's URL), told the start instant,
// asked for the whole fleet's figures (the workers' merge in, the stubs'
// figures laid over it out), closed after the run.

import { Worker } from 'node:worker_threads';
import type { Results } from '../output/results.js';
import type { Threshold } from '../thresholds.js';
import type { Io } from '../io.js';
import type { FromStubThread, StubThreadTask, ToStubThread } from './protocol.js';

export class StubThread {
  private readonly pending = new Map<number, { resolve: (r: Results) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private readonly ingested: Float64Array;
  private failure: Error | null = null;
  private readonly exited: Promise<void>;

  private constructor(private readonly w: Worker, ingested: SharedArrayBuffer, readonly urls: { readonly mp: string; readonly wsus: string; readonly dp: string }, exited: Promise<void>) {
    this.ingested = new Float64Array(ingested);
    this.exited = exited;
  }

  /** Starts the stub thread and waits until its servers listen. onError: it failed later (the run stops). */
  static start(file: string, task: Omit<StubThreadTask, 'ingested'>, io: Io, onError: (e: { code: string | null; message: string; stack: string | null }) => void): Promise<StubThread> {
    const ingested = new SharedArrayBuffer(8);
    const w = new Worker(file, { workerData: { ...task, ingested } satisfies StubThreadTask });
    let self: StubThread | null = null;
    let resolveExit!: () => void;
    const exited = new Promise<void>((r) => (resolveExit = r));
    return new Promise((resolve, reject) => {
      const fail = (e: { code: string | null; message: string; stack: string | null }) => {
        const err = Object.assign(new Error(`the stub thread: ${e.message}`), { code: e.code ?? undefined, stack: e.stack ?? undefined });
        if (self === null) return reject(err);
        self.failure = err;
        for (const p of self.pending.values()) p.reject(err);
        self.pending.clear();
        onError(e);
      };
      w.on('message', (m: FromStubThread) => {
        if (m.type === 'log') io.stderr.write(m.line);
        else if (m.type === 'listening') {
          self = new StubThread(w, ingested, m.urls, exited);
          resolve(self);
        } else if (m.type === 'figures') {
          const p = self?.pending.get(m.id);
          if (p === undefined) return;
          self!.pending.delete(m.id);
          if (m.json !== null) p.resolve(JSON.parse(m.json) as Results);
          else p.reject(new Error(`the stub thread: ${m.error}`));
        } else if (m.type === 'error') fail(m);
      });
      w.on('error', (err) => fail({ code: (err as { code?: string }).code ?? null, message: err.message, stack: err.stack ?? null }));
      w.on('exit', () => {
        resolveExit();
        if (self === null) reject(new Error('the stub thread exited before its servers listened'));
        else if (self.pending.size > 0) fail({ code: null, message: 'exited with figures asked for', stack: null });
      });
    });
  }

  private send(m: ToStubThread): void {
    this.w.postMessage(m);
  }

  start(startWallEpochMs: number): void {
    this.send({ type: 'start', startWallEpochMs });
  }

  /** state messages the stub MP ingested so far (written by the stub thread every 20 ms) */
  ingestedSoFar(): number {
    return this.ingested[0]!;
  }

  /** The workers' merged results with the stubs' figures laid over them (stub-view.ts withStubFigures, in the stub thread). */
  figures(merged: Results, thresholds: readonly Threshold[], live: boolean): Promise<Results> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<Results>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send({ type: 'figures', id, json: JSON.stringify(merged), thresholds, live });
    });
  }

  /** Closes the servers; resolves when the thread has exited. */
  async close(): Promise<void> {
    this.send({ type: 'close' });
    await this.exited;
  }
}
