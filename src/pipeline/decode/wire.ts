/**
 * The Confluent wire format: magic byte 0, a 4-byte big-endian schema id, then the Avro binary body.
 * Every topic of the contract uses it (CONTRACT.md, "Topics").
 */
import { VigilError } from '../../errors.js';

/** Magic byte that opens every Confluent-framed record. */
export const WIRE_MAGIC = 0;
/** Bytes before the Avro body: the magic byte and the schema id. */
export const WIRE_HEADER_BYTES = 5;

/**
 * The schema id of a framed record; the Avro body starts at WIRE_HEADER_BYTES and runs to the end of
 * `value`. Returns the id rather than a sub-buffer so the hot path allocates nothing.
 *
 * @throws VigilError VIGIL_DECODE_SHORT when fewer than 5 bytes, VIGIL_DECODE_MAGIC when byte 0 is not 0.
 */
export function readSchemaId(value: Uint8Array): number {
  if (value.length < WIRE_HEADER_BYTES) {
    throw new VigilError('VIGIL_DECODE_SHORT', `record has ${value.length} bytes; the wire header alone needs ${WIRE_HEADER_BYTES}`, {
      details: { length: value.length },
    });
  }
  const magic = value[0];
  if (magic !== WIRE_MAGIC) {
    throw new VigilError('VIGIL_DECODE_MAGIC', `record starts with byte ${String(magic)}, not the Confluent magic byte 0`, {
      details: { magic: magic ?? -1 },
    });
  }
  // Read by hand rather than through Buffer#readUInt32BE so plain Uint8Arrays work too.
  return ((value[1]! << 24) >>> 0) + (value[2]! << 16) + (value[3]! << 8) + value[4]!;
}

/** Frames an Avro body with the wire header (what producers write; used by tests and tools). */
export function frameWire(schemaId: number, body: Uint8Array): Buffer {
  if (!Number.isInteger(schemaId) || schemaId < 0 || schemaId > 0xffff_ffff) {
    throw new VigilError('VIGIL_INPUT_INVALID', `schema id must be an integer in [0, 2^32), got ${schemaId}`);
  }
  const out = Buffer.allocUnsafe(WIRE_HEADER_BYTES + body.length);
  out[0] = WIRE_MAGIC;
  out.writeUInt32BE(schemaId, 1);
  out.set(body, WIRE_HEADER_BYTES);
  return out;
}
