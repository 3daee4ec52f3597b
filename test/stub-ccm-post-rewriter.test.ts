// The CCM_POST front of the stub MP (server-stub/http/ccm-method.ts): Node's
// HTTP parser does not know the CCM_POST method, so the front rewrites the
// request line to POST before the parser sees it, however the bytes arrive
// (split anywhere, pipelined), and passes anything else on at once.

import { describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { CcmMethodRewriter } from '../server-stub/http/ccm-method.js';
import { prng } from './helpers/prng.js';

const SEED = 0x5eed_b4d;

describe('CCM_POST rewriter', () => {
  it('the CCM_POST front rewrites split, pipelined requests and passes anything else on at once', () => {
    /** What the HTTP server reads from the rewriter when the client sends `parts`. */
    const through = (parts: readonly Buffer[]): string => {
      const sock = Object.assign(new EventEmitter(), { pause() {}, resume() {}, destroy() {}, setNoDelay() {} }) as unknown as Socket;
      const rw = new CcmMethodRewriter(sock);
      const out: Buffer[] = [];
      for (const p of parts) sock.emit('data', p);
      // what the rewriter has pushed so far, read synchronously
      for (let b = rw.read() as Buffer | null; b !== null; b = rw.read() as Buffer | null) out.push(b);
      return Buffer.concat(out).toString('latin1');
    };
    const stream =
      'CCM_POST /ccm_system/request HTTP/1.1\r\nHost: x\r\nContent-Length: 14\r\n\r\nCCM_POST body\n' +
      'GET /SMS_MP/.sms_aut?MPLIST HTTP/1.1\r\nHost: x\r\n\r\n' +
      '\r\nCCM_POST /ccm_system/request HTTP/1.1\r\nContent-Length: 0\r\n\r\n';
    const want =
      'POST /ccm_system/request HTTP/1.1\r\nx-ccm-method: CCM_POST\r\nHost: x\r\nContent-Length: 14\r\n\r\nCCM_POST body\n' +
      'GET /SMS_MP/.sms_aut?MPLIST HTTP/1.1\r\nHost: x\r\n\r\n' +
      '\r\nPOST /ccm_system/request HTTP/1.1\r\nx-ccm-method: CCM_POST\r\nContent-Length: 0\r\n\r\n';
    const bytes = Buffer.from(stream, 'latin1');
    const r = prng(SEED + 3);
    for (let k = 0; k < 300; k++) {
      const cuts = [...new Set(Array.from({ length: r.int(12) }, () => r.int(bytes.length)))].sort((a, b) => a - b);
      const parts = [0, ...cuts].map((at, i, a) => bytes.subarray(at, a[i + 1] ?? bytes.length)).filter((p) => p.length > 0);
      expect(through(parts), `cut at ${cuts.join(',')}`).toBe(want);
    }
    expect(through(Array.from(bytes, (b) => Buffer.from([b]))), 'a byte at a time').toBe(want);
    // garbage with no blank line in sight goes to the parser at once (which refuses it): nothing is held back
    for (const g of ['GARBAGE', 'GET / HTTP/1.1\nHost: x\n\n', 'CCM_POST / HTTP/1.1\nHost: x\n\n', 'CCM_POSX /', '\u0016\u0003\u0001\u0000\u00a5']) {
      expect(through([Buffer.from(g, 'latin1')]), JSON.stringify(g)).toBe(g);
    }
    // what may still become a CCM_POST request line waits for the rest of it
    expect(through([Buffer.from('CCM_PO')])).toBe('');
    expect(through([Buffer.from('CCM_POST /ccm_system/request HTTP/1.1\r')])).toBe('');
  });
});
