// A client keeps its WSUS cookie between scans while it lasts: the captured
// Windows 11 client's second scan within the hour starts with SyncUpdates, the
// cookie's Expiration unchanged, with no GetConfig, GetAuthorizationCookie or
// GetCookie (CaddyGlow/wsus-rs docs/fixtures/wsus-m0-native, flow), and MS-WUSP
// 3.1.5.2 has the client cache the GetConfig answer. The stub WSUS's cookies
// last an hour: a scan 20 minutes after the last goes straight on, one a day
// later runs the handshake again.

import { afterAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { resolveScenario } from '../harness/scenario/resolve.js';
import { runFleet } from '../harness/run.js';
import { buildResults } from '../harness/output/results.js';
import { WuaSessions } from '../agent/runtime/http/sessions.js';
import type { Cookie, GetConfigResponse } from '../agent/wire/wusp/codec.js';
import { Agent } from 'undici';
import { wuaScan } from '../agent/runtime/http/wua.js';
import { minimalWsus, type MinimalWsus } from './helpers/minimal-wsus.js';

const silent = pino({ level: 'silent' });
const CONFIG = { op: 'GetConfig', lastChange: '2026-03-01T00:00:00Z', isRegistrationRequired: true, authInfo: [], properties: [] } as GetConfigResponse;
const cookie = (expiration: string): Cookie => ({ expiration, encryptedData: 'AA==' });
const T = Date.parse('2026-03-02T10:00:00Z');

describe('WuaSessions: a cookie kept per client and SUP while it lasts', () => {
  it('given back before its Expiration, on the same SUP only; dropped once expired', () => {
    const s = new WuaSessions();
    s.for(1, 'http://sup-a').keep({ cookie: cookie('2026-03-02T11:00:00Z'), config: CONFIG });
    expect(s.for(1, 'http://sup-a').get(T + 59 * 60_000)).toEqual({ cookie: cookie('2026-03-02T11:00:00Z'), config: CONFIG });
    expect(s.for(1, 'http://sup-b').get(T)).toBeUndefined(); // another server: its own handshake
    expect(s.for(2, 'http://sup-a').get(T)).toBeUndefined(); // another client
    expect(s.for(1, 'http://sup-a').get(T + 60 * 60_000)).toBeUndefined(); // at its Expiration
    expect(s.size).toBe(0);
    expect(s.reused).toBe(1);
  });

  it('a cookie whose Expiration cannot be read is not kept', () => {
    const s = new WuaSessions();
    s.for(1, 'http://sup-a').keep({ cookie: cookie('not a date'), config: CONFIG });
    expect(s.size).toBe(0);
  });
});

describe('over HTTP, against the stub WSUS', () => {
  it('a scan 20 minutes after the last reuses its cookie; a scan a day later runs GetConfig .. GetCookie again', async () => {
    const sc = resolveScenario({
      clients: 1,
      duration: '4d',
      catalogue: { updates: 20, newUpdates: 2, maxSizeMB: 1 },
      actions: [
        { kind: 'manualScan', at: '2d', within: '1m', fraction: 1 },
        { kind: 'manualScan', at: '2d20m', within: '1m', fraction: 1 },
        { kind: 'manualScan', at: '3d', within: '1m', fraction: 1 },
      ],
    });
    const o = await runFleet(sc, { logger: silent, transport: { kind: 'http', sign: false } });
    const r = buildResults(o);
    expect(r.scans.failuresByCode).toEqual({});
    const count = (op: string) => r.operations?.[`wsus ${op}`]?.count ?? 0;
    const syncs = count('SyncUpdates');
    const handshakes = count('GetConfig');
    expect(handshakes).toBeGreaterThan(1);
    expect(count('GetCookie')).toBe(handshakes);
    // every scan ends with one ReportEventBatch; one of them ran without the handshake
    const scans = count('ReportEventBatch');
    expect(scans).toBeGreaterThanOrEqual(4);
    expect(handshakes).toBe(scans - 1);
    expect(syncs).toBeGreaterThanOrEqual(2 * scans);
  });
});

describe('against the minimal WSUS (written in the test), three scans of one client', () => {
  const servers: MinimalWsus[] = [];
  const agents: Agent[] = [];
  afterAll(async () => {
    await Promise.all([...servers.map((x) => x.close()), ...agents.map((a) => a.close())]);
  });

  it('at T, T + 20 min (its cookie kept: straight to the sync) and T + 2 h (expired: the handshake again)', async () => {
    const updates = Array.from({ length: 10 }, (_, k) => ({ id: `c0ffee00-0000-4000-8000-${String(k).padStart(12, '0')}`, revision: 100 + k }));
    const w = await minimalWsus({ updates });
    servers.push(w);
    const dispatcher = new Agent({ connections: 1 });
    agents.push(dispatcher);
    const sessions = new WuaSessions();
    const registered = new Set<string>();
    const scanAt = async (t: number) => {
      const from = w.calls.length;
      const r = await wuaScan({
        sup: w.url, clientId: '2f3e4d5c-6b7a-4988-8a9b-0c1d2e3f4a5b', dnsName: 'pc3.fleet.test', now: () => t, dispatcher, timeoutMs: 5000, registered,
        session: sessions.for(7, w.url),
      });
      expect(r.ok).toBe(true);
      return w.calls.slice(from);
    };
    expect((await scanAt(T)).slice(0, 3)).toEqual(['GetConfig', 'GetCookie', 'RegisterComputer']);
    const second = await scanAt(T + 20 * 60_000);
    expect(second).not.toContain('GetConfig');
    expect(second).not.toContain('GetCookie');
    expect(second.filter((op) => op === 'SyncUpdates').length).toBeGreaterThan(0);
    // the sync went on in the first scan's session: its cookie
    expect(w.sessions).toHaveLength(1);
    expect((await scanAt(T + 2 * 3_600_000))[0]).toBe('GetConfig');
    expect(w.sessions).toHaveLength(2);
    expect(sessions.reused).toBe(1);
  });
});
