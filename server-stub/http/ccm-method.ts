// CCM_POST on node:http. Configuration Manager clients send their MP messages
// with the method CCM_POST, which node's HTTP parser (llhttp) refuses with
// HPE_INVALID_METHOD whatever its options. The MP's listening socket is
// therefore a plain net.Server; each connection is handed to the node:http
// server as a Duplex (the documented way to inject connections) whose
// incoming bytes have every request line "CCM_POST ..." rewritten to
// "POST ..." with an "x-ccm-method: CCM_POST" header added. Requests are
// framed by Content-Length to find where the next request line starts (the
// real client sends Content-Length); after a chunked request the connection
// is passed through untouched.

import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

const CCM = Buffer.from('CCM_POST ');
const MARK = 'x-ccm-method: CCM_POST\r\n';
const MAX_HEAD = 64 * 1024;

export class CcmMethodRewriter extends Duplex {
  private state: 'head' | 'body' | 'pass' = 'head';
  private head: Buffer = Buffer.alloc(0);
  private bodyLeft = 0;

  constructor(private readonly socket: Socket) {
    super();
    socket.on('data', (chunk: Buffer) => this.feed(chunk));
    socket.on('end', () => this.push(null));
    socket.on('close', () => this.destroy());
    socket.on('error', (err) => this.destroy(err));
  }

  // the http server reads these socket-like properties
  get remoteAddress(): string | undefined {
    return this.socket.remoteAddress;
  }
  get remotePort(): number | undefined {
    return this.socket.remotePort;
  }
  get localAddress(): string | undefined {
    return this.socket.localAddress;
  }
  get localPort(): number | undefined {
    return this.socket.localPort;
  }
  setTimeout(ms: number, cb?: () => void): this {
    this.socket.setTimeout(ms, cb);
    return this;
  }
  setNoDelay(v?: boolean): this {
    this.socket.setNoDelay(v);
    return this;
  }
  setKeepAlive(v?: boolean, d?: number): this {
    this.socket.setKeepAlive(v, d);
    return this;
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.socket.write(chunk)) cb();
    else this.socket.once('drain', () => cb());
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.socket.end(cb);
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    this.socket.destroy();
    cb(err);
  }

  private out(b: Buffer): void {
    if (b.length > 0 && !this.push(b)) this.socket.pause();
  }

  private feed(chunk: Buffer): void {
    let c = chunk;
    while (c.length > 0) {
      if (this.state === 'pass') return this.out(c);
      if (this.state === 'body') {
        const n = Math.min(this.bodyLeft, c.length);
        this.out(c.subarray(0, n));
        this.bodyLeft -= n;
        c = c.subarray(n);
        if (this.bodyLeft === 0) this.state = 'head';
        continue;
      }
      // head: gather up to the blank line
      this.head = this.head.length === 0 ? c : Buffer.concat([this.head, c]);
      c = Buffer.alloc(0);
      const end = this.head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (this.head.length > MAX_HEAD) {
          // not HTTP we can frame: let the parser see it (and refuse it)
          this.state = 'pass';
          const h = this.head;
          this.head = Buffer.alloc(0);
          this.out(h);
        }
        return;
      }
      const headBytes = this.head.subarray(0, end + 4);
      c = this.head.subarray(end + 4);
      this.head = Buffer.alloc(0);
      let text = headBytes.toString('latin1');
      if (headBytes.subarray(0, CCM.length).equals(CCM)) {
        const eol = text.indexOf('\r\n');
        text = 'POST ' + text.slice(CCM.length, eol + 2) + MARK + text.slice(eol + 2);
      }
      this.out(Buffer.from(text, 'latin1'));
      if (/\r\ntransfer-encoding:/i.test(text)) {
        this.state = 'pass';
        continue;
      }
      const m = /\r\ncontent-length:\s*(\d+)/i.exec(text);
      this.bodyLeft = m === null ? 0 : Number(m[1]);
      this.state = this.bodyLeft > 0 ? 'body' : 'head';
    }
  }
}
