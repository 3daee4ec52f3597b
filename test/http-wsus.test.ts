// The stub WSUS over HTTP and the agent's WUA scan against it: the full
// MS-WUSP sequence, paging, per-operation counters, faults and recovery.

import { describe, expect, it, afterAll } from 'vitest';
import { request as httpRequest } from 'node:http';
import { pino } from 'pino';
import { Agent } from 'undici';
import { StubCore } from '../server-stub/core/index.js';
import { serveRole, type RoleServer } from '../server-stub/http/server.js';
import { wsusHandler, wsusStats, PAGE_SIZE } from '../server-stub/http/wsus-handler.js';
import { wuaScan } from '../agent/runtime/http/wua.js';
import { applicableUpdates } from '../agent/core/machine.js';
import { clientGuid } from '../server-stub/core/clients.js';
import { clientHeaders, decodeResponse, encodeRequest, isFault } from '../agent/wire/wusp/codec.js';
import { scenario } from './helpers/kit.js';

const logger = pino({ level: 'silent' });
const servers: RoleServer[] = [];
const agents: Agent[] = [];
afterAll(async () => {
  await Promise.all([...servers.map((s) => s.close()), ...agents.map((a) => a.close())]);
});

async function wsus(input: Record<string, unknown> = {}) {
  const sc = scenario({ clients: 20, ...input });
  const core = new StubCore(sc.stub);
  let now = sc.start;
  const stats = wsusStats();
  const s = await serveRole('wsus', wsusHandler({ core, clock: () => now }, stats, { requests: 0, bytes: 0, notFound: 0, badRange: 0 }), { logger });
  servers.push(s);
  const dispatcher = new Agent({ connections: 8 });
  agents.push(dispatcher);
  const scan = (c: number, registered = new Set<string>(), onOperation?: (op: string) => void) =>
    wuaScan({ sup: s.url, clientId: clientGuid(sc.seed, c).toLowerCase(), dnsName: `client${c}.stub.test`, now: () => now, dispatcher, timeoutMs: 5000, registered, onOperation });
  return { sc, core, s, stats, scan, advance: (ms: number) => (now += ms) };
}

describe('stub WSUS over HTTP', () => {
  it('an online scan performs the full MS-WUSP sequence and returns the client applicable updates', async () => {
    const w = await wsus();
    const r = await w.scan(3);
    expect(r.ok).toBe(true);
    const expected = applicableUpdates(w.sc.seed, w.core.catalogue, 3).map((u) => w.core.catalogue.ids[u]!.toLowerCase());
    expect(r.ok && [...r.updateIds].sort()).toEqual([...expected].sort());
    const pages = Math.ceil(expected.length / PAGE_SIZE) + (expected.length % PAGE_SIZE === 0 ? 1 : 0);
    const ops = Object.fromEntries(w.stats.operations);
    expect(ops).toEqual({
      GetConfig: 1,
      GetAuthorizationCookie: 1,
      GetCookie: 1,
      RegisterComputer: 1,
      StartCategoryScan: 1,
      // the software pass in pages of 30, then the driver pass
      SyncUpdates: pages + 1,
      GetExtendedUpdateInfo: Math.ceil(expected.length / 50),
      ReportEventBatch: 1,
    });
    expect(expected.length).toBeGreaterThan(PAGE_SIZE); // paging really happened
    expect(w.stats.scans).toBe(1);
    expect(w.core.wsus.counters.scans).toBe(1);
    // a second scan of the same client does not register again
    const registered = new Set([clientGuid(w.sc.seed, 3).toLowerCase()]);
    await w.scan(3, registered);
    expect(w.stats.operations.get('RegisterComputer')).toBe(1);
    expect(w.stats.scans).toBe(2);
  });

  it('faults reach the client as the real client reports them; cookie faults are recovered', async () => {
    const w = await wsus({
      faults: [
        { target: 'wsus', operation: 'SyncUpdates', from: '0', to: '1h', status: 503 },
        { target: 'wsus', operation: 'GetConfig', from: '10h', to: '11h', soapFault: 'ServerBusy' },
        { target: 'wsus', operation: 'GetCookie', from: '11h', to: '12h', reset: true },
      ],
    });
    expect(await w.scan(1)).toMatchObject({ ok: false, code: 0x80244022 });
    w.advance(3_600_000);
    // the cookie (valid 1 h) expires in the middle of the scan: CookieExpired, the cookie sequence again, go on
    let expired = false;
    const recovered = await w.scan(1, new Set(), (op) => {
      if (op === 'GetExtendedUpdateInfo' && !expired) {
        expired = true;
        w.advance(2 * 3_600_000);
      }
    });
    expect(recovered.ok).toBe(true);
    expect(w.stats.operations.get('GetCookie')).toBe(2 + 1); // two scans so far, plus the recovery
    w.advance(7 * 3_600_000); // 10 h
    expect(await w.scan(1)).toMatchObject({ ok: false, code: 0x8024400e });
    w.advance(3_600_000);
    expect(await w.scan(1)).toMatchObject({ ok: false, code: 0x80072efe });
    expect(w.stats.faults).toBe(3); // 503, ServerBusy, reset (the expiry was no injected fault)
  });

  it('answers a request shaped exactly like the real client (raw headers, element order)', async () => {
    const w = await wsus();
    const { path, soapAction, body } = encodeRequest({ op: 'GetConfig', protocolVersion: '2.90' });
    const url = new URL(w.s.url);
    const headers = clientHeaders(soapAction, Buffer.byteLength(body), { msCv: 'AAAAAAAAAAAAAAAA.1.0.0.2.1'.slice(0, 16) + '.1.0.0.2.1', host: url.host });
    const res = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest({ host: url.hostname, port: url.port, path, method: 'POST', headers: headers.flat() as unknown as Record<string, string> }, (r) => {
        let t = '';
        r.setEncoding('utf8');
        r.on('data', (c) => (t += c));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, text: t }));
      });
      req.on('error', reject);
      req.end(body);
    });
    expect(res.status).toBe(200);
    const r = decodeResponse('GetConfig', res.text);
    expect(isFault(r)).toBe(false);
    expect(r).toMatchObject({ op: 'GetConfig', isRegistrationRequired: true });
  });

  it('bad SOAP gets a 400 with the error code and a counter; the server keeps serving', async () => {
    const w = await wsus();
    const post = (soapAction: string | undefined, body: string) =>
      fetch(`${w.s.url}/ClientWebService/client.asmx`, { method: 'POST', headers: { 'Content-Type': 'text/xml; charset=utf-8', ...(soapAction ? { SOAPAction: soapAction } : {}) }, body });
    const { body } = encodeRequest({ op: 'GetConfig', protocolVersion: '2.90' });
    for (const [action, b, code] of [
      [undefined, body, 'SUCA_ERR_WIRE_SOAPACTION'],
      ['"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService/GetCookie"', body, 'SUCA_ERR_WIRE_SOAPACTION'],
      ['"x"', '<s:Envelope', 'SUCA_ERR_WIRE_XML'],
      ['"x"', '<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', 'SUCA_ERR_WIRE_XML'],
    ] as const) {
      const r = await post(action, b);
      expect(r.status, `${action} ${b.slice(0, 20)}`).toBe(400);
      expect(await r.text()).toContain(code);
    }
    expect([...w.s.stats.refused.values()].reduce((a, b) => a + b, 0)).toBe(4);
    expect((await w.scan(0)).ok).toBe(true);
  });
});
