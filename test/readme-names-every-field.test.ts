// README documents every scenario field, trace event, results.json key, CLI
// flag and error code (the project's rule). The names come from the code
// itself (the strict scenario schema, EVENT_NAMES, the results schema, the
// commands' yargs definitions, the errors.ts unions), so a field added
// without its README line fails here. An audit of 2026-12-07 found
// `model.requestTimeout`, `$schema`, three results.json keys and five error
// codes missing: the reason this test exists.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ZodType } from 'zod';
import { scenarioSchema } from '../harness/scenario/schema.js';
import { resultsSchema } from '../harness/output/results-schema.js';
import { EVENT_NAMES } from '../harness/metrics/run-metrics.js';
import { outputFlags } from '../harness/output/outputs/index.js';

const root = join(import.meta.dirname, '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
/** every `code span` of README, as written */
const spans = new Set([...readme.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!));

interface Def {
  type: string;
  innerType?: ZodType;
  in?: ZodType;
  element?: ZodType;
  options?: ZodType[];
  valueType?: ZodType;
  shape?: Record<string, ZodType>;
  getter?: () => ZodType;
}
const defOf = (s: ZodType): Def => (s as unknown as { def: Def }).def;

/** Key paths of a zod schema: `a.b`, arrays as `a[].b` (records' values are not named keys). */
function keyPaths(s: ZodType, path: string, out: string[]): string[] {
  const d = defOf(s);
  switch (d.type) {
    case 'optional': case 'nullable': case 'default': case 'readonly': case 'prefault': case 'nonoptional':
      keyPaths(d.innerType!, path, out); break;
    case 'pipe': keyPaths(d.in!, path, out); break;
    case 'lazy': keyPaths(d.getter!(), path, out); break;
    case 'array': keyPaths(d.element!, `${path}[]`, out); break;
    case 'union': for (const o of d.options!) keyPaths(o, path, out); break;
    case 'object':
      for (const [k, v] of Object.entries(d.shape!)) {
        const p = path === '' ? k : `${path}.${k}`;
        out.push(p);
        keyPaths(v, p, out);
      }
      break;
    default:
  }
  return out;
}

/**
 * A key is documented when README has a code span naming it: the whole path
 * (`client.scanTtl`), the path from any parent down (`wsusPool.sups`), the
 * leaf as a table row under its parent writes it (`.kind`), or the bare leaf
 * in a row listing siblings (`model.onlineScanMin` / `onlineScanMax`). A
 * span that merely contains the leaf's name somewhere does not count.
 */
function documented(path: string): boolean {
  const parts = path.replaceAll('[]', '').split('.');
  const leaf = parts.at(-1)!;
  for (let i = 0; i < parts.length; i++) {
    const tail = parts.slice(i).join('.');
    if (spans.has(tail) || spans.has(`.${tail}`)) return true;
  }
  return [...spans].some((s) => {
    for (let i = 0; i < parts.length; i++) {
      const tail = parts.slice(i).join('.');
      // an object named by its children's rows (`power.neverReturn.fraction` / `within`)
      if (s.startsWith(`${tail}.`) || s.startsWith(`.${tail}.`)) return true;
    }
    // a row of the key with its value (`.reset: true`), a span that lists several (`{from, to, days}`,
    // `power.{workstations,laptops}.onAt`) or writes JSON (`{"monthly": {"week": ...}}`)
    return s.startsWith(`.${leaf}: `) || (s.includes('{') && new RegExp(`[{,]\\s*"?${leaf}"?\\s*[,}:]`).test(s));
  });
}

describe('README names every', () => {
  it('scenario field (every key path of the strict schema)', () => {
    const paths = [...new Set(keyPaths(scenarioSchema as unknown as ZodType, '', []))];
    expect(paths.length).toBeGreaterThan(150);
    expect(paths.filter((p) => !documented(p))).toEqual([]);
  });

  it('trace event, in a code span of its own', () => {
    expect(EVENT_NAMES.length).toBeGreaterThan(30);
    expect(EVENT_NAMES.filter((e) => !spans.has(e))).toEqual([]);
  });

  it('top-level results.json key, and the keys of every top-level object below it', () => {
    const paths = keyPaths(resultsSchema as unknown as ZodType, '', []).filter((p) => p.split('.').length <= 2 && !p.includes('[]'));
    expect(paths.length).toBeGreaterThan(60);
    expect(paths.filter((p) => !documented(p))).toEqual([]);
  });

  it('CLI flag of every command (the yargs definitions)', () => {
    const dir = join(root, 'harness', 'commands');
    const flags = new Set<string>(Object.keys(outputFlags()));
    for (const f of readdirSync(dir)) {
      for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/\.option\('([a-z][a-z-]*)'/g)) flags.add(m[1]!);
    }
    expect(flags.size).toBeGreaterThan(30);
    // as a flag: `--name`, `--name VALUE` or `--[no-]name`
    const named = (f: string) => [...spans].some((s) => s === `--${f}` || s.startsWith(`--${f} `) || s.startsWith(`--${f}=`) || s === `--no-${f}` || s === `--[no-]${f}`);
    expect([...flags].filter((f) => !named(f))).toEqual([]);
  });

  it('error code of every errors.ts, and the stub\'s 500', () => {
    const codes = new Set<string>(['SUCA_ERR_STUB_INTERNAL']);
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name === 'errors.ts') for (const m of readFileSync(p, 'utf8').matchAll(/'(SUCA_ERR_[A-Z_]+)'/g)) codes.add(m[1]!);
      }
    };
    for (const d of ['agent', 'harness', 'server-stub']) walk(join(root, d));
    expect(codes.size).toBeGreaterThan(15);
    expect([...codes].filter((c) => !readme.includes(c))).toEqual([]);
  });
});
