// The agent's reading of what the stub WSUS answers in a scan: a
// GetExtendedUpdateInfo answer for 50 updates (an Extended and a
// LocalizedProperties fragment each, as WSUS 2025 answers the captured
// client's request, and their FileLocations) and a 30-update SyncUpdates
// page; parseXml alone and decodeResponse. Not part of the tests or of
// npm run bench: a microbenchmark for before/after figures (BENCHMARKS.md).
//
//   npm run build && node dist/bench/wusp-decode.js

import { decodeResponse, encodeResponse } from '../agent/wire/wusp/codec.js';
import { parseXml } from '../agent/wire/xml/reader.js';

const ROUNDS = 5;

const updates = [];
const fileLocations = [];
for (let u = 0; u < 50; u++) {
  updates.push({
    id: 1000 + u,
    xml: `<ExtendedProperties DefaultPropertiesLanguage="en" Handler="http://schemas.microsoft.com/msus/2002/12/UpdateHandlers/Cbs" MaxDownloadSize="123456" /><Files><File Digest="V2S6az6a/POgB+mbPz9+9Rn/TxU=" FileName="windows-kb50${u}-x64.cab" Size="123456" /></Files>`,
  });
  fileLocations.push({ fileDigest: 'V2S6az6a/POgB+mbPz9+9Rn/TxU=', url: `http://127.0.0.1:8530/Content/15/5764BA6B3E9AFCF3A007E99B3F3F7EF519FF4F${String(u).padStart(2, '0')}.cab` });
}
for (let u = 0; u < 50; u++) updates.push({ id: 1000 + u, xml: `<LocalizedProperties><Language>en</Language><Title>Update for Windows (KB50${u})</Title></LocalizedProperties>` });
const newUpdates = Array.from({ length: 30 }, (_, u) => ({
  id: 1000 + u,
  deployment: { id: 1, action: 'Install' as const, isAssigned: true, lastChangeTime: '2026-03-01', autoSelect: '0', autoDownload: '0', supersedenceBehavior: '0' },
  isLeaf: true,
  xml: `<UpdateIdentity UpdateID="c0ffee00-3333-4444-8555-6666777788${String(u).padStart(2, '0')}" RevisionNumber="201" /><Properties UpdateType="Software" /><Relationships></Relationships>`,
}));
const extended = encodeResponse({ op: 'GetExtendedUpdateInfo', updates, fileLocations });
const page = encodeResponse({ op: 'SyncUpdates', newUpdates, truncated: true, newCookie: { expiration: '2026-03-02T10:00:00Z', encryptedData: 'AAAA' } });

function us(f: () => unknown, n: number): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) f();
  return Number(process.hrtime.bigint() - t0) / n / 1000;
}

const rows: string[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const a = us(() => parseXml(extended), 3000);
  const b = us(() => decodeResponse('GetExtendedUpdateInfo', extended), 3000);
  const c = us(() => decodeResponse('SyncUpdates', page), 10_000);
  rows.push(`${a.toFixed(0)} / ${b.toFixed(0)} / ${c.toFixed(0)}`);
}
process.stdout.write(
  `us a call, parseXml(GetExtendedUpdateInfo answer, ${extended.length} B) / decodeResponse of it / decodeResponse(SyncUpdates page, ${page.length} B), ${ROUNDS} rounds:\n${rows.join('\n')}\n`,
);
