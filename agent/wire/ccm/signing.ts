// Client authentication of CCM messages (the Hook2 "clientauth" properties).
//
// What the public tools (SCCMSecrets, impacket, Metasploit get_naa_credentials,
// SharpSCCM) show, all talking to real MPs:
// - Signatures are RSA PKCS#1 v1.5 over SHA-256 (HashAlgorithm
//   1.2.840.113549.1.1.11), the signature bytes reversed (CryptoAPI's
//   little-endian habit) and written as upper-case hex.
// - PublicKey is a CryptoAPI PUBLICKEYBLOB in hex: BLOBHEADER 06 02 0000
//   0000A400 (PUBLICKEYBLOB, version 2, CALG_RSA_KEYX), RSAPUBKEY 'RSA1', bit
//   length and public exponent as little-endian uint32, then the modulus
//   little-endian. (Metasploit writes the modulus big-endian; SCCMSecrets and
//   the CryptoAPI format say little-endian: we follow the format.)
// - ClientIDSignature signs UTF-16LE("GUID:<id>") followed by a UTF-16 NUL;
//   PayloadSignature signs part 2 exactly as sent (the zlib-compressed body).
// - The policy GET carries ClientToken "GUID:<id>;<time>;2" and
//   ClientTokenSignature over UTF-16LE(token) + NUL, signed the same way.
//
// Cost: one RSA-2048 private-key operation per signature: about 1 ms of CPU
// on a slow core, ~0.25 ms measured on the development machine (two per
// signed message, client ID and payload; the client-ID signature never
// changes and can be cached per client). Verification is ~10x cheaper. Generating a 2048-bit key
// takes 50-500 ms, so a fleet shares a small KeyPool instead of one key per
// client; the stub can turn verification off (a setting of the caller).
// Verifying against the key in the header only proves integrity; an MP that
// wants identity compares the key with the one the client registered
// (verifyMessage's `expectedKey`).

