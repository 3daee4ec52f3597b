// npm run bench: the figures in BENCHMARKS.md. Not part of the tests.
//
//   1. the bare scheduler loop (push/pop only) at 100,000 entities: the limit
//      any fleet run can reach on this machine;
//   2. the default scenario at 100,000 clients for 30 simulated days, in
//      virtual time: wall time, agent events per second, peak RSS, heap bytes
//      per idle client.
// Each runs in its own child process (node --expose-gc) so neither warms or
// fragments the other's heap. The section between the BENCH markers in
// BENCHMARKS.md is rewritten; the prose around it is kept.

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 100_000);
const DAYS = Number(process.env.BENCH_DAYS ?? 30);

interface Figures {
  name: string;
  wallS: number;
  events: number;
  eventsPerS: number;
  peakRssMB: number;
  heapPerClientB?: number;
  note?: string;
}

async function child(which: string): Promise<Figures> {
  const out = execFileSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), which], {
    encoding: 'utf8',
    env: { ...process.env },
    maxBuffer: 1 << 24,
  });
  return JSON.parse(out.trim().split('\n').pop()!) as Figures;
}

function peakRssMB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

async function bareScheduler(): Promise<Figures> {
  const { Scheduler } = await import('../agent/runtime/scheduler.js');
  const N = CLIENTS;
  const s = new Scheduler(N);
  let x = 1;
  const r = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 4294967296;
  const hour = 3_600_000;
  for (let i = 0; i < N; i++) s.set(i, Math.floor(r() * hour));
  const end = DAYS * 86_400_000;
  const t0 = performance.now();
  let n = 0;
  for (;;) {
    const t = s.peekTime();
    if (t >= end) break;
    const id = s.pop();
    // every entity comes back one period later, as policy polls do
    s.set(id, t + hour);
    n++;
  }
  const wall = (performance.now() - t0) / 1000;
  return { name: `bare heap loop, ${N.toLocaleString('en-US')} entities, pop + push one hour later`, wallS: wall, events: n, eventsPerS: n / wall, peakRssMB: peakRssMB() };
}

