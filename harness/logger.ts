// The one pino logger; modules take children of it. Logs go to stderr so
// stdout carries only the CLI's own output (summary, JSON).

import { pino, type Logger, type Level } from 'pino';

export type LogLevel = Level | 'silent';
export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function createLogger(level: LogLevel = 'info'): Logger {
  return pino({ level, base: { name: 'suca-fleet' } }, pino.destination({ fd: 2, sync: true }));
}

export type { Logger };
