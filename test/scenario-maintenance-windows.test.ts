// maintenance-windows (scenarios/): kiosks (10 %) have only a 30-minute
// Software Updates window; a client with any Software Updates window uses
// only those, so a kiosk outside the servers' collection (20 %, whose
// Patch Tuesday + 2 window is 4 h) has nothing long enough for Patch Tuesday's
// 60-minute maximum run time: about 0.1 x 0.8 of the clients never install
// it, while the 10-minute Definitions deployment installs everywhere. The
// run crosses the US change to daylight time (8 March) with a UTC window;
// test/windows-whole-run.test.ts checks every install against the windows.

import { describe, expect, it } from 'vitest';
import { runLibrary } from './helpers/library-run.js';

const N = 1000;

describe('scenario maintenance-windows', () => {
  it('a window shorter than the maximum run time defers the update for good; a short update fits', async () => {
    const r = await runLibrary('maintenance-windows', '--clients', String(N));
    const dep = (name: string) => r.compliance!.deployments.find((d) => d.name === name)!;
    const pt = dep('Patch Tuesday').clients;
    const p = 0.1 * 0.8;
    expect(Math.abs(pt.nonCompliant - N * p), `never installed: ${pt.nonCompliant}`).toBeLessThanOrEqual(4 * Math.sqrt(N * p * (1 - p)));
    expect(pt.unknown).toBe(0);
    expect(dep('Definitions').clients.compliant).toBe(N);
    expect(r.events['install.waitingForWindow']).toBeGreaterThanOrEqual(pt.nonCompliant);
  });
});
