// A file written a line at a time, buffered: the trace and the NDJSON series.
// Writes are synchronous (writeSync) in blocks, so a run stopped by a signal
// loses nothing once close() ran, and no stream backpressure reaches the
// fleet loop. maxAgeMs bounds how stale the file can be for a reader
// following it (the series during a scaled run).

import { closeSync, openSync, writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { HarnessError } from '../errors.js';

export class LineFile {
  private readonly fd: number;
  private buf = '';
  private flushedAt = performance.now();
  lines = 0;

  /** @param what names the file in an error: "--trace FILE" */
  constructor(readonly file: string, what: string, private readonly maxBytes: number, private readonly maxAgeMs = Infinity) {
    try {
      this.fd = openSync(file, 'w');
    } catch (err) {
      throw new HarnessError('SUCA_ERR_OUTPUT', `${what}: cannot write (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
    }
  }

  append(line: string): void {
    this.buf += line + '\n';
    this.lines++;
    if (this.buf.length >= this.maxBytes || (this.maxAgeMs !== Infinity && performance.now() - this.flushedAt >= this.maxAgeMs)) this.flush();
  }

  flush(): void {
    this.flushedAt = performance.now();
    if (this.buf.length > 0) {
      writeSync(this.fd, this.buf);
      this.buf = '';
    }
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
