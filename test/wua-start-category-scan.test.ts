// StartCategoryScan is newer than some servers: when one answers it with a
// SOAP fault, an HTTP error status or a closed connection, the scan goes on
// (the sync does not need it). A timeout still fails the scan, and the same
// failures on an operation the sync needs fail it with the HRESULT of the
// failure. Against the project's stub WSUS, its faults applied as real HTTP
// effects.

import { describe, expect, it, afterAll } from 'vitest';
import { pino } from 'pino';
import { Agent } from 'undici';
import { StubCore } from '../server-stub/core/index.js';
import { serveRole, type RoleServer } from '../server-stub/http/server.js';
import { wsusHandler, wsusStats } from '../server-stub/http/wsus-handler.js';
import { wuaScan } from '../agent/runtime/http/wua.js';
import { clientGuid } from '../server-stub/core/clients.js';
import { scenario } from './helpers/kit.js';

const logger = pino({ level: 'silent' });
const servers: RoleServer[] = [];
const agents: Agent[] = [];
afterAll(async () => {
  await Promise.all([...servers.map((s) => s.close()), ...agents.map((a) => a.close())]);
});

async function scanWith(fault: Record<string, unknown>, timeoutMs = 5000) {
  const sc = scenario({ clients: 4, faults: [{ from: '0', to: '1d', ...fault }] });
  const core = new StubCore(sc.stub);
  const stats = wsusStats();
  const s = await serveRole('wsus', wsusHandler({ core, clock: () => sc.start }, stats, { requests: 0, bytes: 0, notFound: 0, badRange: 0 }), { logger });
  servers.push(s);
  const dispatcher = new Agent({ connections: 4 });
  agents.push(dispatcher);
  const r = await wuaScan({ sup: s.url, clientId: clientGuid(sc.seed, 1).toLowerCase(), dnsName: 'client1.stub.test', now: () => sc.start, dispatcher, timeoutMs, registered: new Set() });
  return { r, stats };
}

describe('StartCategoryScan not implemented', () => {
  for (const [name, effect] of [
    ['a SOAP fault', { soapFault: 'InternalServerError' }],
    ['HTTP 404', { status: 404 }],
    ['HTTP 500 without a SOAP body', { status: 500 }],
    ['a closed connection', { reset: true }],
  ] as const) {
    it(`${name}: the scan goes on and completes`, async () => {
      const { r, stats } = await scanWith({ target: 'wsus', operation: 'StartCategoryScan', ...effect });
      expect(r.ok).toBe(true);
      expect(r.ok && r.updateIds.length).toBeGreaterThan(0);
      expect(stats.faults).toBe(1);
      expect(stats.operations.get('ReportEventBatch')).toBe(1);
    });
  }

  it('a timeout on StartCategoryScan fails the scan (0x80072EE2, WinHTTP timeout)', async () => {
    const { r } = await scanWith({ target: 'wsus', operation: 'StartCategoryScan', delay: '2s' }, 300);
    expect(r).toMatchObject({ ok: false, code: 0x80072ee2 });
  });

  it('the same failures on SyncUpdates fail the scan with their HRESULT', async () => {
    expect((await scanWith({ target: 'wsus', operation: 'SyncUpdates', soapFault: 'InternalServerError' })).r).toMatchObject({ ok: false, code: 0x8024400e });
    expect((await scanWith({ target: 'wsus', operation: 'SyncUpdates', status: 404 })).r).toMatchObject({ ok: false, code: 0x80244019 });
    expect((await scanWith({ target: 'wsus', operation: 'SyncUpdates', reset: true })).r).toMatchObject({ ok: false, code: 0x80072efe });
  });
});
