// run --keys FILE: the fleet signs with the keys of a PEM file instead of a
// pair made for the process, so that every run shows an MP the same keys for
// the same clients (an MP that registered a client remembers its key). What
// the MP is sent is read off the wire by a recording proxy in front of the stub
// MP, and compared with the keys' moduli taken from the file by node's JWK
// export, not by the project's codec: the registration's certificate carries
// the modulus big-endian, every clientauth hook's PUBLICKEYBLOB little-endian,
// both as upper-case hex in the UTF-16LE header. The keys of
// test/fixtures/keys/fleet-2048.pem are test keys and nothing else.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { pino } from 'pino';
import { startStubServers, type StubServers } from '../server-stub/http/index.js';
import { resolveScenario } from '../harness/scenario/resolve.js';
import { KeyPool } from '../agent/wire/ccm/signing.js';
import { cli } from './helpers/cli.js';

const FIXTURE = new URL('./fixtures/keys/fleet-2048.pem', import.meta.url).pathname;
const PEM = readFileSync(FIXTURE, 'utf8');

/** Upper-case hex of a key's modulus, big-endian (as in a certificate) and little-endian (as in a PUBLICKEYBLOB), in UTF-16LE as the CCM header carries text. */
function modulusMarks(pem: string): { be: Buffer; le: Buffer } {
  const n = Buffer.from(createPrivateKey(pem).export({ format: 'jwk' }).n!, 'base64url');
  const hex = (b: Buffer) => Buffer.from(b.toString('hex').toUpperCase(), 'utf16le');
  return { be: hex(n), le: hex(Buffer.from(n).reverse()) };
}
const blocks = PEM.match(/-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----\n?/g)!;
const MARKS = blocks.map(modulusMarks);

