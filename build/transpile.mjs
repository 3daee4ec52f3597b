// The build for `npm test`: dist/ as `tsc -p .` writes it (the same files, one
// .js and .js.map per .ts, ES2022 modules), transpiled file by file with
// esbuild and not type-checked here. `npm test` type-checks the sources and the
// tests with tsc beside vitest instead (tsc -p test covers both), so the suite
// does not wait for a second, emitting, type check first. Measured on the
// 2-core VM (load 1): `tsc -p .` + the report page 13.7 s wall, 22.2 s CPU;
// this 0.4 s. `npm run build` (npm start, npm run bench, users) stays tsc.
// Rejected: tsc --incremental (a clean clone has no cache), rolldown's
// transform (a transitive dependency of vite, not ours to pin).
import { build } from 'esbuild';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const ROOTS = ['agent', 'server-stub', 'harness', 'bench'];
const BROWSER = join('harness', 'output', 'report-browser', 'main.ts');

function tsFiles(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...tsFiles(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') && p !== BROWSER) out.push(p);
  }
  return out;
}

rmSync('dist', { recursive: true, force: true });
// the Node code: tsconfig.json's target and module
await build({
  entryPoints: ROOTS.flatMap(tsFiles),
  outdir: 'dist',
  outbase: '.',
  format: 'esm',
  platform: 'node',
  target: 'es2022',
  sourcemap: true,
  bundle: false,
  logLevel: 'warning',
});
// The report's page script, inlined into report.html: TypeScript's own
// transpiler with its tsconfig's options, so the page is byte for byte the one
// `npm run build` writes (esbuild wraps it in a function and drops comments).
const ts = createRequire(import.meta.url)('typescript');
const out = join('dist', 'harness', 'output', 'report-browser');
mkdirSync(out, { recursive: true });
const js = ts.transpileModule(readFileSync(BROWSER, 'utf8'), {
  compilerOptions: { target: ts.ScriptTarget.ES2019, module: ts.ModuleKind.None, strict: true, removeComments: false },
}).outputText;
writeFileSync(join(out, 'main.js'), js);
