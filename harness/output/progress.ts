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
/** a rate per second: one decimal below 10 (an error rate of 0.4/s is not 0) */
const rate = (x: number) => (x > 0 && x < 10 ? x.toFixed(1) : si(x));

/** Per wall second over the last update (not since the start: a storm shows when it happens). */
export interface ProgressRates {
  readonly events: number;
  readonly sent: number;
  /** null against an external MP (the run cannot see what it ingested) */
  readonly ingested: number | null;
  readonly requests: number;
  readonly errors: number;
}

/** Share of the simulated run done, 0..1. */
const doneOf = (p: ProgressSnapshot) => Math.min(1, Math.max(0, (p.simNow - p.start) / Math.max(1, p.end - p.start)));

/**
 * Wall seconds left: the run so far, extrapolated (scaled time: the clock's
 * pace, so it is exact once set-up is over; virtual time: the average pace,
 * which a storm ahead will slow). null before anything is done.
 */
export function etaSeconds(p: ProgressSnapshot): number | null {
  const done = doneOf(p);
  if (done >= 1) return 0;
  if (done <= 0 || p.wallMs <= 0) return null;
  return ((p.wallMs / 1000) * (1 - done)) / done;
}

/** 42s, 3m05s, 1h02m: short and stable in width. */
export function formatEta(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '--';
  const t = Math.round(s);
  if (t < 60) return `${t}s`;
  if (t < 3600) return `${Math.floor(t / 60)}m${String(t % 60).padStart(2, '0')}s`;
  return `${Math.floor(t / 3600)}h${String(Math.floor((t % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * Segments joined while they fit in width; one that does not is left out (a
 * later, shorter one may still fit), so the most useful come first. The
 * first one is cut with an ellipsis when even it is too wide.
 */
function fit(segments: readonly string[], width: number, sep = '   '): string {
  let out = '';
  for (const seg of segments) {
    if (out === '') {
      out = seg.length <= width ? seg : seg.slice(0, Math.max(0, width - 1)) + '…';
      continue;
    }
    if (out.length + sep.length + seg.length <= width) out += sep + seg;
  }
  return out;
}

/**
 * The terminal block for a snapshot (exported for tests), never wider than
 * width (the terminal's columns): the bar and the scenario name shrink first,
 * then the least useful figures of each line are left out.
 */
export function formatBlock(p: ProgressSnapshot, rates: ProgressRates, name: string, width = 80): string[] {
  const done = doneOf(p);
  const barWidth = Math.max(10, Math.min(30, width - 90));
  const filled = Math.round(done * barWidth);
  const bar = '█'.repeat(filled) + '░'.repeat(barWidth - filled);
  const pct = `${(done * 100).toFixed(1).padStart(5)}%`;
  // the name gives way to the bar, the share done and the ETA
  const room = Math.max(4, width - (barWidth + pct.length + 'suca-fleet '.length + 2 + 3 + 'ETA 1h00m'.length + 2));
  const shown = name.length <= room ? name : name.slice(0, room - 1) + '…';
  const sim = new Date(p.simNow).toISOString().slice(0, 16).replace('T', ' ');
  const lag = p.lagP99Ms === null ? 'virtual time' : `lag p99 ${p.lagP99Ms} ms`;
  const http = p.requests !== undefined && (p.requests > 0 || p.inFlight > 0 || p.mode === 'scaled');
  return [
    fit([`suca-fleet ${shown}  ${bar} ${pct}`, `ETA ${formatEta(etaSeconds(p))}`, `simulated ${sim}`, `wall ${(p.wallMs / 1000).toFixed(1)} s`], width),
    fit([
      `  clients ${n(p.clients)}`,
      ...(http ? [`requests ${si(p.requests ?? 0)} (${rate(rates.requests)}/s)`] : []),
      `errors ${n(p.errors)} (${rate(rates.errors)}/s)`,
      `events ${si(p.agentEvents)} (${si(rates.events)}/s)`,
      `state messages sent ${si(p.stateSent)} (${si(rates.sent)}/s), ingested ${p.stateIngested === null ? 'n/a (external MP)' : `${si(p.stateIngested)} (${si(rates.ingested ?? 0)}/s)`}`,
    ], width),
    fit([`  in flight: ${n(p.inFlight)} requests, ${n(p.scansInFlight)} online scans`, lag, ...(http && (p.requestErrors ?? 0) > 0 ? [`failed requests ${n(p.requestErrors ?? 0)}`] : [])], width),
  ];
}

export function createProgress(o: { stream: ProgressStream; logger: Logger; quiet: boolean; name: string; everyMs?: number }): Progress | null {
  if (o.quiet) return null;
  const tty = o.stream.isTTY === true;
  const everyMs = o.everyMs ?? (tty ? 250 : 5000);
  let last: ProgressSnapshot | null = null;
  let drawn = 0;
  const log = o.logger.child({ module: 'progress' });
  const rates = (p: ProgressSnapshot): ProgressRates => {
    const dt = last === null ? Math.max(0.001, p.wallMs / 1000) : Math.max(0.001, (p.wallMs - last.wallMs) / 1000);
    const prev = last ?? { agentEvents: 0, stateSent: 0, stateIngested: 0, requests: 0, errors: 0 };
    return {
      events: (p.agentEvents - prev.agentEvents) / dt,
      sent: (p.stateSent - prev.stateSent) / dt,
      ingested: p.stateIngested === null ? null : (p.stateIngested - (prev.stateIngested ?? 0)) / dt,
      requests: ((p.requests ?? 0) - (prev.requests ?? 0)) / dt,
      errors: (p.errors - prev.errors) / dt,
    };
  };
  const draw = (p: ProgressSnapshot) => {
    // the terminal's width as it is now (a resized window is followed at the next update); a pty of
    // unknown size says 0 columns (script(1) does): then 100
    const cols = o.stream.columns ?? 0;
    const lines = formatBlock(p, rates(p), o.name, cols > 0 ? cols : 100);
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
        messagesPerSecond: r.ingested === null ? null : Math.round(r.ingested),
        requests: p.requests ?? 0,
        requestsPerSecond: Math.round(r.requests * 10) / 10,
        errorsPerSecond: Math.round(r.errors * 10) / 10,
        etaSeconds: ((e) => (e === null ? null : Math.round(e * 10) / 10))(etaSeconds(p)),
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
