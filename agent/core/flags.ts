// Per-update flags four at a time. A client's U_* bytes (ClientState.upd) are
// read through an Int32Array over the same buffer, so the loops every scan
// runs over the whole catalogue (the evaluation in completeScan, clearing
// U_APPLICABLE before the scan's answer is applied, the held-metadata list)
// take one load and a few bit operations per four updates instead of a load
// and a table look-up per update (SWAR: SIMD within a register).
//
// Why not bit planes (one bit per update per flag, 32 updates a word): every
// other reader of the flags (installs, the cache, supersedence, resync, the
// tests) indexes a byte per update; four lanes a word needed no change of
// layout but the fleet rounding each client's row up to a multiple of 4
// bytes (none for the default 200 updates). Measured in BENCHMARKS.md
// "Issue 13, 2026-12-06 (2)".
//
// Lane k of word i is byte 4i + k on little-endian machines; on a big-endian
// one flagWords gives null and every loop goes a byte at a time.

import type { CoreStore } from './state.js';
import { U_APPLICABLE, U_INSTALLED, U_PENDING_RESTART, U_REPORTED_MASK } from './state.js';
import { DETECT } from './constants.js';

/** lane masks: bit 0 of every byte, and the reported-state bits of every byte */
const LANE_LSB = 0x01010101;
const LANE_REPORTED = U_REPORTED_MASK * LANE_LSB;
const LANE_APPLICABLE = U_APPLICABLE * LANE_LSB;
const SH_A = Math.log2(U_APPLICABLE);
const SH_I = Math.log2(U_INSTALLED);
const SH_P = Math.log2(U_PENDING_RESTART);
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * The 500 state (DETECT) an update's flags give: Not Required unless the
 * metadata says it applies; Installed when it applies, is installed and waits
 * for no restart; Required otherwise. Its two bits are (applicable,
 * not applicable or installed without a pending restart), which the lane
 * formula in evaluateFlags computes four at a time.
 */
export function detectOf(f: number): number {
  return (f & U_APPLICABLE) === 0 ? DETECT.NOT_REQUIRED : (f & U_INSTALLED) !== 0 && (f & U_PENDING_RESTART) === 0 ? DETECT.INSTALLED : DETECT.REQUIRED;
}
// the lane formula relies on the DETECT values' bits: checked once, here, for every flag combination
for (let f = 0; f < 256; f++) {
  const a = (f >>> SH_A) & 1;
  const s0 = (~a | ((f >>> SH_I) & ~(f >>> SH_P))) & 1;
  if ((s0 | (a << 1)) !== detectOf(f)) throw new Error('flags.ts: the lane formula does not give DETECT');
}

/**
 * The flags as 32-bit words, or null when the client's bytes do not start on
 * a word (then the callers go a byte at a time). The view is kept in the
 * fleet's store: every client of a fleet shares one buffer.
 */
export function flagWords(store: CoreStore, upd: Uint8Array, ub: number): Int32Array | null {
  if (!LITTLE_ENDIAN || ((upd.byteOffset + ub) & 3) !== 0) return null;
  if (store.flagBytes !== upd) {
    store.flagBytes = upd;
    // from the buffer's start (an Int32Array cannot start off a word): callers index it by (byteOffset + ub) / 4
    store.flagWords = new Int32Array(upd.buffer, 0, (upd.byteOffset + upd.byteLength) >>> 2);
  }
  return store.flagWords;
}

/** The sum of the four byte lanes of x. */
function laneSum(x: number): number {
  return (x & 0xff) + ((x >>> 8) & 0xff) + ((x >>> 16) & 0xff) + (x >>> 24);
}

/**
 * Evaluates updates 0 .. n-1 of the client whose flags start at upd[ub]:
 * counts their DETECT states into store.counts, and for each whose state
 * differs from the one last reported (U_REPORTED_MASK) writes the new one
 * and appends (u, state) to store.changes (emptied first), in update order.
 * The same as the byte loop it replaced (test/update-flags-words checks it
 * against one, fast-check); the results go to the store so that a scan
 * allocates nothing for them.
 */
