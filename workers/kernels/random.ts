/**
 * The seeded PRNG of the pool threads: mulberry32, the same generator (same sequence for the same seed)
 * as src/demo/random.ts, which workers may not import (they import only types from src/). A unit test
 * checks the two agree.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
