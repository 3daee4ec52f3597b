// Catalogue changes (issue 11, Scope 6): WSUS syncs on the scenario's
// schedule add updates (generated up front, invisible until their sync), which
// raises the update source version: the settings policy carries it from the
// sync on, the MP's location reply names it once the SUPs have it
// (catalogue.supSyncLag later). A client asking for a version the SUPs do not
// have yet gets an empty location and waits for the catalog location (501/1);
// updates of a sync are known to a client only after a scan of that version.

import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { CoreKit, DAY, HOUR, MIN, T0 } from './helpers/kit.js';
import { SCAN_STATE, TOPIC } from '../agent/core/constants.js';
import { resolveScenario } from '../harness/scenario/resolve.js';
import { runFleet } from '../harness/run.js';
import { siteVersionAt, supVersionAt } from '../server-stub/core/catalogue-sync.js';
import { applicableUpdates } from '../agent/core/machine.js';
import { metaKnownOf } from '../agent/core/state.js';
import { serversAsRoles } from './helpers/fleets.js';

const base = {
  clients: 3,
  catalogue: { updates: 50, newUpdates: 5, applicableFraction: 0.8, restartFraction: 0, syncs: [{ at: '4d', updates: 6 }, { at: '8d', updates: 4 }], supSyncLag: '3h' },
  deployments: [
    { name: 'Monthly', updates: { newest: 5 }, created: '1d', available: '1d', deadline: '2d' },
    { name: 'Out of band', updates: [50, 51, 52, 53, 54, 55], created: '5d', available: '5d', deadline: '6d' },
  ],
  actions: [{ kind: 'manualScan', at: '4d90m' }],
};

describe('catalogue syncs', () => {
  it('the catalogue holds every update up front; versions rise at each sync, the SUPs follow supSyncLag later', () => {
    const k = new CoreKit(base);
    const cat = k.stub.catalogue;
    expect(cat.size).toBe(60);
    expect(Array.from(cat.releaseVersion!.subarray(48, 58))).toEqual([1, 1, 2, 2, 2, 2, 2, 2, 3, 3]);
    expect(siteVersionAt(cat, T0 + 4 * DAY - 1)).toBe(1);
    expect(siteVersionAt(cat, T0 + 4 * DAY)).toBe(2);
    expect(supVersionAt(cat, T0 + 4 * DAY + 3 * HOUR - 1)).toBe(1);
    expect(supVersionAt(cat, T0 + 4 * DAY + 3 * HOUR)).toBe(2);
    expect(supVersionAt(cat, T0 + 9 * DAY)).toBe(3);
    // nothing of a later sync is installed on a machine at the start
    for (let c = 0; c < 3; c++) for (let u = 50; u < 60; u++) expect(k.clients[c]!.upd[k.clients[c]!.ub + u]).toBe(0);
  });

  it('before a sync its updates are invisible: no wsus reply lists them, no state message names them', () => {
    const k = new CoreKit(base);
    k.runUntil(T0 + 4 * DAY);
    for (const s of k.clients) expect(metaKnownOf(s)).toBe(50);
    expect(k.of('state.queued').filter((r) => r.e.topicType === TOPIC.UPDATE_DETECTION && r.e.topic >= 50)).toHaveLength(0);
    expect(k.of('state.queued').filter((r) => r.e.topicType === TOPIC.UPDATE_DETECTION && r.e.topic < 50).length).toBeGreaterThan(0);
  });

  it('policy carries the new version from the sync; a scan before the SUPs have it waits for the catalog location, then reports the new updates', () => {
    const k = new CoreKit(base);
    k.runUntil(T0 + 5 * DAY);
    for (let c = 0; c < 3; c++) {
      const s = k.clients[c]!;
      // the settings body was downloaded again after the sync (a new slot version) and names version 2
      const bodies = k.requests.filter((r) => r.client === c && r.req.kind === 'policy.body' && r.t >= T0 + 4 * DAY && r.t < T0 + 4 * DAY + HOUR);
      expect(bodies.map((r) => (r.req as { assignment: { slot: number; version: number } }).assignment)).toContainEqual(expect.objectContaining({ slot: 0, version: 3 }));
      expect(s.settings!.updateSourceVersion).toBe(2);
      // the manual scan at 4d90m asks for version 2; the SUPs have it at 4d3h: two waits of 30 min, then the scan goes through
      const loc = k.requests.filter((r) => r.client === c && r.req.kind === 'location.wsus' && r.t >= T0 + 4 * DAY + 90 * MIN);
      expect(loc.slice(0, 3).map((r) => [r.t - T0 - 4 * DAY, (r.req as { contentVersion: number }).contentVersion])).toEqual([[90 * MIN, 2], [120 * MIN, 2], [150 * MIN, 2]]);
      const w = k.of('scan.waitingLocation', c);
      expect(w.map((r) => r.t - T0 - 4 * DAY)).toEqual([90 * MIN, 120 * MIN, 150 * MIN]);
      expect(w.every((r) => r.e.version === 2)).toBe(true);
      expect(k.of('state.queued', c).filter((r) => r.e.topicType === TOPIC.UPDATE_SOURCE_SCAN && r.e.stateId === SCAN_STATE.WAITING_LOCATION)).toHaveLength(3);
      const done = k.of('scan.completed', c).find((r) => r.t > T0 + 4 * DAY + 3 * HOUR)!;
      expect(done.e.online).toBe(true);
      // the new version's updates that apply are Required now, the others Not Required; those of the second sync still unknown
      const app = new Set(applicableUpdates(k.sc.seed, k.stub.catalogue, c));
      expect(metaKnownOf(s)).toBe(56);
      const q500 = k.of('state.queued', c).filter((r) => r.t === done.t && r.e.topicType === TOPIC.UPDATE_DETECTION && r.e.topic >= 50);
      expect(q500.map((r) => [r.e.topic, r.e.stateId])).toEqual([50, 51, 52, 53, 54, 55].map((u) => [u, app.has(u) ? 2 : 1]));
    }
  });

  it('a deployment of a sync\'s updates installs them; the scenario refuses one created before their sync', () => {
    const k = new CoreKit(base);
    k.runUntil(T0 + 7 * DAY);
    const oob = k.stub.mp.deployments[1]!;
    for (let c = 0; c < 3; c++) {
      const app = applicableUpdates(k.sc.seed, k.stub.catalogue, c).filter((u) => u >= 50 && u < 56);
      const inst = k.of('install.started', c).filter((r) => r.e.deployment === oob.id);
      if (app.length > 0) expect(inst[0]!.e.updates).toBe(app.length);
    }
    expect(() => resolveScenario({ ...base, deployments: [{ name: 'X', updates: [57], created: '5d', available: '5d', deadline: '6d' }] })).toThrow(/comes with the catalogue sync/);
    expect(() => resolveScenario({ ...base, deployments: [{ name: 'X', updates: [60], available: '9d', deadline: '10d' }] })).toThrow(/outside the catalogue \(0\.\.59\)/);
  });

  it('without syncs nothing changes: version 1, no releaseVersion, the settings body version 2', () => {
    const k = new CoreKit({ deployments: [] });
    k.runFor(2 * DAY);
    expect(k.stub.catalogue.releaseVersion).toBeUndefined();
    expect(k.client.settings!.updateSourceVersion).toBeUndefined();
    expect(k.requests.filter((r) => r.req.kind === 'location.wsus').every((r) => (r.req as { contentVersion: number }).contentVersion === 1)).toBe(true);
  });
});

