// What the commands share: flag parsing (yargs, strict, in-process: help and
// errors come back as text, nothing exits), error reporting to the injected
// stderr, and the checks of files and directories given on the command line.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yargs, { type Argv } from 'yargs';
import { EXIT, HarnessError } from '../errors.js';
import type { Io } from '../io.js';
import { resultsProblems, RESULTS_SCHEMA_VERSION, type Results } from '../output/results.js';

/**
 * Parses a command's flags. Returns the arguments, or the exit code when
 * there is nothing more to do: 0 after --help, 2 after a flag error (strict:
 * unknown flags, bad choices, missing positionals; yargs names them all in one
 * message).
 */
/**
 * The flags a parser declares repeatable (`array: true`), whatever the command
 * builder they are declared in: yargs hands a command's builder the same
 * instance, and keeps no list of them once the parse is done.
 */
function noteRepeatable(y: Argv): ReadonlySet<string> {
  const names = new Set<string>();
  const note = (k: string, o: unknown) => {
    const x = o as { array?: boolean; type?: string } | undefined;
    if (x?.array === true || x?.type === 'array') names.add(k);
  };
  const yy = y as unknown as Record<'option' | 'options' | 'positional', (k: unknown, o?: unknown) => Argv>;
  for (const m of ['option', 'options', 'positional'] as const) {
    const f = yy[m].bind(y);
    yy[m] = (k: unknown, o?: unknown) => {
      if (typeof k === 'string') note(k, o);
      else if (k !== null && typeof k === 'object') for (const [n, v] of Object.entries(k)) note(n, v);
      return f(k, o);
    };
  }
  return names;
}

export function parseFlags<T>(argv: readonly string[], io: Io, command: string, configure: (y: Argv) => Argv<T>): { args: T } | { code: number } {
  let error: Error | null = null;
  let output = '';
  const base = yargs().scriptName(`suca-fleet ${command}`).exitProcess(false).strict().help().version(false).wrap(Math.min(100, io.stdout.columns ?? 100));
  const repeatable = noteRepeatable(base);
  const y = configure(base);
  const args = y.parse([...argv], {}, (err, _a, out) => {
    error = err ?? null;
    output = out;
  }) as T;
  if (error !== null) {
    io.stderr.write(`suca-fleet: SUCA_ERR_INVALID_ARGUMENT: ${(error as Error).message}\nsee: suca-fleet ${command} --help\n`);
    return { code: EXIT.CONFIG };
  }
  if (output !== '') {
    io.stdout.write(output + '\n');
    return { code: EXIT.OK };
  }
  // a flag of one value given twice (`--clients 5 --clients 0`): yargs makes it an array, which each flag's
  // own check took for a string (an internal error); only the flags declared arrays (--threshold) repeat
  const seen = new Map<string, number>();
  for (const w of argv) {
    if (w === '--') break;
    const m = /^--(?:no-)?([^=\s]+)/.exec(w);
    if (m !== null) seen.set(m[1]!, (seen.get(m[1]!) ?? 0) + 1);
  }
  const twice = [...seen].filter(([k, n]) => n > 1 && !repeatable.has(k));
  if (twice.length > 0) {
    for (const [k, n] of twice) io.stderr.write(`suca-fleet: SUCA_ERR_INVALID_ARGUMENT: --${k} given ${n} times: give it once\n`);
    io.stderr.write(`see: suca-fleet ${command} --help\n`);
    return { code: EXIT.CONFIG };
  }
  return { args };
}

/**
 * "--duration -1d": yargs reads a value starting with "-" as flags (-1, -d:
 * "Unknown arguments: 1, d"). For the flags named, a next argument that looks
 * like a negative number or duration is joined to its flag (--duration=-1d),
 * so the flag's own check refuses it with its bound.
 */
