// Bad input to the MP stub (issue 3): more than 4,000 mutated CCM messages
// (bytes flipped, truncated, wrong multipart boundaries, missing parts, BOMs,
// broken zlib, bad signatures, unknown endpoints, broken header and body XML,
// bad state reports, wrong methods and paths, policy GETs, .sms_aut queries),
// signature verification on, each get a 4xx/5xx with a body saying what was
// wrong, or a 2xx the in-process decode confirms valid; refusals are counted by
// code, the per-endpoint counters keep one key per endpoint served, the heap
// stays flat, and the MP still serves afterwards.
// Machinery and generators: test/helpers/bad-input.ts.

import { describe, expect, it } from 'vitest';
import * as ccm from '../agent/wire/ccm/index.js';
import { BEHAVIOURS, expectEveryAnswerRight, expectHeapFlat, expectStillServing, fuzz, report, servers } from './helpers/bad-input.js';

describe('stub servers under bad input: bad CCM framing to the MP', () => {
  it('every mutated CCM message is refused with its code (or confirmed valid), the counters stay bounded, the heap stays flat, the MP still serves', async () => {
    const run = await fuzz(BEHAVIOURS['ccm-framing'], { warm: 1_000 });
    report('CCM framing', run);
    const r = expectEveryAnswerRight(run);
    expect(run.planned).toBeGreaterThan(4_000);
    // reports of topics the scenario does not model are meant valid (a real MP takes them): every one a 2xx
    const foreign = r.byCategory.get('mp.report-foreign-topics')!;
    expect(foreign.n).toBeGreaterThan(100);
    expect(foreign.valid).toBe(foreign.n);
    // the mutations are meant as refusals: few turn out valid after all
    expect((r.valid - foreign.valid) / (r.sent - foreign.n)).toBeLessThan(0.1);
    for (const code of ['XML', 'FIELD', 'MULTIPART', 'ENCODING', 'SIGNATURE']) {
      expect(r.codes.get(`SUCA_ERR_WIRE_${code}`) ?? 0, code).toBeGreaterThan(0);
    }
    // per-endpoint counters keep one key per endpoint served, whatever names the clients make up
    const keys = [...Object.values(ccm.MP_ENDPOINT), '(other endpoint)', 'GET .sms_pol', 'GET .sms_aut?MPLIST', 'GET .sms_aut?MPKEYINFORMATION', 'GET .sms_aut?(other)'];
    expect([...servers.stats.mp.endpoints.keys()].filter((k) => !keys.includes(k))).toEqual([]);
    expectHeapFlat(run);
    await expectStillServing();
  }, 600_000);
});
