// After a ServerChanged (or InvalidCookie) fault the client runs GetConfig ..
// GetCookie and then RefreshCache (MS-WUSP 2.2.2.4, 3.1.5.8): it names what its
// datastore holds by identity (UpdateID, RevisionNumber) and keeps it under the
// revision ids the server answers, so the sync that follows stays a delta. The
// server here (test/helpers/minimal-wsus, written without the project's codec)
// numbers its revisions anew after the fault, as a WSUS set up again would: a
// client that sent its old ids would get them back as out of scope and sync
// everything again. A server that does not answer RefreshCache is covered by
// test/wua-datastore-reset (the client drops its datastore, as before).

import { afterAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { resolveScenario } from '../harness/scenario/resolve.js';
import { runFleet } from '../harness/run.js';
import { buildResults } from '../harness/output/results.js';
import { StubCore } from '../server-stub/core/index.js';
import { minimalWsus, type MinimalWsus, type Session } from './helpers/minimal-wsus.js';
import { ONE_CLIENT_DAILY_SCANS } from './helpers/one-client-scans.js';

const silent = pino({ level: 'silent' });
const servers: MinimalWsus[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const oneClient = ONE_CLIENT_DAILY_SCANS;

const SHIFT = 5000;

async function run(code: 'ServerChanged' | 'InvalidCookie', when: (op: string, s: Session, cached: number) => boolean) {
  const sc = resolveScenario(oneClient);
  const cat = new StubCore(sc.stub).catalogue;
  let fired = false;
  const w = await minimalWsus({
    updates: cat.ids.map((id, u) => ({ id, revision: cat.revision[u]! })),
    refreshCache: true,
    // cookies that expire at once: each scan opens a session of its own, which the checks read as that scan
    cookieLifetimeMs: 0,
    renumberOnServerChanged: SHIFT,
    fault: (op, s, cached) => {
      if (fired || !when(op, s, cached)) return null;
      fired = true;
      return code;
    },
  });
  servers.push(w);
  const o = await runFleet(sc, { logger: silent, transport: { kind: 'http', sign: false, external: { wsus: w.url } } });
  expect(fired).toBe(true);
  return { w, r: buildResults(o), cat };
}

const delta = (s: Session) => s.cachedIdsOnFirstPage > 0 && s.updatesSent === 0;

describe('WUA: RefreshCache after ServerChanged', () => {
  it('in the software pass of a delta scan: RefreshCache with what it holds, then a delta under the new ids', async () => {
    const { w, r, cat } = await run('ServerChanged', (op, s, cached) => op === 'SyncUpdates' && s.softwarePages === 1 && cached > 0);
    expect(r.scans.failuresByCode).toEqual({});
    // the recovery sequence of spec 2.2.2.4, in order, right after the fault
    const at = w.calls.indexOf('RefreshCache');
    expect(at).toBeGreaterThan(0);
    expect(w.calls.slice(at - 3, at + 2)).toEqual(['SyncUpdates', 'GetConfig', 'GetCookie', 'RefreshCache', 'SyncUpdates']);
    // it named its leaves by identity: GUIDs and revision numbers of the catalogue
    expect(w.refreshes).toHaveLength(1);
    const asked = w.refreshes[0]!;
    expect(asked.length).toBeGreaterThan(0);
    const identities = new Set(cat.ids.map((id, u) => `${id.toLowerCase()}|${cat.revision[u]}`));
    for (const a of asked) expect(identities.has(a)).toBe(true);
    // the session after the fault sends the new ids and gets nothing again: still a delta
    const s = w.sessions;
    const cut = s.findIndex((x) => x.client === null);
    expect(cut).toBeGreaterThan(0);
    expect(delta(s[cut + 1]!)).toBe(true);
    // and so is the next scan, from the datastore the transport kept under the new ids
    expect(s.length).toBeGreaterThan(cut + 2);
    expect(delta(s[cut + 2]!)).toBe(true);
    expect(s[cut + 2]!.updatesSent).toBe(0);
  });

  it('after the software pass: the scan completes and the next scan is a delta under the new ids', async () => {
    const { w, r } = await run('ServerChanged', (op, s) => op === 'ReportEventBatch' && s.cachedIdsOnFirstPage > 0);
    expect(r.scans.failuresByCode).toEqual({});
    expect(w.refreshes).toHaveLength(1);
    const s = w.sessions;
    const cut = s.findIndex((x) => x.client === null);
    // the ReportEventBatch went again in the new session, and the scan after it is a delta
    expect(s[cut + 1]!.ops).toEqual(['RefreshCache', 'ReportEventBatch']);
    expect(delta(s[cut + 2]!)).toBe(true);
  });

  it('InvalidCookie: RefreshCache too (the same server: the same ids), and the delta goes on', async () => {
    const { w, r } = await run('InvalidCookie', (op, s, cached) => op === 'SyncUpdates' && s.softwarePages === 1 && cached > 0);
    expect(r.scans.failuresByCode).toEqual({});
    const at = w.calls.indexOf('RefreshCache');
    expect(w.calls.slice(at - 3, at + 2)).toEqual(['SyncUpdates', 'GetConfig', 'GetCookie', 'RefreshCache', 'SyncUpdates']);
    const s = w.sessions;
    const cut = s.findIndex((x) => x.client === null);
    expect(delta(s[cut + 1]!)).toBe(true);
  });
});
