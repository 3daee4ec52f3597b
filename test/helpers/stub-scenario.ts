// A scenario file in a temporary directory and `suca-fleet stub` serving it
// in-process, for a test file's runs against an external MP: started before
// the file's tests and stopped (exit 0 checked) and removed after them.

import { afterAll, beforeAll, expect } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStubCommand, type StubUrls } from './cli.js';

export interface StubScenario {
  /** the temporary directory (outputs may go below it) */
  readonly dir: string;
  /** the scenario file the stub serves */
  readonly file: string;
  readonly urls: StubUrls;
}

/** Registers the hooks; the fields are set once beforeAll has run. */
export function useStubScenario(prefix: string, scenario: unknown, timeFactor: number): StubScenario {
  const it: { dir: string; file: string; urls: StubUrls } = { dir: '', file: '', urls: { mp: '', wsus: '', dp: '', sups: [], dps: [] } };
  let stop: (() => Promise<number>) | null = null;
  beforeAll(async () => {
    it.dir = mkdtempSync(join(tmpdir(), prefix));
    it.file = join(it.dir, 'scenario.json');
    writeFileSync(it.file, JSON.stringify(scenario));
    const stub = await startStubCommand('--scenario', it.file, '--time-factor', String(timeFactor), '--log-level', 'silent');
    stop = stub.stop;
    it.urls = stub.urls;
  }, 60_000);
  afterAll(async () => {
    if (stop !== null) expect(await stop()).toBe(0);
    if (it.dir !== '') rmSync(it.dir, { recursive: true, force: true });
  });
  return it;
}