import { X509Certificate, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { WireError } from '../errors.js';
import { HASH_ALGORITHM_SHA256, type ClientAuthHook, type MsgHeader } from './header.js';

/** BLOBHEADER of an RSA public key blob: PUBLICKEYBLOB (6), CUR_BLOB_VERSION (2), reserved, CALG_RSA_KEYX (0x0000A400). */
const BLOB_HEADER_KEYX = Buffer.from('0602000000A40000', 'hex');
/** The same with CALG_RSA_SIGN (0x00002400): accepted when reading. */
const BLOB_HEADER_SIGN = Buffer.from('0602000000240000', 'hex');
const RSA1 = 0x31415352; // 'RSA1' read as little-endian uint32

// ---- signature encoding --------------------------------------------------------

/** RSA PKCS#1 v1.5 SHA-256 signature, bytes reversed, hex upper-case. */
export function signData(privateKey: KeyObject, data: Buffer): string {
  const sig = sign('sha256', data, privateKey);
  return Buffer.from(sig.reverse()).toString('hex').toUpperCase();
}

/** Checks a signature in the wire form (reversed, hex). False for a wrong signature; throws for malformed hex. */
export function verifyData(publicKey: KeyObject, data: Buffer, signatureHex: string, where = 'signature'): boolean {
  const sig = hexBytes(signatureHex, where);
  return verify('sha256', data, publicKey, sig.reverse());
}

function hexBytes(hex: string, where: string): Buffer {
  const h = hex.trim();
  if (h.length === 0 || h.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(h)) {
    throw new WireError('SUCA_ERR_WIRE_SIGNATURE', 'not a hex string', where);
  }
  return Buffer.from(h, 'hex');
}

/** UTF-16LE(s) + UTF-16 NUL: the signed form of client IDs and client tokens. */
export function utf16z(s: string): Buffer {
  return Buffer.concat([Buffer.from(s, 'utf16le'), Buffer.alloc(2)]);
}

// ---- PUBLICKEYBLOB -----------------------------------------------------------------

function bigEndianOf(b64url: string): Buffer {
  return Buffer.from(b64url, 'base64url');
}

/** KeyObject (RSA public or private) -> PUBLICKEYBLOB bytes. */
export function publicKeyBlob(key: KeyObject): Buffer {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const jwk = pub.export({ format: 'jwk' });
  if (jwk.kty !== 'RSA' || jwk.n === undefined || jwk.e === undefined) throw new WireError('SUCA_ERR_WIRE_SIGNATURE', 'not an RSA key', 'PublicKey');
  let n = bigEndianOf(jwk.n);
  while (n.length > 1 && n[0] === 0) n = n.subarray(1);
  const e = bigEndianOf(jwk.e);
  if (e.length > 4) throw new WireError('SUCA_ERR_WIRE_SIGNATURE', 'public exponent wider than 32 bits', 'PublicKey');
  const bits = n.length * 8;
  const out = Buffer.alloc(20 + n.length);
  BLOB_HEADER_KEYX.copy(out, 0);
  out.writeUInt32LE(RSA1, 8);
  out.writeUInt32LE(bits, 12);
  out.writeUInt32LE(e.readUIntBE(0, e.length), 16);
  Buffer.from(n).reverse().copy(out, 20);
  return out;
}

/** PUBLICKEYBLOB as the PublicKey property carries it: hex upper-case. */
export function publicKeyBlobHex(key: KeyObject): string {
  return publicKeyBlob(key).toString('hex').toUpperCase();
}

/** PUBLICKEYBLOB (bytes or hex) -> RSA public KeyObject. Malformed blobs: SUCA_ERR_WIRE_SIGNATURE. */
export function keyFromPublicKeyBlob(blob: Buffer | string): KeyObject {
  const where = 'PublicKey';
  const b = typeof blob === 'string' ? hexBytes(blob, where) : blob;
  if (b.length < 20) throw new WireError('SUCA_ERR_WIRE_SIGNATURE', `key blob of ${b.length} bytes is too short`, where);
  const head = b.subarray(0, 8);
  if (!head.equals(BLOB_HEADER_KEYX) && !head.equals(BLOB_HEADER_SIGN)) {
    throw new WireError('SUCA_ERR_WIRE_SIGNATURE', `not an RSA PUBLICKEYBLOB header: ${head.toString('hex').toUpperCase()}`, where);
  }
  if (b.readUInt32LE(8) !== RSA1) throw new WireError('SUCA_ERR_WIRE_SIGNATURE', "missing 'RSA1' magic", where);
  const bits = b.readUInt32LE(12);
  if (bits < 512 || bits > 16384 || bits % 8 !== 0) throw new WireError('SUCA_ERR_WIRE_SIGNATURE', `unsupported key length ${bits}`, where);
  if (b.length !== 20 + bits / 8) throw new WireError('SUCA_ERR_WIRE_SIGNATURE', `blob of ${b.length} bytes, expected ${20 + bits / 8} for ${bits} bits`, where);
  const e = b.readUInt32LE(16);
  if (e < 3 || e % 2 === 0) throw new WireError('SUCA_ERR_WIRE_SIGNATURE', `bad public exponent ${e}`, where);
  const n = Buffer.from(b.subarray(20)).reverse();
  const eb = Buffer.alloc(4);
  eb.writeUInt32BE(e);
  let eTrim = eb;
  while (eTrim.length > 1 && eTrim[0] === 0) eTrim = eTrim.subarray(1);
  try {
    return createPublicKey({ key: { kty: 'RSA', n: n.toString('base64url'), e: eTrim.toString('base64url') }, format: 'jwk' });
  } catch (err) {
    throw new WireError('SUCA_ERR_WIRE_SIGNATURE', 'key blob does not form an RSA key', where, { cause: err });
  }
}

// ---- keys ----------------------------------------------------------------------------

/** A signing key with its public parts precomputed (the blob hex is the same on every message). */
export interface ClientKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly publicKeyBlobHex: string;
  /** The key's self-signed certificate (hex DER, upper-case): made once per key, on first use. */
  readonly certificateHex: string;
}

export function clientKey(privateKey: KeyObject): ClientKey {
  const publicKey = createPublicKey(privateKey);
  let cert: string | undefined;
  return {
    privateKey,
    publicKey,
    publicKeyBlobHex: publicKeyBlobHex(publicKey),
    get certificateHex(): string {
      cert ??= selfSignedCertificate(privateKey).toString('hex').toUpperCase();
      return cert;
    },
  };
}

/** A fresh RSA key (2048 bits by default: what the client generates). Slow: tens to hundreds of ms. */
export function generateClientKey(bits = 2048): ClientKey {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 65537 });
  return clientKey(privateKey);
}

const sharedPools = new Map<string, KeyPool>();

