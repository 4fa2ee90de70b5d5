/**
 * The optional columns of a reference (categorical, embedding, predicted class, class probabilities,
 * labels, LLM traces) as JSON for the window snapshot, and back. Typed arrays travel as base64 of
 * fixed-endian bytes and LLM traces as JSON (a NaN written as null reads back as NaN), so the same
 * columns always give the same bytes; decoding checks every field and length before use.
 */
import type { CodedColumn } from '../../contracts/batch.js';
import type { LlmTrace } from '../../contracts/records.js';
import { canonicalJson } from '../../config/canonical.js';
import type { OptionalColumns } from '../../../workers/detectors/optional.js';
import { bytesToF64, f64ToBytes } from './columns.js';

const b64 = (view: ArrayBufferView): string => Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('base64');

function littleEndian32(values: Int32Array | Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  if (values instanceof Int32Array) values.forEach((v, i) => view.setInt32(i * 4, v, true));
  else values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return out;
}

const coded = (column: CodedColumn): Record<string, unknown> => ({ codes: b64(littleEndian32(column.codes)), values: [...column.values] });

/** A JSON value of the optional columns present (for canonical JSON: keys are sorted by the writer). */
export function optionalToJson(columns: OptionalColumns): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const c = columns.categorical;
  if (c !== undefined) out['categorical'] = { names: [...c.names], dictionaries: c.dictionaries.map((d) => [...d]), codes: b64(littleEndian32(c.codes)) };
  const e = columns.embedding;
  if (e !== undefined) out['embedding'] = { dim: e.dim, values: b64(littleEndian32(e.values)), present: b64(e.present) };
  if (columns.predicted !== undefined) out['predicted'] = coded(columns.predicted);
  const p = columns.classProbabilities;
  if (p !== undefined) out['classProbabilities'] = { classes: [...p.classes], values: b64(f64ToBytes(p.values)) };
  const l = columns.labels;
  if (l !== undefined) out['labels'] = { numeric: b64(f64ToBytes(l.numeric)), classes: coded(l.classes) };
  if (columns.llm !== undefined) out['llm'] = columns.llm.map((t) => (t === null ? null : traceToJson(t)));
  return out;
}

/** JSON has no NaN or infinity: non-finite numbers of a trace are written as null (and read back as NaN). */
function traceToJson(trace: LlmTrace): Record<string, unknown> {
  const finite = (values: readonly number[] | null): (number | null)[] | null => (values === null ? null : values.map((v) => (Number.isFinite(v) ? v : null)));
  return { ...trace, tokenLogprobs: finite(trace.tokenLogprobs), responseEmbedding: finite(trace.responseEmbedding), contextEmbedding: finite(trace.contextEmbedding) };
}

/** Deterministic bytes of the optional columns (what a reference id hashes). */
export function encodeOptionalColumns(columns: OptionalColumns): Buffer {
  return Buffer.from(canonicalJson(optionalToJson(columns)), 'utf8');
}

type Corrupt = (why: string) => Error;

function obj(value: unknown, at: string, corrupt: Corrupt): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw corrupt(`${at} is not an object`);
  return value as Record<string, unknown>;
}

function strings(value: unknown, at: string, corrupt: Corrupt): string[] {
  if (!Array.isArray(value) || !value.every((s): s is string => typeof s === 'string')) throw corrupt(`${at} is not a list of strings`);
  return value;
}

function bytes(value: unknown, at: string, length: number, corrupt: Corrupt): Uint8Array {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) throw corrupt(`${at} is not base64`);
  const out = new Uint8Array(Buffer.from(value, 'base64'));
  if (out.length !== length) throw corrupt(`${at} holds ${out.length} bytes, expected ${length}`);
  return out;
}

function int32s(value: unknown, at: string, length: number, corrupt: Corrupt): Int32Array {
  const raw = bytes(value, at, length * 4, corrupt);
  const view = new DataView(raw.buffer);
  const out = new Int32Array(length);
  for (let i = 0; i < length; i++) out[i] = view.getInt32(i * 4, true);
  return out;
}

