/**
 * The on-disk format of a protected model artifact (version 1):
 *
 *   header   "VGLA" | version u8 | header length u32 | segment size u32 | nonce prefix (7 bytes)
 *            | data key id (u8 length + ASCII) | KEK id (u8 length + ASCII) | wrapped data key (u16 length + bytes)
 *            | plaintext size u64 | plaintext SHA-256 (32 bytes)
 *   body     segments: each `segment size` plaintext bytes (the last one 0..segment size) sealed with
 *            AES-256-GCM under the artifact's own data key, tag appended
 *
 * Segment i uses nonce = prefix || i (u32) || last (u8), the STREAM construction, and associated data
 * binding the format version, segment size, nonce prefix, data key id, i and the last flag; the last
 * segment also binds the plaintext size and SHA-256 from the header. So a reordered, swapped, dropped,
 * truncated or appended segment, or an edited size or digest, fails authentication. The KEK id and
 * wrapped key are not in the segments' associated data (the wrap binds them to the data key id), so a
 * KEK rotation re-wraps the header without touching the body.
 */
import { VigilError } from '../../errors.js';
import { encodeAad, NONCE_BYTES } from './aead.js';

export const ARTIFACT_MAGIC = Buffer.from('VGLA', 'ascii');
export const ARTIFACT_VERSION = 1;
export const DEFAULT_SEGMENT_SIZE = 64 * 1024;
export const MIN_SEGMENT_SIZE = 16;
export const MAX_SEGMENT_SIZE = 16 * 1024 * 1024;
export const NONCE_PREFIX_BYTES = 7;
/** magic, version, header length: what must be read before the header's size is known. */
export const HEADER_PREAMBLE_BYTES = 9;
export const MAX_HEADER_BYTES = 4096;
export const MAX_SEGMENTS = 2 ** 32 - 1;

export interface ArtifactHeader {
  readonly version: number;
  readonly segmentSize: number;
  readonly noncePrefix: Buffer;
  readonly keyId: string;
  readonly kekId: string;
  readonly wrappedKey: Buffer;
  /** Plaintext bytes (patched in after the body is written). */
  readonly plaintextSize: bigint;
  /** SHA-256 of the plaintext (patched in after the body is written). */
  readonly sha256: Buffer;
}

/** Offset of the plaintext size field within a serialized header (the digest follows it). */
export function trailerOffset(headerLength: number): number {
  return headerLength - 8 - 32;
}

export function serializeHeader(header: ArtifactHeader): Buffer {
  const keyId = Buffer.from(header.keyId, 'ascii');
  const kekId = Buffer.from(header.kekId, 'ascii');
  if (keyId.length < 1 || keyId.length > 255 || kekId.length < 1 || kekId.length > 255 || header.wrappedKey.length > 1024) {
    throw new VigilError('VIGIL_INTERNAL', 'artifact header fields out of range');
  }
  const length = HEADER_PREAMBLE_BYTES + 4 + NONCE_PREFIX_BYTES + 1 + keyId.length + 1 + kekId.length + 2 + header.wrappedKey.length + 8 + 32;
  const out = Buffer.alloc(length);
  let at = ARTIFACT_MAGIC.copy(out, 0);
  at = out.writeUInt8(header.version, at);
  at = out.writeUInt32BE(length, at);
  at = out.writeUInt32BE(header.segmentSize, at);
  at += header.noncePrefix.copy(out, at);
  at = out.writeUInt8(keyId.length, at);
  at += keyId.copy(out, at);
  at = out.writeUInt8(kekId.length, at);
  at += kekId.copy(out, at);
  at = out.writeUInt16BE(header.wrappedKey.length, at);
  at += header.wrappedKey.copy(out, at);
  at = out.writeBigUInt64BE(header.plaintextSize, at);
  header.sha256.copy(out, at);
  return out;
}