/** RSA sizes a key file may hold (KeyPool.parsePemFile). */
const MIN_KEY_BITS = 1024;
const MAX_KEY_BITS = 16384;
/** Keys a key file may hold: each is a private key in memory and a public key blob in every signed message's client's hook. */
const MAX_POOL_KEYS = 10_000;

/**
 * A few keys shared by a whole fleet: client i signs with key i mod size.
 * Generation is slow, so the pool is made once (tests pass 1-2 keys, or
 * existing keys to reuse them across tests).
 */
export class KeyPool {
  readonly keys: readonly ClientKey[];

  constructor(keys: readonly (ClientKey | KeyObject)[]) {
    if (keys.length === 0) throw new RangeError('KeyPool needs at least one key');
    this.keys = keys.map((k) => ('privateKey' in k ? k : clientKey(k)));
  }

  /** `size` new keys of `bits` bits. */
  static generate(size: number, bits = 2048): KeyPool {
    if (!Number.isInteger(size) || size < 1) throw new RangeError('KeyPool size must be a positive integer');
    return new KeyPool(Array.from({ length: size }, () => generateClientKey(bits)));
  }

  /**
   * `size` keys of `bits` bits made once per thread, on first use, and shared
   * by every later call with the same size and bits: a run generated its two
   * keys each time, 50-250 ms of CPU a 2048-bit key (measured: 10.5 s of the
   * test suite's 140 s of CPU went to generateKeyPairSync, one pair per run and
   * per worker). A client's keys are random either way; sharing them only means
   * two runs of one process show an MP the same keys for the same client.
   */
  static shared(size: number, bits = 2048): KeyPool {
    const k = `${size}/${bits}`;
    let p = sharedPools.get(k);
    if (p === undefined) sharedPools.set(k, (p = KeyPool.generate(size, bits)));
    return p;
  }

  /** The private keys as PKCS#8 PEM, to hand the same pool to a worker thread (fromPem). */
  toPem(): string[] {
    return this.keys.map((k) => k.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
  }

  /**
   * The signing keys of a PEM file given by a user (run --keys): every
   * `PRIVATE KEY` (PKCS#8) and `RSA PRIVATE KEY` (PKCS#1) block, in file
   * order, as PKCS#8 PEM for fromPem; `CERTIFICATE` blocks are skipped (a
   * key and its certificate often share a file). Every problem is returned
   * at once, each naming the block: what the client's clientauth hook can
   * carry is an RSA key (a CryptoAPI PUBLICKEYBLOB, PKCS#1 v1.5 signatures),
   * so an EC, PSS-only or encrypted key is refused, and one under 1,024 bits
   * too (the client makes 2,048-bit keys; a real MP need not take less).
   */
  static parsePemFile(text: string): { readonly pems: readonly string[]; readonly problems: readonly string[] } {
    const pems: string[] = [];
    const problems: string[] = [];
    let block = 0;
    for (const m of text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g)) {
      block++;
      const label = m[1]!;
      const at = `block ${block} (${label})`;
      if (label === 'CERTIFICATE') continue;
      if (label === 'ENCRYPTED PRIVATE KEY') {
        problems.push(`${at}: encrypted; give the key unencrypted (openssl pkey -in KEY -out PLAIN)`);
        continue;
      }
      if (label !== 'PRIVATE KEY' && label !== 'RSA PRIVATE KEY') {
        problems.push(`${at}: not an RSA private key (expected PRIVATE KEY or RSA PRIVATE KEY)`);
        continue;
      }
      let key: KeyObject;
      try {
        key = createPrivateKey(m[0]);
      } catch (err) {
        problems.push(`${at}: does not parse (${(err as { code?: string }).code ?? (err as Error).message})`);
        continue;
      }
      const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
      if (key.asymmetricKeyType !== 'rsa') problems.push(`${at}: a ${key.asymmetricKeyType ?? 'non-RSA'} key; the clientauth hook carries RSA keys (PKCS#1 v1.5 signatures)`);
      else if (bits < MIN_KEY_BITS || bits > MAX_KEY_BITS) problems.push(`${at}: ${bits} bits; from ${MIN_KEY_BITS.toLocaleString('en-US')} to ${MAX_KEY_BITS.toLocaleString('en-US')} (the client makes 2,048)`);
      else pems.push(key.export({ type: 'pkcs8', format: 'pem' }) as string);
    }
    if (pems.length > MAX_POOL_KEYS) problems.push(`${pems.length.toLocaleString('en-US')} keys: at most ${MAX_POOL_KEYS.toLocaleString('en-US')} (client i signs with key i mod n)`);
    if (block === 0) problems.push('no PEM block (expected -----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)');
    else if (pems.length === 0 && problems.length === 0) problems.push('no private key, only certificates');
    return { pems: problems.length === 0 ? pems : [], problems };
  }

