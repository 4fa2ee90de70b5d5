/**
 * Protected model artifacts: encrypt, decrypt, verify and re-wrap files of any size in constant
 * memory (two segment buffers), in the format of ./artifact-format.ts. Outputs are written to a
 * temporary file beside the target and renamed into place only when complete, so a failure (a
 * tampered segment halfway through a decrypt) never leaves partial plaintext or a half-written file.
 */
import { createHash, randomBytes } from 'node:crypto';
import { open as openFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { VigilError, describeError } from '../../errors.js';
import { KEY_BYTES, TAG_BYTES, open, seal } from './aead.js';
import {
  ARTIFACT_VERSION,
  DEFAULT_SEGMENT_SIZE,
  HEADER_PREAMBLE_BYTES,
  MAX_SEGMENTS,
  MAX_SEGMENT_SIZE,
  MIN_SEGMENT_SIZE,
  NONCE_PREFIX_BYTES,
  corrupt,
  headerLength,
  parseHeader,
  segmentAad,
  segmentNonce,
  serializeHeader,
  trailerOffset,
  type ArtifactHeader,
} from './artifact-format.js';
import { rewrapRecord } from './envelope.js';
import type { KeyProvider } from './keyring.js';

export interface ArtifactSummary {
  /** SHA-256 of the plaintext, hex: the value a deployment manifest records. */
  readonly sha256: string;
  readonly plaintextBytes: number;
  readonly segments: number;
  readonly keyId: string;
  readonly kekId: string;
}

export interface EncryptOptions {
  readonly segmentSize?: number;
  readonly random?: (n: number) => Buffer;
}

/** Reads until `buffer` is full or the file ends; returns the bytes read. */
async function readFull(handle: FileHandle, buffer: Buffer, position: number): Promise<number> {
  let filled = 0;
  while (filled < buffer.length) {
    const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled;
}

async function openInput(file: string): Promise<FileHandle> {
  try {
    return await openFile(file, 'r');
  } catch (cause) {
    throw new VigilError('VIGIL_INPUT_INVALID', `cannot read ${file}: ${describeError(cause)}`, { cause, details: { file } });
  }
}

/** Writes through `body` into a temporary file, then renames it to `target`; removes it on failure. */
async function writeAtomically<T>(target: string, body: (out: FileHandle) => Promise<T>): Promise<T> {
  const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  let out: FileHandle;
  try {
    out = await openFile(temp, 'wx', 0o600);
  } catch (cause) {
    throw new VigilError('VIGIL_INPUT_INVALID', `cannot write ${target}: ${describeError(cause)}`, { cause, details: { file: target } });
  }
  try {
    const result = await body(out);
    await out.sync();
    await out.close();
    await rename(temp, target);
    return result;
  } catch (error) {
    await out.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw error;
  }
}

export async function encryptArtifact(input: string, output: string, provider: KeyProvider, options: EncryptOptions = {}): Promise<ArtifactSummary> {
  const segmentSize = options.segmentSize ?? DEFAULT_SEGMENT_SIZE;
  if (!Number.isInteger(segmentSize) || segmentSize < MIN_SEGMENT_SIZE || segmentSize > MAX_SEGMENT_SIZE) {
    throw new VigilError('VIGIL_USAGE', `segment size must be ${MIN_SEGMENT_SIZE} to ${MAX_SEGMENT_SIZE} bytes, got ${segmentSize}`);
  }
  const random = options.random ?? randomBytes;
  const key = random(KEY_BYTES);
  const keyId = `dk-${random(12).toString('hex')}`;
  const wrapped = await provider.wrap(key, keyId);
  const source = await openInput(input);
  try {
    return await writeAtomically(output, async (out) => {
      const draft: ArtifactHeader = {
        version: ARTIFACT_VERSION,
        segmentSize,
        noncePrefix: random(NONCE_PREFIX_BYTES),
        keyId,
        kekId: wrapped.kekId,
        wrappedKey: wrapped.wrappedKey,
        plaintextSize: 0n,
        sha256: Buffer.alloc(32),
      };
      const headerBytes = serializeHeader(draft);
      await out.write(headerBytes, 0, headerBytes.length, 0);
      const hash = createHash('sha256');
      let current = Buffer.allocUnsafe(segmentSize);
      let next = Buffer.allocUnsafe(segmentSize);
      let readAt = 0;
      let writeAt = headerBytes.length;
      let n = await readFull(source, current, readAt);
      readAt += n;
      for (let index = 0; ; index++) {
        if (index > MAX_SEGMENTS) throw new VigilError('VIGIL_INPUT_INVALID', `${input} needs more than ${MAX_SEGMENTS} segments; use larger segments`);
        const m = n === segmentSize ? await readFull(source, next, readAt) : 0;
        readAt += m;
        const last = m === 0;
        const plain = current.subarray(0, n);
        hash.update(plain);
        let header = draft;
        if (last) header = { ...draft, plaintextSize: BigInt(readAt), sha256: hash.digest() };
        const sealed = seal(key, segmentNonce(header, index, last), plain, segmentAad(header, index, last));
        await out.write(sealed, 0, sealed.length, writeAt);
        writeAt += sealed.length;
        if (last) {
          const trailer = serializeHeader(header).subarray(trailerOffset(headerBytes.length));
          await out.write(trailer, 0, trailer.length, trailerOffset(headerBytes.length));
          return { sha256: header.sha256.toString('hex'), plaintextBytes: readAt, segments: index + 1, keyId, kekId: wrapped.kekId };
        }
        [current, next] = [next, current];
        n = m;
      }
    });
  } finally {
    await source.close();
  }
}

async function readHeader(handle: FileHandle, file: string): Promise<{ header: ArtifactHeader; length: number }> {
  const preamble = Buffer.alloc(HEADER_PREAMBLE_BYTES);
  const got = await readFull(handle, preamble, 0);
  const length = headerLength(preamble.subarray(0, got), file);
  const bytes = Buffer.alloc(length);
  const read = await readFull(handle, bytes, 0);
  if (read < length) corrupt(file, `ends inside its header (${read} of ${length} bytes)`);
  return { header: parseHeader(bytes, file), length };
}

/**
 * Authenticates every segment in order and hands each verified plaintext to `sink`. Fails on the
 * first segment that does not authenticate, on a truncated or extended body, or on a digest mismatch.
 */
async function walk(file: string, provider: KeyProvider, sink: ((plain: Buffer) => Promise<void>) | null): Promise<ArtifactSummary> {
  const handle = await openInput(file);
  try {
    const { header, length } = await readHeader(handle, file);
    const key = await provider.unwrap(header.kekId, header.wrappedKey, header.keyId);
    const sealedSize = header.segmentSize + TAG_BYTES;
    let current = Buffer.allocUnsafe(sealedSize);
    let next = Buffer.allocUnsafe(sealedSize);
    const hash = createHash('sha256');
    let readAt = length;
    let plainBytes = 0;
    let n = await readFull(handle, current, readAt);
    readAt += n;
    for (let index = 0; ; index++) {
      if (n < TAG_BYTES) corrupt(file, `is truncated: segment ${index} has ${n} bytes, fewer than its ${TAG_BYTES}-byte tag`);
      if (index > MAX_SEGMENTS) corrupt(file, `has more than ${MAX_SEGMENTS} segments`);
      const m = n === sealedSize ? await readFull(handle, next, readAt) : 0;
      readAt += m;
      const last = m === 0;
      const what = `${file} segment ${index}${last ? ' (last)' : ''}`;
      let plain: Buffer;
      try {
        plain = open(key, segmentNonce(header, index, last), current.subarray(0, n), segmentAad(header, index, last), what);
      } catch (error) {
        if (error instanceof VigilError && error.code === 'VIGIL_DECRYPT_FAILED') {
          const hint = last ? ' (truncated or extended file, altered size or digest, or an altered segment)' : ' (altered, swapped or reordered segment)';
          throw new VigilError('VIGIL_DECRYPT_FAILED', `${error.message}${hint}`, { cause: error, details: { file, segment: index } });
        }
        throw error;
      }
      hash.update(plain);
      plainBytes += plain.length;
      if (sink !== null) await sink(plain);
      if (last) {
        const digest = hash.digest();
        if (BigInt(plainBytes) !== header.plaintextSize || !digest.equals(header.sha256)) {
          throw new VigilError('VIGIL_DECRYPT_FAILED', `${file}: plaintext SHA-256 or size differs from the header`, { details: { file } });
        }
        return { sha256: digest.toString('hex'), plaintextBytes: plainBytes, segments: index + 1, keyId: header.keyId, kekId: header.kekId };
      }
      [current, next] = [next, current];
      n = m;
    }
  } finally {
    await handle.close();
  }
}

export async function decryptArtifact(input: string, output: string, provider: KeyProvider): Promise<ArtifactSummary> {
  return writeAtomically(output, async (out) => {
    let at = 0;
    return walk(input, provider, async (plain) => {
      await out.write(plain, 0, plain.length, at);
      at += plain.length;
    });
  });
}

/** Authenticates the whole artifact without writing plaintext; `expectedSha256` (hex) is compared when given. */
export async function verifyArtifact(input: string, provider: KeyProvider, expectedSha256?: string): Promise<ArtifactSummary> {
  const summary = await walk(input, provider, null);
  if (expectedSha256 !== undefined && expectedSha256.toLowerCase() !== summary.sha256) {
    throw new VigilError('VIGIL_DECRYPT_FAILED', `${input}: plaintext SHA-256 is ${summary.sha256}, expected ${expectedSha256.toLowerCase()}`, {
      details: { file: input },
    });
  }
  return summary;
}

/** Reads only the header: key ids, segment size, recorded size and digest (not authenticated by itself). */
export async function inspectArtifact(input: string): Promise<ArtifactHeader> {
  const handle = await openInput(input);
  try {
    return (await readHeader(handle, input)).header;
  } finally {
    await handle.close();
  }
}

/**
 * Moves the artifact's data key to the provider's primary KEK: a new header, the body copied
 * unchanged, the file replaced atomically. Returns false when it already used the primary KEK.
 */
export async function rewrapArtifact(file: string, provider: KeyProvider): Promise<boolean> {
  const handle = await openInput(file);
  try {
    const { header, length } = await readHeader(handle, file);
    const moved = await rewrapRecord(header, provider);
    if (moved === header) return false;
    const headerBytes = serializeHeader(moved);
    await writeAtomically(file, async (out) => {
      await out.write(headerBytes, 0, headerBytes.length, 0);
      const buffer = Buffer.allocUnsafe(1024 * 1024);
      let readAt = length;
      let writeAt = headerBytes.length;
      for (;;) {
        const n = await readFull(handle, buffer, readAt);
        if (n === 0) break;
        await out.write(buffer, 0, n, writeAt);
        readAt += n;
        writeAt += n;
      }
    });
    return true;
  } finally {
    await handle.close();
  }
}
