// Live progress on stderr (off with --quiet): a block redrawn in place on a terminal, log lines elsewhere (output/progress.ts).

import { createProgress } from '../progress.js';
import type { OutputKind } from '../output.js';

export const liveProgress: OutputKind = {
  name: 'progress',
  create(s, sc) {
    const p = createProgress({ stream: s.progress.stream, logger: s.progress.logger, quiet: s.progress.quiet, name: sc.name, ...(s.progress.everyMs !== undefined ? { everyMs: s.progress.everyMs } : {}) });
    return p === null ? null : { name: 'progress', progress: p.update, progressEveryMs: p.everyMs };
  },
};
