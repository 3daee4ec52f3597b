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
  for (const e of events) serversAsRoles(e);
  return { events, results: buildResults(o) };
}

/**
 * A trace event with its servers' URLs read as their roles: the SUP a scan ran against and the DP
 * a download came from are the scenario's names in-process and the stub servers' origins over
 * HTTP (127.0.0.1:port), so traces of the two transports compare equal after it.
 */
export function serversAsRoles<E extends Record<string, unknown>>(e: E): E {
  const x = e as Record<string, unknown>;
  if (typeof x.sup === 'string') x.sup = 'SUP';
  if (x.ev === 'download.completed' && typeof x.dp === 'string') x.dp = 'DP';
  return e;
}
