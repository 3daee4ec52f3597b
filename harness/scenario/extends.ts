// Scenario files that extend others: `"extends": "patch-tuesday"` (a name of
// the library, harness scenarios/) or a path relative to the extending file.
// The chain is read base first and merged: objects deeply, key by key; arrays
// and every other value replaced whole (a variant that changes one deployment
// restates the deployments array: merging arrays element by element would
// make "remove the second deployment" impossible to say). A cycle is refused
// naming the chain. The strict schema and the cross-field checks run on the
// merged result (resolve.ts), and each problem is told with the file its
// offending field came from.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HarnessError, ScenarioError, type ScenarioIssue } from '../errors.js';
import { readScenarioFile, resolveScenario, type ResolvedScenario, type ScenarioOverrides } from './resolve.js';

/** Chains longer than this are refused (a mistake, not a design). */
const MAX_CHAIN = 16;

/**
 * The library's folder: `scenarios/` at the package root, found from this
 * module both in the sources (harness/scenario/) and in the build
 * (dist/harness/scenario/), so a run by name works from a checkout, from
 * `npm run build` and from the installed package (package.json "files").
 */
export function libraryDir(): string {
  for (const up of ['../../scenarios', '../../../scenarios']) {
    const dir = fileURLToPath(new URL(up, import.meta.url));
    if (existsSync(dir) && statSync(dir).isDirectory()) return dir;
  }
  throw new HarnessError('SUCA_ERR_SCENARIO_READ', 'the scenario library (scenarios/ beside the package) is missing from this installation');
}

export interface LibraryEntry {
  /** the file's base name without .json: what `--scenario NAME` and `"extends": NAME` take */
  readonly name: string;
  readonly file: string;
}

/** The library's scenarios, by name. */
export function libraryScenarios(): LibraryEntry[] {
  const dir = libraryDir();
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ name: f.slice(0, -'.json'.length), file: resolvePath(dir, f) }));
}

/** A name of the library, as opposed to a path: no folder separator, no .json. */
function isLibraryName(s: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(s) && !s.endsWith('.json');
}

function unknownName(name: string, what: string): HarnessError {
  const known = libraryScenarios().map((e) => e.name);
  return new HarnessError('SUCA_ERR_SCENARIO_READ', `${what} "${name}": no such file, and not a scenario of the library; the library has: ${known.join(', ')} (suca-fleet scenarios lists them)`);
}

/**
 * What `--scenario X` names: an existing file, else a library name, else an
 * error listing the library. A path that does not exist stays a path (its
 * read error names it).
 */
export function scenarioFileOf(arg: string): string {
  if (existsSync(arg)) return arg;
  if (isLibraryName(arg)) {
    const hit = libraryScenarios().find((e) => e.name === arg);
    if (hit !== undefined) return hit.file;
    throw unknownName(arg, '--scenario');
  }
  return arg;
}

