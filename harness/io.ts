// What a command talks to: its output streams, the environment and the
// signals that stop it. bin/suca-fleet.js passes the process's; tests pass
// buffers and an EventEmitter, so a command runs in-process like any
// function (the pattern of k6's command tests: globalState with injected
// stdout, stderr, env and signal channel).

export interface OutStream {
  write(s: string): unknown;
  /** a terminal: live progress redraws in place instead of logging lines */
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export type StopSignal = 'SIGINT' | 'SIGTERM';

/** Where SIGINT / SIGTERM come from: the process, or a test's EventEmitter. */
export interface SignalSource {
  once(signal: StopSignal, listener: (signal: StopSignal) => void): unknown;
  off(signal: StopSignal, listener: (signal: StopSignal) => void): unknown;
}

export interface Io {
  readonly stdout: OutStream;
  readonly stderr: OutStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly signals: SignalSource;
  /**
   * Tests only (the bin never sets it): the stub's start grid and lead an
   * aligned run starts on (harness/clock/align.ts, 5 s and 2 s of wall
   * time), shorter where a test's point is not the mark, so it does not
   * wait up to 7 wall s for it.
   */
  readonly startMarks?: { readonly gridWallMs: number; readonly leadWallMs: number };
}

/** A command: its arguments (after the command name) in, its exit code out. */
export type Command = (argv: readonly string[], io: Io) => Promise<number>;

export function processIo(): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    signals: process as unknown as SignalSource,
  };
}
