// Whether an output can be written where it will be, found by writing before
// the run (--out, --trace, --series-ndjson, report --html). Apart from the
// commands' flag parsing (commands/common.ts) so that the outputs, which a
// worker thread loads, do not load yargs.

import { accessSync, closeSync, existsSync, mkdirSync, openSync, unlinkSync, constants as fsc } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { HarnessError } from '../errors.js';

/**
 * mkdir -p without `{ recursive: true }`: Node 20's recursive mkdir never
 * returns for a path under /proc (mkdir there answers ENOENT, and it retries
 * the parent for ever: `run --out /proc/x` hung for 27 minutes). Each missing
 * level is made by hand, from the first one that exists.
 */
function makeDirs(dir: string): void {
  const missing: string[] = [];
  let d = resolvePath(dir);
  while (!existsSync(d)) {
    missing.push(d);
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  for (let i = missing.length - 1; i >= 0; i--) mkdirSync(missing[i]!);
}

/**
 * Whether a file can be written, found by writing: access(W_OK) answers yes
 * for root anywhere, /proc included (`report --html /proc/r.html` passed it
 * and failed after with "internal error: ENOENT"). The file is opened for
 * appending (an existing one is left as it is) and removed again when this
 * made it.
 */
function probeWrite(file: string): void {
  const existed = existsSync(file);
  closeSync(openSync(file, 'a'));
  if (!existed) unlinkSync(file);
}

export function ensureWritableDir(dir: string, flag = '--out'): void {
  try {
    makeDirs(dir);
    accessSync(dir, fsc.W_OK);
    probeWrite(join(dir, `.suca-fleet-probe-${process.pid}`));
  } catch (err) {
    throw new HarnessError('SUCA_ERR_OUTPUT', `${flag} ${dir}: cannot write there (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
  }
}

export function ensureWritableFileDir(file: string, flag: string): void {
  try {
    accessSync(dirname(resolvePath(file)), fsc.W_OK);
    probeWrite(file);
  } catch (err) {
    throw new HarnessError('SUCA_ERR_OUTPUT', `${flag} ${file}: cannot write there (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
  }
}