/** Length of the header from its 9-byte preamble; `file` names the artifact in errors. */
export function headerLength(preamble: Buffer, file: string): number {
  if (preamble.length < HEADER_PREAMBLE_BYTES) corrupt(file, `is ${preamble.length} bytes, too short for an artifact header`);
  if (!preamble.subarray(0, 4).equals(ARTIFACT_MAGIC)) corrupt(file, 'does not start with VGLA: not a protected artifact');
  const version = preamble.readUInt8(4);
  if (version !== ARTIFACT_VERSION) corrupt(file, `has format version ${version}; this Vigil reads version ${ARTIFACT_VERSION}`);
  const length = preamble.readUInt32BE(5);
  if (length < HEADER_PREAMBLE_BYTES + 4 + NONCE_PREFIX_BYTES + 6 + 40 || length > MAX_HEADER_BYTES) {
    corrupt(file, `declares a header of ${length} bytes (allowed: ${HEADER_PREAMBLE_BYTES + 57} to ${MAX_HEADER_BYTES})`);
  }
  return length;
}

export function parseHeader(bytes: Buffer, file: string): ArtifactHeader {
  const length = headerLength(bytes, file);
  if (bytes.length !== length) corrupt(file, `header is ${bytes.length} bytes, declared ${length}`);
  let at = HEADER_PREAMBLE_BYTES;
  const need = (n: number, field: string): void => {
    if (at + n > length) corrupt(file, `header field ${field} runs past the header's end`);
  };
  need(4, 'segment size');
  const segmentSize = bytes.readUInt32BE(at);
  at += 4;
  if (segmentSize < MIN_SEGMENT_SIZE || segmentSize > MAX_SEGMENT_SIZE) {
    corrupt(file, `declares segments of ${segmentSize} bytes (allowed: ${MIN_SEGMENT_SIZE} to ${MAX_SEGMENT_SIZE})`);
  }
  need(NONCE_PREFIX_BYTES, 'nonce prefix');
  const noncePrefix = Buffer.from(bytes.subarray(at, at + NONCE_PREFIX_BYTES));
  at += NONCE_PREFIX_BYTES;
  const text = (field: string): string => {
    need(1, field);
    const n = bytes.readUInt8(at);
    at += 1;
    if (n === 0) corrupt(file, `header field ${field} is empty`);
    need(n, field);
    const value = bytes.toString('latin1', at, at + n);
    at += n;
    if (!/^[A-Za-z0-9._:-]+$/.test(value)) corrupt(file, `header field ${field} holds characters a key id never has`);
    return value;
  };
  const keyId = text('data key id');
  const kekId = text('KEK id');
  need(2, 'wrapped key length');
  const wrappedLength = bytes.readUInt16BE(at);
  at += 2;
  need(wrappedLength, 'wrapped key');
  const wrappedKey = Buffer.from(bytes.subarray(at, at + wrappedLength));
  at += wrappedLength;
  if (at + 40 !== length) corrupt(file, `header length ${length} does not match its fields (${at + 40})`);
  const plaintextSize = bytes.readBigUInt64BE(at);
  const sha256 = Buffer.from(bytes.subarray(at + 8, at + 40));
  return { version: bytes.readUInt8(4), segmentSize, noncePrefix, keyId, kekId, wrappedKey, plaintextSize, sha256 };
}

export function segmentNonce(header: ArtifactHeader, index: number, last: boolean): Buffer {
  const nonce = Buffer.alloc(NONCE_BYTES);
  header.noncePrefix.copy(nonce, 0);
  nonce.writeUInt32BE(index, NONCE_PREFIX_BYTES);
  nonce.writeUInt8(last ? 1 : 0, NONCE_PREFIX_BYTES + 4);
  return nonce;
}

export function segmentAad(header: ArtifactHeader, index: number, last: boolean): Buffer {
  const fixed = Buffer.alloc(4 + 8 + 1);
  fixed.writeUInt32BE(header.segmentSize, 0);
  fixed.writeBigUInt64BE(BigInt(index), 4);
  fixed.writeUInt8(last ? 1 : 0, 12);
  const fields: (string | Buffer)[] = [String(header.version), fixed, header.noncePrefix, header.keyId];
  if (last) {
    const size = Buffer.alloc(8);
    size.writeBigUInt64BE(header.plaintextSize, 0);
    fields.push(size, header.sha256);
  }
  return encodeAad('vigil/artifact-segment/v1', fields);
}

export function corrupt(file: string, why: string): never {
  throw new VigilError('VIGIL_ARTIFACT_CORRUPT', `${file} ${why}`, { details: { file } });
}
