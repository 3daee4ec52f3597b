// Client local time, as data. Each client has a time zone drawn from the
// scenario's distribution; a zone is a table of UTC offsets and the UTC
// instants they take effect, built once outside the core (harness/scenario/
// localtime.ts, from Intl with the real tz rules, DST transitions included)
// and handed in through ctx.model.local. The core never calls Date or Intl:
// a lookup is a walk over a handful of transitions (two a year per zone).
//
// Wall-clock times ("2026-01-13 01:00 local") are held as the epoch ms they
// would be if the wall clock were UTC; localToUtc maps them to the instant.

import type { CoreCtx } from './types.js';
import { unit } from './prng.js';

export interface ZoneTable {
  /** IANA name, e.g. Europe/Berlin */
  readonly name: string;
  /** UTC instants (epoch ms) ascending; at[0] = -Infinity */
  readonly at: readonly number[];
  /** offset (local - UTC, ms) in effect from at[i] */
  readonly offset: readonly number[];
}

/** Local time and maintenance windows of the fleet (null in ctx.model.local: every client on UTC, no windows). */
export interface LocalModel {
  readonly zones: readonly ZoneTable[];
  /** cumulative fractions of the zones (last = 1) */
  readonly zoneCum: readonly number[];
  /** membership fraction of each collection that carries maintenance windows */
  readonly collections: readonly number[];
  /**
   * The effective maintenance windows of a client in the collections of `mask`
   * and zone `zone`: flat [start, end, start, end, ...] UTC epoch ms, ascending,
   * overlaps merged, software-update windows only when there are any (they take
   * precedence over All-deployment windows). Empty: no windows (no restriction).
   * A port: the harness computes and memoises it per (mask, zone).
   */
  readonly windows: (mask: number, zone: number) => Float64Array;
  /** share of clients that install required software only outside their business hours (users.ts) */
  readonly outsideBusinessHoursFraction: number;
  /** the time outside business hours in zone `zone` as flat UTC intervals (a port, memoised like windows) */
  readonly offHours: (zone: number) => Float64Array;
  /** mean delay of a user's install of an available or optional deployment (ms; exponential) */
  readonly userInstallDelayMean: number;
}

const SALT_ZONE = 0x7e20;
const SALT_COLLECTION = 0xc011;

/** The index of a client's time zone in ctx.model.local.zones (-1: no local model, UTC). Derived from the seed: no per-client memory. */
export function zoneIndexOf(ctx: Pick<CoreCtx, 'seed' | 'model'>, idx: number): number {
  const l = ctx.model.local;
  if (l === null || l.zones.length === 0) return -1;
  const u = unit(ctx.seed, idx, 0, SALT_ZONE);
  const cum = l.zoneCum;
  for (let i = 0; i < cum.length; i++) if (u < cum[i]!) return i;
  return cum.length - 1;
}

/** Whether client idx (its global id) is a member of collection c of membership `fraction`: a stateless draw the stub MP makes too. */
export function inCollection(seed: number, idx: number, c: number, fraction: number): boolean {
  return unit(seed, idx, c, SALT_COLLECTION) < fraction;
}

/** A client's time zone table (null: UTC, no zones in the scenario). */
export function zoneOf(ctx: Pick<CoreCtx, 'seed' | 'model'>, idx: number): ZoneTable | null {
  const z = zoneIndexOf(ctx, idx);
  return z < 0 ? null : ctx.model.local!.zones[z]!;
}

/** Bit c set: the client is a member of collection c. */
export function collectionMaskOf(ctx: Pick<CoreCtx, 'seed' | 'model'>, idx: number): number {
  const l = ctx.model.local;
  if (l === null) return 0;
  let m = 0;
  for (let c = 0; c < l.collections.length; c++) if (inCollection(ctx.seed, idx, c, l.collections[c]!)) m |= 1 << c;
  return m;
}

/** Offset (local - UTC, ms) of the zone at a UTC instant. */
export function offsetAt(z: ZoneTable, utc: number): number {
  const at = z.at;
  let i = at.length - 1;
  while (i > 0 && at[i]! > utc) i--;
  return z.offset[i]!;
}

/**
 * The UTC instant of a local wall-clock time. A wall time in a spring-forward
 * gap maps to the instant after the gap (the clock jumps over it); one that
 * occurs twice (fall back) maps to the first.
 */
export function localToUtc(z: ZoneTable, wall: number): number {
  // offsets are within +-14 h: the offsets in effect 14 h either side of the
  // wall time are the only readings it can have
  const oBefore = offsetAt(z, wall - 14 * 3_600_000);
  const oAfter = offsetAt(z, wall + 14 * 3_600_000);
  const uBefore = wall - oBefore;
  const uAfter = wall - oAfter;
  const okBefore = offsetAt(z, uBefore) === oBefore;
  const okAfter = offsetAt(z, uAfter) === oAfter;
  if (okBefore && okAfter) return Math.min(uBefore, uAfter);
  if (okBefore) return uBefore;
  if (okAfter) return uAfter;
  return uBefore; // in the gap: the old offset reads it as the instant after the jump
}

/** A deployment time as a UTC instant for this client: local wall-clock times follow its zone. */
export function clientInstant(ctx: Pick<CoreCtx, 'seed' | 'model'>, idx: number, localTime: boolean, t: number): number {
  if (!localTime) return t;
  const z = zoneIndexOf(ctx, idx);
  return z < 0 ? t : localToUtc(ctx.model.local!.zones[z]!, t);
}
