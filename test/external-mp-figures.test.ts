// Issue 10, item 1: a run against an external MP (--mp URL) cannot see what
// the MP and its WSUS count. Those figures are null in results.json, "n/a,
// kept by the external MP" in the summary, and a threshold on one FAILS
// saying why; what the clients see of the MP (per-operation latency, errors,
// state messages acknowledged, requests sent) is shown from their side.
// The external MP here is the stub servers started in the test, as
// `suca-fleet stub` starts them; the run goes through the in-process command.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startStubServers, type StubServers } from '../server-stub/http/index.js';
import { resolveScenario } from '../harness/scenario/resolve.js';
import { cli, cliWith, type CliResult } from './helpers/cli.js';

let dir: string;
let servers: StubServers | null = null;
let run: CliResult;
let results: any;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'suca-extmp-'));
  const sc = resolveScenario({ clients: 20 });
  servers = await startStubServers({ config: sc.stub, logger: pino({ level: 'silent' }), clock: () => sc.start, verifySignatures: true });
  run = await cli(
    'run', '--clients', '20', '--duration', '1d', '--mp', servers.urls.mp, '--out', join(dir, 'out'), '--log-level', 'silent', '--quiet',
    // the thresholds, each passing at 0 before: a figure the run cannot see must not pass
    '--threshold', 'state_latency_p99<1ms', '--threshold', 'mp_backlog_max<1', '--threshold', 'wsus_scans_per_min_max<1',
    '--threshold', 'compliance_unknown_ratio<2',
    // a figure the clients measure still passes
    '--threshold', 'report_latency_p99<1h',
  );
  results = JSON.parse(readFileSync(join(dir, 'out', 'results.json'), 'utf8'));
}, 120_000);
afterAll(async () => {
  await servers?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a run against an external MP', () => {
  it('fails every threshold on a figure it cannot see, saying so, and exits 99', () => {
    expect(run.code, run.err).toBe(99);
    for (const t of ['state_latency_p99<1ms', 'mp_backlog_max<1', 'wsus_scans_per_min_max<1', 'compliance_unknown_ratio<2']) {
      expect(run.out).toMatch(new RegExp(`FAIL  ${t.replace(/[<.]/g, '\\$&')}\\s+value n/a \\(kept by the external MP\\)`));
      expect(run.out).not.toMatch(new RegExp(`PASS  ${t.replace(/[<.]/g, '\\$&')}`));
      const o = results.thresholds.find((x: any) => x.expr === t);
      expect(o).toMatchObject({ value: null, ok: false, why: 'kept by the external MP' });
    }
    expect(run.out).toMatch(/PASS  report_latency_p99<1h/);
  });

  it('writes null for every figure the stub would have counted', () => {
    const sm = results.stateMessages;
    for (const k of ['received', 'ingested', 'duplicates', 'backlogAtEnd', 'ingestedPerSimSecond', 'latencyMs', 'waitForCycleMs', 'inFlightMs', 'waitInBacklogMs']) expect(sm[k], k).toBeNull();
    expect(results.scans.wsus).toBeNull();
    expect(results.compliance).toBeNull();
    expect(results.work.dpDownloads).toBeNull();
    expect(results.faultsInjected).toBeNull();
    for (const k of ['stateIngested', 'stateLatencyP50', 'stateLatencyP99', 'backlog']) expect(results.series[k], k).toBeNull();
    expect(results.series.compliance).toBeNull();
    expect(results.wire.stub).toBeNull();
    // no histogram for a distribution that was not measured
    expect(Object.keys(results.histograms).filter((k) => k.startsWith('state.'))).toEqual([]);
  });

  it('shows what the clients saw: requests sent, reports acknowledged, per-operation latency', () => {
    const ops = results.wire.agentOperations;
    expect(ops['mp policy.assignments']).toBeGreaterThan(0);
    expect(results.policy).toMatchObject({ assignmentRequests: ops['mp policy.assignments'], bodyRequests: ops['mp policy.body'], seenBy: 'clients' });
    expect(results.location.wsus).toBe(ops['mp location.wsus']);
    expect(results.stateMessages.reportsOk).toBe(ops['mp state.report']);
    expect(results.stateMessages.delivered).toBeGreaterThan(0);
    expect(results.operations['mp Report'].count).toBe(ops['mp state.report']);
    expect(results.operations['mp Report'].p99).toBeGreaterThan(0);
    expect(Object.keys(results.histograms)).toContain('op.mp.Report');
    expect(results.series.stateSent.length).toBe(results.series.length);
  });

  it('prints "n/a, kept by the external MP" for them in the summary, never 0', () => {
    const line = (label: string) => run.out.split('\n').find((l) => l.trimStart().startsWith(label)) ?? '';
    expect(line('WSUS peak scans per minute')).toContain('n/a, kept by the external MP');
    expect(line('ingested at MP')).toContain('n/a, kept by the external MP');
    expect(line('latency queue -> ingest')).toContain('n/a, kept by the external MP');
    expect(line('unsent at end / MP backlog at end')).toContain('n/a, kept by the external MP');
    expect(run.out).toContain('Compliance: n/a, kept by the external MP');
    // the all-zero latency-parts table is gone
    expect(run.out).not.toContain('waiting in the MP backlog');
    // policy counts are the ones on the wire, not the embedded stub's 0 / 0
    const policy = line('assignment requests / bodies');
    expect(policy).toContain(`${results.policy.assignmentRequests.toLocaleString('en-US')} / ${results.policy.bodyRequests.toLocaleString('en-US')}`);
    expect(policy).toContain('as the clients sent them');
    expect(line('acknowledged by the MP')).toContain(`${results.stateMessages.reportsOk} reports`);
  });

  it('keeps the nulls through report, compare and merge', async () => {
    const f = join(dir, 'out', 'results.json');
    const rep = await cli('report', f, '--html', join(dir, 'r.html'));
    expect(rep.code, rep.err).toBe(0);
    expect(rep.out).toContain('Compliance: n/a, kept by the external MP');
    const cmp = await cli('compare', f, f);
    expect(cmp.code, cmp.err).toBe(0);
    const row = (k: string) => cmp.out.split('\n').find((l) => l.startsWith(k + ' ')) ?? '';
    for (const k of ['state_latency_p99', 'mp_backlog_max', 'wsus_scans_per_min_max', 'compliance_unknown_ratio', 'state_ingested']) expect(row(k), k).toMatch(/n\/a\s+n\/a\s+n\/a$/);
    // the run's single shard merged with itself would double its clients: merge two shard runs instead
    const shard = async (s: string) => {
      const r = await cli('run', '--clients', '8', '--duration', '6h', '--shard', s, '--mp', servers!.urls.mp, '--out', join(dir, s.replace('/', 'of')), '--log-level', 'silent', '--quiet');
      expect(r.code, r.err).toBe(0);
      return join(dir, s.replace('/', 'of'), 'results.json');
    };
    const m = await cli('merge', await shard('1/2'), await shard('2/2'), '--json');
    expect(m.code, m.err).toBe(0);
    const merged = JSON.parse(m.out);
    expect(merged.stateMessages.ingested).toBeNull();
    expect(merged.stateMessages.latencyMs).toBeNull();
    expect(merged.scans.wsus).toBeNull();
    expect(merged.compliance).toBeNull();
    expect(merged.series.backlog).toBeNull();
    expect(merged.policy.assignmentRequests).toBeGreaterThan(0);
  }, 120_000);

  it('live progress: what the MP ingested is n/a, not 0 (a terminal and the log lines)', async () => {
    // a terminal: the block's state-message figures
    const tty = await cliWith({ tty: { columns: 160 } }, 'run', '--clients', '8', '--duration', '6h', '--mp', servers!.urls.mp, '--log-level', 'silent');
    expect(tty.code, tty.err).toBe(0);
    expect(tty.err).toMatch(/state messages sent \S+ \([^)]*\/s\), ingested n\/a \(external MP\)/);
    expect(tty.err).not.toMatch(/ingested 0 /);
    // a pipe: the pino lines carry null
    const piped = await cli('run', '--clients', '8', '--duration', '6h', '--mp', servers!.urls.mp, '--log-level', 'info');
    expect(piped.code, piped.err).toBe(0);
    const lines = piped.err.split('\n').filter((l) => l.includes('"msg":"progress"')).map((l) => JSON.parse(l) as { stateIngested: unknown; messagesPerSecond: unknown; stateSent: number });
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) {
      expect(l.stateIngested).toBeNull();
      expect(l.messagesPerSecond).toBeNull();
    }
    // what the clients sent is still counted
    expect(lines.at(-1)!.stateSent).toBeGreaterThan(0);
  }, 120_000);
});
