// Content the stub DP and WSUS serve: synthetic bytes, sized from the
// catalogue, with HEAD and single-range GET (what BITS and WinHTTP use).
//   DP:    /SMS_DP_SMSPKG$/Content_{GUID}.1/<file>   (GUID: the update's content id)
//   WSUS:  /Content/<XX>/<SHA1HEX>.<ext>              (XX: last two hex digits of the SHA-1)
// The bytes are one 64 KiB block of a fixed pseudo-random pattern repeated:
// serving costs no allocation per request, and clients only ever count them.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Catalogue } from '../core/catalogue.js';

const BLOCK = Buffer.alloc(64 * 1024);
for (let i = 0, x = 0x9e3779b9; i < BLOCK.length; i++) {
  x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
  BLOCK[i] = x >>> 24;
}

export interface ContentIndex {
  /** update index for a DP content id (upper-case GUID without braces) */
  readonly byContentId: Map<string, number>;
  /** update index for a WSUS content SHA-1 (upper-case hex) */
  readonly bySha1: Map<string, number>;
  /** the one file in each update's DP content folder (upper case: IIS matches names case-insensitively) */
  readonly fileOf: readonly string[];
}

/** The DP content id of an update: its update id (a real DP names content by a package content GUID). */
export function contentIdOf(cat: Catalogue, u: number): string {
  return cat.ids[u]!;
}

/** File name of an update's content under its content folder. */
export function contentFileOf(cat: Catalogue, u: number): string {
  return `windows-kb${cat.kb[u]}-x64.cab`;
}

export function dpContentUrl(base: string, cat: Catalogue, u: number): string {
  return `${base.replace(/\/$/, '')}/SMS_DP_SMSPKG$/Content_${contentIdOf(cat, u)}.1/${contentFileOf(cat, u)}`;
}

export function wsusContentUrl(base: string, cat: Catalogue, u: number): string {
  const sha = cat.sha1[u]!;
  return `${base.replace(/\/$/, '')}/Content/${sha.slice(-2)}/${sha}.cab`;
}

export function contentIndex(cat: Catalogue): ContentIndex {
  const byContentId = new Map<string, number>();
  const bySha1 = new Map<string, number>();
  const fileOf: string[] = [];
  for (let u = 0; u < cat.size; u++) {
    byContentId.set(contentIdOf(cat, u).toUpperCase(), u);
    bySha1.set(cat.sha1[u]!.toUpperCase(), u);
    fileOf.push(contentFileOf(cat, u).toUpperCase());
  }
  return { byContentId, bySha1, fileOf };
}

const DP_PATH = /^\/SMS_DP_SMSPKG\$\/Content_([0-9A-Fa-f-]{36})\.\d+\/([^/]+)$/;
const WSUS_PATH = /^\/Content\/([0-9A-Fa-f]{2})\/([0-9A-Fa-f]{40})\.[A-Za-z0-9]+$/;

/** The update a content path names, or -1 (not a content path), or -2 (a content path naming nothing). */
export function resolveContentPath(index: ContentIndex, path: string): number {
  const decoded = safeDecode(path);
  let m = DP_PATH.exec(decoded);
  if (m !== null) {
    // only the folder's one file: '..', '.', 'x.cab::$DATA', '..\\..\\boot.ini' and the like name nothing
    const u = index.byContentId.get(m[1]!.toUpperCase());
    return u !== undefined && m[2]!.toUpperCase() === index.fileOf[u] ? u : -2;
  }
  m = WSUS_PATH.exec(decoded);
  if (m !== null) {
    const sha = m[2]!.toUpperCase();
    if (m[1]!.toUpperCase() !== sha.slice(-2)) return -2;
    return index.bySha1.get(sha) ?? -2;
  }
  return -1;
}

function safeDecode(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}

export interface ContentStats {
  requests: number;
  bytes: number;
  notFound: number;
  badRange: number;
}

/**
 * Serves an update's content: HEAD, GET, GET with one byte range (206, or
 * 416 when it cannot be satisfied). Multi-range requests get the whole range
 * list refused with 416: BITS asks for one range at a time.
 */
export function serveContent(req: IncomingMessage, res: ServerResponse, size: number, stats: ContentStats, refuse?: (reason: string) => void): void {
  stats.requests++;
  let start = 0;
  let end = size - 1;
  let status = 200;
  const range = req.headers.range;
  if (range !== undefined) {
    const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
    if (m === null || (m[1] === '' && m[2] === '')) return refuseRange(res, size, stats, refuse);
    if (m[1] === '') {
      const suffix = Number(m[2]);
      start = Math.max(0, size - suffix);
    } else {
      start = Number(m[1]);
      if (m[2] !== '') end = Math.min(size - 1, Number(m[2]));
    }
    if (start > end || start >= size) return refuseRange(res, size, stats, refuse);
    status = 206;
  }
  const length = end - start + 1;
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/octet-stream',
    'Content-Length': length,
    'Accept-Ranges': 'bytes',
  };
  if (status === 206) headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
  res.writeHead(status, headers);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  stats.bytes += length;
  writeBlocks(res, start % BLOCK.length, length);
}

function refuseRange(res: ServerResponse, size: number, stats: ContentStats, refuse?: (reason: string) => void): void {
  stats.badRange++;
  refuse?.('bad-range');
  res.writeHead(416, { 'Content-Range': `bytes */${size}`, 'Content-Type': 'text/plain' });
  res.end('range not satisfiable\n');
}

/** Streams `length` bytes of the repeated block, honouring backpressure. */
function writeBlocks(res: ServerResponse, offset: number, length: number): void {
  let left = length;
  let off = offset;
  const pump = (): void => {
    while (left > 0) {
      const n = Math.min(left, BLOCK.length - off);
      const chunk = off === 0 && n === BLOCK.length ? BLOCK : BLOCK.subarray(off, off + n);
      left -= n;
      off = 0;
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  pump();
}
