// HTTP failures map to the HRESULTs the real client reports, checked against
// real sockets (servers on port 0) through undici.

import { describe, expect, it, afterAll } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request, Agent } from 'undici';
import { hresultForError, hresultForStatus } from '../agent/wire/hresult.js';

const servers: Server[] = [];
afterAll(() => Promise.all(servers.map((s) => new Promise((r) => { s.closeAllConnections(); s.close(r); }))));

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const s = createServer(handler!);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

async function failure(url: string, dispatcher?: Agent): Promise<unknown> {
  try {
    const r = await request(url, dispatcher ? { dispatcher } : {});
    await r.body.dump();
    return null;
  } catch (err) {
    return err;
  }
}

describe('HTTP failures as HRESULTs', () => {
  it('statuses map to WU_E_PT_HTTP_STATUS_*', () => {
    expect(hresultForStatus(400)).toBe(0x80244016);
    expect(hresultForStatus(404)).toBe(0x80244019);
    expect(hresultForStatus(408)).toBe(0x8024401c);
    expect(hresultForStatus(500)).toBe(0x8024401f);
    expect(hresultForStatus(503)).toBe(0x80244022);
    expect(hresultForStatus(505)).toBe(0x80244024);
    expect(hresultForStatus(418)).toBe(0x8024402b);
    expect(hresultForStatus(406)).toBe(0x8024402b);
  });

  it('a refused connection is 0x80072EFD, a reset 0x80072EFE', async () => {
    const closed = await serve(() => {});
    const port = Number(new URL(closed).port);
    await new Promise((r) => servers.pop()!.close(r));
    expect(hresultForError(await failure(`http://127.0.0.1:${port}/`))).toBe(0x80072efd);
    const resetting = await serve((req) => req.socket.destroy());
    expect(hresultForError(await failure(resetting))).toBe(0x80072efe);
  });

  it('no answer in time: 0x80072EE2 (WinHTTP timeout) whoever asked; HTTP 408 is 0x8024401C', async () => {
    const silent = await serve(() => {});
    const impatient = new Agent({ headersTimeout: 100 });
    const err = await failure(silent, impatient);
    expect(hresultForError(err)).toBe(0x80072ee2);
    // the retry code 0x8024401C is a status the server sent, never the client's own timeout
    expect(hresultForStatus(408)).toBe(0x8024401c);
    await impatient.close();
  });

  it('anything else is not a transport failure', () => {
    expect(hresultForError(new Error('boom'))).toBe(0);
    expect(hresultForError(null)).toBe(0);
  });
});
