// Client local time (issue 11 item 3): each client has a time zone drawn from
// the scenario's shares; deployments and windows in local time follow it, DST
// transitions included. The zone tables come from Intl once (harness), the
// core only reads them; expected instants below are written from the public
// DST rules (EU: last Sunday of March / October at 01:00 UTC; US: second
// Sunday of March / first of November at 02:00 local), not from the code.

import { describe, expect, it } from 'vitest';
import { CoreKit, DAY } from './helpers/kit.js';
import { zoneTable, buildLocalModel } from '../harness/scenario/localtime.js';
import { localToUtc, offsetAt, zoneIndexOf } from '../agent/core/localtime.js';

const H = 3_600_000;
const at = (iso: string) => Date.parse(iso);

describe('local time', () => {
  it('zone tables carry the real DST transitions', () => {
    const berlin = zoneTable('Europe/Berlin', at('2026-01-01T00:00:00Z'), at('2026-12-31T00:00:00Z'));
    expect(berlin.at.slice(1)).toEqual([at('2026-03-29T01:00:00Z'), at('2026-10-25T01:00:00Z')]);
    expect(berlin.offset).toEqual([1 * H, 2 * H, 1 * H]);
    const ny = zoneTable('America/New_York', at('2026-01-01T00:00:00Z'), at('2026-12-31T00:00:00Z'));
    expect(ny.at.slice(1)).toEqual([at('2026-03-08T07:00:00Z'), at('2026-11-01T06:00:00Z')]);
    expect(offsetAt(ny, at('2026-07-01T00:00:00Z'))).toBe(-4 * H);
    const utc = zoneTable('UTC', at('2026-01-01T00:00:00Z'), at('2026-12-31T00:00:00Z'));
    expect(utc.at).toEqual([-Infinity]);
  });

  it('wall-clock times map to instants: ordinary, in the spring gap (after the jump), twice in autumn (the first)', () => {
    const z = zoneTable('Europe/Berlin', at('2026-01-01T00:00:00Z'), at('2026-12-31T00:00:00Z'));
    expect(localToUtc(z, at('2026-01-13T01:00:00Z'))).toBe(at('2026-01-13T00:00:00Z'));
    expect(localToUtc(z, at('2026-07-13T01:00:00Z'))).toBe(at('2026-07-12T23:00:00Z'));
    expect(localToUtc(z, at('2026-03-29T02:30:00Z'))).toBe(at('2026-03-29T01:30:00Z')); // 03:30 CEST
    expect(localToUtc(z, at('2026-10-25T02:30:00Z'))).toBe(at('2026-10-25T00:30:00Z')); // the first 02:30 (CEST)
  });

  it('a deployment in local time reaches each client at its own wall-clock deadline', () => {
    const k = new CoreKit({
      clients: 12,
      timeZones: [{ zone: 'America/New_York', fraction: 0.5 }, { zone: 'Asia/Tokyo', fraction: 0.5 }],
      deployments: [{ name: 'D', updates: { newest: 10 }, created: '1d', available: '1d', deadline: '3d', localTime: true }],
    });
    k.runFor(5 * DAY);
    const dl = k.of('deployment.deadline');
    expect(dl).toHaveLength(12);
    const zones = new Set<number>();
    for (const r of dl) {
      const z = zoneIndexOf(k.ctx, r.client);
      zones.add(z);
      // 2026-01-08 00:00 local: 05:00 UTC in New York (EST), 15:00 UTC the day before in Tokyo
      expect(r.t).toBe(z === 0 ? at('2026-01-08T05:00:00Z') : at('2026-01-07T15:00:00Z'));
    }
    expect(zones.size).toBe(2);
  });

  it('the same deployment in UTC reaches every client at one instant, whatever its zone', () => {
    const k = new CoreKit({
      clients: 6,
      timeZones: [{ zone: 'America/New_York', fraction: 0.5 }, { zone: 'Asia/Tokyo', fraction: 0.5 }],
      deployments: [{ name: 'D', updates: { newest: 10 }, created: '1d', available: '1d', deadline: '3d' }],
    });
    k.runFor(5 * DAY);
    for (const r of k.of('deployment.deadline')) expect(r.t).toBe(at('2026-01-08T00:00:00Z'));
  });

  it('a local-time window keeps its wall clock across the DST change; a UTC one keeps its instant', () => {
    const start = at('2026-03-25T00:00:00Z');
    const daily = (localTime: boolean) => ({ start: at('2026-03-25T01:00:00Z'), duration: H, recurrence: 'daily' as const, type: 'all' as const, localTime });
    const m = buildLocalModel([{ zone: 'Europe/Berlin', fraction: 1 }], [{ name: 'L', fraction: 1, windows: [daily(true)] }, { name: 'U', fraction: 1, windows: [daily(false)] }], start, start + 8 * DAY)!;
    const local = [...m.windows(0b01, 0)];
    expect(local[0]).toBe(at('2026-03-25T00:00:00Z')); // 01:00 CET
    expect(local).toContain(at('2026-03-29T23:00:00Z')); // 01:00 CEST, the day after the change
    const utc = [...m.windows(0b10, 0)];
    expect(utc).toContain(at('2026-03-30T01:00:00Z'));
  });

  it('refuses a zone the runtime does not know and shares that do not add up to 1', async () => {
    const { resolveScenario } = await import('../harness/scenario/resolve.js');
    expect(() => resolveScenario({ timeZones: [{ zone: 'Mars/Olympus', fraction: 1 }] })).toThrow(/timeZones\[0\]\.zone/);
    expect(() => resolveScenario({ timeZones: [{ zone: 'UTC', fraction: 0.5 }] })).toThrow(/add up/);
  });
});
