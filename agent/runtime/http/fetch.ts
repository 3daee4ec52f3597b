// One HTTP exchange whose answer is read whole (every CCM_POST, SOAP call and
// policy body of the transport), through undici's Dispatcher.dispatch with a
// handler that collects the body, rather than undici's request().
//
// Measured (issue 13, .cpuprofile of bench (a) and a loop of 32 keep-alive
// connections posting the same 3.3 KB CCM payloads to the stub MP, client CPU
// a request, Node 20, the 2-core VM at load 10): request() + body.arrayBuffer()
// 186 us, dispatch() with this handler 110 us (autocannon: about 130 us).
// request() builds per call a RequestHandler, an AsyncResource, a BodyReadable
// stream and the promise chain of arrayBuffer(); the transport wants none of
// them. Errors are undici's own (the same classes request() rejects with), so
// agent/wire/hresult.ts maps them as before.

import type { Dispatcher } from 'undici';

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

const EMPTY = Buffer.alloc(0);

class Collect implements Dispatcher.DispatchHandler {
  private status = 0;
  private headers: Record<string, string | string[] | undefined> = {};
  private chunks: Buffer[] = [];
  private bytes = 0;

  constructor(
    private readonly resolve: (a: HttpAnswer) => void,
    private readonly reject: (err: Error) => void,
  ) {}

  onRequestStart(): void {}

  onResponseStart(_c: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    this.status = statusCode;
    this.headers = headers;
  }

  onResponseData(_c: Dispatcher.DispatchController, chunk: Buffer): void {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
  }

  onResponseEnd(): void {
    const c = this.chunks;
    this.resolve({ status: this.status, headers: this.headers, body: c.length === 0 ? EMPTY : c.length === 1 ? c[0]! : Buffer.concat(c, this.bytes) });
  }

  onResponseError(_c: Dispatcher.DispatchController, err: Error): void {
    this.reject(err);
  }
}

/** Sends one request through the dispatcher; the status, headers and whole body of the answer. */
export function fetchWhole(d: Dispatcher, opts: Dispatcher.DispatchOptions): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    d.dispatch(opts, new Collect(resolve, reject));
  });
}

/** Origin and path (with query) of an absolute URL, for dispatch options; cached (a run posts to a few URLs: the MP's, each SUP's operations). */
const parts = new Map<string, { readonly origin: string; readonly path: string }>();
export function splitUrl(url: string): { readonly origin: string; readonly path: string } {
  let p = parts.get(url);
  if (p === undefined) {
    const u = new URL(url);
    p = { origin: u.origin, path: u.pathname + u.search };
    if (parts.size >= 256) parts.clear(); // policy bodies' URLs vary with their hash: bounded
    parts.set(url, p);
  }
  return p;
}

/** UTF-8 text of a body, a byte order mark dropped (as undici's body.text() does). */
export function utf8Text(b: Buffer): string {
  return b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? b.toString('utf8', 3) : b.toString('utf8');
}