async function fleetRun(): Promise<Figures> {
  const { resolveScenario } = await import('../harness/scenario/resolve.js');
  const { runFleet } = await import('../harness/run.js');
  const { pino } = await import('pino');
  const gc = (globalThis as { gc?: () => void }).gc!;
  // BENCH_SITE=1: with maintenance windows and time zones (bench/site-scenario.ts); BENCH_POWER=1: with power
  // schedules (workstations off at night and at weekends, laptops away, a few never back); both: issue 11's site
  const site = process.env.BENCH_SITE === '1' ? (await import('./site-scenario.js')).SITE_SCENARIO : {};
  const power = process.env.BENCH_POWER === '1'
    ? { power: { workstations: { fraction: 0.6 }, laptops: { fraction: 0.3 }, neverReturn: { fraction: 0.01 } } }
    : {};
  const sc = resolveScenario({ clients: CLIENTS, duration: `${DAYS}d`, ...site, ...power }, 'bench');
  gc();
  const before = process.memoryUsage();
  const o = await runFleet(sc, { logger: pino({ level: 'silent' }), sliceMs: 200 });
  gc();
  const after = process.memoryUsage();
  // everything the run keeps alive (clients, scheduler, stub state) per client; at the end of the run every client is idle
  const heapPerClient = (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / CLIENTS;
  return {
    name: `default scenario, ${CLIENTS.toLocaleString('en-US')} clients, ${DAYS} simulated days (virtual time)`,
    wallS: o.wall.elapsedMs / 1000,
    events: o.fleet.events,
    eventsPerS: o.wall.eventsPerSecond,
    peakRssMB: peakRssMB(),
    heapPerClientB: Math.round(heapPerClient),
    note: `event-loop delay p99 ${o.wall.eventLoopDelayMs.p99} ms (the loop yields every 200 ms)`,
  };
}

function table(rows: Figures[]): string {
  const L = ['| run | wall | agent events | events/s | peak RSS | heap per idle client |', '|---|---|---|---|---|---|'];
  for (const r of rows) {
    L.push(`| ${r.name} | ${r.wallS.toFixed(1)} s | ${r.events.toLocaleString('en-US')} | ${Math.round(r.eventsPerS).toLocaleString('en-US')} | ${r.peakRssMB} MB | ${r.heapPerClientB !== undefined ? r.heapPerClientB.toLocaleString('en-US') + ' B' : '-'} |`);
  }
  return L.join('\n');
}

async function main(): Promise<void> {
  const which = process.argv[2];
  if (which === 'bare') return void process.stdout.write(JSON.stringify(await bareScheduler()) + '\n');
  if (which === 'fleet') return void process.stdout.write(JSON.stringify(await fleetRun()) + '\n');
  if (which === 'wire') {
    const { wireBench } = await import('./wire.js');
    return void process.stdout.write(JSON.stringify(await wireBench()) + '\n');
  }
  process.stdout.write(`bench: bare scheduler loop (${CLIENTS} entities)...\n`);
  const bare = await child('bare');
  process.stdout.write(`  ${bare.wallS.toFixed(1)} s\nbench: fleet ${CLIENTS} clients x ${DAYS} days...\n`);
  const fleet = await child('fleet');
  process.stdout.write(`  ${fleet.wallS.toFixed(1)} s\nbench: wire (uploads, ingest, scaled fleet over HTTP)...\n`);
  const wire = (await child('wire')) as unknown as import('./wire.js').WireFigures;
  const targets = [
    `- wall time at most 60 s: **${fleet.wallS <= 60 ? 'met' : 'missed'}** (${fleet.wallS.toFixed(1)} s)`,
    `- at least 1,000,000 agent events/s: **${fleet.eventsPerS >= 1e6 ? 'met' : 'missed'}** (${Math.round(fleet.eventsPerS).toLocaleString('en-US')}/s)`,
    `- at most 2 KB of heap per idle client: **${(fleet.heapPerClientB ?? Infinity) <= 2048 ? 'met' : 'missed'}** (${fleet.heapPerClientB} B)`,
  ];
  const section = [
    '<!-- BENCH:START (written by npm run bench) -->',
    `Command: \`npm run bench\` (BENCH_CLIENTS=${CLIENTS}, BENCH_DAYS=${DAYS}), ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB.`,
    '',
    table([bare, fleet]),
    '',
    ...targets,
    '',
    fleet.note ? `Also: ${fleet.note}.` : '',
    '',
    'Wire (issue 3):',
    '',
    '| run | figure | target |',
    '|---|---|---|',
    `| (a) state-message uploads over HTTP, ${wire.uploads.connections} connections, ${wire.uploads.messagesPerReport} messages a report, ${wire.uploads.seconds} s each: the fleet's transport (encodes, compresses and posts every report) vs autocannon (one fixed payload) against the same stub MP in another process | ${Math.round(wire.uploads.fleetPerS).toLocaleString('en-US')}/s vs ${Math.round(wire.uploads.autocannonPerS).toLocaleString('en-US')}/s: ratio **${wire.uploads.ratio.toFixed(2)}** | 0.8 |`,
    `| (b) stub ingest with full CCM framing (open, decode the Report, ingest), one core, ${wire.ingest.messagesPerReport} messages a report | **${Math.round(wire.ingest.messagesPerS).toLocaleString('en-US')} messages/s** | 50,000 |`,
    `| (c) scaled time, ${wire.scaled.clients.toLocaleString('en-US')} clients, F = ${wire.scaled.timeFactor}, ${wire.scaled.simulated} simulated, HTTP against the stub servers in their own process (${wire.scaled.requests.toLocaleString('en-US')} requests) | scheduler lag p50 ${wire.scaled.lagP50} ms, **p99 ${wire.scaled.lagP99} ms**, max ${wire.scaled.lagMax} ms, valid: ${wire.scaled.valid} | p99 < 50 ms |`,
    '<!-- BENCH:END -->',
  ].join('\n');
  const file = join(root, 'BENCHMARKS.md');
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n\n';
  if (text.includes('<!-- BENCH:START')) text = text.replace(/<!-- BENCH:START[\s\S]*?<!-- BENCH:END -->/, section);
  else text += '\n' + section + '\n';
  writeFileSync(file, text);
  process.stdout.write(section + '\n');
}

main().catch((err) => {
  process.stderr.write(String(err?.stack ?? err) + '\n');
  process.exit(1);
});