  /** A pool of the PKCS#8 PEM private keys toPem gave. */
  static fromPem(pems: readonly string[]): KeyPool {
    return new KeyPool(pems.map((p) => createPrivateKey(p)));
  }

  get size(): number {
    return this.keys.length;
  }

  /** The key of client `index`. */
  forClient(index: number): ClientKey {
    return this.keys[((index % this.keys.length) + this.keys.length) % this.keys.length]!;
  }
}

// ---- messages --------------------------------------------------------------------------

/** Signature over UTF-16LE(clientId) + NUL, clientId being 'GUID:<id>' as in SourceID. */
export function signClientId(key: ClientKey, clientId: string): string {
  return signData(key.privateKey, utf16z(clientId));
}

/**
 * The clientauth hook for a message: the client's key, its ID signature and
 * the signature of part 2 (`bodyPart`: the compressed body as it will be sent).
 * Pass a cached `clientIdSignature` to save one RSA operation.
 */
export function signMessage(
  key: ClientKey,
  m: { readonly clientId: string; readonly bodyPart: Buffer; readonly authSenderMachine: string; readonly clientIdSignature?: string },
): ClientAuthHook {
  return {
    authSenderMachine: m.authSenderMachine,
    publicKey: key.publicKeyBlobHex,
    clientIdSignature: m.clientIdSignature ?? signClientId(key, m.clientId),
    payloadSignature: signData(key.privateKey, m.bodyPart),
    clientCapabilities: 'NonSSL',
    hashAlgorithm: HASH_ALGORITHM_SHA256,
  };
}

/**
 * Verifies the clientauth hook of a received message: PayloadSignature over
 * `bodyPart` (part 2 as received) and ClientIDSignature over the header's
 * SourceID, with the header's PublicKey, or `expectedKey` (the key the client
 * registered) which the header's key must then equal. Returns the key used;
 * throws SUCA_ERR_WIRE_SIGNATURE when unsigned, malformed or wrong.
 */
export function verifyMessage(header: MsgHeader, bodyPart: Buffer, expectedKey?: KeyObject): KeyObject {
  const where = 'Msg/Hooks/Hook2';
  const a = header.clientAuth;
  if (a === null) throw new WireError('SUCA_ERR_WIRE_SIGNATURE', 'message is not signed (no clientauth hook)', where);
  if (a.hashAlgorithm !== null && a.hashAlgorithm !== HASH_ALGORITHM_SHA256) {
    throw new WireError('SUCA_ERR_WIRE_SIGNATURE', `unsupported HashAlgorithm ${a.hashAlgorithm}`, `${where}/HashAlgorithm`);
  }
  // a header without PublicKey (one public tool sends none) can still be checked against the registered key
  if (a.publicKey === null && expectedKey === undefined) throw new WireError('SUCA_ERR_WIRE_SIGNATURE', 'no PublicKey', `${where}/PublicKey`);
  const key = a.publicKey === null ? expectedKey! : keyFromPublicKeyProperty(a.publicKey, `${where}/PublicKey`);
  if (expectedKey !== undefined && a.publicKey !== null) {
    const want = publicKeyBlob(expectedKey);
    if (!want.equals(publicKeyBlob(key))) throw new WireError('SUCA_ERR_WIRE_SIGNATURE', 'PublicKey is not the registered key', `${where}/PublicKey`);
  }
  if (a.payloadSignature === null) throw new WireError('SUCA_ERR_WIRE_SIGNATURE', 'no PayloadSignature', `${where}/PayloadSignature`);
  if (!verifyData(key, bodyPart, a.payloadSignature, `${where}/PayloadSignature`)) {
    throw new WireError('SUCA_ERR_WIRE_SIGNATURE', 'PayloadSignature does not verify', `${where}/PayloadSignature`);
  }
  if (a.clientIdSignature !== null) {
    if (header.sourceId === null) throw new WireError('SUCA_ERR_WIRE_SIGNATURE', 'ClientIDSignature without SourceID', `${where}/ClientIDSignature`);
    if (!verifyData(key, utf16z(header.sourceId), a.clientIdSignature, `${where}/ClientIDSignature`)) {
      throw new WireError('SUCA_ERR_WIRE_SIGNATURE', 'ClientIDSignature does not verify', `${where}/ClientIDSignature`);
    }
  }
  return key;
}