export function evaluateFlags(store: CoreStore, upd: Uint8Array, ub: number, n: number): void {
  const changes = store.changes;
  changes.length = 0;
  const w32 = flagWords(store, upd, ub);
  let u = 0;
  let c1 = 0;
  let c2 = 0;
  let c3 = 0;
  if (w32 !== null) {
    const first = (upd.byteOffset + ub) >>> 2;
    const words = n >>> 2;
    // per-lane counters; a lane holds at most 255, so they are summed every 128 words
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    for (let k = 0; k < words; k++) {
      const w = w32[first + k]!;
      const a = (w >>> SH_A) & LANE_LSB;
      const s0 = (~a | ((w >>> SH_I) & ~(w >>> SH_P))) & LANE_LSB;
      const na = LANE_LSB & ~a;
      a1 += s0 & na;
      a2 += a & ~s0;
      a3 += a & s0;
      if ((w & LANE_REPORTED) !== (s0 | (a << 1))) {
        // a state changed in this word (rare: after an install, a new deployment, the first scan): byte by byte
        const b = ub + (k << 2);
        for (let j = 0; j < 4; j++) {
          const f = upd[b + j]!;
          const st = detectOf(f);
          if ((f & U_REPORTED_MASK) !== st) {
            upd[b + j] = (f & ~U_REPORTED_MASK) | st;
            changes.push((k << 2) + j, st);
          }
        }
      }
      if ((k & 127) === 127) {
        c1 += laneSum(a1);
        c2 += laneSum(a2);
        c3 += laneSum(a3);
        a1 = a2 = a3 = 0;
      }
    }
    c1 += laneSum(a1);
    c2 += laneSum(a2);
    c3 += laneSum(a3);
    u = words << 2;
  }
  for (; u < n; u++) {
    const f = upd[ub + u]!;
    const st = detectOf(f);
    if (st === DETECT.NOT_REQUIRED) c1++;
    else if (st === DETECT.REQUIRED) c2++;
    else c3++;
    if ((f & U_REPORTED_MASK) !== st) {
      upd[ub + u] = (f & ~U_REPORTED_MASK) | st;
      changes.push(u, st);
    }
  }
  const out = store.counts;
  out.notRequired = c1;
  out.required = c2;
  out.installed = c3;
}

/** Clears U_APPLICABLE of updates 0 .. n-1 (before an online scan's answer sets it again). */
export function clearApplicable(store: CoreStore, upd: Uint8Array, ub: number, n: number): void {
  const w32 = flagWords(store, upd, ub);
  let u = 0;
  if (w32 !== null) {
    const first = (upd.byteOffset + ub) >>> 2;
    const words = n >>> 2;
    for (let k = 0; k < words; k++) w32[first + k] = w32[first + k]! & ~LANE_APPLICABLE;
    u = words << 2;
  }
  for (; u < n; u++) upd[ub + u] = upd[ub + u]! & ~U_APPLICABLE;
}

/** The updates among 0 .. n-1 with U_APPLICABLE, ascending. */
export function applicableList(store: CoreStore, upd: Uint8Array, ub: number, n: number): number[] {
  const out: number[] = [];
  const w32 = flagWords(store, upd, ub);
  let u = 0;
  if (w32 !== null) {
    const first = (upd.byteOffset + ub) >>> 2;
    const words = n >>> 2;
    for (let k = 0; k < words; k++) {
      const m = w32[first + k]! & LANE_APPLICABLE;
      if (m === 0) continue;
      const b = k << 2;
      if ((m & 0xff) !== 0) out.push(b);
      if ((m & 0xff00) !== 0) out.push(b + 1);
      if ((m & 0xff0000) !== 0) out.push(b + 2);
      if ((m & 0xff000000) !== 0) out.push(b + 3);
    }
    u = words << 2;
  }
  for (; u < n; u++) if ((upd[ub + u]! & U_APPLICABLE) !== 0) out.push(u);
  return out;
}
