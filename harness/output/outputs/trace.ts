// --trace FILE: the NDJSON event trace, a line per agent event (format: output/trace.ts).
// --trace-events LIST: only these events in it (names, or prefixes as `scan.*`).

import { TraceWriter } from '../trace.js';
import { ensureWritableFileDir } from '../writable.js';
import { EVENT_NAMES } from '../../metrics/run-metrics.js';
import { stringFlag, type Output, type OutputKind, type OutputSettings, type RunStart } from '../output.js';
import type { Problems } from '../../commands/common.js';

/**
 * The events `--trace-events` keeps: a comma-separated list of event names
 * (`sup.switched`) and prefixes ending in `.*` (`scan.*`); each must match an
 * event (README: The trace). Patterns that match nothing are the problems.
 */
export function parseTraceEvents(spec: string): { readonly events: ReadonlySet<string> } | { readonly problems: readonly string[] } {
  const events = new Set<string>();
  const problems: string[] = [];
  for (const raw of spec.split(',')) {
    const pat = raw.trim();
    const hits = pat.endsWith('.*') ? EVENT_NAMES.filter((n) => n.startsWith(pat.slice(0, -1))) : EVENT_NAMES.filter((n) => n === pat);
    if (hits.length === 0) problems.push(pat === '' ? 'an empty name' : `'${pat}' is no event${pat.includes('*') && !pat.endsWith('.*') ? ' (a prefix is written scan.*)' : ''}`);
    for (const n of hits) events.add(n);
  }
  return problems.length > 0 ? { problems } : { events };
}

/** The problems with --trace-events alone (with every other bad flag). */
function checkTraceEvents(s: OutputSettings, p: Problems): void {
  const spec = stringFlag(s, 'trace-events');
  if (spec === undefined) return;
  if (stringFlag(s, 'trace') === undefined) p.add('--trace-events: needs --trace FILE (it chooses the lines of the trace)');
  const r = parseTraceEvents(spec);
  if ('problems' in r) p.add(`--trace-events ${spec}: ${r.problems.join('; ')}; the events are ${EVENT_NAMES.join(', ')}`);
}

/** The events kept, or null for all of them (the flag was checked before). */
export function traceEventsOf(spec: string | undefined): ReadonlySet<string> | null {
  if (spec === undefined) return null;
  const r = parseTraceEvents(spec);
  return 'events' in r ? r.events : null;
}

export function traceOutput(file: string, only: ReadonlySet<string> | null = null): Output & { readonly lines: number } {
  let w: TraceWriter | null = null;
  return {
    name: 'trace',
    get lines() {
      return w?.lines ?? 0;
    },
    start(run: RunStart) {
      const tw = new TraceWriter(file, run.names);
      w = tw;
      // the hot path: the writer's own bound method, no extra closure per event (none either when every event is kept)
      this.event = only === null ? tw.write : (t, c, e) => {
        if (only.has(e.ev)) tw.write(t, c, e);
      };
    },
    finish: () => w?.close(),
    abort: () => w?.close(),
    written: () => (w === null ? null : { what: 'trace', path: file }),
  };
}

export const trace: OutputKind = {
  name: 'trace',
  flags: {
    trace: { type: 'string', describe: 'write the NDJSON event trace to this file' },
    'trace-events': { type: 'string', describe: 'only these events in the trace: names and prefixes, comma-separated (scan.*,sup.switched)' },
  },
  checkFlags: checkTraceEvents,
  prepare(s, p) {
    const f = stringFlag(s, 'trace');
    if (f !== undefined) p.try(() => ensureWritableFileDir(f, '--trace'));
  },
  create(s) {
    const f = stringFlag(s, 'trace');
    return f !== undefined ? traceOutput(f, traceEventsOf(stringFlag(s, 'trace-events'))) : null;
  },
};
