/**
 * IoLogRecords on the wire: Avro bodies in the Confluent framing (magic 0, 4-byte schema id). The
 * reader decodes with Vigil's own IoLogRecord schema; a body that does not fit it exactly is refused
 * with the offset at fault.
 */
import { avroType } from '../contracts/schemas.js';
import type { IoLogRecord } from '../contracts/records.js';
import { VigilError, describeError } from '../errors.js';

export function encodeIoLogBody(record: IoLogRecord): Buffer {
  return avroType('IoLogRecord').toBuffer(record);
}

export function decodeIoLogValue(value: Buffer, where: string): IoLogRecord {
  if (value.length < 5) throw new VigilError('VIGIL_DECODE_SHORT', `${where}: ${value.length} bytes, shorter than the 5-byte wire header`);
  if (value[0] !== 0) throw new VigilError('VIGIL_DECODE_MAGIC', `${where}: first byte is ${value[0]}, not the magic byte 0`);
  const type = avroType('IoLogRecord');
  let decoded: { value: unknown; offset: number };
  try {
    decoded = type.decode(value, 5);
  } catch (cause) {
    throw new VigilError('VIGIL_DECODE_MALFORMED', `${where}: not an IoLogRecord: ${describeError(cause)}`, { cause });
  }
  if (decoded.offset < 0) throw new VigilError('VIGIL_DECODE_TRUNCATED', `${where}: the IoLogRecord body is truncated`);
  if (decoded.offset !== value.length) {
    throw new VigilError('VIGIL_DECODE_TRAILING', `${where}: ${value.length - decoded.offset} bytes left after the IoLogRecord`);
  }
  return decoded.value as IoLogRecord;
}
