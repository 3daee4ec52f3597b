// The suca-fleet command in-process: main(argv, io) with stdout and stderr
// captured, an EventEmitter for SIGINT / SIGTERM and an optional terminal.
// The same code path as the bin apart from process.exit; the bin itself is
// exercised by a few end-to-end tests (test/cli-bin.test.ts).

import { EventEmitter } from 'node:events';
import { main } from '../../harness/cli.js';
import type { Io, SignalSource } from '../../harness/io.js';
import type { StubUrls } from '../../server-stub/http/index.js';

export interface CliResult {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

export interface CliOptions {
  /** stderr (live progress) is a terminal of this many columns */
  readonly tty?: { readonly columns: number };
  /** signals to send: the emitter is handed over before the command starts */
  readonly signals?: EventEmitter;
  readonly env?: Record<string, string>;
}

export function testIo(o: CliOptions = {}): { io: Io; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const io: Io = {
    stdout: { write: (s: string) => (out += s) },
    stderr: o.tty !== undefined ? { write: (s: string) => (err += s), isTTY: true, columns: o.tty.columns } : { write: (s: string) => (err += s) },
    env: o.env ?? {},
    signals: (o.signals ?? new EventEmitter()) as unknown as SignalSource,
  };
  return { io, out: () => out, err: () => err };
}

export async function cliWith(o: CliOptions, ...args: string[]): Promise<CliResult> {
  const t = testIo(o);
  const code = await main(args, t.io);
  return { code, out: t.out(), err: t.err() };
}

export function cli(...args: string[]): Promise<CliResult> {
  return cliWith({}, ...args);
}

/** what `suca-fleet stub` prints first: the servers' URLs (wsus and dp the first of sups and dps) */
export type { StubUrls };

/**
 * `suca-fleet stub ARGS` in-process, started: its URLs (the first line it
 * prints) and a stop that sends it SIGINT and returns its exit code. Throws
 * what it wrote on stderr if it stopped before listening.
 */
export async function startStubCommand(...args: string[]): Promise<{ urls: StubUrls; stop: () => Promise<number> }> {
  const signals = new EventEmitter();
  const t = testIo({ signals });
  const done = main(['stub', ...args], t.io);
  const stop = async () => (signals.emit('SIGINT', 'SIGINT'), await done);
  while (!t.out().includes('\n')) {
    if (t.err() !== '') throw new Error(t.err());
    await new Promise((r) => setTimeout(r, 10));
  }
  return { urls: JSON.parse(t.out().split('\n')[0]!) as StubUrls, stop };
}
