// The trigger field of reevaluation.started (issue 11, Scope 9): the scheduled
// deployment re-evaluation (trigger "schedule", its scan's trigger
// "reevaluation") and the manual Deployment Evaluation Cycle (trigger "manual",
// scan "deploymentEvaluation") are told apart in the trace and in the metrics.

import { describe, expect, it } from 'vitest';
import { CoreKit, DAY, HOUR, T0 } from './helpers/kit.js';
import { RunMetrics } from '../harness/metrics/run-metrics.js';

const input = {
  clients: 3,
  catalogue: { restartFraction: 0 },
  deployments: [{ name: 'D', updates: { newest: 10 }, created: '1d', available: '1d', deadline: '3d' }],
  actions: [{ kind: 'deploymentEvaluation', at: '4d', within: '2h' }],
};

describe('reevaluation.started trigger', () => {
  it('is "schedule" before a reevaluation scan and "manual" before a deploymentEvaluation scan, in the same tick', () => {
    const k = new CoreKit(input);
    k.runFor(16 * DAY);
    for (let c = 0; c < 3; c++) {
      const re = k.of('reevaluation.started', c);
      const sched = re.filter((r) => r.e.trigger === 'schedule');
      const manual = re.filter((r) => r.e.trigger === 'manual');
      // two scheduled re-evaluations in 16 days (every 7 d from the enabling policy), one manual cycle
      expect(sched).toHaveLength(2);
      expect(manual).toHaveLength(1);
      expect(manual[0]!.t).toBeGreaterThanOrEqual(T0 + 4 * DAY);
      expect(manual[0]!.t).toBeLessThan(T0 + 4 * DAY + 2 * HOUR);
      for (const r of re) {
        // the very next event of the client is the scan the re-evaluation runs
        const i = k.events.indexOf(k.events.find((x) => x.client === c && x.t === r.t && x.e === r.e)!);
        const next = k.events.slice(i + 1).find((x) => x.client === c)!;
        expect(next.e.ev).toBe('scan.started');
        expect(next.t).toBe(r.t);
        expect((next.e as { trigger: string }).trigger).toBe(r.e.trigger === 'schedule' ? 'reevaluation' : 'deploymentEvaluation');
      }
    }
  });

  it('is counted per trigger in the run metrics (work.reevaluationsScheduled / reevaluationsManual)', () => {
    const k = new CoreKit(input);
    k.runFor(16 * DAY);
    const m = new RunMetrics({ start: k.sc.start, end: k.sc.end, interval: HOUR, clients: 3 }, { detectCounts: new Float64Array(4), backlog: 0 });
    for (const r of k.events) m.onEvent(r.t, r.client, r.e);
    expect(m.work.reevaluationsScheduled).toBe(k.of('reevaluation.started').filter((r) => r.e.trigger === 'schedule').length);
    expect(m.work.reevaluationsManual).toBe(3);
  });
});
