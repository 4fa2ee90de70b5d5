/**
 * The byte format of a model version's window state in the `vigil.state` changelog:
 *
 *     "VGWS"  format version (1 byte)  SHA-256 of the body (32 bytes)  body
 *
 * The body is the canonical JSON of the state (float columns and summaries as base64 of fixed-endian
 * bytes), so the same state always gives the same bytes. Decoding checks everything (magic, version,
 * checksum, every field's type and size, the model version) before anything is used: a corrupt or
 * foreign snapshot is a VIGIL_INPUT_INVALID that says what is wrong, never a half-restored state.
 */
import { createHash } from 'node:crypto';
import type { SourceSpan } from '../../contracts/batch.js';
import { canonicalJson } from '../../config/canonical.js';
import { VigilError } from '../../errors.js';
import { bytesToF64, f64ToBytes, isOffset } from './columns.js';
import type { ReferenceColumns } from './reference.js';
import { optionalFromJson, optionalToJson } from './optional-codec.js';

export const WINDOW_SNAPSHOT_FORMAT = 1;
const MAGIC = 'VGWS';
const HEADER = MAGIC.length + 1 + 32;
/** The largest reference the configuration allows (engine.reference.events). */
const MAX_REFERENCE_ROWS = 1_000_000;

export interface WindowStateImage {
  readonly modelId: string;
  readonly modelVersion: string;
  readonly featureNames: readonly string[];
  readonly reference: {
    readonly phase: 'collecting-reference' | 'ready';
    /** Rows wanted (collecting) or held (ready). */
    readonly target: number;
    readonly featureNames: readonly string[];
    readonly columns: ReferenceColumns;
    /**
     * Set when the (ready, immutable) reference is stored apart, under this referenceId, instead of in
     * every snapshot: `columns` is then empty.
     */
    readonly external?: string;
  };
  readonly origin: number | null;
  readonly nextStart: number | null;
  readonly nextIndex: number;
  readonly open: {
    readonly index: number;
    readonly start: number;
    readonly eventCount: number;
    readonly maxTs: number;
    readonly parts: number;
    readonly source: SourceSpan;
    readonly summaries: Readonly<Record<string, Uint8Array>>;
  } | null;
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

export function encodeWindowState(image: WindowStateImage): Uint8Array {
  const { columns } = image.reference;
  const summaries: Record<string, string> = {};
  for (const [detector, bytes] of Object.entries(image.open?.summaries ?? {})) summaries[detector] = b64(bytes);
  const external = image.reference.external;
  const body = canonicalJson({
    modelId: image.modelId,
    modelVersion: image.modelVersion,
    featureNames: [...image.featureNames],
    reference: external !== undefined ? { phase: 'ready', target: image.reference.target, featureNames: [...image.reference.featureNames], external } : {
      phase: image.reference.phase,
      target: image.reference.target,
      featureNames: [...image.reference.featureNames],
      count: columns.count,
      features: columns.features.map((c) => b64(f64ToBytes(c))),
      scores: b64(f64ToBytes(columns.scores)),
      latencies: b64(f64ToBytes(columns.latencies)),
      statuses: b64(columns.statuses),
      timestamps: b64(f64ToBytes(columns.timestamps)),
      source: columns.source === null ? null : { ...columns.source },
      ...(columns.optional !== undefined && Object.keys(columns.optional).length > 0 ? { optional: optionalToJson(columns.optional) } : {}),
    },
    origin: image.origin,
    nextStart: image.nextStart,
    nextIndex: image.nextIndex,
    open: image.open === null ? null : { ...image.open, source: { ...image.open.source }, summaries },
  });
  const bodyBytes = Buffer.from(body, 'utf8');
  const out = new Uint8Array(HEADER + bodyBytes.length);
  out.set(Buffer.from(MAGIC, 'latin1'), 0);
  out[MAGIC.length] = WINDOW_SNAPSHOT_FORMAT;
  out.set(createHash('sha256').update(bodyBytes).digest(), MAGIC.length + 1);
  out.set(bodyBytes, HEADER);
  return out;
}

export function decodeWindowState(bytes: Uint8Array, expected: { readonly modelId: string; readonly modelVersion: string }): WindowStateImage {
  const what = `window snapshot of ${expected.modelId}@${expected.modelVersion}`;
  const corrupt = (why: string, cause?: unknown): VigilError =>
    new VigilError('VIGIL_INPUT_INVALID', `${what} is corrupt: ${why}`, { cause, details: { modelId: expected.modelId, modelVersion: expected.modelVersion } });
  if (!(bytes instanceof Uint8Array) || bytes.length < HEADER) throw corrupt(`${bytes.length} bytes, shorter than the ${HEADER}-byte header`);
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.toString('latin1', 0, MAGIC.length) !== MAGIC) throw corrupt(`it does not start with "${MAGIC}"`);
  const format = buf[MAGIC.length];
  if (format !== WINDOW_SNAPSHOT_FORMAT) throw corrupt(`format version ${format ?? '?'} is not supported (this build reads ${WINDOW_SNAPSHOT_FORMAT})`);
  const body = buf.subarray(HEADER);
  if (!createHash('sha256').update(body).digest().equals(buf.subarray(MAGIC.length + 1, HEADER))) throw corrupt('the checksum does not match the body');
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (cause) {
    throw corrupt('the body is not JSON', cause);
  }
  const r = new Reader(corrupt);
  const root = r.obj(json, '$');
  const modelId = r.str(root, 'modelId');
  const modelVersion = r.str(root, 'modelVersion');
  if (modelId !== expected.modelId || modelVersion !== expected.modelVersion) {
    throw new VigilError('VIGIL_INPUT_INVALID', `${what} holds the state of ${modelId}@${modelVersion}`, { details: { modelId: expected.modelId } });
  }
  const featureNames = r.strings(root, 'featureNames');
  const ref = r.obj(root['reference'], 'reference');
  const phase = r.str(ref, 'phase');
  if (phase !== 'collecting-reference' && phase !== 'ready') throw corrupt(`reference.phase is ${JSON.stringify(phase)}`);
  const target = r.int(ref, 'target');
  const refNames = r.strings(ref, 'featureNames');
  const external = ref['external'];
  if (external !== undefined) {
    if (typeof external !== 'string' || phase !== 'ready') throw corrupt('reference.external must name a ready reference');
  }
  const count = external !== undefined ? 0 : r.int(ref, 'count');
  if (target > MAX_REFERENCE_ROWS) throw corrupt(`reference size ${target} exceeds ${MAX_REFERENCE_ROWS}`);
  if (typeof external === 'string') {
    const none = new Float64Array(0);
    const columns: ReferenceColumns = { count: 0, features: [], scores: none, latencies: none, statuses: new Uint8Array(0), timestamps: none, source: null };
    return finish(r, root, { modelId, modelVersion, featureNames, reference: { phase: 'ready', target, featureNames: refNames, columns, external } });
  }
  if (phase === 'collecting-reference' ? count >= target || target < 1 : count !== target) throw corrupt(`reference holds ${count} of ${target} rows in phase ${phase}`);
  const featureB64 = ref['features'];
  if (!Array.isArray(featureB64) || featureB64.length !== refNames.length) throw corrupt('reference.features does not match reference.featureNames');
  const columns: ReferenceColumns = {
    count,
    features: featureB64.map((v: unknown, f) => r.f64(v, `reference.features[${f}]`, count)),
    scores: r.f64(ref['scores'], 'reference.scores', count),
    latencies: r.f64(ref['latencies'], 'reference.latencies', count),
    statuses: r.bytes(ref['statuses'], 'reference.statuses', count),
    timestamps: r.f64(ref['timestamps'], 'reference.timestamps', count),
    source: ref['source'] === null ? null : r.span(ref['source'], 'reference.source'),
    ...(ref['optional'] === undefined ? {} : { optional: optionalFromJson(ref['optional'], count, corrupt) }),
  };
  return finish(r, root, { modelId, modelVersion, featureNames, reference: { phase, target, featureNames: refNames, columns } });
}

