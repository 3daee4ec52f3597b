// Bad input to the stub servers (issue 3): content requests and paths. Path
// traversal and broken content paths, bad Range headers and wrong methods to the
// DP (and WSUS content), and unknown paths on every server are answered with a
// 4xx and a body (or a 2xx/206 the range rules confirm), and the DP still
// serves a real range afterwards. Machinery and generators: test/helpers/bad-input.ts.

import { describe, expect, it } from 'vitest';
import { BEHAVIOURS, expectEveryAnswerRight, expectStillServing, fuzz, report } from './helpers/bad-input.js';

describe('stub servers under bad input: content ranges, traversal and unknown paths', () => {
  it('every bad content request and unknown path gets a 4xx with a body (or a confirmed valid answer); the servers still serve', async () => {
    const run = await fuzz(BEHAVIOURS['content-paths']);
    report('content and paths', run);
    const r = expectEveryAnswerRight(run);
    expect(run.categories).toEqual(['content.method', 'content.range', 'content.traversal', 'unknown-path']);
    expect(r.sent - r.valid).toBeGreaterThan(0);
    for (const code of ['bad-range', 'method', 'not-found']) expect(r.codes.get(code) ?? 0, code).toBeGreaterThan(0);
    await expectStillServing();
  }, 600_000);
});
