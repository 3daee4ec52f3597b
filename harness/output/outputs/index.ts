// The outputs of a run, in the order they see each call (results.json before
// the report made from it). Adding an output: a file here and a line below.

import type { RunInfo } from '../../plan.js';
import type { Problems } from '../../commands/common.js';
import type { Output, OutputKind, OutputSettings } from '../output.js';
import type { Results } from '../results.js';
import type { Options } from 'yargs';
import { trace } from './trace.js';
import { seriesNdjson } from './series-ndjson.js';
import { resultsJson } from './results-json.js';
import { reportHtml } from './report-html.js';
import { liveProgress } from './progress.js';

export const OUTPUTS: readonly OutputKind[] = [
  trace,
  seriesNdjson,
  resultsJson,
  reportHtml,
  liveProgress,
];

/** Every output's flags, for the run command's parser. */
export function outputFlags(): Record<string, Options> {
  return Object.assign({}, ...OUTPUTS.map((k) => k.flags ?? {})) as Record<string, Options>;
}

/** Problems with the outputs' flags alone (with the other flag problems). */
export function checkOutputFlags(s: OutputSettings, p: Problems): void {
  for (const k of OUTPUTS) k.checkFlags?.(s, p);
}

/** Once the scenario is good: every output can write where it will (--out is created). */
export function prepareOutputs(s: OutputSettings, p: Problems): void {
  for (const k of OUTPUTS) k.prepare?.(s, p);
}

/** run: the outputs' part of the run plan (planRun(...).outputs) */
export function createOutputs(s: OutputSettings, run: RunInfo): Output[] {
  return OUTPUTS.flatMap((k) => k.create(s, run) ?? []);
}

/** The files the outputs wrote, in their order. */
export function writtenFiles(outputs: readonly Output[]): { readonly what: string; readonly path: string }[] {
  return outputs.flatMap((o) => o.written?.() ?? []);
}

/** The results are final: every output writes and closes. */
export function endOutputs(outputs: readonly Output[], r: Results): void {
  for (const o of outputs) o.end?.(r);
}
