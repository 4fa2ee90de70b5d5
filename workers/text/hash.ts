/**
 * A 53-bit string hash (two FNV-1a 32-bit hashes of the UTF-16 code units with different offset bases,
 * joined), so category values and names fit exactly in Float64Array sections. Collisions between two
 * given strings have a probability of about 2^-53; the hash is a fingerprint, not a security measure.
 */
export function hash53(text: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x01000193) >>> 0;
    b = (b ^ (b >>> 15)) >>> 0;
  }
  return (a & 0x1fffff) * 4294967296 + b;
}
