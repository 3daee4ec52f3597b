// --out DIR (unless --no-report): report.html beside results.json.

import { join } from 'node:path';
import { writeReport } from '../report-html.js';
import type { OutputKind } from '../output.js';

export const reportHtml: OutputKind = {
  name: 'report.html',
  create(s) {
    if (s.out === undefined || !s.report) return null;
    const file = join(s.out, 'report.html');
    return { name: 'report.html', end: (r) => writeReport(file, r) };
  },
};