// ---- policy download token ------------------------------------------------------------

/** ClientToken header of a policy GET: 'GUID:<id>;<yyyy-MM-ddTHH:mm:ssZ>;2'. */
export function clientToken(clientId: string, sentTime: string): string {
  return `${clientId};${sentTime};2`;
}

/** ClientTokenSignature: over UTF-16LE(token) + NUL. */
export function signClientToken(key: ClientKey, token: string): string {
  return signData(key.privateKey, utf16z(token));
}

export function verifyClientToken(publicKey: KeyObject, token: string, signatureHex: string): void {
  if (!verifyData(publicKey, utf16z(token), signatureHex, 'ClientTokenSignature')) {
    throw new WireError('SUCA_ERR_WIRE_SIGNATURE', 'ClientTokenSignature does not verify', 'ClientTokenSignature');
  }
}

/** SHA-256 of a policy body as served, upper-case hex: the '.SHA256:<hash>' of its PolicyLocation. */
export function policyHash(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex').toUpperCase();
}

// ---- self-signed client certificate ----------------------------------------------------
//
// What the public tools that register fake clients with real MPs put in the
// certificate of the registration request (Certificates/Signing and
// Certificates/Encryption, HexBinary DER, the same certificate in both):
// self-signed, subject = issuer = CN "ConfigMgr Client", RSA 2048, signed
// SHA-256 with RSA, valid from two days back for a year, KeyUsage
// digitalSignature + dataEncipherment, ExtendedKeyUsage 1.3.6.1.4.1.311.101.2
// ("SMS Signing Certificate (Self-Signed)") and 1.3.6.1.4.1.311.101. What a
// real client adds beyond that (serial number form, other extensions) is not
// public; a real MP accepts the tools' certificate.
//
// Node 20 has no certificate builder (only X509Certificate to read one).
// Rejected: @peculiar/x509 (async WebCrypto API, brings tsyringe,
// reflect-metadata and four @peculiar/asn1-* packages for a certificate whose
// layout never changes) and node-forge (its own RSA in JS: the signature
// would be made outside node:crypto). The DER below is the one fixed template
// (RFC 5280 TBSCertificate), written with a 10-line TLV writer and signed
// with node:crypto; node:crypto's X509Certificate parses it back in the tests
// and in the stub. Cost: one RSA signature per pool key, once.

const OID_SHA256_RSA = '1.2.840.113549.1.1.11';
const OID_CN = '2.5.4.3';
const OID_KEY_USAGE = '2.5.29.15';
const OID_EXT_KEY_USAGE = '2.5.29.37';
/** ExtendedKeyUsage of the client's self-signed certificate: SMS signing (self-signed), SMS. */
export const CLIENT_CERT_EKUS: readonly string[] = ['1.3.6.1.4.1.311.101.2', '1.3.6.1.4.1.311.101'];
export const CLIENT_CERT_SUBJECT = 'ConfigMgr Client';

function tlv(tag: number, body: Buffer): Buffer {
  const n = body.length;
  const len = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : n < 0x10000 ? Buffer.from([0x82, n >> 8, n & 255]) : Buffer.from([0x83, n >> 16, (n >> 8) & 255, n & 255]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
}
const seq = (...parts: Buffer[]): Buffer => tlv(0x30, Buffer.concat(parts));
function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const out: number[] = [arcs[0]! * 40 + arcs[1]!];
  for (const a of arcs.slice(2)) {
    const b: number[] = [a & 0x7f];
    for (let v = Math.floor(a / 128); v > 0; v = Math.floor(v / 128)) b.unshift((v & 0x7f) | 0x80);
    out.push(...b);
  }
  return tlv(0x06, Buffer.from(out));
}
function utcTime(ms: number): Buffer {
  // UTCTime (YYMMDDHHMMSSZ) up to 2049, GeneralizedTime after (RFC 5280 4.1.2.5)
  const iso = new Date(ms).toISOString();
  const y = Number(iso.slice(0, 4));
  const s = iso.slice(y < 2050 ? 2 : 0, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19) + 'Z';
  return tlv(y < 2050 ? 0x17 : 0x18, Buffer.from(s, 'ascii'));
}

