// npm run bench, part 2: the wire (issue 3).
//   (a) state-message uploads by the fleet's HTTP transport against the stub
//       MP, versus autocannon sending the same CCM message to the same
//       endpoint: the ratio of their request rates;
//   (b) stub ingest of state messages with full CCM framing (open, verify
//       off, decode the <Report>, map to the flat layout, ingest), one core;
//   (c) a scaled-time fleet of 20,000 clients at F = 60 over HTTP against the
//       embedded stubs: scheduler lag.
// The MP for (a) runs in a child process (`suca-fleet stub`), so the load
// generators and the server do not share a core.

import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { Agent } from 'undici';
import pLimit from 'p-limit';
import autocannon from 'autocannon';
import { resolveScenario } from '../harness/scenario/resolve.js';
import { runFleet } from '../harness/run.js';
import { buildResults } from '../harness/output/results.js';
import { CcmMpWire } from '../agent/runtime/http/mp-wire.js';
import { buildMessage, requestHeader, stateReportFromFlat, encodeReport, openMessage, decodeReport, flatFromStateReport, MP_ENDPOINT, toIsoSeconds } from '../agent/wire/ccm/index.js';
import { StubCore } from '../server-stub/core/index.js';
import { clientGuid } from '../server-stub/core/clients.js';
import { MSG_STRIDE } from '../agent/core/types.js';

const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, '..', '..', 'bin', 'suca-fleet.js');
const SECONDS = Number(process.env.BENCH_WIRE_SECONDS ?? 8);
const MSGS_PER_REPORT = 20;

export interface WireFigures {
  uploads: { fleetPerS: number; autocannonPerS: number; ratio: number; connections: number; seconds: number; messagesPerReport: number };
  ingest: { messagesPerS: number; reports: number; messagesPerReport: number };
  scaled: { clients: number; timeFactor: number; simulated: string; lagP50: number; lagP99: number; lagMax: number; valid: boolean; events: number; requests: number };
}

/** A flat report of n messages for client c (serials from `serial`). */
function flat(n: number, serial: number, t: number): number[] {
  const q: number[] = [];
  for (let i = 0; i < n; i++) q.push(500, 2, i, serial + i, t, 0);
  return q;
}

async function startStub(extra: string[] = []): Promise<{ mp: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [bin, 'stub', '--log-level', 'warn', '--no-verify', '--duration', '10m', ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (c: Buffer) => {
      buf += c.toString();
      const i = buf.indexOf('\n');
      if (i >= 0) resolve(buf.slice(0, i));
    });
    child.once('exit', () => reject(new Error('stub exited')));
  });
  const urls = JSON.parse(line) as { mp: string };
  return { mp: urls.mp, stop: async () => void (child.kill('SIGTERM'), await new Promise((r) => child.once('exit', r))) };
}

async function uploads(): Promise<WireFigures['uploads']> {
  const stub = await startStub();
  const sc = resolveScenario({});
  // topic ids the stub knows: its catalogue (the same scenario and seed)
  const ids = new StubCore(sc.stub).catalogue.ids;
  const topicIdOf = (_t: number, topic: number) => ids[topic]!;
  const connections = 32;
  try {
    // the fleet's path: CcmMpWire builds, frames and posts each report, as the transport does
    const dispatcher = new Agent({ connections });
    const wire = new CcmMpWire({
      clientGuid: (i) => clientGuid(sc.seed, i),
      topicIdOf,
      updateSourceId: 'S',
      contentIdOf: () => 'C',
      now: () => sc.start,
      keys: null,
    });
    const limit = pLimit(connections);
    // register the clients first (the transport does it once per client)
    for (let c = 0; c < connections; c++) await wire.exchange({ kind: 'state.report', client: c, msgs: flat(1, 1, sc.start) }, stub.mp, dispatcher, 10_000);
    let done = 0;
    const end = performance.now() + SECONDS * 1000;
    const serials = new Array<number>(connections).fill(100);
    const worker = async (c: number): Promise<void> => {
      while (performance.now() < end) {
        const r = await wire.exchange({ kind: 'state.report', client: c, msgs: flat(MSGS_PER_REPORT, (serials[c]! += MSGS_PER_REPORT), sc.start) }, stub.mp, dispatcher, 10_000);
        if (r.kind === 'error') throw new Error(`upload failed ${r.code}`);
        done++;
      }
    };
    const t0 = performance.now();
    await Promise.all(Array.from({ length: connections }, (_, c) => limit(() => worker(c))));
    const fleetPerS = done / ((performance.now() - t0) / 1000);
    await dispatcher.close();
    // the same message, as one fixed payload, from autocannon
    const header = requestHeader({ id: '{00000000-0000-4000-8000-000000000000}', endpoint: MP_ENDPOINT.RELAY, clientHost: 'c', mpHost: 'mp', sourceId: `GUID:${clientGuid(sc.seed, 0)}`, sentTime: toIsoSeconds(sc.start), replyMode: 'Async' });
    const report = stateReportFromFlat({
      machine: { clientInstalled: 1, clientType: 1, clientId: `GUID:${clientGuid(sc.seed, 0)}`, clientVersion: '5.00.9132.1000', netbiosName: 'C0', codePage: 437, systemDefaultLcid: 1033, priority: 5 },
      date: sc.start,
      msgs: flat(MSGS_PER_REPORT, 1_000_000, sc.start),
      topicIdOf,
    });
    const msg = buildMessage({ header, body: encodeReport(report) });
    const ac = await autocannon({
      url: `${stub.mp}/ccm_system/request`,
      // autocannon sends only the methods node knows; POST with the header the MP's
      // CCM_POST front adds reaches the same handler with the same work
      method: 'POST',
      headers: { 'content-type': msg.contentType, 'user-agent': 'ccmhttp', 'x-ccm-method': 'CCM_POST' },
      body: msg.payload,
      connections,
      duration: SECONDS,
    });
    const autocannonPerS = ac.requests.average;
    return { fleetPerS, autocannonPerS, ratio: fleetPerS / autocannonPerS, connections, seconds: SECONDS, messagesPerReport: MSGS_PER_REPORT };
  } finally {
    await stub.stop();
  }
}

