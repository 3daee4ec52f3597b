// A library scenario run through the command in-process (`run --scenario FILE
// --json --trace T --trace-events E`), its results.json and trace read back;
// the temporary directory is removed after the file's tests. What the
// scenario tests that read a trace share.

import { afterAll, beforeAll, expect } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './cli.js';
import type { Results } from '../../harness/output/results-schema.js';

export interface TracedScenario<E> {
  /** the run's results.json and trace lines, set once beforeAll ran */
  readonly r: Results;
  readonly trace: E[];
}

/** Registers the run (beforeAll) and its clean-up (afterAll); read the fields inside the tests. */
export function tracedScenario<E>(name: string, traceEvents: string): TracedScenario<E> {
  const file = scenarioFile(name);
  const got = { r: undefined as unknown as Results, trace: [] as E[] };
  let dir = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `suca-${name}-`));
    const tracePath = join(dir, 't.ndjson');
    const out = await cli('run', '--scenario', file, '--json', '--quiet', '--trace', tracePath, '--trace-events', traceEvents, '--log-level', 'warn');
    expect(out.code, out.err).toBe(0);
    got.r = JSON.parse(out.out) as Results;
    got.trace = readFileSync(tracePath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as E);
  }, 120_000);
  afterAll(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });
  return got;
}

export function scenarioFile(name: string): string {
  return new URL(`../../scenarios/${name}.json`, import.meta.url).pathname;
}
