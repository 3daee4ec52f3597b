// Reads the trace of whole runs and checks every client's every event against
// the real client's rules (harness/conformance/check.ts).

import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { resolveScenario } from '../harness/scenario/resolve.js';
import { runFleet } from '../harness/run.js';
import { buildResults } from '../harness/output/results.js';
import { checkTrace, parseTrace, type ConformanceReport } from '../harness/conformance/check.js';

const silent = pino({ level: 'silent' });
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'suca-conf-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function runAndCheck(input: unknown, name: string) {
  const sc = resolveScenario(input, name);
  const trace = join(dir, `${name}.ndjson`);
  const outcome = await runFleet(sc, { tracePath: trace, logger: silent });
  const results = buildResults(outcome);
  const report = checkTrace(parseTrace(readFileSync(trace, 'utf8')), sc);
  return { sc, results, report };
}

function expectClean(report: ConformanceReport, rules: string[]) {
  expect(report.violations.slice(0, 5)).toEqual([]);
  // each rule was exercised, so a silent checker cannot pass
  for (const r of rules) expect(report.checks[r] ?? 0, r).toBeGreaterThan(0);
}

describe('conformance of whole runs', () => {
  it('the default scenario (300 clients, 10 days) follows every rule', async () => {
    const { report, results, sc } = await runAndCheck({ clients: 300 }, 'default');
    expect(report.clients).toBe(300);
    expectClean(report, [
      'policy.firstPoll', 'policy.interval', 'policy.deploymentLatency', 'scan.forced', 'scan.onlineRule', 'scan.firstWindow',
      'scan.scheduleWindow', 'scan.reevaluationWindow', 'scan.offlineNoWsus', 'deployment.downloadWindow',
      'deployment.deadlineWindow', 'install.afterInstallScan', 'restart.countdown', 'restart.afterRestartScan',
      'state.serialSequence', 'state.deliveredOnce', 'state.noSerialLost', 'state.deliveredByEnd',
    ]);
    // the MP ingested each delivered message exactly once
    expect(results.stateMessages.ingested).toBe(results.stateMessages.delivered);
    expect(results.stateMessages.duplicates).toBe(0);
    expect(results.stateMessages.received).toBe(results.stateMessages.delivered);
    expect(sc.clients).toBe(300);
  });

  it('a storm scenario with retries, SUP switching, MP outage, user installs and lost updates follows every rule', async () => {
    const input = JSON.parse(readFileSync(new URL('../scenarios/patch-tuesday-storm.json', import.meta.url), 'utf8'));
    input.clients = 400;
    const { report, results } = await runAndCheck(input, 'storm');
    expectClean(report, [
      'scan.retryDelay', 'scan.noRetryForCode', 'state.overwriteUnsent', 'restart.suppression', 'install.notBeforeDeadline',
      'restart.notEarly', 'state.sentWasQueued', 'state.noSerialLost',
    ]);
    expect(results.scans.failuresByCode['0x80244022']).toBeGreaterThan(0);
    expect(results.scans.failuresByCode['0x80072EE2']).toBeGreaterThan(0);
    expect(results.stateMessages.reportsFailed).toBeGreaterThan(0);
    expect(results.work.updatesLost).toBeGreaterThan(0);
    // everything sent was ingested once, even after an 8 h MP outage
    expect(results.stateMessages.duplicates).toBe(0);
    expect(results.stateMessages.ingested! + results.stateMessages.backlogAtEnd!).toBe(results.stateMessages.delivered);
  });

  it('the checker catches a broken trace', async () => {
    const sc = resolveScenario({ clients: 1 });
    const c = 'GUID:X';
    const lines = [
      { t: sc.start + 1000, client: c, ev: 'policy.requested' },
      { t: sc.start + 1000, client: c, ev: 'policy.received', version: 1, deployments: [], softwareUpdatesEnabled: true },
      // a schedule scan that goes online inside the TTL is wrong twice: too early and online
      { t: sc.start + 3 * 3600_000, client: c, ev: 'scan.started', trigger: 'firstPolicy', forced: false, online: true },
      { t: sc.start + 3 * 3600_000 + 1, client: c, ev: 'scan.completed', online: true, sup: 'x' },
      { t: sc.start + 4 * 3600_000, client: c, ev: 'scan.started', trigger: 'schedule', forced: false, online: true },
      { t: sc.start + 4 * 3600_000 + 1, client: c, ev: 'scan.completed', online: true, sup: 'x' },
      { t: sc.start + 5 * 3600_000, client: c, ev: 'state.queued', topicType: 501, stateId: 3, topicId: 'x', serial: 2 },
      { t: sc.start + 6 * 3600_000, client: c, ev: 'state.sent', serials: [2], ok: true },
      { t: sc.start + 7 * 3600_000, client: c, ev: 'state.sent', serials: [2], ok: true },
    ];
    const rules = checkTrace(lines, sc).violations.map((v) => v.rule).sort();
    expect(rules).toEqual([
      'scan.firstWindow', 'scan.onlineRule', 'scan.scheduleWindow', 'state.deliveredOnce', 'state.noSerialLost', 'state.sentWasQueued', 'state.serialSequence',
    ].sort());
  });
});