function float32s(value: unknown, at: string, length: number, corrupt: Corrupt): Float32Array {
  const raw = bytes(value, at, length * 4, corrupt);
  const view = new DataView(raw.buffer);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

function codedFrom(value: unknown, at: string, count: number, corrupt: Corrupt): CodedColumn {
  const o = obj(value, at, corrupt);
  const values = strings(o['values'], `${at}.values`, corrupt);
  const codes = int32s(o['codes'], `${at}.codes`, count, corrupt);
  for (const code of codes) if (code < -1 || code >= values.length) throw corrupt(`${at}.codes has code ${code} outside its ${values.length} values`);
  return { codes, values };
}

const numbers = (value: unknown, at: string, corrupt: Corrupt): number[] => {
  if (!Array.isArray(value)) throw corrupt(`${at} is not a list`);
  return value.map((v) => {
    if (v === null) return Number.NaN;
    if (typeof v !== 'number') throw corrupt(`${at} holds a ${typeof v}`);
    return v;
  });
};

function traceFrom(value: unknown, at: string, corrupt: Corrupt): LlmTrace | null {
  if (value === null) return null;
  const o = obj(value, at, corrupt);
  const text = (key: string): string => {
    if (typeof o[key] !== 'string') throw corrupt(`${at}.${key} is not a string`);
    return o[key];
  };
  const vector = (key: string): number[] | null => (o[key] === null || o[key] === undefined ? null : numbers(o[key], `${at}.${key}`, corrupt));
  const count = (key: string): number => {
    const v = o[key] ?? 0;
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw corrupt(`${at}.${key} is not an integer`);
    return v;
  };
  return {
    prompt: o['prompt'] === null || o['prompt'] === undefined ? null : text('prompt'),
    response: text('response'),
    contexts: strings(o['contexts'] ?? [], `${at}.contexts`, corrupt),
    tokenLogprobs: numbers(o['tokenLogprobs'] ?? [], `${at}.tokenLogprobs`, corrupt),
    responseEmbedding: vector('responseEmbedding'),
    contextEmbedding: vector('contextEmbedding'),
    samples: strings(o['samples'] ?? [], `${at}.samples`, corrupt),
    inputTokens: count('inputTokens'),
    outputTokens: count('outputTokens'),
  };
}

/** The inverse of `optionalToJson` for `count` rows; every surprise is a `corrupt` error naming the field. */
export function optionalFromJson(value: unknown, count: number, corrupt: Corrupt): OptionalColumns {
  const root = obj(value, 'reference.optional', corrupt);
  const out: { -readonly [K in keyof OptionalColumns]: OptionalColumns[K] } = {};
  if (root['categorical'] !== undefined) {
    const c = obj(root['categorical'], 'optional.categorical', corrupt);
    const names = strings(c['names'], 'optional.categorical.names', corrupt);
    if (!Array.isArray(c['dictionaries']) || c['dictionaries'].length !== names.length) throw corrupt('optional.categorical.dictionaries does not match its names');
    const dictionaries = c['dictionaries'].map((d: unknown, f) => strings(d, `optional.categorical.dictionaries[${f}]`, corrupt));
    const codes = int32s(c['codes'], 'optional.categorical.codes', names.length * count, corrupt);
    for (let f = 0; f < names.length; f++) {
      for (let i = 0; i < count; i++) {
        const code = codes[f * count + i]!;
        if (code < -1 || code >= dictionaries[f]!.length) throw corrupt(`optional.categorical.codes has code ${code} outside dictionary ${f}`);
      }
    }
    out.categorical = { names, dictionaries, codes };
  }
  if (root['embedding'] !== undefined) {
    const e = obj(root['embedding'], 'optional.embedding', corrupt);
    const dim = e['dim'];
    if (typeof dim !== 'number' || !Number.isSafeInteger(dim) || dim < 0 || dim > 65_536) throw corrupt('optional.embedding.dim is not an integer from 0 to 65536');
    out.embedding = { dim, values: float32s(e['values'], 'optional.embedding.values', dim * count, corrupt), present: bytes(e['present'], 'optional.embedding.present', count, corrupt) };
  }
  if (root['predicted'] !== undefined) out.predicted = codedFrom(root['predicted'], 'optional.predicted', count, corrupt);
  if (root['classProbabilities'] !== undefined) {
    const p = obj(root['classProbabilities'], 'optional.classProbabilities', corrupt);
    const classes = strings(p['classes'], 'optional.classProbabilities.classes', corrupt);
    out.classProbabilities = { classes, values: bytesToF64(bytes(p['values'], 'optional.classProbabilities.values', classes.length * count * 8, corrupt)) };
  }
  if (root['labels'] !== undefined) {
    const l = obj(root['labels'], 'optional.labels', corrupt);
    out.labels = { numeric: bytesToF64(bytes(l['numeric'], 'optional.labels.numeric', count * 8, corrupt)), classes: codedFrom(l['classes'], 'optional.labels.classes', count, corrupt) };
  }
  if (root['llm'] !== undefined) {
    if (!Array.isArray(root['llm']) || root['llm'].length !== count) throw corrupt(`optional.llm is not a list of ${count} traces`);
    out.llm = root['llm'].map((t: unknown, i) => traceFrom(t, `optional.llm[${i}]`, corrupt));
  }
  return out;
}
