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
const MARK = Buffer.from('x-ccm-method: CCM_POST\r\n', 'latin1');
const MAX_HEAD = 64 * 1024;
/** llhttp refuses a head over 16 KiB: a request line longer than that is not held back for rewriting */
const MAX_LINE = 16 * 1024;

export class CcmMethodRewriter extends Duplex {
  private state: 'head' | 'rest' | 'body' | 'pass' = 'head';
  /** state 'head': bytes held back (the start of what may be a CCM_POST request line) */
  private held: Buffer[] = [];
  private heldBytes = 0;
  /** state 'rest': the head so far (passed on already), kept to frame the request; its last 3 bytes */
  private seen: Buffer[] = [];
  private seenBytes = 0;
  private tail: Buffer = Buffer.alloc(0);
  private bodyLeft = 0;

  constructor(private readonly socket: Socket) {
    super();
    socket.on('data', (chunk: Buffer) => this.feed(chunk));
    socket.on('end', () => {
      // a request line cut short by EOF goes to the parser as it is: it answers 400 as to any incomplete request
      if (this.held.length > 0) this.out(Buffer.concat(this.takeHeld()));
      this.push(null);
    });
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

  /**
   * What node:http writes in one corked burst (a response's head and body)
   * goes to the socket the same way, corked: one writev system call instead
   * of one write each. Without it every MP answer took three (strace -c:
   * 12,001 writes for 4,000 answers; writeBuffer was 6.5 % of the stub
   * thread's samples in bench (d), BENCHMARKS.md).
   */
  override _writev(chunks: { chunk: Buffer }[], cb: (err?: Error | null) => void): void {
    const sock = this.socket;
    sock.cork();
    let ok = true;
    for (let i = 0; i < chunks.length; i++) ok = sock.write(chunks[i]!.chunk);
    sock.uncork();
    if (ok) cb();
    else sock.once('drain', () => cb());
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

  /**
   * Bytes from the client. Only what may still become "CCM_POST <target>
   * HTTP/1.1\r\n" is held back (the method and request line, to rewrite them);
   * everything else goes to the parser as it comes, so garbage is refused at
   * once rather than waiting for a blank line that never comes. The head is
   * still read (state 'rest') to find its end and the body length. Chunks are
   * kept in lists, not concatenated one by one: a client dribbling a head a
   * byte at a time costs linear work, not quadratic.
   */
  private feed(chunk: Buffer): void {
    let c = chunk;
    while (c.length > 0) {
      switch (this.state) {
        case 'pass':
          return this.out(c);
        case 'body': {
          const n = Math.min(this.bodyLeft, c.length);
          this.out(c.subarray(0, n));
          this.bodyLeft -= n;
          c = c.subarray(n);
          if (this.bodyLeft === 0) this.state = 'head';
          continue;
        }
        case 'head': {
          let h = c;
          c = EMPTY;
          if (this.held.length > 0) {
            // held: a prefix of "CCM_POST ", or a CCM_POST request line with no CR or LF yet (but maybe a last CR)
            const last = this.held[this.held.length - 1]!;
            if (this.heldBytes >= CCM.length && last[last.length - 1] !== 0x0d && lineEnd(h) === -1) {
              this.hold(h);
              if (this.heldBytes <= MAX_LINE) return;
              // no request line is that long: on to the parser as it is, which refuses it
              c = Buffer.concat(this.takeHeld());
              this.toRest(EMPTY);
              continue;
            }
            h = Buffer.concat([...this.takeHeld(), h]);
          }
          // empty lines before a request line (RFC 9112 section 2.2) go on as they are
          let skip = 0;
          while (h[skip] === 0x0d && h[skip + 1] === 0x0a) skip += 2;
          if (skip > 0) {
            this.out(h.subarray(0, skip));
            h = h.subarray(skip);
          }
          if (h.length === 0 || (h.length === 1 && h[0] === 0x0d)) {
            if (h.length > 0) this.hold(h);
            return;
          }
          const n = Math.min(h.length, CCM.length);
          if (!h.subarray(0, n).equals(CCM.subarray(0, n))) {
            this.toRest(EMPTY); // not CCM_POST: nothing to rewrite
            c = h;
            continue;
          }
          const eol = lineEnd(h);
          if (h.length < CCM.length || eol === -1 || (eol === h.length - 1 && h[eol] === 0x0d)) {
            this.hold(h); // the request line is not complete yet
            return;
          }
          if (h[eol] !== 0x0d || h[eol + 1] !== 0x0a) {
            this.toRest(EMPTY); // a bare CR or LF: not HTTP, the parser refuses it as it is
            c = h;
            continue;
          }
          this.out(Buffer.concat([POST, h.subarray(CCM.length, eol + 2), MARK]));
          this.toRest(h.subarray(0, eol + 2));
          c = h.subarray(eol + 2);
          continue;
        }
        case 'rest': {
          // the head goes on as it comes; the blank line ends it
          const tail = this.tail;
          // where the blank line ends in c: across the junction with what came before, or inside c
          let headEnd = -1;
          if (tail.length > 0) {
            const k = Buffer.concat([tail, c.subarray(0, 3)]).indexOf(CRLF2);
            if (k >= 0) headEnd = k + 4 - tail.length;
          }
          if (headEnd < 0) {
            const k = c.indexOf(CRLF2);
            if (k >= 0) headEnd = k + 4;
          }
          if (headEnd < 0) {
            this.out(c);
            this.seen.push(c);
            this.seenBytes += c.length;
            this.tail = c.length >= 3 ? Buffer.from(c.subarray(c.length - 3)) : Buffer.concat([tail, c]).subarray(-3);
            c = EMPTY;
            if (this.seenBytes > MAX_HEAD) {
              // no HTTP head is that long: the parser has refused it by now; stop framing
              this.seen = [];
              this.state = 'pass';
            }
            continue;
          }
          this.out(c.subarray(0, headEnd));
          const text = Buffer.concat([...this.seen, c.subarray(0, headEnd)]).toString('latin1');
          this.seen = [];
          c = c.subarray(headEnd);
          if (/\r\ntransfer-encoding:/i.test(text)) {
            this.state = 'pass';
            continue;
          }
          const m = /\r\ncontent-length:\s*(\d+)/i.exec(text);
          this.bodyLeft = m === null ? 0 : Number(m[1]);
          this.state = this.bodyLeft > 0 ? 'body' : 'head';
          continue;
        }
      }
    }
  }

  private hold(b: Buffer): void {
    this.held.push(b);
    this.heldBytes += b.length;
  }

  private takeHeld(): Buffer[] {
    const h = this.held;
    this.held = [];
    this.heldBytes = 0;
    return h;
  }

  /** On to the rest of a head whose first bytes, `seen`, have been passed on (kept to frame the request). */
  private toRest(seen: Buffer): void {
    this.state = 'rest';
    this.seen = seen.length > 0 ? [seen] : [];
    this.seenBytes = seen.length;
    this.tail = Buffer.from(seen.subarray(Math.max(0, seen.length - 3)));
  }
}

const EMPTY = Buffer.alloc(0);
const POST = Buffer.from('POST ');
const CRLF2 = Buffer.from('\r\n\r\n');

/** Index of the first CR or LF, or -1. */
function lineEnd(b: Buffer): number {
  const cr = b.indexOf(0x0d);
  const lf = b.indexOf(0x0a);
  return cr === -1 ? lf : lf === -1 ? cr : Math.min(cr, lf);
}
