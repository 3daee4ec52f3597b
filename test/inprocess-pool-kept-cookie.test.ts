// In-process, the WSUS capacity model serves a scan as the operations it
// stands for. Over HTTP a client keeps the cookie of its last completed scan
// for the hour it lasts and skips GetConfig and GetCookie (test/wua-cookie-kept);
// in-process a scan within that hour of the client's last admitted one, on the
// same SUP, costs the pool two operations less.

import { describe, expect, it } from 'vitest';
import { resolveScenario } from '../harness/scenario/resolve.js';
import { StubCore } from '../server-stub/core/index.js';

const MIN = 60_000;

describe('in-process WSUS pool: the handshake is not charged while the cookie lasts', () => {
  it('scans of one client at 0, +20 min, +3 h: the second takes two operations less than the others', () => {
    // service time: exactly 1 s an operation, nothing per update; workers to spare, so no queue wait
    const sc = resolveScenario({ clients: 1, site: { wsusPool: { workers: 10, queueLength: 10, serviceTimeMin: '1s', serviceTimeMax: '1s', serviceTimePerUpdate: '0s' } } });
    const stub = new StubCore(sc.stub);
    const sup = sc.stub.sups[0]!;
    const held: number[] = [];
    const scan = (t: number) => {
      const x = stub.exchange({ kind: 'wsus.scan', client: 0, sup, held }, sc.start + t);
      expect(x.reply.kind).toBe('wsus.scan');
      return x.delayMs;
    };
    const first = scan(0);
    const second = scan(20 * MIN);
    const third = scan(180 * MIN);
    expect(first - second).toBe(2_000);
    expect(third).toBe(first);
  });
});
