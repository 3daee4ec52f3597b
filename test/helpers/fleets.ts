// Small fleets several tests run in-process and over HTTP (the contract
// between the transports, shards over HTTP): few clients, a small catalogue
// with small files (real bytes go over loopback), a deployment and a manual
// scan cycle, over four simulated days; tracedRun runs one with its trace.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { resolveScenario } from '../../harness/scenario/resolve.js';
import { runFleet, type TransportOptions } from '../../harness/run.js';
import { buildResults } from '../../harness/output/results.js';

export function smallWireFleet(clients: number): Record<string, unknown> {
  return {
    clients,
    duration: '4d',
    catalogue: { updates: 40, newUpdates: 5, maxSizeMB: 2 },
    deployments: [{ name: 'Monthly', updates: { newest: 5 }, available: '1d', deadline: '2d' }],
    actions: [{ kind: 'manualScan', at: '3d', within: '1h', fraction: 0.5 }],
  };
}

/**
 * Runs a scenario with a trace in dir (name.ndjson) and returns the trace's events, every SUP
 * URL as "SUP" (a stub host name in-process, 127.0.0.1:port over HTTP), and the results.
 */
export async function tracedRun(dir: string, name: string, input: Record<string, unknown>, transport: TransportOptions) {
  const sc = resolveScenario(input);
  const trace = join(dir, `${name}.ndjson`);
  const o = await runFleet(sc, { tracePath: trace, logger: pino({ level: 'silent' }), transport });
  const events = readFileSync(trace, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  for (const e of events) if (typeof e.sup === 'string') e.sup = 'SUP';
  return { events, results: buildResults(o) };
}