/**
 * The client's self-signed certificate (DER) for `key`. The serial is taken
 * from the key's hash (one certificate per key, the same every time it is made
 * at the same `notBefore`).
 */
export function selfSignedCertificate(privateKey: KeyObject, opts: { readonly notBefore?: number; readonly days?: number; readonly subject?: string } = {}): Buffer {
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const serial = createHash('sha256').update(spki).digest().subarray(0, 16);
  serial[0] = (serial[0]! & 0x7f) | 0x40; // positive, 16 bytes
  const notBefore = opts.notBefore ?? Date.now() - 2 * 86_400_000;
  const notAfter = notBefore + (opts.days ?? 367) * 86_400_000;
  const name = seq(tlv(0x31, seq(oid(OID_CN), tlv(0x0c, Buffer.from(opts.subject ?? CLIENT_CERT_SUBJECT, 'utf8')))));
  const alg = seq(oid(OID_SHA256_RSA), Buffer.from([0x05, 0x00]));
  // KeyUsage BIT STRING: digitalSignature (bit 0) + dataEncipherment (bit 3) = 1001 0000, 4 unused bits
  const keyUsage = seq(oid(OID_KEY_USAGE), tlv(0x04, tlv(0x03, Buffer.from([0x04, 0x90]))));
  const eku = seq(oid(OID_EXT_KEY_USAGE), tlv(0x04, seq(...CLIENT_CERT_EKUS.map(oid))));
  const tbs = seq(
    tlv(0xa0, tlv(0x02, Buffer.from([0x02]))), // version v3
    tlv(0x02, serial),
    alg,
    name,
    seq(utcTime(notBefore), utcTime(notAfter)),
    name,
    spki,
    tlv(0xa3, seq(keyUsage, eku)),
  );
  const sig = sign('sha256', tbs, privateKey);
  return seq(tbs, alg, tlv(0x03, Buffer.concat([Buffer.from([0]), sig])));
}

/** A certificate given as hex DER (Certificates/Signing, or a PublicKey property) -> its RSA public key. */
export function keyFromCertificateHex(hex: string, where: string): KeyObject {
  const der = hexBytes(hex, where);
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(der);
  } catch (err) {
    throw new WireError('SUCA_ERR_WIRE_SIGNATURE', 'not an X.509 certificate (DER)', where, { cause: err });
  }
  if (cert.publicKey.asymmetricKeyType !== 'rsa') throw new WireError('SUCA_ERR_WIRE_SIGNATURE', `certificate key is ${cert.publicKey.asymmetricKeyType ?? 'unknown'}, not RSA`, where);
  return cert.publicKey;
}

/**
 * A PublicKey property -> key. The public tools send either a PUBLICKEYBLOB
 * (it starts 0602...) or the client's certificate in hex DER (it starts 30..,
 * a SEQUENCE): a real MP accepts both, so do we.
 */
export function keyFromPublicKeyProperty(hex: string, where = 'Msg/Hooks/Hook2/PublicKey'): KeyObject {
  const h = hex.trim();
  if (/^30/i.test(h)) return keyFromCertificateHex(h, where);
  return keyFromPublicKeyBlob(h);
}

/** A short stable identity of an RSA public key (SHA-256 of its PUBLICKEYBLOB, 16 hex digits). */
export function keyFingerprint(key: KeyObject): string {
  return createHash('sha256').update(publicKeyBlob(key)).digest('hex').slice(0, 16).toUpperCase();
}

// ---- registration signature ----------------------------------------------------------

/** SignatureValue of a registration: over UTF-16LE of the exact <Data>...</Data> text (no BOM, no NUL). */
export function signRegistrationData(key: ClientKey, dataXml: string): string {
  return signData(key.privateKey, Buffer.from(dataXml, 'utf16le'));
}

/** Checks a registration SignatureValue with the key of the request's signing certificate. */
export function verifyRegistrationData(publicKey: KeyObject, dataXml: string, signatureHex: string): boolean {
  return verifyData(publicKey, Buffer.from(dataXml, 'utf16le'), signatureHex, 'ClientRegistrationRequest/Signature/SignatureValue');
}