export function joinNegativeValues(argv: readonly string[], flags: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    if (a.startsWith('--') && flags.includes(a.slice(2)) && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** The environment variable that shows the stack of an internal error (README: "Exit codes"). */
export const DEBUG_ENV = 'SUCA_FLEET_DEBUG';

/**
 * Reports an error the way every command does and returns its exit code: 2
 * for a HarnessError (flags, files, scenario), 1 for anything else (a bug).
 * A bug says what was being done and what to do; its stack only with
 * SUCA_FLEET_DEBUG=1, never by default (issue 10: no stack reaches a user).
 * `after`: lines to add (where partial results went).
 */
export function reportError(io: Io, err: unknown, doing = 'running the command', after: readonly string[] = []): number {
  if (err instanceof HarnessError) {
    io.stderr.write([`suca-fleet: ${err.code}: ${err.message}`, ...after.map((l) => `suca-fleet: ${l}`)].join('\n') + '\n');
    return EXIT.CONFIG;
  }
  const what = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  const lines = [
    `suca-fleet: internal error while ${doing}: ${what}`,
    ...after.map((l) => `suca-fleet: ${l}`),
    `suca-fleet: this is a bug in suca-fleet, not in the input; please report it with the command line${io.env[DEBUG_ENV] === '1' ? '' : ` (${DEBUG_ENV}=1 prints its stack)`}`,
  ];
  if (io.env[DEBUG_ENV] === '1') lines.push(String((err as Error)?.stack ?? err));
  io.stderr.write(lines.join('\n') + '\n');
  return EXIT.INTERNAL;
}

/**
 * Collects configuration problems so a command reports every bad flag at
 * once, not one per attempt.
 */
export class Problems {
  readonly list: HarnessError[] = [];

  add(message: string, code: HarnessError['code'] = 'SUCA_ERR_INVALID_ARGUMENT'): void {
    this.list.push(new HarnessError(code, message));
  }

  /** Runs a check that throws a HarnessError, keeping the error; returns its value or undefined. */
  try<T>(f: () => T): T | undefined {
    try {
      return f();
    } catch (err) {
      if (!(err instanceof HarnessError)) throw err;
      this.list.push(err);
      return undefined;
    }
  }

  /** Writes them all (one line each, with its code); returns the exit code, or null when there are none. */
  report(io: Io): number | null {
    if (this.list.length === 0) return null;
    for (const e of this.list) io.stderr.write(`suca-fleet: ${e.code}: ${e.message}\n`);
    return EXIT.CONFIG;
  }
}

export function checkUrl(flag: string, v: string): void {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', `${flag} ${v}: not a URL (example: http://127.0.0.1:8530)`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', `${flag} ${v}: http or https only`);
}

export function readFileArg(flag: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', `${flag} ${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
  }
}

export function readResults(file: string): Results {
  let r: unknown;
  try {
    r = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', `${file}: not a readable results.json (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
  }
  return checked(r, file);
}

/**
 * A results.json, or a log holding one results line per shard (`run
 * --json-line`, gathered with `kubectl logs`): the lines that are not results
 * (log lines, which are JSON too, and text) are passed over; a results line
 * that fails the schema is an error, as a bad file is.
 */
export function readResultsFile(file: string): { r: Results; file: string }[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', `${file}: not a readable results.json (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
  }
  let whole: unknown;
  try {
    whole = JSON.parse(text);
  } catch (err) {
    const lines = resultsLines(text);
    if (lines.length === 0) throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', `${file}: not a readable results.json (${(err as Error).message}), nor a log with results lines (run --json-line)`, { cause: err });
    return lines.map(({ value, line }) => ({ r: checked(value, `${file}:${line}`), file: `${file}:${line}` }));
  }
  return [{ r: checked(whole, file), file }];
}

/** The lines of a log that carry a results.json (its schemaVersion and tool name), with their line numbers. */
function resultsLines(text: string): { value: unknown; line: number }[] {
  const out: { value: unknown; line: number }[] = [];
  text.split('\n').forEach((l, i) => {
    const t = l.trim();
    if (!t.startsWith('{"schemaVersion":')) return;
    try {
      out.push({ value: JSON.parse(t), line: i + 1 });
    } catch {
      // a results line cut short (a pod killed while writing) is kept, to fail the schema by name
      out.push({ value: { truncated: true }, line: i + 1 });
    }
  });
  return out;
}

function checked(r: unknown, where: string): Results {
  const problems = resultsProblems(r as Results);
  if (problems.length > 0) throw new HarnessError('SUCA_ERR_INVALID_ARGUMENT', `${where}: not a results.json this suca-fleet reads (schema ${RESULTS_SCHEMA_VERSION}): ${problems.length} problem${problems.length === 1 ? '' : 's'}\n` + problems.map((p) => '  ' + p).join('\n'));
  return r as Results;
}

