// The client's self-signed certificate (agent/wire/ccm/signing.ts), read back
// with node:crypto's X509Certificate (OpenSSL's parser, not ours), and the two
// forms of a PublicKey property the stub accepts.

import { describe, expect, it } from 'vitest';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { WireError } from '../agent/wire/errors.js';
import { CLIENT_CERT_EKUS, clientKey, keyFingerprint, keyFromPublicKeyProperty, selfSignedCertificate } from '../agent/wire/ccm/index.js';

const key = clientKey(createPrivateKey(readFileSync(new URL('./fixtures/ccm/test-key-rsa1024.pem', import.meta.url))));

describe('the self-signed client certificate', () => {
  it('is what the public tools register: CN ConfigMgr Client, self-signed SHA-256 RSA, SMS signing EKUs, valid now for a year', () => {
    const now = Date.parse('2026-01-05T00:00:00Z');
    const der = selfSignedCertificate(key.privateKey, { notBefore: now - 2 * 86_400_000 });
    const c = new X509Certificate(der);
    expect(c.subject).toBe('CN=ConfigMgr Client');
    expect(c.issuer).toBe(c.subject);
    expect(c.verify(key.publicKey)).toBe(true);
    expect(c.keyUsage).toEqual([...CLIENT_CERT_EKUS]);
    expect(Date.parse(c.validFrom)).toBe(now - 2 * 86_400_000);
    expect(Date.parse(c.validTo)).toBe(now + 365 * 86_400_000);
    expect(c.publicKey.export({ type: 'spki', format: 'der' })).toEqual(key.publicKey.export({ type: 'spki', format: 'der' }));
    // the same key and start time give the same certificate (serial from the key)
    expect(selfSignedCertificate(key.privateKey, { notBefore: now - 2 * 86_400_000 })).toEqual(der);
    // after 2049 the times are GeneralizedTime
    expect(Date.parse(new X509Certificate(selfSignedCertificate(key.privateKey, { notBefore: Date.parse('2060-03-01T00:00:00Z') })).validFrom)).toBe(Date.parse('2060-03-01T00:00:00Z'));
  });

  it('is made once per pool key (certificateHex is cached)', () => {
    expect(key.certificateHex).toBe(key.certificateHex);
    expect(new X509Certificate(Buffer.from(key.certificateHex, 'hex')).verify(key.publicKey)).toBe(true);
  });

  it('a PublicKey property is a PUBLICKEYBLOB or a certificate; anything else is SUCA_ERR_WIRE_SIGNATURE', () => {
    expect(keyFingerprint(keyFromPublicKeyProperty(key.publicKeyBlobHex))).toBe(keyFingerprint(key.publicKey));
    expect(keyFingerprint(keyFromPublicKeyProperty(key.certificateHex))).toBe(keyFingerprint(key.publicKey));
    for (const bad of ['30820101', key.certificateHex.slice(0, 200), 'ZZ', '']) {
      let e: unknown;
      try {
        keyFromPublicKeyProperty(bad);
      } catch (err) {
        e = err;
      }
      expect(e).toBeInstanceOf(WireError);
      expect((e as WireError).code).toBe('SUCA_ERR_WIRE_SIGNATURE');
    }
  });
});
