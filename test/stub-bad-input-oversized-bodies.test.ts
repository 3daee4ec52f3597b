// Bad input to the stub servers (issue 3): oversized bodies. SOAP bodies past
// the payload limit to WSUS, CCM messages past it to the MP, and zlib bombs
// (small compressed bodies that inflate past it) are refused with
// SUCA_ERR_WIRE_TOO_LARGE without reading them whole, and both servers still
// serve afterwards. Machinery and generators: test/helpers/bad-input.ts.

import { describe, expect, it } from 'vitest';
import { BEHAVIOURS, TOTAL_MIN, expectEveryAnswerRight, expectStillServing, fuzz, planCategories, report } from './helpers/bad-input.js';

describe('stub servers under bad input: oversized bodies', () => {
  it('bodies and inflated bodies past the payload limit are refused as too large; the servers still serve', async () => {
    const run = await fuzz(BEHAVIOURS['oversized-bodies']);
    report('oversized bodies', run);
    const r = expectEveryAnswerRight(run);
    expect(run.categories).toEqual(['mp.huge-body', 'mp.zlib-bomb', 'wsus.huge-body']);
    expect(r.valid).toBe(0);
    expect(r.codes.get('SUCA_ERR_WIRE_TOO_LARGE') ?? 0).toBeGreaterThan(0);
    await expectStillServing();
  }, 600_000);

  it(`the stub-bad-input files together run every category of the plan once, ${TOTAL_MIN}+ cases`, async () => {
    const cats = await planCategories();
    for (const c of cats.keys()) expect(Object.entries(BEHAVIOURS).filter(([, pick]) => pick(c)).map(([b]) => b), c).toHaveLength(1);
    expect([...cats.values()].reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(TOTAL_MIN);
  });
});
