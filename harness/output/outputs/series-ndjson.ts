// --series-ndjson FILE: the time series as NDJSON, a line per completed interval (format: output/series-ndjson.ts).

import { SeriesNdjsonWriter } from '../series-ndjson.js';
import { ensureWritableFileDir } from '../writable.js';
import { stringFlag, type OutputKind } from '../output.js';

export const seriesNdjson: OutputKind = {
  name: 'series-ndjson',
  flags: { 'series-ndjson': { type: 'string', describe: 'also write the time series as NDJSON to this file, a line per interval as it completes' } },
  prepare(s, p) {
    const f = stringFlag(s, 'series-ndjson');
    if (f !== undefined) p.try(() => ensureWritableFileDir(f, '--series-ndjson'));
  },
  create(s, run) {
    const f = stringFlag(s, 'series-ndjson');
    if (f === undefined) return null;
    const w = new SeriesNdjsonWriter(f, run.start);
    return { name: 'series-ndjson', interval: w.write, finish: () => w.close(), abort: () => w.close(), written: () => ({ what: 'series NDJSON', path: f }) };
  },
};