/** The window part of a snapshot, after its reference. */
function finish(r: Reader, root: Record<string, unknown>, head: Pick<WindowStateImage, 'modelId' | 'modelVersion' | 'featureNames' | 'reference'>): WindowStateImage {
  const nullableInt = (key: string): number | null => (root[key] === null ? null : r.int(root, key, Number.MIN_SAFE_INTEGER));
  let open: WindowStateImage['open'] = null;
  if (root['open'] !== null) {
    const o = r.obj(root['open'], 'open');
    const sums = r.obj(o['summaries'], 'open.summaries');
    const summaries: Record<string, Uint8Array> = {};
    for (const detector of Object.keys(sums)) summaries[detector] = r.bytes(sums[detector], `open.summaries.${detector}`);
    open = {
      index: r.int(o, 'index'),
      start: r.int(o, 'start', Number.MIN_SAFE_INTEGER),
      eventCount: r.int(o, 'eventCount', 1),
      maxTs: r.int(o, 'maxTs', Number.MIN_SAFE_INTEGER),
      parts: r.int(o, 'parts', 1),
      source: r.span(o['source'], 'open.source'),
      summaries,
    };
  }
  const nextIndex = r.int(root, 'nextIndex');
  if (open !== null && open.index !== nextIndex - 1) throw r.corrupt(`open window ${open.index} is not the last of ${nextIndex}`);
  return { ...head, origin: nullableInt('origin'), nextStart: nullableInt('nextStart'), nextIndex, open };
}

/** Typed field access that turns every surprise into a "corrupt" error naming the field. */
class Reader {
  readonly corrupt: (why: string) => VigilError;

  constructor(corrupt: (why: string) => VigilError) {
    this.corrupt = corrupt;
  }

  obj(value: unknown, at: string): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw this.corrupt(`${at} is not an object`);
    return value as Record<string, unknown>;
  }

  str(o: Record<string, unknown>, key: string): string {
    const v = o[key];
    if (typeof v !== 'string') throw this.corrupt(`${key} is not a string`);
    return v;
  }

  strings(o: Record<string, unknown>, key: string): string[] {
    const v = o[key];
    if (!Array.isArray(v) || !v.every((s): s is string => typeof s === 'string')) throw this.corrupt(`${key} is not a list of strings`);
    return v;
  }

  int(o: Record<string, unknown>, key: string, min = 0): number {
    const v = o[key];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw this.corrupt(`${key} is not an integer >= ${min}`);
    return v;
  }

  bytes(value: unknown, at: string, length?: number): Uint8Array {
    if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) throw this.corrupt(`${at} is not base64`);
    const out = new Uint8Array(Buffer.from(value, 'base64'));
    if (length !== undefined && out.length !== length) throw this.corrupt(`${at} holds ${out.length} bytes, expected ${length}`);
    return out;
  }

  f64(value: unknown, at: string, count: number): Float64Array {
    return bytesToF64(this.bytes(value, at, count * 8));
  }

  span(value: unknown, at: string): SourceSpan {
    const o = this.obj(value, at);
    const topic = this.str(o, 'topic');
    const partition = this.int(o, 'partition');
    const firstOffset = this.str(o, 'firstOffset');
    const lastOffset = this.str(o, 'lastOffset');
    if (!isOffset(firstOffset) || !isOffset(lastOffset)) throw this.corrupt(`${at} offsets are not Kafka offsets`);
    return { topic, partition, firstOffset, lastOffset };
  }
}
