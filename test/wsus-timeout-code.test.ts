// A WSUS request that gets no answer in time fails the scan with 0x80072EE2
// (WinHTTP's timeout), which is not a scan-retry code: the client does not
// retry and stays on its SUP (client-behaviour.md, "Easy to get wrong" and
// "Failure modes": "No SUP failover on 0x80072EE2"). Both transports must
// agree: before 2026-12-07 the HTTP agent reported its own timeout as
// 0x8024401C, a retry code, so a scenario fault of 0x80072EE2 (rendered over
// HTTP as no answer) retried over HTTP and did not in-process.
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { resolveScenario } from '../harness/scenario/resolve.js';
import { runFleet, type TransportOptions } from '../harness/run.js';
import { buildResults } from '../harness/output/results.js';

const silent = pino({ level: 'silent' });

async function scansUnder(fault: Record<string, unknown>, transport: TransportOptions) {
  const sc = resolveScenario({
    clients: 3,
    duration: '8h',
    catalogue: { updates: 20, newUpdates: 2, maxSizeMB: 1 },
    deployments: [],
    // over HTTP the client's timeout is this in wall time: short, so the test is
    model: { requestTimeout: '1s' },
    faults: [{ target: 'wsus', operation: 'SyncUpdates', from: '0', to: '8h', ...fault }],
  });
  const r = buildResults(await runFleet(sc, { logger: silent, transport }));
  return r.scans;
}

describe('a WSUS timeout is 0x80072EE2 and is not retried, in-process and over HTTP', () => {
  for (const [name, fault] of [
    ['a fault of code 0x80072EE2 (over HTTP: the answer never comes)', { code: '0x80072EE2' }],
    ['an answer later than model.requestTimeout', { delay: '4s' }],
  ] as const) {
    it(name, async () => {
      for (const transport of [{ kind: 'in-process' }, { kind: 'http', sign: false }] as const) {
        const s = await scansUnder(fault, transport);
        // every client's first scan failed on the timeout, and nothing else
        expect(s.failuresByCode, transport.kind).toEqual({ '0x80072EE2': 3 });
        // not a retry code: no retry scan follows (a retry-class failure is retried 30 min later)
        expect(s.byTrigger.retry, transport.kind).toEqual({ online: 0, offline: 0 });
        expect(s.byTrigger.firstPolicy!.online, transport.kind).toBe(3);
      }
    }, 30_000);
  }

  it('a retry code on the same operation is retried: the difference is the code, not the fault', async () => {
    for (const transport of [{ kind: 'in-process' }, { kind: 'http', sign: false }] as const) {
      // 408 over HTTP: 0x8024401C, WU_E_PT_HTTP_STATUS_REQUEST_TIMEOUT, a default scan-retry code
      const s = await scansUnder({ code: '0x8024401C' }, transport);
      expect(s.failuresByCode['0x8024401C'], transport.kind).toBeGreaterThanOrEqual(3);
      expect(s.byTrigger.retry!.online, transport.kind).toBeGreaterThan(0);
    }
  }, 30_000);
});
