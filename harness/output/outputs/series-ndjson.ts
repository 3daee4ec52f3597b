// --series-ndjson FILE: the time series as NDJSON, a line per completed interval (format: output/series-ndjson.ts).

import { SeriesNdjsonWriter } from '../series-ndjson.js';
import { ensureWritableFileDir } from '../../commands/common.js';
import type { OutputKind } from '../output.js';

export const seriesNdjson: OutputKind = {
  name: 'series-ndjson',
  check: (s, p) => (s.seriesNdjson !== undefined ? p.try(() => ensureWritableFileDir(s.seriesNdjson!, '--series-ndjson')) : undefined),
  create(s, sc) {
    if (s.seriesNdjson === undefined) return null;
    const w = new SeriesNdjsonWriter(s.seriesNdjson, sc.start);
    return { name: 'series-ndjson', interval: w.write, finish: () => w.close(), abort: () => w.close() };
  },
};
