// Issue 10, item 2: a deployment's compliance is over the clients it
// targets. With targetFraction 0.5 the summary said "clients compliant 499 of
// 1,000 (501 unknown)" and deployment_compliant_ratio>0.9 FAILED at 0.499,
// although every targeted client was compliant. Now the ratio is over the
// targeted clients and the others are shown apart.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, type CliResult } from './helpers/cli.js';

let dir: string;
let run: CliResult;
let results: any;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'suca-target-'));
  const sc = join(dir, 'half.json');
  writeFileSync(sc, JSON.stringify({
    name: 'half-targeted',
    clients: 1000,
    duration: '7d',
    deployments: [{ name: 'Half the fleet', updates: { newest: 10 }, available: '1d', deadline: '3d', targetFraction: 0.5 }],
    thresholds: ['deployment_compliant_ratio>0.9'],
  }));
  run = await cli('run', '--scenario', sc, '--out', join(dir, 'out'), '--log-level', 'silent', '--quiet');
  results = JSON.parse(readFileSync(join(dir, 'out', 'results.json'), 'utf8'));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('compliance per deployment', () => {
  it('counts only the targeted clients, the others apart', () => {
    const d = results.compliance.deployments[0];
    const targeted = d.clients.compliant + d.clients.nonCompliant + d.clients.unknown;
    expect(targeted + d.untargeted).toBe(1000);
    // about half targeted (a per-client hash): not all, not none
    expect(targeted).toBeGreaterThan(400);
    expect(targeted).toBeLessThan(600);
    // a week with a deadline on day 3: every targeted client reports compliance
    expect(d.clients.compliant).toBe(targeted);
    expect(d.clients.unknown).toBe(0);
  });

  it('gives deployment_compliant_ratio 1 over the targeted clients: the threshold passes', () => {
    expect(run.code, run.err + run.out).toBe(0);
    expect(results.thresholds[0]).toMatchObject({ expr: 'deployment_compliant_ratio>0.9', value: 1, ok: true });
    expect(run.out).toMatch(/PASS  deployment_compliant_ratio>0\.9\s+value 1\.0000/);
  });

  it('prints the targeted clients and the untargeted apart in the summary', () => {
    const d = results.compliance.deployments[0];
    const n = (x: number) => x.toLocaleString('en-US');
    expect(run.out).toMatch(new RegExp(`targeted clients compliant +${n(d.clients.compliant)} of ${n(d.clients.compliant)} \\(0 unknown\\); ${n(d.untargeted)} not targeted`));
    expect(run.out).not.toMatch(/of 1,000 \(\d+ unknown\)/);
  });
});
