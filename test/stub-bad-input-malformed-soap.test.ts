// Bad input to the WSUS stub (issue 3): more than 4,000 mutated SOAP requests
// (bytes flipped, truncated, elements duplicated or removed, wrong or missing
// SOAPAction, unknown operations, SOAP 1.2, DTDs and entities, invalid UTF-8,
// wrong content types, wrong paths and methods, broken structure) each get a
// 4xx/5xx with a SOAP fault or a body saying what was wrong, or a 2xx the
// in-process codec confirms valid; the refusals are counted by code, the heap
// stays flat, and WSUS still answers a real GetConfig afterwards.
// Machinery and generators: test/helpers/bad-input.ts.

import { describe, expect, it } from 'vitest';
import { BEHAVIOURS, expectEveryAnswerRight, expectHeapFlat, expectStillServing, fuzz, report } from './helpers/bad-input.js';

describe('stub servers under bad input: malformed SOAP to WSUS', () => {
  it('every mutated SOAP request is refused with its code (or confirmed valid), the heap stays flat, WSUS still serves', async () => {
    const run = await fuzz(BEHAVIOURS['malformed-soap'], { warm: 1_000 });
    report('malformed SOAP', run);
    const r = expectEveryAnswerRight(run);
    expect(run.planned).toBeGreaterThan(4_000);
    // few mutations stay valid (each 2xx was confirmed by the oracle): 11.3 % here, where a duplicated
    // element is mostly accepted as WSUS does (63 %); the whole fuzz before the split had under 10 %
    expect(r.valid / r.sent).toBeLessThan(0.15);
    for (const code of ['XML', 'SOAP', 'SOAPACTION', 'OPERATION', 'FIELD', 'ENCODING']) {
      expect(r.codes.get(`SUCA_ERR_WIRE_${code}`) ?? 0, code).toBeGreaterThan(0);
    }
    expectHeapFlat(run);
    await expectStillServing();
  }, 600_000);
});
