// Live progress of a run. On a terminal: one block of three lines redrawn in
// place (cursor up, clear to the end of the screen, the new block). Anywhere
// else (a pipe, a CI log): one pino line per interval, so logs stay
// line-oriented and machine-readable. Rates are per wall second over the last
// interval, not since the start, so a storm shows when it happens.

import type { Logger } from '../logger.js';
import type { ProgressSnapshot } from '../run.js';

export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(s: string): unknown;
}

export interface Progress {
  /** wall ms between updates the run should call update() at */
  readonly everyMs: number;
  readonly update: (p: ProgressSnapshot) => void;
}

const n = (x: number) => Math.round(x).toLocaleString('en-US');
const si = (x: number) => (x >= 1e9 ? (x / 1e9).toFixed(2) + 'G' : x >= 1e6 ? (x / 1e6).toFixed(2) + 'M' : x >= 1e4 ? (x / 1e3).toFixed(1) + 'k' : n(x));

/** The terminal block for a snapshot (exported for tests). */
export function formatBlock(p: ProgressSnapshot, rates: { events: number; sent: number; ingested: number }, name: string, width = 80): string[] {
  const done = Math.min(1, Math.max(0, (p.simNow - p.start) / Math.max(1, p.end - p.start)));
  const barWidth = Math.max(10, Math.min(30, width - 60));
  const filled = Math.round(done * barWidth);
  const bar = '█'.repeat(filled) + '░'.repeat(barWidth - filled);
  const sim = new Date(p.simNow).toISOString().slice(0, 16).replace('T', ' ');
  const lag = p.lagP99Ms === null ? 'virtual time' : `lag p99 ${p.lagP99Ms} ms`;
  return [
    `suca-fleet ${name}  ${bar} ${(done * 100).toFixed(1).padStart(5)}%  simulated ${sim}  wall ${(p.wallMs / 1000).toFixed(1)} s`,
    `  clients ${n(p.clients)}   events ${si(p.agentEvents)} (${si(rates.events)}/s)   state messages sent ${si(p.stateSent)} (${si(rates.sent)}/s), ingested ${si(p.stateIngested)} (${si(rates.ingested)}/s)`,
    `  in flight: ${n(p.inFlight)} requests, ${n(p.scansInFlight)} online scans   errors ${n(p.errors)}   ${lag}`,
  ].map((l) => (l.length > width ? l.slice(0, width - 1) : l));
}

export function createProgress(o: { stream: ProgressStream; logger: Logger; quiet: boolean; name: string; everyMs?: number }): Progress | null {
  if (o.quiet) return null;
  const tty = o.stream.isTTY === true;
  const everyMs = o.everyMs ?? (tty ? 250 : 5000);
  let last: ProgressSnapshot | null = null;
  let drawn = 0;
  const log = o.logger.child({ module: 'progress' });
  const rates = (p: ProgressSnapshot) => {
    const dt = last === null ? p.wallMs / 1000 : Math.max(0.001, (p.wallMs - last.wallMs) / 1000);
    const prev = last ?? { agentEvents: 0, stateSent: 0, stateIngested: 0 };
    return {
      events: (p.agentEvents - prev.agentEvents) / dt,
      sent: (p.stateSent - prev.stateSent) / dt,
      ingested: (p.stateIngested - prev.stateIngested) / dt,
    };
  };
  const draw = (p: ProgressSnapshot) => {
    const lines = formatBlock(p, rates(p), o.name, o.stream.columns ?? 100);
    // up to the block's first line, clear it and everything below, write it anew
    o.stream.write((drawn > 0 ? `\x1b[${drawn}F\x1b[J` : '') + lines.join('\n') + '\n');
    drawn = lines.length;
  };
  const line = (p: ProgressSnapshot) => {
    const r = rates(p);
    log.info(
      {
        simulatedTime: new Date(p.simNow).toISOString(),
        done: Math.round(((p.simNow - p.start) / Math.max(1, p.end - p.start)) * 1000) / 1000,
        clients: p.clients,
        agentEvents: p.agentEvents,
        stateSent: p.stateSent,
        stateIngested: p.stateIngested,
        messagesPerSecond: Math.round(r.ingested),
        inFlight: p.inFlight,
        scansInFlight: p.scansInFlight,
        errors: p.errors,
        lagP99Ms: p.lagP99Ms,
      },
      'progress',
    );
  };
  return {
    everyMs,
    update(p) {
      if (tty) draw(p);
      else line(p);
      last = p;
    },
  };
}
