// deploy/k8s/*.yaml against the Kubernetes API schema, offline: the JSON
// schemas of the kubernetes-models package (4.5, the last for Node 20) check
// types, enums and required fields; they allow unknown fields (the API's
// OpenAPI document does not forbid them, the API server's strict field
// validation does), so each object is also type-checked by tsc as a literal
// of the package's interface, whose excess-property check names any field
// the API does not have. kubectl --dry-run=client was rejected: it needs a
// server for the OpenAPI document even with --validate (measured: "failed to
// download openapi").

import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import ts from 'typescript';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Service } from 'kubernetes-models/v1/Service';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const MODELS: Record<string, { module: string; iface: string; validate: (o: unknown) => void }> = {
  'batch/v1/Job': { module: 'kubernetes-models/batch/v1/Job', iface: 'IJob', validate: (o) => new Job(o as never).validate() },
  'apps/v1/Deployment': { module: 'kubernetes-models/apps/v1/Deployment', iface: 'IDeployment', validate: (o) => new Deployment(o as never).validate() },
  'v1/Service': { module: 'kubernetes-models/v1/Service', iface: 'IService', validate: (o) => new Service(o as never).validate() },
};

function objects(file: string): { apiVersion: string; kind: string; [k: string]: unknown }[] {
  return parseAllDocuments(readFileSync(join(root, 'deploy/k8s', file), 'utf8')).map((d) => {
    expect(d.errors).toEqual([]);
    return d.toJS() as { apiVersion: string; kind: string };
  });
}

/**
 * tsc's diagnostics for `const m: IKind = <object>` per object: excess properties, wrong types;
 * one list per set of objects, each set a file of one program: the package's declarations are
 * read and checked once for all (three programs took 2.7 s of the file's 3.1).
 */
function typeErrorsOf(sets: readonly (readonly { apiVersion: string; kind: string }[])[]): string[][] {
  const files = sets.map((_, k) => join(root, 'test', `__k8s_manifest_check_${k}__.ts`));
  const srcs = new Map(
    sets.map((objs, k) => [
      files[k]!,
      objs.map((o, i) => {
        const m = MODELS[`${o.apiVersion}/${o.kind}`]!;
        return `import type { ${m.iface} as T${i} } from '${m.module}';\nexport const m${i}: T${i} = ${JSON.stringify(o)};\n`;
      }).join(''),
    ]),
  );
  const options: ts.CompilerOptions = { strict: true, noEmit: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, types: [], skipLibCheck: true };
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  host.readFile = (f) => srcs.get(f) ?? read(f);
  const exists = host.fileExists.bind(host);
  host.fileExists = (f) => srcs.has(f) || exists(f);
  const getSource = host.getSourceFile.bind(host);
  host.getSourceFile = (f, v, ...rest) => (srcs.has(f) ? ts.createSourceFile(f, srcs.get(f)!, v) : getSource(f, v, ...rest));
  const program = ts.createProgram(files, options, host);
  return files.map((f) => ts.getPreEmitDiagnostics(program, program.getSourceFile(f)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')));
}

// the manifests' objects, and the Job with an unknown field (the check must name it), checked at once
const FILES = ['fleet-job.yaml', 'stub.yaml'] as const;
let typeErrors: Record<(typeof FILES)[number] | 'badJob', string[]>;
beforeAll(() => {
  const [job] = objects('fleet-job.yaml') as [{ apiVersion: string; kind: string; spec: Record<string, unknown> }];
  const [a, b, bad] = typeErrorsOf([objects('fleet-job.yaml'), objects('stub.yaml'), [{ ...job, spec: { ...job.spec, completionz: 4 } } as never]]);
  typeErrors = { 'fleet-job.yaml': a!, 'stub.yaml': b!, badJob: bad! };
});

describe('Kubernetes manifests (deploy/k8s)', () => {
  for (const file of FILES) {
    it(`${file} is valid against the API schema, with no unknown fields`, () => {
      const objs = objects(file);
      expect(objs.length).toBeGreaterThan(0);
      for (const o of objs) {
        const m = MODELS[`${o.apiVersion}/${o.kind}`];
        expect(m, `${o.apiVersion} ${o.kind}`).toBeDefined();
        m!.validate(o);
      }
      expect(typeErrors[file]).toEqual([]);
    });
  }

  it('the checks catch what they are for: a wrong type, and an unknown field', () => {
    const [job] = objects('fleet-job.yaml') as [{ apiVersion: string; kind: string; spec: Record<string, unknown> }];
    expect(() => MODELS['batch/v1/Job']!.validate({ ...job, spec: { ...job.spec, completions: 'four' } })).toThrow(/completions must be integer/);
    expect(typeErrors.badJob.join('\n')).toMatch(/completionz/);
  });

  it('the Job is Indexed, its completions and parallelism match --shards, and it does not retry a shard', () => {
    const [job] = objects('fleet-job.yaml') as unknown as [{ spec: { completionMode: string; completions: number; parallelism: number; backoffLimit: number; template: { spec: { containers: { args: string[] }[] } } } }];
    const args = job.spec.template.spec.containers[0]!.args;
    expect(job.spec.completionMode).toBe('Indexed');
    expect(Number(args[args.indexOf('--shards') + 1])).toBe(job.spec.completions);
    expect(job.spec.parallelism).toBe(job.spec.completions);
    expect(job.spec.backoffLimit).toBe(0);
    expect(args).toContain('--json-line');
  });

  it('the stub hands out its Service name and listens where the Service points', () => {
    const [dep, svc] = objects('stub.yaml') as unknown as [
      { spec: { template: { spec: { containers: { args: string[]; ports: { name: string; containerPort: number }[] }[] } } } },
      { metadata: { name: string }; spec: { ports: { name: string; targetPort: string }[] } },
    ];
    const c = dep.spec.template.spec.containers[0]!;
    expect(c.args[c.args.indexOf('--public-host') + 1]).toBe(svc.metadata.name);
    const portOf = (flag: string) => Number(c.args[c.args.indexOf(flag) + 1]);
    const byName = new Map(c.ports.map((p) => [p.name, p.containerPort]));
    expect(byName.get('mp')).toBe(portOf('--mp-port'));
    expect(byName.get('wsus')).toBe(portOf('--wsus-port'));
    expect(byName.get('dp')).toBe(portOf('--dp-port'));
    for (const p of svc.spec.ports) expect(byName.has(p.targetPort)).toBe(true);
  });
});
