// suca-fleet --version prints the tool's version, the one results.json
// records and package.json declares (issue 10: "There is no --version").

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { cli } from './helpers/cli.js';

describe('suca-fleet --version', () => {
  it('prints the version package.json declares, exit 0', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V', 'version']) {
      const r = await cli(flag);
      expect(r.code, flag).toBe(0);
      expect(r.out).toBe(`suca-fleet ${pkg.version} (Node ${process.versions.node})\n`);
    }
  });
});
