// The WUA scan does what GetConfig says: the authorization plug-in
// (SimpleTargeting at its ServiceUrl, or Anonymous: no SimpleAuth call),
// IsRegistrationRequired, MaxExtendedUpdatesPerRequest (chunking, bounds) and
// the server's ProtocolVersion (read and handed back). Against the minimal
// WSUS written in the test.

import { describe, expect, it, afterAll } from 'vitest';
import { Agent } from 'undici';
import { wuaScan, maxExtendedUpdates, DEFAULT_MAX_EXTENDED } from '../agent/runtime/http/wua.js';
import { minimalWsus, type MinimalWsus, type MinimalWsusOptions } from './helpers/minimal-wsus.js';

const servers: MinimalWsus[] = [];
const agents: Agent[] = [];
afterAll(async () => {
  await Promise.all([...servers.map((s) => s.close()), ...agents.map((a) => a.close())]);
});

const CLIENT = '0d9c1e2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f';
const updates = Array.from({ length: 40 }, (_, k) => ({ id: `c0ffee00-0000-4000-8000-${String(k).padStart(12, '0')}`, revision: 200 + k }));

async function scan(o: Partial<MinimalWsusOptions> = {}) {
  const w = await minimalWsus({ updates, ...o });
  servers.push(w);
  const dispatcher = new Agent({ connections: 2 });
  agents.push(dispatcher);
  const r = await wuaScan({ sup: w.url, clientId: CLIENT, dnsName: 'pc1.fleet.test', now: () => Date.parse('2026-03-02T09:00:00Z'), dispatcher, timeoutMs: 5000, registered: new Set() });
  return { w, r };
}

describe('WUA scan obeys GetConfig', () => {
  it('Anonymous plug-in: no GetAuthorizationCookie, GetCookie without an authorization cookie', async () => {
    const { w, r } = await scan();
    expect(r.ok).toBe(true);
    expect(w.operations.get('GetAuthorizationCookie')).toBeUndefined();
    expect(w.authCookiesSeen).toBe(0);
    expect(r.ok && r.updateIds.length).toBe(40);
  });

  it('SimpleTargeting: GetAuthorizationCookie at the plug-in ServiceUrl, its cookie in GetCookie', async () => {
    const { w, r } = await scan({ simpleTargeting: 'Custom/SimpleAuth.asmx' });
    expect(r.ok).toBe(true);
    expect(w.authPaths).toEqual(['/Custom/SimpleAuth.asmx']);
    expect(w.authCookiesSeen).toBe(1);
  });

  it('IsRegistrationRequired false: no RegisterComputer; true: once', async () => {
    const off = await scan({ registrationRequired: false });
    expect(off.r.ok).toBe(true);
    expect(off.w.operations.get('RegisterComputer')).toBeUndefined();
    const on = await scan({ registrationRequired: true });
    expect(on.w.registered).toEqual(['pc1.fleet.test']);
  });

  it('MaxExtendedUpdatesPerRequest 7: 40 updates in ceil(40/7) = 6 GetExtendedUpdateInfo calls, none over', async () => {
    const { w, r } = await scan({ maxExtended: 7 });
    expect(r.ok).toBe(true);
    expect(w.operations.get('GetExtendedUpdateInfo')).toBe(6);
    expect(w.oversizedExtended).toBe(0);
  });

  it('the server ProtocolVersion is read and handed back', async () => {
    const { r } = await scan({ protocolVersion: '3.0' });
    expect(r.ok && r.sync.serverProtocolVersion).toBe('3.0');
  });

  it('MaxExtendedUpdatesPerRequest bounds: not a positive integer -> 50, at most 10000', () => {
    const cfg = (v: string) => ({ op: 'GetConfig' as const, lastChange: '2026-03-01T00:00:00Z', isRegistrationRequired: true, authInfo: [], properties: [{ name: 'MaxExtendedUpdatesPerRequest', value: v }] });
    expect(maxExtendedUpdates(cfg('25'))).toBe(25);
    expect(maxExtendedUpdates(cfg(' 50 '))).toBe(50);
    for (const bad of ['0', '-5', 'abc', '', '2.5']) expect(maxExtendedUpdates(cfg(bad)), bad).toBe(DEFAULT_MAX_EXTENDED);
    expect(maxExtendedUpdates(cfg('1000000'))).toBe(10_000);
    expect(maxExtendedUpdates({ ...cfg('1'), properties: [] })).toBe(DEFAULT_MAX_EXTENDED);
  });
});
