// Bad input to the stub servers (issue 3): malformed HTTP over raw sockets
// (broken request lines, headers, chunked encoding, lengths) to all three
// servers gets a 400 or a closed connection, never a hang, and the servers still
// serve afterwards. Machinery and generators: test/helpers/bad-input.ts.

import { describe, expect, it } from 'vitest';
import { BEHAVIOURS, expectEveryAnswerRight, expectStillServing, fuzz, report } from './helpers/bad-input.js';

describe('stub servers under bad input: malformed HTTP on raw sockets', () => {
  it('every malformed request gets a 400 or a closed connection, never a hang; the servers still serve', async () => {
    const run = await fuzz(BEHAVIOURS['raw-http']);
    report('raw HTTP', run);
    expectEveryAnswerRight(run);
    expect(run.planned).toBeGreaterThan(0);
    await expectStillServing();
  }, 600_000);
});
