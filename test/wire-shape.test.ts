// The agent's own requests have the real client's shape on the wire: WSUS
// requests with the Windows Update Agent's header set and order, MP messages
// as CCM_POST with ccmhttp's headers and a signed CCM payload. Seen from a
// raw capturing server, not from the codec.

import { describe, expect, it, afterAll } from 'vitest';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { X509Certificate, verify as cryptoVerify } from 'node:crypto';
import { pino } from 'pino';
import { Agent } from 'undici';
import { wuaScan } from '../agent/runtime/http/wua.js';
import { clientHeaders, decodeRequest, soapActionHeader } from '../agent/wire/wusp/codec.js';
import { CcmMpWire } from '../agent/runtime/http/mp-wire.js';
import { KeyPool, generateClientKey, openMessage } from '../agent/wire/ccm/index.js';
import { resolveScenario } from '../harness/scenario/resolve.js';
import { runFleet } from '../harness/run.js';
import { buildResults } from '../harness/output/results.js';
import { CcmMethodRewriter } from '../server-stub/http/ccm-method.js';
import { createServer as createNetServer } from 'node:net';

const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of closers) await c();
});

interface Captured {
  method: string;
  url: string;
  rawHeaders: string[];
  body: Buffer;
}

/** A server that records the first request and answers 503 (so the client stops there). */
async function capture(ccm = false): Promise<{ url: string; got: Captured[] }> {
  const got: Captured[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ method: String(req.headers['x-ccm-method'] ?? req.method), url: req.url ?? '', rawHeaders: req.rawHeaders, body: Buffer.concat(chunks) });
      res.writeHead(503, { 'Content-Type': 'text/plain' });
      res.end('captured\n');
    });
  });
  const front = ccm ? createNetServer((s) => server.emit('connection', new CcmMethodRewriter(s))) : null;
  const listener = front ?? server;
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise<void>((r) => { server.closeAllConnections(); listener.close(() => r()); }));
  return { url: `http://127.0.0.1:${(listener.address() as AddressInfo).port}`, got };
}

const names = (raw: string[]) => raw.filter((_, i) => i % 2 === 0);