/** What `"extends": X` in `fromFile` names: a library name, or a path relative to fromFile's folder. */
function extendsFileOf(value: string, fromFile: string): string {
  if (isLibraryName(value)) {
    const hit = libraryScenarios().find((e) => e.name === value);
    if (hit !== undefined) return hit.file;
    throw new ScenarioError(fromFile, [{ path: 'extends', message: `"${value}" is not a scenario of the library (${libraryScenarios().map((e) => e.name).join(', ')}); a file is named by a path, e.g. "./${value}.json"` }]);
  }
  return isAbsolute(value) ? value : resolvePath(dirname(fromFile), value);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Deep merge: objects key by key, anything else (arrays included) replaced whole by `over`. */
export function mergeScenario(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in base ? mergeScenario(base[k], v) : v;
  return out;
}

export interface LoadedScenario {
  /** the merged scenario, without `extends` */
  readonly input: Record<string, unknown>;
  /** the file given */
  readonly source: string;
  /** the files read, the one given first, its base last */
  readonly chain: readonly string[];
  /** each file's own object (without `extends`), in chain order */
  readonly layers: readonly Record<string, unknown>[];
}

/** Reads a scenario file and the files it extends, and merges them. */
export function loadScenarioFile(file: string): LoadedScenario {
  const chain: string[] = [];
  const layers: Record<string, unknown>[] = [];
  const seen: string[] = [];
  let current = file;
  for (;;) {
    const abs = resolvePath(current);
    if (seen.includes(abs)) {
      const names = [...chain, current].map((f) => basename(f));
      throw new ScenarioError(file, [{ path: 'extends', message: `extends itself in a cycle: ${names.join(' -> ')}` }]);
    }
    if (chain.length >= MAX_CHAIN) throw new ScenarioError(file, [{ path: 'extends', message: `a chain of more than ${MAX_CHAIN} files: ${chain.map((f) => basename(f)).join(' -> ')} -> ...` }]);
    seen.push(abs);
    chain.push(current);
    let raw: unknown;
    try {
      raw = readScenarioFile(current);
    } catch (err) {
      if (chain.length === 1 || !(err instanceof HarnessError) || err instanceof ScenarioError) throw err;
      throw new HarnessError(err.code, `${err.message}, extended by ${chain[chain.length - 2]}`, { cause: err });
    }
    if (!isPlainObject(raw)) {
      layers.push(raw as Record<string, unknown>);
      break;
    }
    const { extends: parent, ...own } = raw;
    layers.push(own);
    if (parent === undefined) break;
    if (typeof parent !== 'string' || parent.length === 0) throw new ScenarioError(current, [{ path: 'extends', message: 'a library name (e.g. "patch-tuesday") or a path relative to this file' }]);
    current = extendsFileOf(parent, current);
  }
  let input: unknown = {};
  for (let i = layers.length - 1; i >= 0; i--) input = i === layers.length - 1 ? layers[i] : mergeScenario(input, layers[i]);
  return { input: input as Record<string, unknown>, source: file, chain, layers };
}

/** `a.b[0].c` -> ['a', 'b', 0, 'c'] */
function segments(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  return out;
}

/** Whether this layer sets the value at `path` (or replaces a value holding it: an array or a scalar on the way). */
function sets(layer: unknown, path: (string | number)[]): boolean {
  let cur: unknown = layer;
  for (const seg of path) {
    if (!isPlainObject(cur)) return true;
    if (!(String(seg) in cur)) return false;
    cur = cur[String(seg)];
    if (!isPlainObject(cur)) return true;
  }
  return true;
}

/** The file a problem's field came from: the most derived layer that sets it. */
export function originOf(loaded: LoadedScenario, path: string, message = ''): string {
  const segs = segments(path);
  // an unknown key is reported at the object holding it: look for the key itself
  const unknown = /^Unrecognized keys?: "([^"]+)"/.exec(message);
  if (unknown !== null) segs.push(unknown[1]!);
  if (segs.length === 0) return loaded.chain[0]!;
  for (let i = 0; i < loaded.layers.length; i++) if (sets(loaded.layers[i], segs)) return loaded.chain[i]!;
  return loaded.chain[0]!;
}

/**
 * Loads (extends resolved) and validates a scenario given on the command line
 * (a file or a library name; undefined: the built-in default). Problems in an
 * extended scenario name the file each field came from.
 */
export function loadScenario(arg: string | undefined, overrides: ScenarioOverrides = {}): ResolvedScenario {
  if (arg === undefined) return resolveScenario(undefined, '(built-in default)', overrides);
  const file = scenarioFileOf(arg);
  const loaded = loadScenarioFile(file);
  try {
    return resolveScenario(loaded.input, arg, overrides);
  } catch (err) {
    if (!(err instanceof ScenarioError) || loaded.chain.length === 1) throw err;
    const issues: ScenarioIssue[] = err.issues.map((i) => ({ path: i.path, message: `${i.message} (in ${originOf(loaded, i.path, i.message)})` }));
    throw new ScenarioError(err.source, issues);
  }
}
