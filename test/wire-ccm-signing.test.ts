// agent/wire/ccm: the Configuration Manager client messages: signing and verification
// (clientauth hook, registration signature, key pool).

import { beforeAll, describe, expect, it } from 'vitest';
import {
  KeyPool, MP_ENDPOINT, buildMessage, clientToken, decodeRequestAssignments, encodeHeader, encodeMessage,
  keyFromPublicKeyBlob, openMessage, packBody, publicKeyBlob, publicKeyBlobHex, requestHeader, signClientToken,
  signData, verifyClientToken, verifyData, verifyMessage,
} from '../agent/wire/ccm/index.js';
import { fx, expectWire, CLIENT_ID, FIXTURE_KEY } from './helpers/ccm-fixtures.js';

let pool: KeyPool;
beforeAll(() => {
  pool = KeyPool.generate(1);
});

// ==== signing ========================================================================================

describe('signing', () => {
  it('PUBLICKEYBLOB: exact first bytes, little-endian modulus, round trip to a KeyObject', () => {
    const k = pool.forClient(0);
    const blob = publicKeyBlob(k.publicKey);
    expect(blob.length).toBe(20 + 256);
    // BLOBHEADER: PUBLICKEYBLOB, v2, reserved, CALG_RSA_KEYX; RSAPUBKEY: 'RSA1', 2048 bits, e = 65537
    expect(blob.subarray(0, 20).toString('hex').toUpperCase()).toBe('0602000000A40000' + '52534131' + '00080000' + '01000100');
    const n = Buffer.from(k.publicKey.export({ format: 'jwk' }).n!, 'base64url');
    expect(blob.subarray(20)).toEqual(Buffer.from(n).reverse());
    expect(k.publicKeyBlobHex).toBe(blob.toString('hex').toUpperCase());
    expect(publicKeyBlobHex(k.privateKey)).toBe(k.publicKeyBlobHex);
    const back = keyFromPublicKeyBlob(k.publicKeyBlobHex);
    expect(back.export({ format: 'jwk' })).toEqual(k.publicKey.export({ format: 'jwk' }));
    expect(publicKeyBlob(keyFromPublicKeyBlob(blob))).toEqual(blob);
    // CALG_RSA_SIGN blobs read too
    const sign = Buffer.from(blob);
    sign[5] = 0x24;
    expect(publicKeyBlob(keyFromPublicKeyBlob(sign))).toEqual(blob);
  });

  it('malformed key blobs are SUCA_ERR_WIRE_SIGNATURE', () => {
    const blob = publicKeyBlob(FIXTURE_KEY.publicKey);
    const bad = (f: (b: Buffer) => Buffer) => expectWire(() => keyFromPublicKeyBlob(f(Buffer.from(blob))), 'SUCA_ERR_WIRE_SIGNATURE', 'PublicKey');
    bad((b) => b.subarray(0, 19));
    bad((b) => b.subarray(0, b.length - 1));
    bad((b) => { b[0] = 0x07; return b; }); // PRIVATEKEYBLOB
    bad((b) => { b.write('RSA2', 8, 'latin1'); return b; });
    bad((b) => { b.writeUInt32LE(1000, 12); return b; });
    bad((b) => { b.writeUInt32LE(65536, 16); return b; });
    expectWire(() => keyFromPublicKeyBlob('06020Z'), 'SUCA_ERR_WIRE_SIGNATURE', 'PublicKey');
  });

  it('signatures are PKCS#1 v1.5 SHA-256, bytes reversed, hex upper-case, deterministic', () => {
    const data = Buffer.from('payload');
    const s = signData(FIXTURE_KEY.privateKey, data);
    expect(s).toMatch(/^[0-9A-F]{256}$/);
    expect(signData(FIXTURE_KEY.privateKey, data)).toBe(s);
    expect(verifyData(FIXTURE_KEY.publicKey, data, s)).toBe(true);
    expect(verifyData(FIXTURE_KEY.publicKey, Buffer.from('payloaD'), s)).toBe(false);
    // not reversed: does not verify
    const straight = Buffer.from(s, 'hex').reverse().toString('hex');
    expect(verifyData(FIXTURE_KEY.publicKey, data, straight)).toBe(false);
  });

  it('signs and verifies a whole message (2048-bit pool key)', () => {
    const key = pool.forClient(7);
    const header = requestHeader({
      id: '{041A35B4-DCEE-4F64-A978-D4D489F47D28}', endpoint: MP_ENDPOINT.POLICY_MANAGER, clientHost: 'WKS-0042', mpHost: 'mp1.contoso.test',
      sourceId: CLIENT_ID, sentTime: '2026-01-05T00:10:00Z',
    });
    const body = fx('request-assignments.xml');
    const m = buildMessage({ header, body, signer: { key } });
    expect(m.header.clientAuth!.publicKey).toBe(key.publicKeyBlobHex);
    expect(m.header.clientAuth!.authSenderMachine).toBe('WKS-0042');
    expect(m.header.body.length).toBe(784);
    const o = openMessage(m.contentType, m.payload, { verify: true });
    expect(o.header).toEqual(m.header);
    expect(o.body).toBe(body);
    expect(decodeRequestAssignments(o.body).serverCookie).toBe('3');
    openMessage(m.contentType, m.payload, { verify: key.publicKey });
  });

  it('a flipped byte in the signed part 2 or in a signature, another key, or no signature: SUCA_ERR_WIRE_SIGNATURE', () => {
    const header = requestHeader({
      id: '{1}', endpoint: MP_ENDPOINT.POLICY_MANAGER, clientHost: 'WKS-0042', mpHost: 'mp1.contoso.test', sourceId: CLIENT_ID, sentTime: '2026-01-05T00:10:00Z',
    });
    // stored blocks: a flipped body byte stays valid zlib only if the adler32 is fixed, so flip inside the
    // signed bytes and verify directly, as the MP does before inflating
    const packed = packBody(fx('request-assignments.xml'), 0);
    const auth = { ...header, clientAuth: null };
    const m = buildMessage({ header: auth, body: fx('request-assignments.xml'), signer: { key: FIXTURE_KEY }, level: 0 });
    expect(verifyMessage(m.header, packed.compressed)).toBeDefined();
    for (const i of [0, 7, 100, packed.compressed.length - 1]) {
      const f = Buffer.from(packed.compressed);
      f[i] = f[i]! ^ 0x80;
      expectWire(() => verifyMessage(m.header, f), 'SUCA_ERR_WIRE_SIGNATURE', 'Msg/Hooks/Hook2/PayloadSignature');
    }
    const sig = m.header.clientAuth!.payloadSignature!;
    const badSig = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
    expectWire(() => verifyMessage({ ...m.header, clientAuth: { ...m.header.clientAuth!, payloadSignature: badSig } }, packed.compressed), 'SUCA_ERR_WIRE_SIGNATURE', 'Msg/Hooks/Hook2/PayloadSignature');
    expectWire(() => verifyMessage({ ...m.header, clientAuth: { ...m.header.clientAuth!, payloadSignature: 'XYZ' } }, packed.compressed), 'SUCA_ERR_WIRE_SIGNATURE', 'Msg/Hooks/Hook2/PayloadSignature');
    expectWire(() => verifyMessage({ ...m.header, sourceId: 'GUID:5A1C2E3F-1111-4A2B-8C3D-0123456789AC' }, packed.compressed), 'SUCA_ERR_WIRE_SIGNATURE', 'Msg/Hooks/Hook2/ClientIDSignature');
    expectWire(() => verifyMessage(m.header, packed.compressed, pool.forClient(0).publicKey), 'SUCA_ERR_WIRE_SIGNATURE', 'Msg/Hooks/Hook2/PublicKey');
    expectWire(() => verifyMessage({ ...m.header, clientAuth: null }, packed.compressed), 'SUCA_ERR_WIRE_SIGNATURE', 'Msg/Hooks/Hook2');
    const keyless = { ...m.header, clientAuth: { ...m.header.clientAuth!, publicKey: null } };
    expectWire(() => verifyMessage(keyless, packed.compressed), 'SUCA_ERR_WIRE_SIGNATURE', 'Msg/Hooks/Hook2/PublicKey');
    expect(verifyMessage(keyless, packed.compressed, FIXTURE_KEY.publicKey)).toBe(FIXTURE_KEY.publicKey);
    expectWire(() => verifyMessage(keyless, packed.compressed, pool.forClient(0).publicKey), 'SUCA_ERR_WIRE_SIGNATURE', 'Msg/Hooks/Hook2/PayloadSignature');
    expectWire(() => verifyMessage({ ...m.header, clientAuth: { ...m.header.clientAuth!, hashAlgorithm: '1.2.840.113549.1.1.5' } }, packed.compressed), 'SUCA_ERR_WIRE_SIGNATURE', 'Msg/Hooks/Hook2/HashAlgorithm');

    // through openMessage: a payload whose part 2 was altered (re-compressed body) fails verification
    const other = encodeMessage({ header: encodeHeader(m.header), body: packBody(fx('request-assignments.xml').replace('<ServerCookie>3<', '<ServerCookie>4<'), 0) });
    expectWire(() => openMessage(other.contentType, other.payload, { verify: true }), 'SUCA_ERR_WIRE_SIGNATURE', 'Msg/Hooks/Hook2/PayloadSignature');
    expect(openMessage(other.contentType, other.payload).body).toContain('<ServerCookie>4<');
  });

  it('buildMessage needs a SourceID to sign; a cached ClientIDSignature is used as given', () => {
    const header = requestHeader({ id: '{1}', endpoint: MP_ENDPOINT.CLIENT_REGISTRATION, clientHost: 'WKS-0042', mpHost: 'mp1', sourceId: null, sentTime: 'x' });
    expectWire(() => buildMessage({ header, body: '<A/>', signer: { key: FIXTURE_KEY } }), 'SUCA_ERR_WIRE_FIELD', 'Msg/SourceID');
    const m = buildMessage({ header: { ...header, sourceId: CLIENT_ID }, body: '<A/>', signer: { key: FIXTURE_KEY, clientIdSignature: 'CAFE' } });
    expect(m.header.clientAuth!.clientIdSignature).toBe('CAFE');
    const unsigned = buildMessage({ header, body: '<A/>' });
    expect(unsigned.header.clientAuth).toBeNull();
    expect(openMessage(unsigned.contentType, unsigned.payload).header).toEqual(unsigned.header);
  });

  it('KeyPool: size is a parameter, keys are reused by index, keys can be passed in', () => {
    expect(pool.size).toBe(1);
    expect(pool.forClient(0)).toBe(pool.forClient(123));
    const two = new KeyPool([FIXTURE_KEY, pool.forClient(0).privateKey]);
    expect(two.size).toBe(2);
    expect(two.forClient(0)).toBe(FIXTURE_KEY);
    expect(two.forClient(3).publicKeyBlobHex).toBe(pool.forClient(0).publicKeyBlobHex);
    expect(() => new KeyPool([])).toThrow(RangeError);
    expect(() => KeyPool.generate(0)).toThrow(RangeError);
  });

  it('policy download token: ClientToken and its signature', () => {
    const token = clientToken(CLIENT_ID, '2026-01-05T00:10:00Z');
    expect(token).toBe('GUID:5A1C2E3F-1111-4A2B-8C3D-0123456789AB;2026-01-05T00:10:00Z;2');
    const sig = signClientToken(FIXTURE_KEY, token);
    verifyClientToken(FIXTURE_KEY.publicKey, token, sig);
    expectWire(() => verifyClientToken(FIXTURE_KEY.publicKey, token.replace(';2', ';3'), sig), 'SUCA_ERR_WIRE_SIGNATURE', 'ClientTokenSignature');
  });
});
