/**
 * Small helpers shared by the window state and its snapshot: fixed-endian encoding of float columns
 * (so snapshot bytes and reference ids are the same on every machine), and source-span arithmetic
 * over Kafka offsets, which are int64 decimal strings.
 */
import type { SourceSpan } from '../../contracts/batch.js';

/** Little-endian IEEE-754 bytes of `values`, every NaN written as the one canonical quiet NaN. */
export function f64ToBytes(values: Float64Array): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i] ?? Number.NaN, true);
  return out;
}

export function bytesToF64(bytes: Uint8Array): Float64Array {
  const out = new Float64Array(bytes.length / 8);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true);
  return out;
}

const OFFSET = /^(0|[1-9][0-9]{0,18})$/;

export function isOffset(value: string): boolean {
  return OFFSET.test(value);
}

/** Whether two spans come from the same topic-partition. */
export function sameSourcePartition(a: SourceSpan, b: SourceSpan): boolean {
  return a.topic === b.topic && a.partition === b.partition;
}

/** `span` widened to cover `next` (same topic-partition; the caller checks). */
export function widenSpan(span: SourceSpan | null, next: SourceSpan): SourceSpan {
  if (span === null) return { topic: next.topic, partition: next.partition, firstOffset: next.firstOffset, lastOffset: next.lastOffset };
  return {
    topic: span.topic,
    partition: span.partition,
    firstOffset: BigInt(next.firstOffset) < BigInt(span.firstOffset) ? next.firstOffset : span.firstOffset,
    lastOffset: BigInt(next.lastOffset) > BigInt(span.lastOffset) ? next.lastOffset : span.lastOffset,
  };
}
