/**
 * Bit-level helpers for IEEE-754 doubles. The views below are allocated once per thread, so the
 * functions themselves allocate nothing.
 */

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
// Which 32-bit half holds the sign and exponent depends on the platform's byte order.
f64[0] = 1;
const HI = u32[1] === 0x3ff00000 ? 1 : 0;
const LO = 1 - HI;

/**
 * The smallest double strictly greater than `x` (Math.nextUp in Java). NaN and +Infinity are
 * returned unchanged; -0 and +0 both step to the smallest positive subnormal.
 */
export function nextUp(x: number): number {
  if (x !== x || x === Infinity) return x;
  if (x === 0) return Number.MIN_VALUE;
  f64[0] = x;
  let lo = u32[LO]!;
  let hi = u32[HI]!;
  if (x > 0) {
    // Positive doubles order like their bit patterns: add one ulp.
    lo = (lo + 1) >>> 0;
    if (lo === 0) hi = (hi + 1) >>> 0;
  } else {
    // Negative doubles order backwards: subtracting one from the magnitude moves towards zero.
    if (lo === 0) hi = (hi - 1) >>> 0;
    lo = (lo - 1) >>> 0;
  }
  u32[LO] = lo;
  u32[HI] = hi;
  return f64[0]!;
}
