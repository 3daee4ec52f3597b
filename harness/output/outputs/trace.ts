// --trace FILE: the NDJSON event trace, a line per agent event (format: output/trace.ts).

import { TraceWriter } from '../trace.js';
import { ensureWritableFileDir } from '../../commands/common.js';
import { stringFlag, type Output, type OutputKind, type RunStart } from '../output.js';

export function traceOutput(file: string): Output & { readonly lines: number } {
  let w: TraceWriter | null = null;
  return {
    name: 'trace',
    get lines() {
      return w?.lines ?? 0;
    },
    start(run: RunStart) {
      w = new TraceWriter(file, run.names);
      // the hot path: the writer's own bound method, no extra closure per event
      this.event = w.write;
    },
    finish: () => w?.close(),
    abort: () => w?.close(),
    written: () => (w === null ? null : { what: 'trace', path: file }),
  };
}

export const trace: OutputKind = {
  name: 'trace',
  flags: { trace: { type: 'string', describe: 'write the NDJSON event trace to this file' } },
  prepare(s, p) {
    const f = stringFlag(s, 'trace');
    if (f !== undefined) p.try(() => ensureWritableFileDir(f, '--trace'));
  },
  create(s) {
    const f = stringFlag(s, 'trace');
    return f !== undefined ? traceOutput(f) : null;
  },
};
