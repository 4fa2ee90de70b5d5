/**
 * Recorded events for `vigil replay`: JSON lines (one InferenceEvent per line) or an Avro object
 * container file, told apart by the file's first bytes. Each event comes with where it was read
 * (`line 12`, `record 7`), and a bad one stops the read with a VIGIL_INPUT_INVALID naming the file,
 * that place and the field. Lines and files are bounded, so a hostile file cannot exhaust memory.
 */
import { createReadStream, openSync, readSync, closeSync, statSync, readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import avro from 'avsc';
import type { Type } from 'avsc';
import type { InferenceEvent } from '../contracts/records.js';
import { avroType } from '../contracts/schemas.js';
import { VigilError, describeError } from '../errors.js';
import { checkEvent } from './validate-event.js';

/** The longest JSON line read. */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;
/** The largest Avro container file read (it is read whole). */
export const MAX_AVRO_FILE_BYTES = 512 * 1024 * 1024;
/** The largest decompressed Avro block. */
export const MAX_BLOCK_BYTES = 64 * 1024 * 1024;

export interface RecordedEvent {
  readonly event: InferenceEvent;
  /** `line 12` or `record 7`. */
  readonly at: string;
}

export interface ReadProgress {
  (bytesRead: number, totalBytes: number): void;
}

const AVRO_MAGIC = Buffer.from('Obj\u0001', 'latin1');

function invalid(file: string, at: string, message: string, cause?: unknown): VigilError {
  return new VigilError('VIGIL_INPUT_INVALID', `${file} ${at}: ${message}`, { cause, details: { file, at } });
}

/** Events of `file`, in order. */
export async function* readEvents(file: string, onProgress?: ReadProgress): AsyncGenerator<RecordedEvent> {
  let size: number;
  const head = Buffer.alloc(4);
  try {
    size = statSync(file).size;
    const fd = openSync(file, 'r');
    try {
      readSync(fd, head, 0, 4, 0);
    } finally {
      closeSync(fd);
    }
  } catch (cause) {
    throw new VigilError('VIGIL_INPUT_INVALID', `cannot read events file ${file}: ${describeError(cause)}`, { cause, details: { file } });
  }
  if (head.equals(AVRO_MAGIC)) yield* readAvro(file, size, onProgress);
  else yield* readJsonLines(file, size, onProgress);
}

async function* readJsonLines(file: string, size: number, onProgress?: ReadProgress): AsyncGenerator<RecordedEvent> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let line = 0;
  let read = 0;
  const parse = (bytes: Buffer): RecordedEvent | null => {
    line++;
    const text = bytes.toString('utf8').trim();
    if (text.length === 0) return null;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (cause) {
      throw invalid(file, `line ${line}`, `not a JSON document (${describeError(cause)})`, cause);
    }
    const checked = checkEvent(value);
    if (!checked.ok) throw invalid(file, `line ${line}`, `field ${checked.field} ${checked.message}`);
    return { event: checked.event, at: `line ${line}` };
  };
  for await (const chunk of createReadStream(file, { highWaterMark: 64 * 1024 }) as AsyncIterable<Buffer>) {
    read += chunk.length;
    let from = 0;
    for (let nl = chunk.indexOf(10, from); nl !== -1; nl = chunk.indexOf(10, from)) {
      const piece = chunk.subarray(from, nl);
      if (pendingBytes + piece.length > MAX_LINE_BYTES) throw invalid(file, `line ${line + 1}`, `longer than ${MAX_LINE_BYTES} bytes`);
      const bytes = pending.length === 0 ? piece : Buffer.concat([...pending, piece]);
      pending = [];
      pendingBytes = 0;
      const event = parse(bytes);
      if (event) yield event;
      from = nl + 1;
    }
    const rest = chunk.subarray(from);
    pendingBytes += rest.length;
    if (pendingBytes > MAX_LINE_BYTES) throw invalid(file, `line ${line + 1}`, `longer than ${MAX_LINE_BYTES} bytes`);
    if (rest.length > 0) pending.push(Buffer.from(rest));
    onProgress?.(read, size);
  }
  if (pendingBytes > 0) {
    const event = parse(Buffer.concat(pending));
    if (event) yield event;
  }
}

