// A FileLocationChanged fault (MS-WUSP 2.2.2.4, 3.1.5.10): the client MUST call
// GetFileLocations with the digests of the files it knows, then go on. Against
// the minimal WSUS written in the test (test/helpers/minimal-wsus.ts, requests
// read with regular expressions, nothing of agent/wire trusted): the fault on
// the second GetExtendedUpdateInfo chunk, with the first chunk's digests known.
// In-process, the same fault is a recovered one (the scan goes on).

import { afterAll, describe, expect, it } from 'vitest';
import { Agent } from 'undici';
import { wuaScan } from '../agent/runtime/http/wua.js';
import { resolveScenario } from '../harness/scenario/resolve.js';
import { StubCore } from '../server-stub/core/index.js';
import { minimalWsus, type MinimalWsus, type MinimalWsusOptions } from './helpers/minimal-wsus.js';

const servers: MinimalWsus[] = [];
const agents: Agent[] = [];
afterAll(async () => {
  await Promise.all([...servers.map((s) => s.close()), ...agents.map((a) => a.close())]);
});

const updates = Array.from({ length: 40 }, (_, k) => ({ id: `c0ffee00-0000-4000-8000-${String(k).padStart(12, '0')}`, revision: 300 + k }));

async function scan(o: Partial<MinimalWsusOptions>) {
  const w = await minimalWsus({ updates, maxExtended: 25, ...o });
  servers.push(w);
  const dispatcher = new Agent({ connections: 1 });
  agents.push(dispatcher);
  const r = await wuaScan({ sup: w.url, clientId: '1e2d3c4b-5a69-4c78-8d9e-0f1a2b3c4d5e', dnsName: 'pc2.fleet.test', now: () => Date.parse('2026-03-02T09:00:00Z'), dispatcher, timeoutMs: 5000, registered: new Set() });
  return { w, r };
}

/** FileLocationChanged on the second GetExtendedUpdateInfo of the scan, once */
function onSecondChunk(): MinimalWsusOptions['fault'] {
  let n = 0;
  return (op) => (op === 'GetExtendedUpdateInfo' && ++n === 2 ? 'FileLocationChanged' : null);
}

describe('WUA: FileLocationChanged', () => {
  it('GetFileLocations with the digests of the first chunk, then the chunk again, and the scan completes', async () => {
    const { w, r } = await scan({ fault: onSecondChunk(), fileLocations: true });
    expect(r.ok).toBe(true);
    expect(w.calls.join(' ')).toMatch(/ GetExtendedUpdateInfo GetExtendedUpdateInfo GetFileLocations GetExtendedUpdateInfo ReportEventBatch$/);
    // the 25 files of the first chunk's answer, each a 20-byte SHA-1
    expect(w.fileLocationRequests).toHaveLength(1);
    const asked = w.fileLocationRequests[0]!;
    expect(asked).toEqual(w.digestsSent.slice(0, 25));
    for (const d of asked) expect(Buffer.from(d, 'base64')).toHaveLength(20);
  });

  it('a server that does not answer GetFileLocations: the scan fails', async () => {
    const { w, r } = await scan({ fault: onSecondChunk() });
    expect(r.ok).toBe(false);
    expect(w.closed.get('GetFileLocations')).toBe(1);
  });

  it('in-process: a recovered fault, the scan is answered', () => {
    const sc = resolveScenario({ clients: 1, faults: [{ target: 'wsus', from: '0', to: '1h', soapFault: 'FileLocationChanged' }] });
    const stub = new StubCore(sc.stub);
    const x = stub.exchange({ kind: 'wsus.scan', client: 0, sup: sc.stub.sups[0]! }, sc.start);
    expect(x.fault).not.toBeNull();
    expect(x.reply.kind).toBe('wsus.scan');
    expect(stub.recoveries).toBe(1);
  });
});
