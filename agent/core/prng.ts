// Deterministic randomness for the pure core: no global random source here: every
// stream is derived from (seed, clientIdx) so a client's behaviour does not
// depend on how the fleet is interleaved or sharded.
//
// mulberry32 was chosen over xorshift128+/sfc32 because its whole state is one
// uint32, which keeps a client record small (the 2 KB per idle client budget)
// and it passes the statistical tests that matter for scheduling jitter.

/** murmur3 fmix32 finaliser: a cheap, well-mixed 32-bit hash step. */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of up to four 32-bit integers. */
export function hash32(a: number, b = 0, c = 0, d = 0): number {
  let h = mix32((a ^ 0x9e3779b9) >>> 0);
  h = mix32((h ^ Math.imul(b | 0, 0xcc9e2d51)) >>> 0);
  h = mix32((h ^ Math.imul(c | 0, 0x1b873593)) >>> 0);
  h = mix32((h ^ Math.imul(d | 0, 0xe6546b64)) >>> 0);
  return h;
}

/** A uniform number in [0, 1) from a stateless hash: for selections that must not consume a client's stream. */
export function unit(a: number, b = 0, c = 0, d = 0): number {
  return hash32(a, b, c, d) / 4294967296;
}

/** Initial PRNG state for a client: a signed 32-bit integer, so V8 keeps it as a small integer, not a boxed double. */
export function streamSeed(seed: number, clientIdx: number): number {
  return hash32(seed, clientIdx, 0x5eed) | 0 || 1;
}

/** Anything with a PRNG state field. */
export interface RngHolder {
  rng: number;
}

/** Next uniform number in [0, 1) from the holder's mulberry32 stream (advances it). */
export function rand(h: RngHolder): number {
  let t = (h.rng = (h.rng + 0x6d2b79f5) | 0);
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** A random delay in whole milliseconds, uniform in [0, span). Simulated time stays integral. */
export function randMs(h: RngHolder, span: number): number {
  return Math.floor(rand(h) * span);
}

/** Uniform integer in [0, n). */
export function randInt(h: RngHolder, n: number): number {
  return Math.floor(rand(h) * n);
}

/** A GUID-shaped string from hashes of (seed, kind, index): stable identifiers for clients, updates, deployments. */
export function guidFor(seed: number, kind: number, index: number): string {
  const a = hash32(seed, kind, index, 1);
  const b = hash32(seed, kind, index, 2);
  const c = hash32(seed, kind, index, 3);
  const d = hash32(seed, kind, index, 4);
  const hx = (n: number, w: number) => n.toString(16).padStart(8, '0').slice(0, w);
  const s = hx(a, 8) + hx(b, 8) + hx(c, 8) + hx(d, 8);
  // version-4 layout, variant 10xx, so real tools accept them
  return (
    s.slice(0, 8) + '-' + s.slice(8, 12) + '-4' + s.slice(13, 16) + '-' +
    ((parseInt(s[16]!, 16) & 3) | 8).toString(16) + s.slice(17, 20) + '-' + s.slice(20, 32)
  ).toUpperCase();
}
