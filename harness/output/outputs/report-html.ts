// --out DIR (unless --no-report): report.html beside results.json.

import { join } from 'node:path';
import { writeReport } from '../report-html.js';
import { stringFlag, type OutputKind } from '../output.js';

export const reportHtml: OutputKind = {
  name: 'report.html',
  flags: { report: { type: 'boolean', default: true, describe: 'with --out, also write report.html (--no-report: only results.json)' } },
  create(s) {
    const dir = stringFlag(s, 'out');
    if (dir === undefined || s.args['report'] === false) return null;
    const file = join(dir, 'report.html');
    let done = false;
    return {
      name: 'report.html',
      end: (r) => {
        writeReport(file, r);
        done = true;
      },
      written: () => (done ? { what: 'report.html', path: file } : null),
    };
  },
};
