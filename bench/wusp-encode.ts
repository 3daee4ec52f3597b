// The WUSP encoder on what the stub WSUS answers most: a 30-update
// SyncUpdates page (UpdateInfo with its escaped core fragment), written with
// new item objects every time and with the same frozen items every time
// (agent/wire/wusp/schema.ts encodeFrozenItem keeps the encoding of a frozen
// item). Not part of the tests or of npm run bench: a microbenchmark for
// before/after figures (BENCHMARKS.md).
//
//   npm run build && node dist/bench/wusp-encode.js

import { encodeResponse, type WuspResponse } from '../agent/wire/wusp/codec.js';

const PAGE = 30;
const UPDATES = 200;
const N = 20_000;

const item = (u: number) => ({
  id: 1000 + u,
  deployment: { id: 1, action: 'Install', isAssigned: true, lastChangeTime: '2026-11-01', autoSelect: '0', autoDownload: '0', supersedenceBehavior: '0' },
  isLeaf: true,
  xml: `<UpdateIdentity UpdateID="0000${String(u).padStart(4, '0')}-1111-2222-3333-444444444444" RevisionNumber="${200 + u}" /><Properties UpdateType="Software" /><Relationships></Relationships>`,
});
const frozen = Array.from({ length: UPDATES }, (_, u) => {
  const i = item(u);
  Object.freeze(i.deployment);
  return Object.freeze(i);
});

function page(k: number, fresh: boolean): WuspResponse {
  const newUpdates = [];
  for (let i = 0; i < PAGE; i++) {
    const u = (k * 7 + i * 13) % UPDATES;
    newUpdates.push(fresh ? item(u) : frozen[u]!);
  }
  return { op: 'SyncUpdates', newUpdates, truncated: true, newCookie: { expiration: '2026-12-01T00:00:00Z', encryptedData: 'QUJD' } } as unknown as WuspResponse;
}

function measure(fresh: boolean): number {
  let bytes = 0;
  for (let k = 0; k < 3000; k++) bytes += encodeResponse(page(k, fresh)).length;
  const t0 = process.hrtime.bigint();
  for (let k = 0; k < N; k++) bytes += encodeResponse(page(k, fresh)).length;
  const us = Number(process.hrtime.bigint() - t0) / N / 1000;
  if (bytes === 0) throw new Error('nothing encoded');
  return us;
}

for (const fresh of [true, false]) {
  process.stdout.write(`${fresh ? 'new items every page   ' : 'the same frozen items  '} ${measure(fresh).toFixed(1)} us a ${PAGE}-update SyncUpdates page\n`);
}
