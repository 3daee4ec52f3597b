// The HTTP transport's answer hook (onAnswer): called as each HTTP answer
// ends, before the code waiting for that answer reads it, on both of the
// transport's request paths (fetchWhole's dispatch handler: CCM_POST and
// SOAP; undici's request(): DP downloads). The scaled clock hangs its
// catch-up there (test/clock-scaled-catch-up.test.ts).

import { afterAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Dispatcher } from 'undici';
import { HttpTransport, type MpWire } from '../agent/runtime/http/transport.js';
import { fetchWhole, splitUrl } from '../agent/runtime/http/fetch.js';
import type { Reply } from '../agent/core/types.js';

const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

/** Any path: 200 with a body of 3 KB, sent in two writes. */
async function server(): Promise<string> {
  const s = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.write(Buffer.alloc(1500, 1));
      setTimeout(() => res.end(Buffer.alloc(1500, 2)), 5);
    });
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

function transport(base: string, log: string[], hook: boolean): HttpTransport {
  const mpWire: MpWire = {
    async exchange(req, mpUrl, d: Dispatcher, timeoutMs): Promise<Reply> {
      const { origin, path } = splitUrl(mpUrl + '/ccm_system/request');
      const a = await fetchWhole(d, { origin, path, method: 'POST', body: 'x', headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
      log.push(`mp answer read (${a.body.length} B)`);
      return { kind: 'state.report' };
    },
  };
  const t = new HttpTransport({
    mp: base,
    mpWire,
    clientGuid: (i) => `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
    updateIndex: () => undefined,
    contentUrl: (dp, u) => `${dp}/content/${u}`,
    now: () => 0,
    timeoutMs: 5000,
    ...(hook ? { onAnswer: () => log.push('hook') } : {}),
  });
  return t;
}

describe('HTTP transport: the answer hook', () => {
  it('runs as a CCM_POST/SOAP answer ends, before the answer is read', async () => {
    const base = await server();
    const log: string[] = [];
    const t = transport(base, log, true);
    const delivered = new Promise<void>((resolve) =>
      t.bind((client, _t, r) => {
        log.push(`delivered ${client} ${r.kind}`);
        resolve();
      }),
    );
    expect(t.request({ kind: 'state.report', client: 7, msgs: [] }, 0)).toBeNull();
    await delivered;
    await t.close();
    expect(log).toEqual(['hook', 'mp answer read (3000 B)', 'delivered 7 state.report']);
  });

  it('runs as a DP download ends, before the download is delivered, once a file', async () => {
    const base = await server();
    const log: string[] = [];
    const t = transport(base, log, true);
    const delivered = new Promise<Reply>((resolve) => t.bind((_c, _t, r) => resolve(r)));
    t.request({ kind: 'dp.download', client: 3, dp: base, updates: [1, 2], bytes: 6000 }, 0);
    const r = await delivered;
    await t.close();
    expect(r).toEqual({ kind: 'dp.download', bytes: 6000 });
    expect(log).toEqual(['hook', 'hook']);
  });

  it('without a hook, answers go as before', async () => {
    const base = await server();
    const log: string[] = [];
    const t = transport(base, log, false);
    const delivered = new Promise<void>((resolve) => t.bind(() => resolve()));
    t.request({ kind: 'state.report', client: 1, msgs: [] }, 0);
    await delivered;
    await t.close();
    expect(log).toEqual(['mp answer read (3000 B)']);
  });
});
