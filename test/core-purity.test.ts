// House rule 1: agent/core is pure, (state, event, ctx) -> effects. Every file
// of agent/core is parsed (TypeScript's own parser, so comments and strings
// do not count) and must import only from agent/core, and use no clock,
// timer, randomness, process, console or Node module: time comes in as
// arguments, randomness from the seeded PRNG (agent/core/prng.ts).

import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const core = fileURLToPath(new URL('../agent/core/', import.meta.url));

/** Globals the core must not touch. */
const FORBIDDEN = new Set(['Date', 'setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate', 'queueMicrotask', 'performance', 'process', 'console', 'require', 'globalThis', 'Buffer', 'fetch', 'crypto']);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Every breach of the rule in one source file: "line: what". */
function impurities(file: string, text: string, root: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const at = (n: ts.Node) => `${relative(root, file)}:${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1}`;
  const checkSpecifier = (n: ts.Node, spec: string) => {
    if (spec.startsWith('node:') || !spec.startsWith('.')) out.push(`${at(n)}: imports ${spec} (a module outside agent/core)`);
    else if (relative(root, resolve(dirname(file), spec)).startsWith('..')) out.push(`${at(n)}: imports ${spec} (outside agent/core)`);
  };
  const visit = (n: ts.Node): void => {
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier !== undefined && ts.isStringLiteral(n.moduleSpecifier)) checkSpecifier(n, n.moduleSpecifier.text);
    if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword) out.push(`${at(n)}: dynamic import()`);
    if (ts.isPropertyAccessExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'Math' && n.name.text === 'random') out.push(`${at(n)}: Math.random`);
    if (ts.isIdentifier(n) && FORBIDDEN.has(n.text)) {
      const p = n.parent;
      // a property or member *named* like a global (x.process, { console: 1 }) is not the global
      const isName = (ts.isPropertyAccessExpression(p) && p.name === n) || ((ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p) || ts.isPropertySignature(p) || ts.isMethodDeclaration(p) || ts.isMethodSignature(p)) && p.name === n);
      if (!isName) out.push(`${at(n)}: ${n.text}`);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

describe('agent/core is pure', () => {
  it('the checker finds each kind of breach (and not names that only look like one)', () => {
    const bad = [
      "import { readFileSync } from 'node:fs';",
      "import { StubCore } from '../../server-stub/core/index.js';",
      "import pino from 'pino';",
      'const a = Date.now(); const b = new Date(); setTimeout(() => 0, 1); const r = Math.random();',
      'performance.now(); process.env.X; console.log(1);',
      '// Date.now() in a comment, and "setTimeout" in a string, are fine',
      "const o = { process: 1, console: 2 }; o.process; import { x } from './prng.js';",
    ].join('\n');
    const found = impurities(join(core, 'x.ts'), bad, core).map((s) => s.replace(/^x\.ts:/, ''));
    expect(found).toEqual([
      '1: imports node:fs (a module outside agent/core)',
      '2: imports ../../server-stub/core/index.js (outside agent/core)',
      '3: imports pino (a module outside agent/core)',
      '4: Date', '4: Date', '4: setTimeout', '4: Math.random',
      '5: performance', '5: process', '5: console',
    ]);
  });

  it('every file of agent/core imports only agent/core and uses no clock, timer, randomness, process, console or Node module', () => {
    const all = files(core);
    expect(all.length).toBeGreaterThanOrEqual(5);
    const found = all.flatMap((f) => impurities(f, readFileSync(f, 'utf8'), core));
    expect(found).toEqual([]);
  });
});
