// run --workers 2 in virtual time: live progress is the whole fleet's, the
// workers' snapshots summed in the main thread (the earliest simulated time,
// every client, the events and ingested messages of both), at the progress
// output's pace, ending at the run's end with the counts the results hold.

import { describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';

describe('run --workers 2 in virtual time, live progress', () => {
  it('log lines of the whole fleet, in time order, ending with the results\' counts', async () => {
    // 1,000 clients for 10 days: about half a wall second of the workers' loops, still 20 ms progress lines by
    // the dozen (the test needs two); 4,000 clients showed nothing more for 4 times the fleet
    const r = await cli('run', '--clients', '1000', '--duration', '10d', '--workers', '2', '--progress-every', '20ms', '--json');
    expect(r.code, r.err.slice(-2000)).toBe(0);
    const res = JSON.parse(r.out) as { agentEvents: number; stateMessages: { ingested: number } };
    const progress = r.err.split('\n').filter((l) => l.includes('"msg":"progress"')).map((l) => JSON.parse(l) as { simulatedTime: string; done: number; clients: number; agentEvents: number; stateIngested: number });
    expect(progress.length).toBeGreaterThanOrEqual(2);
    // both workers' clients, not one worker's half
    for (const p of progress) expect(p.clients).toBe(1000);
    for (let i = 1; i < progress.length; i++) expect(Date.parse(progress[i]!.simulatedTime)).toBeGreaterThanOrEqual(Date.parse(progress[i - 1]!.simulatedTime));
    const last = progress.at(-1)!;
    expect(last.done).toBe(1);
    expect(last.agentEvents).toBe(res.agentEvents);
    expect(last.stateIngested).toBe(res.stateMessages.ingested);
  }, 120_000);
});
