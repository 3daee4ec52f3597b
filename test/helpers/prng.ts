// Deterministic randomness for the tests that generate their inputs.

/** mulberry32: the only source of randomness here. */
export function prng(seed: number) {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return {
    next,
    int,
    pick: <T>(a: readonly T[]): T => a[int(a.length)]!,
    chance: (p: number): boolean => next() < p,
  };
}
