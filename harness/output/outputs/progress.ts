// Live progress on stderr (off with --quiet): a block redrawn in place on a terminal, log lines elsewhere (output/progress.ts).

import { createProgress } from '../progress.js';
import { tryParseDuration } from '../../duration.js';
import { stringFlag, type OutputKind, type OutputSettings } from '../output.js';

const everyMs = (s: OutputSettings): number | null | undefined => {
  const v = stringFlag(s, 'progress-every');
  return v === undefined ? undefined : tryParseDuration(v);
};

export const liveProgress: OutputKind = {
  name: 'progress',
  flags: {
    quiet: { type: 'boolean', default: false, describe: 'no live progress (the summary is still printed)' },
    'progress-every': { type: 'string', describe: 'wall time between progress updates (default 250ms on a terminal, 5s as log lines otherwise)' },
  },
  checkFlags(s, p) {
    const ms = everyMs(s);
    // at most an hour: a longer gap shows nothing of a run (and a timer past 2^31 ms would fire at once)
    if (ms === null || (ms !== undefined && (ms < 10 || ms > 3_600_000))) p.add(`--progress-every ${stringFlag(s, 'progress-every')}: a duration from 10ms to 1h (examples: 250ms, 5s)`);
  },
  create(s, run) {
    const ms = everyMs(s) ?? undefined;
    const p = createProgress({ stream: s.stream, logger: s.logger, quiet: s.args['quiet'] === true, name: run.name, ...(ms !== undefined ? { everyMs: ms } : {}) });
    return p === null ? null : { name: 'progress', progress: p.update, progressEveryMs: p.everyMs };
  },
};
