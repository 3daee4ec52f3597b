// What makes the next sync a full one: a SUP switch (the new server's revision
// ids are its own), and a ServerChanged or ConfigChanged fault (the client
// drops its datastore with the cookie, spec 2.2.2.4). A fault in the software
// pass restarts the pass from nothing at once; one after it (the ids just
// received may be stale) makes the client's next scan full.

import { describe, expect, it, afterAll } from 'vitest';
import { pino } from 'pino';
import { resolveScenario } from '../harness/scenario/resolve.js';
import { runFleet } from '../harness/run.js';
import { buildResults } from '../harness/output/results.js';
import { StubCore } from '../server-stub/core/index.js';
import { minimalWsus, type MinimalWsus, type Session } from './helpers/minimal-wsus.js';
import { ONE_CLIENT_DAILY_SCANS } from './helpers/one-client-scans.js';
import { CoreKit } from './helpers/kit.js';
import { DAY, HOUR } from '../agent/core/constants.js';

const silent = pino({ level: 'silent' });
const servers: MinimalWsus[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const oneClient = ONE_CLIENT_DAILY_SCANS;

async function run(fault: (op: string, s: Session, cachedIds: number) => 'ServerChanged' | 'ConfigChanged' | null) {
  const sc = resolveScenario(oneClient);
  const cat = new StubCore(sc.stub).catalogue;
  // cookies that expire at once: each scan opens a session of its own, which the checks read as that scan
  const w = await minimalWsus({ updates: cat.ids.map((id, u) => ({ id, revision: cat.revision[u]! })), fault, cookieLifetimeMs: 0 });
  servers.push(w);
  // unsigned: the MP's signatures are not what this is about (30 % of an HTTP run's CPU, measured)
  const o = await runFleet(sc, { logger: silent, transport: { kind: 'http', sign: false, external: { wsus: w.url } } });
  return { w, r: buildResults(o), size: cat.size };
}

const full = (s: Session, size: number) => s.cachedIdsOnFirstPage === 0 && s.updatesSent === size;
const delta = (s: Session) => s.cachedIdsOnFirstPage > 0 && s.updatesSent === 0;

describe('WUA datastore: what makes the next sync full', () => {
  for (const code of ['ServerChanged', 'ConfigChanged'] as const) {
    it(`${code} in the software pass of a delta scan: the pass starts again from nothing; later scans are deltas again`, async () => {
      let fired = false;
      const { w, r, size } = await run((op, s, cached) => {
        if (op !== 'SyncUpdates' || fired || s.softwarePages !== 1 || cached === 0) return null; // the first page of a delta
        fired = true;
        return code;
      });
      expect(fired).toBe(true);
      expect(r.scans.failuresByCode).toEqual({});
      const s = w.sessions;
      const at = s.findIndex((x) => x.client === null); // the session the fault cut short
      expect(at).toBeGreaterThan(0);
      expect(delta(s[at - 1]!) || full(s[at - 1]!, size)).toBe(true);
      expect(s[at]!.cachedIdsOnFirstPage).toBeGreaterThan(0); // it was a delta
      // the recovery: GetConfig and GetCookie again (a new session), then a full sync
      expect(full(s[at + 1]!, size)).toBe(true);
      expect(s[at + 1]!.ops).toContain('ReportEventBatch');
      // the sync after it holds everything again: the next scan is a delta
      expect(s.length).toBeGreaterThan(at + 2);
      expect(delta(s[at + 2]!)).toBe(true);
    });
  }

  it('ServerChanged after the software pass: the scan completes, and the next scan is full', async () => {
    let fired = false;
    const { w, r, size } = await run((op, s) => {
      if (op !== 'ReportEventBatch' || fired || s.cachedIdsOnFirstPage === 0) return null;
      fired = true;
      return 'ServerChanged';
    });
    expect(fired).toBe(true);
    expect(r.scans.failuresByCode).toEqual({});
    const s = w.sessions;
    const at = s.findIndex((x) => x.client === null);
    expect(delta(s[at]!)).toBe(true); // the delta scan whose report met the fault
    expect(s[at + 1]!.ops).toEqual(['ReportEventBatch']); // the report again, on a new cookie
    expect(full(s[at + 2]!, size)).toBe(true); // the next scan: full
  });

  it('ServerChanged at GetExtendedUpdateInfo of a full scan: the scan keeps what it synced, the next scan is full', async () => {
    let fired = false;
    const { w, r, size } = await run((op) => {
      if (op !== 'GetExtendedUpdateInfo' || fired) return null;
      fired = true;
      return 'ServerChanged';
    });
    expect(fired).toBe(true);
    expect(r.scans.failuresByCode).toEqual({});
    const s = w.sessions;
    expect(s[0]!.client).toBeNull(); // the first scan's session, cut short at GetExtendedUpdateInfo
    expect(full(s[0]!, size)).toBe(true);
    expect(s[1]!.ops[0]).toBe('GetExtendedUpdateInfo'); // the call again, on a new cookie, and the rest of the scan
    expect(s[1]!.ops).toContain('ReportEventBatch');
    expect(full(s[2]!, size)).toBe(true); // the next scan: full
    expect(delta(s[3]!)).toBe(true); // and then deltas again
    // the first scan's result was kept: the client found its updates (the deployment was installed)
    expect(r.compliance!.updates.installed).toBeGreaterThan(0);
  });

  it('a SUP switch: the first scan on the new SUP is full, the next one on it a delta (core and in-process stub)', () => {
    const A = 'http://sup-a.stub.test:8530';
    const B = 'http://sup-b.stub.test:8530';
    const k = new CoreKit({ ...oneClient, site: { sups: [A, B] } });
    let first: string | null = null;
    // after the first day, the client's first SUP answers 503 (a scan-retry code): after 4 tries it moves
    k.hook = (req, t, normal) => {
      if (req.kind === 'wsus.scan') {
        first ??= req.sup;
        if (req.sup === first && t > k.sc.start + DAY + HOUR) return { kind: 'error', req: 'wsus.scan', code: 0x80244022 };
      }
      return normal();
    };
    k.runUntil(k.sc.end);
    const scans = k.requests.filter((x) => x.req.kind === 'wsus.scan').map((x) => x.req as { sup: string; held?: readonly number[] });
    expect(scans[0]!.held ?? []).toEqual([]); // the very first: full
    const other = scans.findIndex((x) => x.sup !== first);
    expect(other).toBeGreaterThan(1);
    expect(scans[other - 1]!.sup).toBe(first);
    expect(scans[other - 1]!.held!.length).toBeGreaterThan(0); // a delta on the old SUP (it failed)
    expect(scans[other]!.held ?? []).toEqual([]); // the switch: full
    expect(scans.length).toBeGreaterThan(other + 1);
    expect(scans[other + 1]!.sup).not.toBe(first);
    expect(scans[other + 1]!.held!.length).toBeGreaterThan(0); // then deltas on the new one
    // the in-process stub counted it so: a full scan per SUP, the rest deltas
    expect(k.stub.wsus.counters.fullScans).toBe(2);
    expect(k.stub.wsus.counters.deltaScans).toBe(k.stub.wsus.counters.scans - 2);
  });
});