describe('the agent puts the real client shape on the wire', () => {
  it('WSUS: the Windows Update Agent header set and order, quoted SOAPAction, no xpress, a body the codec reads', async () => {
    const { url, got } = await capture();
    const dispatcher = new Agent();
    closers.push(() => dispatcher.close());
    const r = await wuaScan({ sup: url, clientId: '0f6f2e3c-1b2a-4c3d-8e4f-5a6b7c8d9e0f', dnsName: 'pc1.test', now: () => Date.parse('2026-01-05T00:00:00Z'), dispatcher, timeoutMs: 5000, registered: new Set() });
    expect(r).toMatchObject({ ok: false, code: 0x80244022 });
    const req = got[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/ClientWebService/client.asmx');
    const body = req.body.toString('utf8');
    const expected = clientHeaders(soapActionHeader('GetConfig'), req.body.length, { msCv: 'x', host: 'h' }).map(([k]) => k.toLowerCase());
    // the real client's order; undici puts Host first and its own Connection handling aside
    const sent = names(req.rawHeaders).map((h) => h.toLowerCase()).filter((h) => h !== 'host' && h !== 'connection');
    expect(sent).toEqual(expected.filter((h) => h !== 'host' && h !== 'connection'));
    const value = (n: string) => req.rawHeaders[req.rawHeaders.findIndex((h, i) => i % 2 === 0 && h.toLowerCase() === n) + 1];
    expect(value('soapaction')).toBe('"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService/GetConfig"');
    expect(value('user-agent')).toBe('Windows-Update-Agent/1507.2601.30012.0 Client-Protocol/2.90');
    expect(value('ms-cv')).toMatch(/^[A-Za-z0-9+/]{16}\.1\.0\.0\.2\.1$/);
    expect(names(req.rawHeaders).map((h) => h.toLowerCase())).not.toContain('accept-encoding');
    expect(body.startsWith('<?xml')).toBe(false);
    expect(decodeRequest(value('soapaction'), req.url, body)).toEqual({ op: 'GetConfig', protocolVersion: '2.90' });
  });

  it('MP: CCM_POST to /ccm_system/request with ccmhttp, multipart/mixed, a signed message naming the endpoint', async () => {
    const { url, got } = await capture(true);
    const dispatcher = new Agent();
    closers.push(() => dispatcher.close());
    const key = generateClientKey(1024);
    const wire = new CcmMpWire({
      clientGuid: () => '0F6F2E3C-1B2A-4C3D-8E4F-5A6B7C8D9E0F',
      topicIdOf: () => '{X}',
      updateSourceId: 'S',
      contentIdOf: () => 'C',
      now: () => Date.parse('2026-01-05T00:00:00Z'),
      keys: new KeyPool([key]),
    });
    const r = await wire.exchange({ kind: 'policy.assignments', client: 0, knownVersion: 0 }, url, dispatcher, 5000);
    expect(r).toMatchObject({ kind: 'error', code: 0x80244022 });
    const req = got[0]!; // the registration that comes first
    expect(req.method).toBe('CCM_POST');
    expect(req.url).toBe('/ccm_system/request');
    const value = (n: string) => req.rawHeaders[req.rawHeaders.findIndex((h, i) => i % 2 === 0 && h.toLowerCase() === n) + 1];
    expect(value('user-agent')).toBe('ccmhttp');
    expect(value('content-type')).toBe('multipart/mixed; boundary="aAbBcCdDv1234567890VxXyYzZ"');
    const m = openMessage(value('content-type')!, req.body);
    expect(m.header.targetEndpoint).toBe('MP_ClientRegistration');
    expect(m.header.sourceId).toBe('GUID:0F6F2E3C-1B2A-4C3D-8E4F-5A6B7C8D9E0F');
    // as ccmsetup sends it: no clientauth hook, the certificate and its own signature in the body
    expect(m.header.clientAuth).toBeNull();
    expect(m.body.startsWith('<ClientRegistrationRequest>')).toBe(true);
    const sig = /<SignatureValue>([0-9A-F]+)<\/SignatureValue>/.exec(m.body)![1]!;
    const data = m.body.slice(m.body.indexOf('<Data'), m.body.indexOf('</Data>') + 7);
    const certHex = /<Signing Encoding="HexBinary" KeyType="1">([0-9A-F]+)<\/Signing>/.exec(data)![1]!;
    const cert = new X509Certificate(Buffer.from(certHex, 'hex'));
    expect(cert.subject).toBe('CN=ConfigMgr Client');
    expect(cryptoVerify('sha256', Buffer.from(data, 'utf16le'), cert.publicKey, Buffer.from(sig, 'hex').reverse())).toBe(true);
  });

  it('over https with a CA the agent is given', async () => {
    const cert = readFileSync(new URL('./fixtures/tls/stub.crt', import.meta.url));
    const key = readFileSync(new URL('./fixtures/tls/stub.key', import.meta.url));
    const sc = resolveScenario({ clients: 3, duration: '2d', catalogue: { updates: 20, newUpdates: 3, maxSizeMB: 1 } });
    const o = await runFleet(sc, { logger: pino({ level: 'silent' }), transport: { kind: 'http', tls: { cert, key }, ca: cert } });
    const r = buildResults(o);
    expect(r.wire!.urls.mp).toMatch(/^https:\/\/127\.0\.0\.1:/);
    expect(r.wire!.urls.wsus).toMatch(/^https:/);
    expect(r.scans.online).toBeGreaterThan(0);
    expect(r.scans.failuresByCode).toEqual({});
    expect(r.stateMessages.ingested).toBe(r.stateMessages.delivered);
  });
});
