// --out DIR: results.json, written once the results are final.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatResultsJson } from '../results.js';
import { ensureWritableDir } from '../../commands/common.js';
import type { OutputKind } from '../output.js';

export const resultsJson: OutputKind = {
  name: 'results.json',
  check: (s, p) => (s.out !== undefined ? p.try(() => ensureWritableDir(s.out!)) : undefined),
  create(s) {
    if (s.out === undefined) return null;
    const file = join(s.out, 'results.json');
    return { name: 'results.json', end: (r) => writeFileSync(file, formatResultsJson(r)) };
  },
};