const silent = pino({ level: 'silent' });
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'suca-sync-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('catalogue syncs over HTTP', () => {
  it('the same trace in-process and over HTTP: new updates in SyncUpdates deltas, Version in the location reply, SUCA_updateSourceVersion in policy', async () => {
    const input = {
      clients: 4,
      duration: '4d',
      catalogue: { updates: 30, newUpdates: 4, maxSizeMB: 1, syncs: [{ at: '1d12h', updates: 3 }], supSyncLag: '1h' },
      deployments: [{ name: 'Monthly', updates: { newest: 4 }, available: '1d', deadline: '2d' }, { name: 'New', updates: [30, 31, 32], created: '2d', available: '2d', deadline: '3d' }],
      actions: [{ kind: 'manualScan', at: '1d12h30m', within: '1h' }],
    };
    const lines = async (name: string, kind: 'in-process' | 'http') => {
      const sc = resolveScenario(input);
      const trace = join(dir, `${name}.ndjson`);
      const o = await runFleet(sc, { tracePath: trace, logger: silent, transport: { kind } });
      const out = readFileSync(trace, 'utf8').trim().split('\n').map((l) => {
        const e = JSON.parse(l);
        serversAsRoles(e);
        return JSON.stringify(e);
      });
      return { out, o };
    };
    const a = await lines('inproc', 'in-process');
    const b = await lines('http', 'http');
    expect(b.out).toEqual(a.out);
    const waits = a.out.filter((l) => l.includes('"scan.waitingLocation"'));
    expect(waits.length).toBeGreaterThan(0);
    // the new updates reached clients over the wire, as a delta (the datastore held the old ones)
    expect(b.o.stub.wsus.counters.deltaScans).toBeGreaterThan(0);
    expect(a.out.some((l) => l.includes('"install.started"') && l.includes(b.o.stub.mp.deployments[1]!.id))).toBe(true);
  });
});
