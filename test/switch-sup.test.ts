// The manual action "Switch to next software update point" (issue 11, Scope
// 8): the client leaves the SUP it sticks to for another of its list; its
// next online scan goes there and is a full one (its datastore holds the old
// server's revisions); it starts no scan by itself; a client with one SUP stays.

import { describe, expect, it } from 'vitest';
import { CoreKit, DAY, T0 } from './helpers/kit.js';

const SUPS = ['http://sup1.stub.test:8530', 'http://sup2.stub.test:8530', 'http://sup3.stub.test:8530'];

describe('switchSup action', () => {
  it('moves the client to another SUP; the next online scan goes there with nothing held (full), later ones stick to it', () => {
    const k = new CoreKit({
      clients: 4, deployments: [], site: { sups: SUPS },
      actions: [{ kind: 'switchSup', at: '2d' }, { kind: 'manualScan', at: '3d' }, { kind: 'manualScan', at: '4d' }],
    });
    k.runFor(5 * DAY);
    for (let c = 0; c < 4; c++) {
      const sw = k.of('sup.switched', c);
      expect(sw).toHaveLength(1);
      expect(sw[0]!.t).toBe(T0 + 2 * DAY);
      const before = k.of('scan.completed', c).filter((r) => r.t < sw[0]!.t && r.e.online).at(-1)!;
      expect(sw[0]!.e.from).toBe(before.e.sup);
      expect(sw[0]!.e.to).not.toBe(sw[0]!.e.from);
      expect(SUPS).toContain(sw[0]!.e.to);
      // no scan started by the action itself
      expect(k.scans(c).filter((r) => r.t === sw[0]!.t)).toHaveLength(0);
      const ws = k.requests.filter((r) => r.client === c && r.req.kind === 'wsus.scan' && r.t > sw[0]!.t) as { req: { sup: string; held?: readonly number[] } }[];
      expect(ws.length).toBe(2);
      expect(ws[0]!.req.sup).toBe(sw[0]!.e.to);
      expect(ws[0]!.req.held ?? []).toEqual([]);
      // the second sticks to the new SUP and is a delta
      expect(ws[1]!.req.sup).toBe(sw[0]!.e.to);
      expect((ws[1]!.req.held ?? []).length).toBeGreaterThan(0);
    }
  });

  it('a client with a single SUP stays where it is (no event)', () => {
    const k = new CoreKit({ deployments: [], actions: [{ kind: 'switchSup', at: '2d' }] });
    k.runFor(3 * DAY);
    expect(k.of('sup.switched')).toHaveLength(0);
    expect(k.client.sup).toBe(0);
  });

  it('is deterministic by seed', () => {
    const run = () => {
      const k = new CoreKit({ clients: 6, deployments: [], site: { sups: SUPS }, actions: [{ kind: 'switchSup', at: '1d', within: '1d' }] });
      k.runFor(3 * DAY);
      return k.of('sup.switched').map((r) => [r.t, r.client, r.e.to]);
    };
    expect(run()).toEqual(run());
  });
});
