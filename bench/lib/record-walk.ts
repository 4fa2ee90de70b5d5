/**
 * For the e2e-ceiling scenario only: kafkajs with its per-record decoding replaced by a walk over each
 * fetched record batch in place. It measures what a kafkajs consumer costs when it builds no object per
 * record (no key and value views, offset and timestamp strings, header objects), which is most of what
 * the counting consumer of e2e-throughput spends its time on.
 *
 * `installRecordWalk()` swaps the module kafkajs uses to decode the records of a fetched partition
 * (fetch v4 and later share it) for one that returns a `WalkedBatch` per record batch: its raw records
 * and the offsets kafkajs needs to move on (`offset` is the batch's last offset). It changes every
 * kafkajs consumer of the process, so it runs in a child process of its own (ceiling-reader.ts), never
 * in the engine or in the scenarios' own process. Only uncompressed v2 record batches are walked; any
 * other format is an error, named.
 */
import { replaceRecordDecoding, type KafkajsDecoder } from '../../src/pipeline/source/fast-records.js';

/** One record batch as fetched: what kafkajs's Batch reads (offset, control flag) and its raw records. */
export interface WalkedBatch {
  /** The batch's last offset, as kafkajs keeps offsets (decimal text). */
  readonly offset: string;
  readonly key: null;
  /** Its records, back to back, as on the wire (after the 61-byte batch header). */
  readonly value: Buffer;
  readonly headers: Record<string, never>;
  readonly timestamp: string;
  readonly isControlRecord: boolean;
  readonly batchContext: { readonly firstOffset: string; readonly producerId: string; readonly inTransaction: boolean; readonly isControlBatch: boolean };
  readonly baseOffset: number;
  readonly recordCount: number;
}

const BATCH_HEADER = 61;
const MAGIC_V2 = 2;

/** The record batches of one partition's fetched bytes; a partial batch at the end is left out, as kafkajs does. */
export function walkBatches(bytes: Buffer): WalkedBatch[] {
  const batches: WalkedBatch[] = [];
  for (let at = 0; bytes.length - at >= BATCH_HEADER; ) {
    const length = bytes.readInt32BE(at + 8);
    if (at + 12 + length > bytes.length) break;
    const magic = bytes.readInt8(at + 16);
    if (magic !== MAGIC_V2) throw new Error(`record walk: message format v${magic} at byte ${at}; only v2 record batches are walked`);
    const attributes = bytes.readInt16BE(at + 21);
    if ((attributes & 0x7) !== 0) throw new Error(`record walk: a compressed record batch at byte ${at} (codec ${attributes & 0x7}); only uncompressed batches are walked`);
    const baseOffset = Number(bytes.readBigInt64BE(at));
    const control = (attributes & 0x20) !== 0;
    batches.push({
      offset: String(baseOffset + bytes.readInt32BE(at + 23)),
      key: null,
      value: bytes.subarray(at + BATCH_HEADER, at + 12 + length),
      headers: {},
      timestamp: '0',
      isControlRecord: control,
      batchContext: { firstOffset: String(baseOffset), producerId: bytes.readBigInt64BE(at + 43).toString(), inTransaction: (attributes & 0x10) !== 0, isControlBatch: control },
      baseOffset,
      recordCount: bytes.readInt32BE(at + 57),
    });
    at += 12 + length;
  }
  return batches;
}

/** Makes every kafkajs consumer of this process return WalkedBatch "messages" (see the module comment). */
export function installRecordWalk(): void {
  const outcome = replaceRecordDecoding(() => async (decoder: KafkajsDecoder): Promise<WalkedBatch[]> => {
    const size = decoder.readInt32();
    if (size <= 0 || !decoder.canReadBytes(size)) return [];
    return walkBatches(decoder.readBytes(size));
  });
  if (!outcome.installed) throw new Error(`record walk: ${outcome.reason}`);
}

/** A zigzag varint of `bytes` at `cursor.at`, moving the cursor past it. */
function varint(bytes: Uint8Array, cursor: { at: number }): number {
  let value = 0;
  let shift = 0;
  let byte: number;
  do {
    byte = bytes[cursor.at++]!;
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while ((byte & 0x80) !== 0 && shift < 64);
  return value % 2 === 1 ? -(value + 1) / 2 : value / 2;
}

/** Where one walked record's parts lie in its batch's `value` (-1 lengths: null). */
export interface RecordSpan {
  readonly offset: number;
  readonly keyStart: number;
  readonly keyLength: number;
  readonly valueStart: number;
  readonly valueLength: number;
}

/** Visits every record of the walked batches in order (control batches skipped). */
export function forEachRecord(batches: readonly WalkedBatch[], visit: (batch: WalkedBatch, record: RecordSpan) => void): void {
  const cursor = { at: 0 };
  for (const b of batches) {
    if (b.isControlRecord) continue;
    const raw = b.value;
    cursor.at = 0;
    for (let i = 0; i < b.recordCount; i++) {
      const length = varint(raw, cursor);
      const end = cursor.at + length;
      if (end > raw.length) throw new Error(`record walk: record ${i} of the batch at offset ${b.baseOffset} runs past its batch`);
      cursor.at += 1; // attributes
      varint(raw, cursor); // timestamp delta
      const offsetDelta = varint(raw, cursor);
      const keyLength = varint(raw, cursor);
      const keyStart = cursor.at;
      if (keyLength > 0) cursor.at += keyLength;
      const valueLength = varint(raw, cursor);
      visit(b, { offset: b.baseOffset + offsetDelta, keyStart, keyLength, valueStart: cursor.at, valueLength });
      cursor.at = end;
    }
  }
}

/**
 * The values of walked batches packed back to back as the engine's pool decodes them (`bytes`,
 * `bounds`, `nulls`), with each record's offset; control batches are skipped.
 */
export function packValues(batches: readonly WalkedBatch[]): { bytes: Uint8Array; bounds: Uint32Array; nulls: Uint8Array; offsets: Float64Array } {
  let records = 0;
  let total = 0;
  for (const b of batches) {
    if (b.isControlRecord) continue;
    records += b.recordCount;
    total += b.value.length;
  }
  const bytes = new Uint8Array(total);
  const bounds = new Uint32Array(records + 1);
  const nulls = new Uint8Array(records);
  const offsets = new Float64Array(records);
  let r = 0;
  let written = 0;
  forEachRecord(batches, (b, span) => {
    bounds[r] = written;
    offsets[r] = span.offset;
    if (span.valueLength < 0) nulls[r] = 1;
    else {
      bytes.set(b.value.subarray(span.valueStart, span.valueStart + span.valueLength), written);
      written += span.valueLength;
    }
    r++;
  });
  bounds[r] = written;
  return { bytes: bytes.subarray(0, written), bounds, nulls, offsets };
}