const LONG = avro.Type.forSchema('long');
const META = avro.Type.forSchema({ type: 'map', values: 'bytes' });

type Resolver = ReturnType<Type['createResolver']>;

function decodeAt<T>(type: Type, buf: Buffer, pos: number, file: string, at: string, what: string, resolver?: Resolver): { value: T; offset: number } {
  let result: { value: unknown; offset: number };
  try {
    result = resolver === undefined ? type.decode(buf, pos) : type.decode(buf, pos, resolver);
  } catch (cause) {
    throw invalid(file, at, `${what} is malformed (${describeError(cause)})`, cause);
  }
  if (result.offset < 0) throw invalid(file, at, `${what} is cut short (its bytes end before it does)`);
  return result as { value: T; offset: number };
}

async function* readAvro(file: string, size: number, onProgress?: ReadProgress): AsyncGenerator<RecordedEvent> {
  if (size > MAX_AVRO_FILE_BYTES) throw invalid(file, 'header', `the file is ${size} bytes; at most ${MAX_AVRO_FILE_BYTES} are read`);
  const buf = readFileSync(file);
  const meta = decodeAt<Record<string, Buffer>>(META, buf, 4, file, 'header', 'the metadata');
  let pos = meta.offset;
  if (pos + 16 > buf.length) throw invalid(file, 'header', 'the sync marker is cut short (the file is truncated)');
  const sync = buf.subarray(pos, pos + 16);
  pos += 16;
  const codec = meta.value['avro.codec']?.toString('utf8') ?? 'null';
  if (codec !== 'null' && codec !== 'deflate') throw invalid(file, 'header', `codec ${JSON.stringify(codec)} is not supported (null, deflate)`);
  const reader = avroType('InferenceEvent');
  let resolver: Resolver;
  try {
    const writer = avro.Type.forSchema(JSON.parse(meta.value['avro.schema']?.toString('utf8') ?? 'null') as avro.Schema, { wrapUnions: false });
    resolver = reader.createResolver(writer);
  } catch (cause) {
    throw invalid(file, 'header', `the writer schema cannot be read as an InferenceEvent (${describeError(cause)})`, cause);
  }
  let record = 0;
  for (let block = 1; pos < buf.length; block++) {
    const at = `block ${block}`;
    const count = decodeAt<number>(LONG, buf, pos, file, at, 'the record count');
    const length = decodeAt<number>(LONG, buf, count.offset, file, at, 'the block size');
    pos = length.offset;
    if (count.value < 0 || length.value < 0 || pos + length.value + 16 > buf.length) throw invalid(file, at, `declares ${count.value} records in ${length.value} bytes, more than the file holds`);
    let data = buf.subarray(pos, pos + length.value);
    if (codec === 'deflate') {
      try {
        data = inflateRawSync(data, { maxOutputLength: MAX_BLOCK_BYTES });
      } catch (cause) {
        throw invalid(file, at, `the deflated block does not inflate within ${MAX_BLOCK_BYTES} bytes (${describeError(cause)})`, cause);
      }
    }
    if (count.value > data.length) throw invalid(file, at, `declares ${count.value} records in ${data.length} bytes`);
    let offset = 0;
    for (let i = 0; i < count.value; i++) {
      record++;
      // Read with the writer's schema, resolved to the contract's (defaults fill fields it lacks).
      const decoded = decodeAt<InferenceEvent>(reader, data, offset, file, `record ${record}`, 'the record', resolver);
      offset = decoded.offset;
      const checked = checkEvent(decoded.value);
      if (!checked.ok) throw invalid(file, `record ${record}`, `field ${checked.field} ${checked.message}`);
      yield { event: checked.event, at: `record ${record}` };
    }
    if (offset !== data.length) throw invalid(file, at, `${data.length - offset} bytes are left over after its ${count.value} records`);
    pos += length.value;
    if (!buf.subarray(pos, pos + 16).equals(sync)) throw invalid(file, at, 'the sync marker after it does not match the header');
    pos += 16;
    onProgress?.(pos, buf.length);
  }
}
