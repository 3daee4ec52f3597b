// Runs a scenario of the library by name, in-process through the command line
// (main(argv, io): `run --scenario NAME --out DIR --quiet`), in virtual time,
// and returns its results.json: the end-to-end path a user takes, at a size
// small enough for CI (--clients, --duration).

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './cli.js';
import type { Results } from '../../harness/output/results.js';

/**
 * results.json of an in-process run with the embedded stubs: every figure the
 * schema allows to be null (kept by an external MP) is present.
 */
type Seen<T> = T extends readonly (infer U)[] ? Seen<NonNullable<U>>[] : T extends object ? { [K in keyof T]: Seen<NonNullable<T[K]>> } : NonNullable<T>;
export type LibraryResults = Seen<Results>;

export async function runLibrary(name: string, ...flags: string[]): Promise<LibraryResults> {
  const dir = mkdtempSync(join(tmpdir(), `suca-lib-${name}-`));
  try {
    const r = await cli('run', '--scenario', name, '--out', dir, '--no-report', '--quiet', '--log-level', 'silent', ...flags);
    if (r.code !== 0) throw new Error(`run --scenario ${name} exited ${r.code}: ${r.err}`);
    return JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as LibraryResults;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Index of the series interval holding simulated time `t` (ms from the start). */
export function at(r: LibraryResults, t: number): number {
  return Math.floor(t / r.series.intervalMs);
}

/** Sum of a series over [from, to) ms from the start. */
export function sumBetween(r: LibraryResults, series: readonly (number | null)[] | null, from: number, to: number): number {
  const values = series ?? [];
  let s = 0;
  for (let i = Math.max(0, at(r, from)); i < Math.min(values.length, at(r, to)); i++) s += values[i] ?? 0;
  return s;
}

export const MIN = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
