// The XML reader on what the wire carries most, both ways side by side in one
// run: saxes alone (readTreeStrict) against parseXml, which tries the fast
// path first (agent/wire/xml/reader.ts readTreeFast). Documents: every WUSP
// and CCM fixture (captured shapes) and the 30-update SyncUpdates page the
// stub WSUS answers. Not part of the tests or of npm run bench: a
// microbenchmark for before/after figures (BENCHMARKS.md).
//
//   npm run build && node dist/bench/xml-read.js

import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { decodeResponse, encodeResponse, type WuspResponse } from '../agent/wire/wusp/codec.js';
import { parseXml, readTreeStrict } from '../agent/wire/xml/reader.js';

const fixtures = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));
const docs = new Map<string, string>();
for (const dir of ['wusp', 'ccm']) {
  for (const f of readdirSync(join(fixtures, dir)).filter((x) => x.endsWith('.xml'))) docs.set(`${dir}/${f}`, readFileSync(join(fixtures, dir, f), 'utf8'));
}
// flattened as a body read from a socket is (the encoder's output is a rope,
// slower to scan a character at a time)
const page = Buffer.from(encodeResponse({
  op: 'SyncUpdates',
  newUpdates: Array.from({ length: 30 }, (_, u) => ({
    id: 1000 + u,
    deployment: { id: 1, action: 'Install', isAssigned: true, lastChangeTime: '2026-11-01', autoSelect: '0', autoDownload: '0', supersedenceBehavior: '0' },
    isLeaf: true,
    xml: `<UpdateIdentity UpdateID="0000${String(u).padStart(4, '0')}-1111-2222-3333-444444444444" RevisionNumber="${200 + u}" /><Properties UpdateType="Software" /><Relationships></Relationships>`,
  })),
  truncated: true,
  newCookie: { expiration: '2026-12-01T00:00:00Z', encryptedData: 'QUJD' },
} as unknown as WuspResponse)).toString();

/** Best per-call time of `rounds` short rounds, the two readers taking turns (this VM's speed swings within seconds). */
function best(fs: readonly (() => unknown)[], calls: number, rounds = 40): number[] {
  const out = fs.map(() => Infinity);
  for (let r = 0; r < rounds; r++) {
    fs.forEach((f, k) => {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < calls; i++) f();
      out[k] = Math.min(out[k]!, Number(process.hrtime.bigint() - t0) / calls / 1000);
    });
  }
  return out;
}

const all = [...docs.values()];
const row = (name: string, [a, b]: number[]) => process.stdout.write(`${name.padEnd(44)} ${a!.toFixed(2).padStart(8)} ${b!.toFixed(2).padStart(8)} us  ${(a! / b!).toFixed(2)}x\n`);
process.stdout.write(`${'document (best of 40 rounds)'.padEnd(44)} ${'saxes'.padStart(8)} ${'parseXml'.padStart(8)}\n`);
row('stub SyncUpdates page, 30 updates', best([() => readTreeStrict(page), () => parseXml(page)], 200));
row(`all ${all.length} fixtures, per document`, best([() => all.forEach((d) => readTreeStrict(d)), () => all.forEach((d) => parseXml(d))], 20).map((t) => t / all.length));
process.stdout.write(`decodeResponse of the SyncUpdates page: ${best([() => decodeResponse('SyncUpdates', page)], 200)[0]!.toFixed(2)} us\n`);
