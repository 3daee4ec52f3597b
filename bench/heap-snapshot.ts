// Where the heap of an idle fleet goes (issue 13): runs the default scenario
// (BENCH_CLIENTS, default 100,000; BENCH_DAYS, default 2), keeps the run's
// outcome alive as bench/run.ts does, measures heap + array buffers per client
// the same way, writes a V8 heap snapshot at its end (after a full GC) and
// prints self size per client by what it is kept for (the first retainer's
// path: client record, update flags, stub MP view, ...) and by node type and
// constructor. Not part of the tests.
//
//   npm run build && node --expose-gc dist/bench/heap-snapshot.js [out.heapsnapshot]
//   node dist/bench/heap-snapshot.js --read out.heapsnapshot [clients]   (the tables of an existing snapshot)

import { readFileSync } from 'node:fs';
import { writeHeapSnapshot } from 'node:v8';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]]; edge_fields: string[]; edge_types: [string[], ...unknown[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

/**
 * What each node is kept for, by the path of its first retainer (e.g.
 * "native:system / JSArrayBufferData < backing_store < ArrayBuffer < buffer <
 * Uint8Array < upd < Object < [] < Array < states < Fleet"): the first rule
 * that matches names its row. Weak and shortcut edges are not retainers.
 */
const RULES: readonly (readonly [string, RegExp])[] = [
  ['client record (ClientState object)', /^object:Object < \[\] < Array < states < Fleet/],
  ['boxed doubles of the record (HeapNumbers)', /^number: < \[\] < Object < \[\] < Array < states/],
  ['update flags (upd)', /< upd < Object < \[\] < Array < states|^object:Uint8Array < upd|^object:ArrayBuffer < buffer < Uint8Array < upd/],
  ['timer rows and other doubles (tm, the fleet\'s Float64Array)', /< timers < Fleet|< tm < Object < \[\] < Array < states/],
  ['deployments (array, records, their boxed doubles)', /deployments < Object < \[\] < Array < states|< deployments < Object < \[\] < Array|< elements < Array < deployments/],
  ['slot versions', /slotVersions < Object/],
  ['content cache', /< cache < Object < \[\] < Array < states/],
  ['state-message queue', /queue < Object < \[\] < Array < states/],
  ['policy cycle', /cycle < Object < \[\] < Array < states/],
  ['Fleet.states array, slotOf', /^array: < elements < Array < states < Fleet|slotOf < Fleet/],
  ['scheduler heap and policy lane', /< (Scheduler|MonotoneLane) </],
  ['stub MP compliance view (500, 300, 501 states)', /< (updateState|updateStates|deploymentState|scanState|scanError) < ManagementPoint/],
  ['stub MP ingest (serials, resync, backlog)', /< (contiguous|maxReceived|rebaseAbove|backlogBuf) < ManagementPoint|< ResyncTracker </],
  ['stub WSUS per client', /< lastSup < WsusServer/],
  ['run metrics per client (scan start, report sent)', /< (scanStart|reportSent|scanIsOnline) < RunMetrics/],
  ['HDR histograms (WebAssembly memory)', /< Memory </],
];

/** Self size per client by what it is kept for (RULES), and by node type and constructor. */
function summarise(file: string, clients: number, top = 25): string {
  const s = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const m = s.snapshot.meta;
  const nf = m.node_fields;
  const ef = m.edge_fields;
  const ntypes = m.node_types[0];
  const etypes = m.edge_types[0] as string[];
  const NF = nf.length;
  const EF = ef.length;
  const { nodes, edges, strings } = s;
  const iT = nf.indexOf('type'), iN = nf.indexOf('name'), iS = nf.indexOf('self_size'), iE = nf.indexOf('edge_count');
  const eT = ef.indexOf('type'), eN = ef.indexOf('name_or_index'), eTo = ef.indexOf('to_node');
  const N = nodes.length / NF;
  const parent = new Int32Array(N).fill(-1);
  const via: string[] = new Array(N);
  for (let n = 0, e = 0; n < N; n++) {
    const ec = nodes[n * NF + iE]!;
    for (let k = 0; k < ec; k++, e += EF) {
      const to = edges[e + eTo]! / NF;
      const et = etypes[edges[e + eT]!]!;
      if (et === 'weak' || et === 'shortcut' || parent[to] !== -1) continue;
      parent[to] = n;
      via[to] = et === 'element' || et === 'hidden' ? '[]' : String(strings[edges[e + eN]!]);
    }
  }
  const type = (n: number) => ntypes[nodes[n * NF + iT]!]!;
  const name = (n: number) => strings[nodes[n * NF + iN]!]!;
  const path = (n: number): string => {
    const out = [`${type(n)}:${type(n) === 'object' || type(n) === 'native' ? name(n) : ''}`];
    for (let c = n, d = 0; d < 7 && parent[c]! >= 0; d++) {
      out.push(via[c]!);
      c = parent[c]!;
      out.push(type(c) === 'object' ? name(c) : type(c));
    }
    return out.join(' < ');
  };
  const sums = new Map<string, number>(RULES.map(([k]) => [k, 0]));
  const groups = new Map<string, { n: number; bytes: number }>();
  let rest = 0;
  let total = 0;
  // the unfiled bytes by retainer path (the first three steps): where "everything else" grows
  const restPaths = new Map<string, number>();
  for (let n = 0; n < N; n++) {
    const size = nodes[n * NF + iS]!;
    total += size;
    const p = path(n);
    const r = RULES.find(([, re]) => re.test(p));
    if (r !== undefined) sums.set(r[0], sums.get(r[0])! + size);
    else {
      rest += size;
      const key = p.split(' < ').slice(0, 7).join(' < ');
      restPaths.set(key, (restPaths.get(key) ?? 0) + size);
    }
    const t = type(n);
    // strings, numbers and code are grouped by type, not by their text
    let nm = t === 'object' || t === 'native' || t === 'closure' ? name(n) : '';
    if (nm.length > 60) nm = nm.slice(0, 57) + '...';
    const key = `${t} ${nm}`;
    const g = groups.get(key) ?? { n: 0, bytes: 0 };
    g.n++;
    g.bytes += size;
    groups.set(key, g);
  }
  const per = (b: number) => (b / clients).toFixed(0);
  const L = ['| kept for | B per client |', '|---|---|'];
  for (const [k, b] of sums) L.push(`| ${k} | ${per(b)} |`);
  L.push(`| everything else (code, modules, strings, fixed buffers; most of it there before the run) | ${per(rest)} |`);
  L.push(`| all nodes of the snapshot | ${per(total)} |`, '');
  L.push('| node (type, constructor) | count per client | B per client |', '|---|---|---|');
  for (const [k, g] of [...groups].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, top)) {
    L.push(`| ${k.replace(/\|/g, '\\|')} | ${(g.n / clients).toFixed(2)} | ${(g.bytes / clients).toFixed(1)} |`);
  }
  L.push('', '| unfiled, by retainer path (the largest) | B per client |', '|---|---|');
  for (const [k, b] of [...restPaths].sort((a, b) => b[1] - a[1]).slice(0, 12)) L.push(`| ${k.replace(/\|/g, '\\|')} | ${(b / clients).toFixed(1)} |`);
  return L.join('\n');
}

async function main(): Promise<void> {
  if (process.argv[2] === '--read') {
    process.stdout.write(summarise(process.argv[3]!, Number(process.argv[4] ?? process.env.BENCH_CLIENTS ?? 100_000)) + '\n');
    return;
  }
  const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 100_000);
  const DAYS = Number(process.env.BENCH_DAYS ?? 2);
  const { resolveScenario } = await import('../harness/scenario/resolve.js');
  const { runFleet } = await import('../harness/run.js');
  const { pino } = await import('pino');
  const gc = (globalThis as { gc?: () => void }).gc!;
  const sc = resolveScenario({ clients: CLIENTS, duration: `${DAYS}d` }, 'bench');
  gc();
  const before = process.memoryUsage();
  const o = await runFleet(sc, { logger: pino({ level: 'silent' }), sliceMs: 200 });
  gc();
  const after = process.memoryUsage();
  const perClient = (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / CLIENTS;
  const file = writeHeapSnapshot(process.argv[2]);
  process.stdout.write(`${CLIENTS} clients x ${DAYS} d: ${o.fleet.events} events, heap + array buffers ${perClient.toFixed(0)} B per client; snapshot ${file}\n`);
  process.stdout.write(`(the tables: node --max-old-space-size=8000 dist/bench/heap-snapshot.js --read ${file} ${CLIENTS})\n`);
}

main().catch((err) => {
  process.stderr.write(String(err?.stack ?? err) + '\n');
  process.exit(1);
});
