// The stub DP over HTTP (and HTTPS): content with HEAD and Range, health,
// refusals with a body and a counter.

import { describe, expect, it, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { pino } from 'pino';
import { request } from 'undici';
import { StubCore } from '../server-stub/core/index.js';
import { serveRole, type RoleServer } from '../server-stub/http/server.js';
import { contentHandler } from '../server-stub/http/dp-handler.js';
import { dpContentUrl, wsusContentUrl } from '../server-stub/http/content.js';
import { scenario } from './helpers/kit.js';

const logger = pino({ level: 'silent' });
const servers: RoleServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function dp(tls = false) {
  const core = new StubCore(scenario({ clients: 2 }).stub);
  const stats = { requests: 0, bytes: 0, notFound: 0, badRange: 0 };
  const s = await serveRole('dp', contentHandler(core, stats), {
    logger,
    tls: tls ? { cert: readFileSync(new URL('./fixtures/tls/stub.crt', import.meta.url)), key: readFileSync(new URL('./fixtures/tls/stub.key', import.meta.url)) } : undefined,
  });
  servers.push(s);
  return { core, stats, s };
}

async function drain(body: AsyncIterable<Buffer>): Promise<number> {
  let n = 0;
  for await (const c of body) n += c.length;
  return n;
}

describe('stub DP over HTTP', () => {
  it('binds 127.0.0.1 on a free port and answers /health', async () => {
    const { s } = await dp();
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const r = await request(`${s.url}/health`);
    expect(r.statusCode).toBe(200);
    expect(await r.body.json()).toMatchObject({ role: 'dp', ok: true });
  });

  it('serves whole content and byte ranges sized from the catalogue', async () => {
    const { core, s, stats } = await dp();
    const u = 3;
    const size = core.catalogue.bytes[u]!;
    const url = dpContentUrl(s.url, core.catalogue, u);
    const head = await request(url, { method: 'HEAD' });
    expect(head.statusCode).toBe(200);
    expect(Number(head.headers['content-length'])).toBe(size);
    expect(head.headers['accept-ranges']).toBe('bytes');
    await head.body.dump();
    const part = await request(url, { headers: { range: 'bytes=100-1123' } });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 100-1123/${size}`);
    expect(await drain(part.body)).toBe(1024);
    const tail = await request(url, { headers: { range: 'bytes=-10' } });
    expect(tail.statusCode).toBe(206);
    expect(await drain(tail.body)).toBe(10);
    const small = core.catalogue.bytes.findIndex((b) => b < 4 * 1024 * 1024);
    const whole = await request(dpContentUrl(s.url, core.catalogue, small));
    expect(await drain(whole.body)).toBe(core.catalogue.bytes[small]);
    // WSUS content path form
    const w = await request(wsusContentUrl(s.url, core.catalogue, u), { method: 'HEAD' });
    expect(w.statusCode).toBe(200);
    await w.body.dump();
    expect(stats.requests).toBe(5);
  });

  it('refuses bad ranges, unknown content and other methods with a body and a counter', async () => {
    const { core, s } = await dp();
    const url = dpContentUrl(s.url, core.catalogue, 0);
    const cases: [string, Record<string, unknown>, number][] = [
      [url, { headers: { range: `bytes=${core.catalogue.bytes[0]! + 5}-` } }, 416],
      [url, { headers: { range: 'bytes=0-1,5-9' } }, 416],
      [`${s.url}/SMS_DP_SMSPKG$/Content_00000000-0000-4000-8000-000000000000.1/x.cab`, {}, 404],
      [`${s.url}/Content/AB/${'0'.repeat(40)}.cab`, {}, 404],
      [`${s.url}/etc/passwd`, {}, 404],
      [url, { method: 'POST', body: 'x' }, 405],
    ];
    for (const [u, opts, status] of cases) {
      const r = await request(u, opts as never);
      expect(r.statusCode, `${u} ${JSON.stringify(opts)}`).toBe(status);
      expect((await r.body.text()).length).toBeGreaterThan(0);
    }
    expect(s.stats.refused.get('not-found')).toBe(3);
    expect(s.stats.refused.get('method')).toBe(1);
  });

  it('applies the scenario\'s dp faults in their window: a status instead of the content, a reset connection', async () => {
    const sc = scenario({
      clients: 2,
      faults: [
        { target: 'dp', from: '0', to: '1h', status: 503 },
        { target: 'dp', operation: 'HEAD', from: '1h', to: '2h', reset: true },
      ],
    });
    const core = new StubCore(sc.stub);
    const stats = { requests: 0, bytes: 0, notFound: 0, badRange: 0 };
    let now = sc.start;
    const s = await serveRole('dp', contentHandler(core, stats, () => now), { logger });
    servers.push(s);
    const url = dpContentUrl(s.url, core.catalogue, 2);
    const busy = await request(url);
    expect(busy.statusCode).toBe(503);
    expect(await busy.body.text()).toMatch(/injected fault: HTTP 503/);
    now = sc.start + 3_600_000;
    // HEAD only: a GET in the window is served
    const get = await request(url);
    expect(get.statusCode).toBe(200);
    expect(await drain(get.body)).toBe(core.catalogue.bytes[2]);
    const reset = await request(url, { method: 'HEAD' }).then(() => null, (err: unknown) => err);
    expect((reset as { code?: string } | null)?.code).toMatch(/^UND_ERR_SOCKET|ECONNRESET/);
    now = sc.start + 2 * 3_600_000;
    const after = await request(url, { method: 'HEAD' });
    expect(after.statusCode).toBe(200);
    await after.body.dump();
    expect(core.faults.injected.get('dp')).toBe(2);
    expect(stats.requests).toBe(2); // the faulted requests were not served
  });

  it('serves over TLS with a given certificate and key', async () => {
    const { core, s } = await dp(true);
    expect(s.url).toMatch(/^https:/);
    const ca = readFileSync(new URL('./fixtures/tls/stub.crt', import.meta.url));
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpsRequest(dpContentUrl(s.url, core.catalogue, 1), { method: 'HEAD', ca }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(200);
  });
});
