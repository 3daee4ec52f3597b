// agent/wire/ccm KeyPool.shared / toPem / fromPem: a run's two signing keys are
// made once per thread and reused by the next run in it, and run --workers hands
// the main thread's pair to every worker as PKCS#8 PEM (harness/workers/pool.ts),
// so that N workers sign as one process does. Generating a 2048-bit key costs
// 50-250 ms of CPU: one pair per run and per worker was 10.5 s of the suite's CPU.

import { describe, expect, it } from 'vitest';
import { KeyPool, signData, verifyData } from '../agent/wire/ccm/index.js';

describe('signing keys shared by the runs of a thread', () => {
  it('KeyPool.shared gives the same keys for the same size and bits, other keys for another size', () => {
    const a = KeyPool.shared(2, 1024);
    const b = KeyPool.shared(2, 1024);
    expect(b).toBe(a);
    expect(a.size).toBe(2);
    expect(a.forClient(0).publicKeyBlobHex).not.toBe(a.forClient(1).publicKeyBlobHex);
    const c = KeyPool.shared(1, 1024);
    expect(c).not.toBe(a);
    expect(c.size).toBe(1);
  });

  it('toPem / fromPem: the same keys, in order; a signature of the copy verifies with the original', () => {
    const a = KeyPool.shared(2, 1024);
    const pems = a.toPem();
    expect(pems).toHaveLength(2);
    for (const p of pems) expect(p).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const b = KeyPool.fromPem(pems);
    expect(b.keys.map((k) => k.publicKeyBlobHex)).toEqual(a.keys.map((k) => k.publicKeyBlobHex));
    const data = Buffer.from('GUID:00000000-0000-0000-0000-000000000001\0', 'utf16le');
    for (let i = 0; i < 2; i++) {
      const sig = signData(b.forClient(i).privateKey, data);
      expect(verifyData(a.forClient(i).publicKey, data, sig)).toBe(true);
    }
    // client i signs with key i mod n, in either pool
    expect(b.forClient(3).publicKeyBlobHex).toBe(a.forClient(1).publicKeyBlobHex);
  });
});
