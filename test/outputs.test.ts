// The Output interface: what an output of a run sees, in which order, and the
// registry the run command builds its outputs from.

import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { resolveScenario } from '../harness/scenario/resolve.js';
import { runFleet } from '../harness/run.js';
import { planRun } from '../harness/plan.js';
import { buildResults } from '../harness/output/results.js';
import { OUTPUTS, createOutputs, outputFlags } from '../harness/output/outputs/index.js';
import { endOutputs } from '../harness/output/outputs/index.js';
import type { Output } from '../harness/output/output.js';
import { resultsProblems } from '../harness/output/results-schema.js';
import { formatResultsJson } from '../harness/output/results.js';

const silent = pino({ level: 'silent' });

describe('outputs', () => {
  it('an output sees start, every event, every interval, progress, finish, then end with the results', async () => {
    const calls: string[] = [];
    let events = 0;
    let intervals = 0;
    const o: Output = {
      name: 'probe',
      start: (r) => calls.push(`start ${r.run.clients} ${r.names.clientId(0).slice(0, 5)}`),
      event: () => void events++,
      interval: () => void intervals++,
      progress: () => void (calls.at(-1) === 'progress' || calls.push('progress')),
      progressEveryMs: 10,
      finish: () => calls.push('finish'),
      end: (r) => calls.push(`end ${r.agentEvents}`),
    };
    const sc = resolveScenario({ clients: 20, duration: '2d' });
    const outcome = await runFleet(sc, { outputs: [o], logger: silent, seriesInterval: 3_600_000 });
    const results = buildResults(outcome);
    endOutputs([o], results);
    expect(calls[0]).toBe('start 20 GUID:');
    expect(calls.slice(-3)).toEqual(['progress', 'finish', `end ${outcome.fleet.events}`]);
    // every event of the trace: the per-name counts of results.json add up to it
    expect(events).toBe(Object.values(results.events as Record<string, number>).reduce((a, b) => a + b, 0));
    expect(intervals).toBe(48);
  });

  it('the registry: trace, series NDJSON, results.json, report, live progress; each only when asked for', () => {
    expect(OUTPUTS.map((k) => k.name)).toEqual(['trace', 'series-ndjson', 'results.json', 'report.html', 'progress']);
    const run = planRun(resolveScenario({ clients: 1, duration: '1d' })).outputs;
    const stream = { write: () => true };
    expect(createOutputs({ args: { report: true, quiet: true }, stream, logger: silent }, run)).toEqual([]);
    expect(createOutputs({ args: { out: '/tmp/x', report: false, quiet: false }, stream, logger: silent }, run).map((o) => o.name)).toEqual(['results.json', 'progress']);
    // each output declares its own flags, and the run command offers them
    expect(Object.keys(outputFlags()).sort()).toEqual(['out', 'progress-every', 'quiet', 'report', 'series-ndjson', 'trace', 'trace-events']);
  });

  it('results.json of an in-process and of an HTTP run both read back through the one schema; a broken one lists every problem with its path', async () => {
    for (const transport of [{ kind: 'in-process' } as const, { kind: 'http', sign: false } as const]) {
      const o = await runFleet(resolveScenario({ clients: 5, duration: '1d' }), { logger: silent, transport, seriesInterval: 3_600_000 });
      const r = JSON.parse(formatResultsJson(buildResults(o)));
      expect(resultsProblems(r), transport.kind).toEqual([]);
      if (transport.kind === 'http') expect(r.wire.agentOperations).not.toEqual({});
    }
    const broken = resultsProblems({ schemaVersion: 2, series: { intervalMs: -1 }, shard: { index: 'one' } });
    expect(broken).toContain('tool: missing');
    expect(broken.some((p) => p.startsWith('series.intervalMs: '))).toBe(true);
    expect(broken.some((p) => p.startsWith('shard.index: '))).toBe(true);
    expect(resultsProblems({ schemaVersion: 1 })[0]).toBe('schemaVersion: 1, this suca-fleet reads 2');
  });
});
