// The MS-WUSP calls of a scan, in order, on the wire (wire-protocols.md: GetConfig ->
// GetAuthorizationCookie -> GetCookie -> RegisterComputer -> StartCategoryScan ->
// SyncUpdates ... -> GetExtendedUpdateInfo -> ReportEventBatch; after InvalidCookie,
// ServerChanged or ConfigChanged the client redoes GetConfig -> GetAuthorizationCookie ->
// GetCookie, and RefreshCache when it holds revisions: test/wua-refresh-cache). Recorded by the minimal WSUS written in the test (test/helpers/minimal-wsus.ts,
// requests read with regular expressions, nothing of agent/wire trusted), with a
// SimpleTargeting plug-in so that the authorization step is on the wire too.
import { describe, expect, it, afterAll } from 'vitest';
import { Agent } from 'undici';
import { wuaScan } from '../agent/runtime/http/wua.js';
import { minimalWsus, type MinimalWsus, type MinimalWsusOptions } from './helpers/minimal-wsus.js';

const servers: MinimalWsus[] = [];
const agents: Agent[] = [];
afterAll(async () => {
  await Promise.all([...servers.map((s) => s.close()), ...agents.map((a) => a.close())]);
});

const updates = Array.from({ length: 40 }, (_, k) => ({ id: `c0ffee00-0000-4000-8000-${String(k).padStart(12, '0')}`, revision: 200 + k }));

async function scan(o: Partial<MinimalWsusOptions> = {}) {
  const w = await minimalWsus({ updates, simpleTargeting: 'SimpleAuthWebService/SimpleAuth.asmx', maxExtended: 25, ...o });
  servers.push(w);
  const dispatcher = new Agent({ connections: 1 });
  agents.push(dispatcher);
  const r = await wuaScan({ sup: w.url, clientId: '0d9c1e2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f', dnsName: 'pc1.fleet.test', now: () => Date.parse('2026-03-02T09:00:00Z'), dispatcher, timeoutMs: 5000, registered: new Set() });
  return { w, r };
}

describe('the MS-WUSP calls of a scan, in order', () => {
  it('a first scan: GetConfig, GetAuthorizationCookie, GetCookie, RegisterComputer, StartCategoryScan, the SyncUpdates pages, GetExtendedUpdateInfo, ReportEventBatch', async () => {
    const { w, r } = await scan();
    expect(r.ok).toBe(true);
    expect(w.calls.join(' ')).toMatch(/^GetConfig GetAuthorizationCookie GetCookie RegisterComputer StartCategoryScan( SyncUpdates){2,}( GetExtendedUpdateInfo)+ ReportEventBatch$/);
    // 40 new updates, MaxExtendedUpdatesPerRequest 25
    expect(w.calls.filter((c) => c === 'GetExtendedUpdateInfo')).toHaveLength(2);
  });

  for (const fault of ['InvalidCookie', 'ServerChanged', 'ConfigChanged'] as const) {
    it(`${fault} on the first SyncUpdates: GetConfig, GetAuthorizationCookie and GetCookie again, then the sync from its start`, async () => {
      let n = 0;
      const { w, r } = await scan({ fault: (op) => (op === 'SyncUpdates' && n++ === 0 ? fault : null) });
      expect(r.ok).toBe(true);
      expect(w.calls.join(' ')).toMatch(
        /^GetConfig GetAuthorizationCookie GetCookie RegisterComputer StartCategoryScan SyncUpdates GetConfig GetAuthorizationCookie GetCookie( SyncUpdates){2,}( GetExtendedUpdateInfo)+ ReportEventBatch$/,
      );
    });
  }
});
