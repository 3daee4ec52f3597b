// The one pino logger; modules take children of it. Logs go to stderr so
// stdout carries only the CLI's own output (summary, JSON).

import { pino, type Logger, type Level } from 'pino';
import type { OutStream } from './io.js';

export type LogLevel = Level | 'silent';
export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** To the process's stderr (fd 2, synchronous), or to a command's injected stderr (in-process runs, tests). */
export function createLogger(level: LogLevel = 'info', stream?: OutStream): Logger {
  const dest = stream === undefined || stream === process.stderr ? pino.destination({ fd: 2, sync: true }) : { write: (s: string) => stream.write(s) };
  return pino({ level, base: { name: 'suca-fleet' } }, dest);
}

export type { Logger };
