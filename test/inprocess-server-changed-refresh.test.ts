// In-process, a WSUS scan stands for its whole exchange, and a recovered cookie
// fault changes only what the sync after it holds, as over HTTP
// (test/wua-refresh-cache): ServerChanged ends in RefreshCache, which the stub
// WSUS answers for everything it serves the client, so the scan stays a delta;
// ConfigChanged drops the client's datastore, so the scan is a full one.

import { describe, expect, it } from 'vitest';
import { resolveScenario } from '../harness/scenario/resolve.js';
import { StubCore } from '../server-stub/core/index.js';
import { servedApplicable } from '../server-stub/core/catalogue-sync.js';

const H = 3_600_000;

describe('in-process: a recovered ServerChanged keeps the delta, ConfigChanged makes the scan full', () => {
  it('the same held updates, three scans: no fault, ServerChanged, ConfigChanged', () => {
    const sc = resolveScenario({
      clients: 1,
      faults: [
        { target: 'wsus', from: '1h', to: '2h', soapFault: 'ServerChanged' },
        { target: 'wsus', from: '2h', to: '3h', soapFault: 'ConfigChanged' },
      ],
    });
    const stub = new StubCore(sc.stub);
    const held = servedApplicable(sc.stub.seed, stub.catalogue, 0, sc.start);
    expect(held.length).toBeGreaterThan(0);
    const scan = (t: number) => stub.exchange({ kind: 'wsus.scan', client: 0, sup: sc.stub.sups[0]!, held }, sc.start + t);
    const c = stub.wsus.counters;

    expect(scan(0).reply.kind).toBe('wsus.scan');
    expect([c.deltaScans, c.fullScans, c.updatesSent]).toEqual([1, 0, 0]);

    const changed = scan(H);
    expect(changed.fault).not.toBeNull();
    expect(changed.reply.kind).toBe('wsus.scan');
    expect([c.deltaScans, c.fullScans, c.updatesSent]).toEqual([2, 0, 0]);

    expect(scan(2 * H).reply.kind).toBe('wsus.scan');
    expect([c.deltaScans, c.fullScans, c.updatesSent]).toEqual([2, 1, held.length]);
    expect(stub.recoveries).toBe(2);
  });
});
