/** binCounts over many values counts exactly as the definition: the bin of v is the number of edges <= v. */
import { describe, expect, it } from 'vitest';
import { mulberry32, normal } from '../../../../src/demo/random.js';
import { binCounts } from '../../../../workers/kernels/histogram.js';

/** The next double above x (x finite). */
function nextUp(x: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigInt64(0);
  view.setBigInt64(0, x >= 0 ? bits + 1n : bits - 1n);
  return x === 0 ? Number.MIN_VALUE : view.getFloat64(0);
}

function byDefinition(values: Float64Array, edges: Float64Array): Float64Array {
  const counts = new Float64Array(edges.length + 1);
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    let b = 0;
    while (b < edges.length && edges[b]! <= v) b++;
    counts[b]!++;
  }
  return counts;
}

describe('binCounts on large inputs', () => {
  it('agrees with the definition on random data, values on the edges, NaN, infinities and uneven edges', () => {
    const rng = mulberry32(9);
    const gauss = normal(rng);
    for (let trial = 0; trial < 40; trial++) {
      const k = 2 + Math.floor(rng() * 60);
      const raw = Array.from({ length: k }, () => gauss() * (1 + 10 * rng()));
      // Uneven and very close edges, strictly increasing.
      const edges = Float64Array.from([...new Set(raw)].sort((a, b) => a - b));
      const n = 300 + Math.floor(rng() * 3000);
      const values = Float64Array.from({ length: n }, () => {
        const u = rng();
        if (u < 0.05) return edges[Math.floor(rng() * edges.length)]!; // exactly on an edge
        if (u < 0.07) return Number.NaN;
        if (u < 0.08) return rng() < 0.5 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
        if (u < 0.1) return nextUp(edges[Math.floor(rng() * edges.length)]!);
        return gauss() * 8;
      });
      const counts = new Float64Array(edges.length + 1);
      const counted = binCounts(values, 0, n, edges, counts);
      const want = byDefinition(values, edges);
      expect(Array.from(counts)).toEqual(Array.from(want));
      expect(counted).toBe(want.reduce((a, b) => a + b, 0));
    }
  });
});
