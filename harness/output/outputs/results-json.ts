// --out DIR: results.json, written once the results are final.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatResultsJson } from '../results.js';
import { ensureWritableDir } from '../writable.js';
import { stringFlag, type OutputKind } from '../output.js';

export const resultsJson: OutputKind = {
  name: 'results.json',
  flags: { out: { type: 'string', describe: 'directory to write results.json into' } },
  prepare(s, p) {
    const dir = stringFlag(s, 'out');
    if (dir !== undefined) p.try(() => ensureWritableDir(dir));
  },
  create(s) {
    const dir = stringFlag(s, 'out');
    if (dir === undefined) return null;
    const file = join(dir, 'results.json');
    let done = false;
    return {
      name: 'results.json',
      end: (r) => {
        writeFileSync(file, formatResultsJson(r));
        done = true;
      },
      written: () => (done ? { what: 'results.json', path: file } : null),
    };
  },
};
