// The CCM_POST front passes an answer's head and body to the socket in one
// corked burst (server-stub/http/ccm-method.ts _writev): one writev system
// call an answer instead of one write per piece (three for every MP answer
// before, counted with strace -c on the stub, BENCHMARKS.md).

import { describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import { CcmMethodRewriter } from '../server-stub/http/ccm-method.js';

/** A socket that records what reaches it: writes, and whether the socket was corked then. */
function recordingSocket() {
  const log: { corked: boolean; bytes: string }[] = [];
  let corked = 0;
  let uncorks = 0;
  const sock = Object.assign(new EventEmitter(), {
    pause() {},
    resume() {},
    destroy() {},
    setNoDelay() {},
    setTimeout() {},
    setKeepAlive() {},
    cork() {
      corked++;
    },
    uncork() {
      if (corked > 0) corked--;
      uncorks++;
    },
    write(b: Buffer | string) {
      log.push({ corked: corked > 0, bytes: Buffer.from(b).toString('latin1') });
      return true;
    },
    end(cb?: () => void) {
      cb?.();
    },
  });
  return { sock: sock as unknown as Socket, log, uncorks: () => uncorks };
}

describe('CCM_POST front writes', () => {
  it("an MP answer's head and body reach the socket in one corked burst", async () => {
    const body = Buffer.alloc(3000, 0x41);
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'multipart/mixed', 'Content-Length': body.length });
      res.end(body);
    });
    const { sock, log, uncorks } = recordingSocket();
    server.emit('connection', new CcmMethodRewriter(sock));
    sock.emit('data', Buffer.from('CCM_POST /ccm_system/request HTTP/1.1\r\nHost: mp\r\nContent-Length: 4\r\n\r\nbody', 'latin1'));
    for (let i = 0; i < 50 && !log.map((w) => w.bytes).join('').endsWith('A'.repeat(10)); i++) await new Promise((r) => setImmediate(r));
    const all = log.map((w) => w.bytes).join('');
    expect(all.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
    expect(all.endsWith(body.toString('latin1'))).toBe(true);
    // every piece went out while the socket was corked, and one uncork let them all go together
    expect(log.length).toBeGreaterThanOrEqual(2);
    expect(log.every((w) => w.corked)).toBe(true);
    expect(uncorks()).toBe(1);
    server.close();
  });
});