function ingest(): WireFigures['ingest'] {
  const sc = resolveScenario({ clients: 1000 });
  const core = new StubCore(sc.stub);
  const per = 200;
  // reports as clients send them (one per client), framed and compressed
  const payloads: { contentType: string; payload: Buffer }[] = [];
  for (let c = 0; c < 200; c++) {
    const header = requestHeader({ id: `{00000000-0000-4000-8000-${String(c).padStart(12, '0')}}`, endpoint: MP_ENDPOINT.RELAY, clientHost: 'c', mpHost: 'mp', sourceId: `GUID:${clientGuid(sc.seed, c)}`, sentTime: toIsoSeconds(sc.start), replyMode: 'Async' });
    const report = stateReportFromFlat({
      machine: { clientInstalled: 1, clientType: 1, clientId: `GUID:${clientGuid(sc.seed, c)}`, clientVersion: '5.00.9132.1000', netbiosName: `C${c}`, codePage: 437, systemDefaultLcid: 1033, priority: 5 },
      date: sc.start,
      msgs: flat(per, 1, sc.start),
      topicIdOf: (_t, topic) => core.catalogue.ids[topic]!,
    });
    payloads.push(buildMessage({ header, body: encodeReport(report) }));
  }
  const byGuid = new Map(core.catalogue.ids.map((id, u) => [id.toUpperCase(), u]));
  const t0 = performance.now();
  let reports = 0;
  let msgs = 0;
  let round = 0;
  while (performance.now() - t0 < SECONDS * 1000) {
    for (let c = 0; c < payloads.length; c++) {
      const m = openMessage(payloads[c]!.contentType, payloads[c]!.payload);
      const r = decodeReport(m.body);
      const q = flatFromStateReport(r, (_t, id) => byGuid.get(id.replace(/[{}]/g, '').toUpperCase()));
      // new serials each round so every message is ingested, not dropped as a duplicate
      for (let i = 3; i < q.length; i += MSG_STRIDE) q[i] = q[i]! + round * per;
      core.mp.relay(c, sc.start, q);
      reports++;
      msgs += q.length / MSG_STRIDE;
    }
    round++;
  }
  const s = (performance.now() - t0) / 1000;
  if (core.mp.counters.stateMessagesIngested !== msgs) throw new Error('ingest lost messages');
  return { messagesPerS: msgs / s, reports, messagesPerReport: per };
}

export async function scaled(): Promise<WireFigures["scaled"]> {
  const clients = Number(process.env.BENCH_SCALED_CLIENTS ?? 20_000);
  const duration = process.env.BENCH_SCALED_DURATION ?? '2h';
  const input = { clients, duration, catalogue: { maxSizeMB: 1 } };
  const sc = resolveScenario(input);
  // the stub servers in their own process (their own core), as in a real load test
  const file = join(here, '..', '..', 'bench', 'out', 'scaled-scenario.json');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(input));
  const stub = await startStub(['--scenario', file, '--time-factor', '60']);
  let o;
  try {
    o = await runFleet(sc, { logger: pino({ level: 'silent' }), clock: { mode: 'scaled', timeFactor: 60, lagBoundMs: 50 }, transport: { kind: 'http', sign: false, external: { mp: stub.mp } } });
  } finally {
    await stub.stop();
  }
  const r = buildResults(o);
  const requests = Object.values(r.wire?.agentOperations ?? {}).reduce((a, b) => a + b, 0);
  return { clients, timeFactor: 60, simulated: duration, lagP50: r.clock.lagMs!.p50, lagP99: r.clock.lagMs!.p99, lagMax: r.clock.lagMs!.max, valid: r.valid, events: r.agentEvents, requests };
}

export async function wireBench(): Promise<WireFigures> {
  process.stdout.write('bench: (a) uploads, fleet vs autocannon...\n');
  const u = await uploads();
  process.stdout.write(`  ${u.fleetPerS.toFixed(0)}/s vs ${u.autocannonPerS.toFixed(0)}/s\nbench: (b) stub ingest...\n`);
  const i = ingest();
  process.stdout.write(`  ${i.messagesPerS.toFixed(0)} messages/s\nbench: (c) scaled fleet over HTTP...\n`);
  const s = await scaled();
  process.stdout.write(`  lag p99 ${s.lagP99} ms\n`);
  return { uploads: u, ingest: i, scaled: s };
}
