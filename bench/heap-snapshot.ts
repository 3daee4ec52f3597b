// Where the heap of an idle fleet goes (issue 13): runs the default scenario
// (BENCH_CLIENTS, BENCH_DAYS; BENCH_SITE as in bench/run.ts), keeps the run's
// outcome alive as bench/run.ts does, writes a V8 heap snapshot at its end
// (after a full GC) and prints self size per client grouped by node type and
// constructor, biggest first. Not part of the tests.
//
//   npm run build && node --expose-gc dist/bench/heap-snapshot.js [out.heapsnapshot]
//   node dist/bench/heap-snapshot.js --read out.heapsnapshot [clients]   (the table of an existing snapshot)

import { readFileSync } from 'node:fs';
import { writeHeapSnapshot } from 'node:v8';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] }; node_count: number };
  nodes: number[];
  strings: string[];
}

/** Self size by (type, name) over the snapshot's nodes. */
function summarise(file: string, clients: number, top = 40): string {
  const s = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const f = s.snapshot.meta.node_fields;
  const types = s.snapshot.meta.node_types[0];
  const F = f.length;
  const iType = f.indexOf('type');
  const iName = f.indexOf('name');
  const iSize = f.indexOf('self_size');
  const groups = new Map<string, { n: number; bytes: number }>();
  let total = 0;
  for (let i = 0; i < s.nodes.length; i += F) {
    const type = types[s.nodes[i + iType]!]!;
    let name = s.strings[s.nodes[i + iName]!]!;
    // strings and numbers are grouped by type, not by their text
    if (type === 'string' || type === 'concatenated string' || type === 'sliced string' || type === 'number' || type === 'code' || type === 'hidden') name = '';
    if (name.length > 60) name = name.slice(0, 57) + '...';
    const key = `${type} ${name}`;
    const size = s.nodes[i + iSize]!;
    total += size;
    const g = groups.get(key) ?? { n: 0, bytes: 0 };
    g.n++;
    g.bytes += size;
    groups.set(key, g);
  }
  const rows = [...groups].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, top);
  const L = [`| node (type, constructor) | count | per client | B per client |`, '|---|---|---|---|'];
  for (const [k, g] of rows) L.push(`| ${k.replace(/\|/g, '\\|')} | ${g.n.toLocaleString('en-US')} | ${(g.n / clients).toFixed(2)} | ${(g.bytes / clients).toFixed(1)} |`);
  L.push(`| total (all nodes) | | | ${(total / clients).toFixed(1)} |`);
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
}

main().catch((err) => {
  process.stderr.write(String(err?.stack ?? err) + '\n');
  process.exit(1);
});
