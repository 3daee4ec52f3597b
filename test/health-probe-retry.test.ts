// The /health probe a run sends before aligning its clock on a stub: no
// answer is asked again (a busy stub is still a stub), an answer that is not
// a stub's, or nothing listening, is final at once.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { probeHealth } from '../harness/clock/align.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
});

/** A server on port 0 whose n-th request (from 1) is answered by answer(n, req, res); returns its URL and the requests counted. */
async function serve(answer: (n: number, req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; seen: () => number }> {
  let n = 0;
  const s = createServer((req, res) => answer(++n, req, res));
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, seen: () => n };
}

const STUB_HEALTH = JSON.stringify({
  status: 'ok',
  clock: { mode: 'scaled', timeFactor: 60, simStart: 0, simStartIso: '1970-01-01T00:00:00.000Z', wallStart: 0, wallStartIso: '1970-01-01T00:00:00.000Z', simNow: 1000, simNowIso: '1970-01-01T00:00:01.000Z' },
  scenario: { name: 's', hash: 'ab'.repeat(32) },
});

describe('the /health probe before an aligned run', () => {
  it('a stub that does not answer the first request in time is asked again, and found', async () => {
    const { url, seen } = await serve((n, _req, res) => {
      if (n === 1) return; // held: the probe times out
      res.writeHead(200, { 'content-type': 'application/json' }).end(STUB_HEALTH);
    });
    const p = await probeHealth(url, { timeoutMs: 200, retryMs: 10 });
    expect(p.kind).toBe('stub');
    expect(seen()).toBe(2);
  });

  it('no answer at all: "none" after every attempt, saying how many', async () => {
    const { url, seen } = await serve(() => undefined);
    const p = await probeHealth(url, { timeoutMs: 100, retryMs: 10, attempts: 3 });
    expect(p).toEqual({ kind: 'none', why: 'GET /health failed (timeout), 3 times' });
    expect(seen()).toBe(3);
  });

  it('a reset connection is asked again too', async () => {
    const { url, seen } = await serve((n, req, res) => {
      if (n === 1) return req.socket.destroy();
      res.writeHead(200, { 'content-type': 'application/json' }).end(STUB_HEALTH);
    });
    expect((await probeHealth(url, { timeoutMs: 1000, retryMs: 10 })).kind).toBe('stub');
    expect(seen()).toBe(2);
  });

  it('an answer that is not a stub\'s (a real MP\'s 404, JSON of its own) is final: one request', async () => {
    const notFound = await serve((_n, _req, res) => res.writeHead(404).end('not here'));
    expect(await probeHealth(notFound.url, { timeoutMs: 1000, retryMs: 10 })).toEqual({ kind: 'none', why: 'GET /health answered 404' });
    expect(notFound.seen()).toBe(1);
    const other = await serve((_n, _req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}'));
    expect(await probeHealth(other.url, { timeoutMs: 1000, retryMs: 10 })).toEqual({ kind: 'none', why: 'GET /health has no suca-fleet clock' });
    expect(other.seen()).toBe(1);
  });

  it('nothing listening (connection refused) is final at once', async () => {
    const { url } = await serve(() => undefined);
    const s = servers.pop()!;
    await new Promise<void>((r) => s.close(() => r()));
    // a retry would wait a minute, past the test's time limit
    const p = await probeHealth(url, { timeoutMs: 1000, retryMs: 60_000 });
    expect(p).toEqual({ kind: 'none', why: 'GET /health failed (ECONNREFUSED)' });
  });
});