let dir: string;
let servers: StubServers;
let proxy: Server;
let proxyUrl: string;
/** the bytes clients sent to the MP, connection by connection, as a TCP proxy in front of it saw them */
const streams: Buffer[][] = [];
const sockets = new Set<Socket>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'suca-keys-'));
  const sc = resolveScenario({ clients: 6 });
  servers = await startStubServers({ config: sc.stub, logger: pino({ level: 'silent' }), clock: () => sc.start, verifySignatures: true });
  // TCP, not HTTP: node's HTTP parser refuses the CCM_POST method
  const mp = new URL(servers.urls.mp);
  proxy = createServer((c) => {
    sockets.add(c);
    c.on('close', () => sockets.delete(c));
    const got: Buffer[] = [];
    streams.push(got);
    const up = connect(Number(mp.port), mp.hostname);
    c.on('data', (b: Buffer) => void got.push(b));
    c.pipe(up).pipe(c);
    c.on('error', () => up.destroy());
    up.on('error', () => c.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const a = proxy.address();
  proxyUrl = `http://127.0.0.1:${typeof a === 'object' && a !== null ? a.port : 0}`;
}, 60_000);
afterAll(async () => {
  // connections the runs' keep-alive pools left open would hold close() until they time out
  for (const c of sockets) c.destroy();
  await new Promise((r) => proxy?.close(r));
  await servers?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The CCM_POST requests recorded so far, each its bytes up to the next request line of its connection. */
function posts(): Buffer[] {
  const out: Buffer[] = [];
  const line = Buffer.from('CCM_POST ');
  for (const got of streams) {
    const all = Buffer.concat(got);
    for (let i = all.indexOf(line); i !== -1; ) {
      const next = all.indexOf(line, i + line.length);
      out.push(all.subarray(i, next === -1 ? all.length : next));
      i = next;
    }
  }
  return out;
}

/**
 * A request's bytes and its multipart parts inflated where they are zlib
 * streams (the registration's certificate is in its compressed body; the
 * clientauth hook is in the plain header part).
 */
function readable(req: Buffer): Buffer[] {
  const m = /boundary="([^"]+)"/.exec(req.subarray(0, 512).toString('latin1'));
  if (m === null) return [req];
  const out = [req];
  const sep = Buffer.from(`--${m[1]}`);
  for (let i = req.indexOf(sep); i !== -1; ) {
    const next = req.indexOf(sep, i + sep.length);
    const part = req.subarray(i + sep.length, next === -1 ? req.length : next);
    const body = part.indexOf('\r\n\r\n');
    if (body !== -1) {
      try {
        out.push(inflateSync(part.subarray(body + 4)));
      } catch {
        // not a zlib stream (the header part, the closing delimiter)
      }
    }
    i = next;
  }
  return out;
}

/** How many of the CCM POSTs from `from` on carry each key (index) in a certificate or a public key blob, and how many carry none. */
function keysOnTheWire(from: number, to?: number): { byKey: number[]; none: number; posts: number; notClientModN: number } {
  const byKey = MARKS.map(() => 0);
  let none = 0;
  let notClientModN = 0;
  const ps = posts().slice(from, to);
  for (const b of ps) {
    const text = readable(b);
    const k = MARKS.findIndex((m) => text.some((t) => t.includes(m.be) || t.includes(m.le)));
    if (k === -1) none++;
    else byKey[k]!++;
    // the sender: ReplyTo direct:client<i>.<domain> in the UTF-16 header
    const client = /direct:client(\d+)\./.exec(b.toString('latin1').replace(/\0/g, ''));
    if (k !== -1 && (client === null || Number(client[1]) % MARKS.length !== k)) notClientModN++;
  }
  return { byKey, none, posts: ps.length, notClientModN };
}

describe('run --keys FILE', () => {
  it('signs every message with the file\'s keys, client i with key i mod n, and the MP verifies them', async () => {
    expect(blocks.length).toBe(2);
    const from = posts().length;
    const r = await cli('run', '--clients', '6', '--duration', '4h', '--mp', proxyUrl, '--keys', FIXTURE, '--json', '--quiet', '--log-level', 'silent');
    expect(r.code, r.err).toBe(0);
    const res = JSON.parse(r.out);
    // every client registered and reported: the stub MP verified each signature with the registered key
    expect(res.stateMessages.delivered).toBeGreaterThan(0);
    expect(res.errors.total).toBe(0);
    const w = keysOnTheWire(from);
    expect(w.posts).toBeGreaterThan(6);
    // 6 clients, 2 keys: both carried, each by the clients i mod 2 names, and no other key
    expect(w.none).toBe(0);
    expect(w.byKey.every((n) => n > 0)).toBe(true);
    expect(w.notClientModN).toBe(0);
  });

  it('without it, the process\'s own keys: none of the file\'s on the wire', async () => {
    const from = posts().length;
    const r = await cli('run', '--clients', '6', '--duration', '2h', '--mp', proxyUrl, '--json', '--quiet', '--log-level', 'silent');
    expect(r.code, r.err).toBe(0);
    const w = keysOnTheWire(from);
    expect(w.posts).toBeGreaterThan(6);
    expect(w.none).toBe(w.posts);
  });

  it('two runs with the same file show the MP the same key for each client', async () => {
    const a = posts().length;
    expect((await cli('run', '--clients', '6', '--duration', '2h', '--mp', proxyUrl, '--keys', FIXTURE, '--json', '--quiet', '--log-level', 'silent')).code).toBe(0);
    const b = posts().length;
    expect((await cli('run', '--clients', '6', '--duration', '2h', '--mp', proxyUrl, '--keys', FIXTURE, '--json', '--quiet', '--log-level', 'silent')).code).toBe(0);
    const first = keysOnTheWire(a, b);
    const second = keysOnTheWire(b);
    expect(first.none + second.none).toBe(0);
    expect(first.notClientModN + second.notClientModN).toBe(0);
    // the same runs, so the same requests: each key carried by as many messages both times
    expect(second.byKey).toEqual(first.byKey);
  });

  it('with --workers 2 in scaled time: each worker thread signs its clients with the file\'s keys, client i with key i mod n', async () => {
    const from = posts().length;
    // the workers get the keys as PEM from the main thread (harness/workers); clients 0-2 in one, 3-5 in the other
    const r = await cli('run', '--clients', '6', '--duration', '30m', '--clock', 'scaled', '--time-factor', '3600', '--workers', '2', '--lag-bound', '1h', '--elu-bound', '1', '--mp', proxyUrl, '--keys', FIXTURE, '--json', '--quiet', '--log-level', 'silent');
    expect(r.code, r.err).toBe(0);
    const res = JSON.parse(r.out);
    expect(res.errors.total).toBe(0);
    // two workers' results merged, shard 1/2 and 2/2
    expect(res.merged.from.map((f: { shard: { index: number; count: number } }) => `${f.shard.index}/${f.shard.count}`)).toEqual(['1/2', '2/2']);
    const w = keysOnTheWire(from);
    // each client registers and asks for its policy: at least two signed posts each
    expect(w.posts).toBeGreaterThanOrEqual(12);
    expect(w.none).toBe(0);
    expect(w.notClientModN).toBe(0);
    // both workers' clients: client 0..5 each named by a post carrying its key
    const named = new Set(posts().slice(from).map((b) => /direct:client(\d+)\./.exec(b.toString('latin1').replace(/\0/g, ''))?.[1]));
    expect([...named].sort()).toEqual(['0', '1', '2', '3', '4', '5']);
  });
});

describe('run --keys refuses, every problem at once, exit 2', () => {
  it('a file with keys it cannot use, naming each block', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const small = generateKeyPairSync('rsa', { modulusLength: 512 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const enc = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' }) as string;
    const cert = readFileSync(new URL('./fixtures/tls/stub.crt', import.meta.url), 'utf8');
    const broken = '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n';
    const pub = '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n';
    const r = KeyPool.parsePemFile([blocks[0], cert, ec, small, enc, broken, pub].join('\n'));
    expect(r.pems).toEqual([]);
    expect(r.problems).toHaveLength(5);
    expect(r.problems[0]).toMatch(/^block 3 \(PRIVATE KEY\): a ec key/);
    expect(r.problems[1]).toMatch(/^block 4 \(PRIVATE KEY\): 512 bits; from 1,024 to 16,384/);
    expect(r.problems[2]).toMatch(/^block 5 \(ENCRYPTED PRIVATE KEY\): encrypted/);
    expect(r.problems[3]).toMatch(/^block 6 \(PRIVATE KEY\): does not parse/);
    expect(r.problems[4]).toMatch(/^block 7 \(PUBLIC KEY\): not an RSA private key/);
  });

  it('keeps both forms and skips certificates', () => {
    const cert = readFileSync(new URL('./fixtures/tls/stub.crt', import.meta.url), 'utf8');
    const r = KeyPool.parsePemFile(cert + PEM);
    expect(r.problems).toEqual([]);
    expect(r.pems).toHaveLength(2);
    // PKCS#1 comes out as PKCS#8, the same key
    expect(r.pems.every((p) => p.startsWith('-----BEGIN PRIVATE KEY-----'))).toBe(true);
    expect(createPrivateKey(r.pems[1]!).export({ format: 'jwk' }).n).toBe(createPrivateKey(blocks[1]!).export({ format: 'jwk' }).n);
    expect(KeyPool.parsePemFile('').problems).toEqual([expect.stringMatching(/^no PEM block/)]);
    expect(KeyPool.parsePemFile(cert).problems).toEqual(['no private key, only certificates']);
  });

  it('through the command: the file, the transport and --no-sign, with the other flag errors', async () => {
    const bad = join(dir, 'bad.pem');
    writeFileSync(bad, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
    const r1 = await cli('run', '--transport', 'http', '--keys', bad, '--clients', 'x', '--quiet');
    expect(r1.code).toBe(2);
    expect(r1.err).toContain(`SUCA_ERR_INVALID_ARGUMENT: --keys ${bad}: block 1 (PRIVATE KEY): a ec key`);
    expect(r1.err).toContain("--clients: 'x'");
    const r2 = await cli('run', '--keys', FIXTURE, '--quiet');
    expect(r2.code).toBe(2);
    expect(r2.err).toContain(`--keys ${FIXTURE}: only with --transport http`);
    const r3 = await cli('run', '--transport', 'http', '--no-sign', '--keys', FIXTURE, '--quiet');
    expect(r3.code).toBe(2);
    expect(r3.err).toContain(`--keys ${FIXTURE} and --no-sign`);
    const r4 = await cli('run', '--transport', 'http', '--keys', join(dir, 'absent.pem'), '--quiet');
    expect(r4.code).toBe(2);
    expect(r4.err).toContain(`--keys ${join(dir, 'absent.pem')}: cannot read (ENOENT)`);
    // nothing was written for a refused run
    expect(r1.out + r2.out + r3.out + r4.out).toBe('');
  });
});
