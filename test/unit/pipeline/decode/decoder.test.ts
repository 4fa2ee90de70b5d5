import { describe, it, expect } from 'vitest';
import avro from 'avsc';
import type { Schema } from 'avsc';
import { VigilError } from '../../../../src/errors.js';
import type { InferenceEvent } from '../../../../src/contracts/records.js';
import { loadSchema } from '../../../../src/contracts/schemas.js';
import { InferenceDecoder } from '../../../reference/decode/decoder.js';
import type { DecodeOutcome } from '../../../reference/decode/decoder.js';
import { DEFAULT_VALIDATION, validateEvent } from '../../../reference/decode/validate.js';
import { frameWire, readSchemaId } from '../../../../src/pipeline/decode/wire.js';
import { EVENT_ID, FakeLookup, INFERENCE_EVENT, NOW, encode, makeEvent } from './helpers.js';

async function decoderWith(lookup = new FakeLookup(), options: { maxFutureSkewMs?: number } = {}): Promise<{ decoder: InferenceDecoder; lookup: FakeLookup }> {
  const decoder = new InferenceDecoder({ lookup, now: () => NOW, ...options });
  await decoder.load(EVENT_ID);
  return { decoder, lookup };
}

function codeOf(outcome: DecodeOutcome | undefined): string {
  if (outcome === undefined) return 'not loaded';
  return outcome.ok ? 'ok' : outcome.error.code;
}

function messageOf(outcome: DecodeOutcome | undefined): string {
  return outcome !== undefined && !outcome.ok ? outcome.error.message : '';
}

/** The InferenceEvent schema with changes, as a writer registered under another id. */
function writerSchema(change: (fields: Record<string, unknown>[]) => void): Record<string, unknown> {
  const schema = loadSchema('InferenceEvent');
  change(schema['fields'] as Record<string, unknown>[]);
  return schema;
}

describe('wire format', () => {
  it('reads the schema id after the magic byte, big-endian', () => {
    expect(readSchemaId(Buffer.from([0, 0, 0, 1, 2, 99]))).toBe(258);
    expect(readSchemaId(Buffer.from([0, 0xff, 0xff, 0xff, 0xff]))).toBe(0xffff_ffff);
    expect(readSchemaId(frameWire(123_456, Buffer.alloc(0)))).toBe(123_456);
  });

  it('rejects short records and a wrong magic byte with their codes', () => {
    expect(() => readSchemaId(Buffer.from([0, 0, 0, 1]))).toThrow(expect.objectContaining({ code: 'VIGIL_DECODE_SHORT' }));
    expect(() => readSchemaId(Buffer.alloc(0))).toThrow(expect.objectContaining({ code: 'VIGIL_DECODE_SHORT' }));
    expect(() => readSchemaId(Buffer.from([1, 0, 0, 0, 1]))).toThrow(expect.objectContaining({ code: 'VIGIL_DECODE_MAGIC' }));
    expect(() => frameWire(-1, Buffer.alloc(0))).toThrow(/schema id/);
  });
});

describe('InferenceDecoder', () => {
  it('decodes synchronously once the schema is loaded, and only asks the lookup once', async () => {
    const lookup = new FakeLookup();
    const decoder = new InferenceDecoder({ lookup, now: () => NOW });
    const value = encode(INFERENCE_EVENT);
    expect(decoder.decodeSync(value)).toBeUndefined();
    expect(decoder.isLoaded(EVENT_ID)).toBe(false);
    await decoder.load(EVENT_ID);
    for (let i = 0; i < 10; i++) {
      const outcome = decoder.decodeSync(value);
      expect(outcome?.ok && outcome.event).toEqual(INFERENCE_EVENT);
    }
    expect(lookup.calls).toEqual([EVENT_ID]);
  });

  it('decodes plain Uint8Arrays, not only Buffers', async () => {
    const { decoder } = await decoderWith();
    const value = new Uint8Array(encode(INFERENCE_EVENT));
    expect(codeOf(decoder.decodeSync(value))).toBe('ok');
  });

  it('decode() loads on a miss, reports unknown ids as outcomes and throws only on an outage', async () => {
    const lookup = new FakeLookup();
    const decoder = new InferenceDecoder({ lookup, now: () => NOW });
    expect(codeOf(await decoder.decode(encode(INFERENCE_EVENT)))).toBe('ok');
    expect(codeOf(await decoder.decode(encode(INFERENCE_EVENT, 404)))).toBe('VIGIL_DECODE_UNKNOWN_SCHEMA');
    lookup.outage = new VigilError('VIGIL_REGISTRY_UNAVAILABLE', 'down');
    await expect(decoder.decode(encode(INFERENCE_EVENT, 405))).rejects.toMatchObject({ code: 'VIGIL_REGISTRY_UNAVAILABLE' });
    expect(codeOf(await decoder.decode(Buffer.from([7, 0, 0, 0, 1])))).toBe('VIGIL_DECODE_MAGIC');
  });

  it('wraps a lookup that fails with a foreign error as VIGIL_REGISTRY_UNAVAILABLE', async () => {
    const decoder = new InferenceDecoder({ lookup: { schemaFor: () => Promise.reject(new TypeError('boom')) } });
    await expect(decoder.load(1)).rejects.toMatchObject({ code: 'VIGIL_REGISTRY_UNAVAILABLE', message: expect.stringMatching(/boom/) });
  });

  it('rejects a bad option, naming it', () => {
    expect(() => new InferenceDecoder({ lookup: new FakeLookup(), maxFutureSkewMs: -1 })).toThrow(/maxFutureSkewMs/);
    expect(() => new InferenceDecoder({ lookup: new FakeLookup(), limits: { maxDepth: 0 } })).toThrow(/maxDepth/);
  });
});

describe('validation', () => {
  it.each<[string, Partial<InferenceEvent>, string]>([
    ['empty eventId', { eventId: '' }, 'eventId is empty'],
    ['empty modelId', { modelId: '' }, 'modelId is empty'],
    ['empty modelVersion', { modelVersion: '' }, 'modelVersion is empty'],
    ['over-long modelId', { modelId: 'm'.repeat(257) }, 'modelId is 257 characters long, over the limit of 256'],
    ['negative timestamp', { timestamp: -1 }, 'timestamp -1 is before the Unix epoch'],
    ['far-future timestamp', { timestamp: NOW + 5 * 60_000 + 1 }, `timestamp ${NOW + 300_001} is 300001 ms ahead of the clock, over the allowed skew of 300000 ms`],
    ['NaN feature', { features: { income: 1, age: Number.NaN } }, 'features.age is NaN'],
    ['infinite feature', { features: { age: Number.POSITIVE_INFINITY } }, 'features.age is Infinity'],
    ['NaN latency', { latencyMs: Number.NaN }, 'latencyMs is NaN'],
    ['infinite latency', { latencyMs: Number.NEGATIVE_INFINITY }, 'latencyMs is -Infinity'],
    ['NaN score', { score: Number.NaN }, 'score is NaN'],
    ['NaN embedding value', { embedding: [0.5, Number.NaN] }, 'embedding[1] is NaN'],
  ])('dead-letters %s as VIGIL_EVENT_INVALID naming the field', async (_label, change, message) => {
    const { decoder } = await decoderWith();
    const outcome = decoder.decodeSync(encode(makeEvent(change)));
    expect(codeOf(outcome)).toBe('VIGIL_EVENT_INVALID');
    expect(messageOf(outcome)).toBe(message);
  });

  it('accepts a timestamp exactly at the allowed skew, and a null score or embedding', async () => {
    const { decoder } = await decoderWith();
    expect(codeOf(decoder.decodeSync(encode(makeEvent({ timestamp: NOW + 300_000, score: null, embedding: null }))))).toBe('ok');
  });

  it('uses the configured skew and the injected clock', async () => {
    const { decoder } = await decoderWith(new FakeLookup(), { maxFutureSkewMs: 0 });
    expect(codeOf(decoder.decodeSync(encode(makeEvent({ timestamp: NOW + 1 }))))).toBe('VIGIL_EVENT_INVALID');
    expect(codeOf(decoder.decodeSync(encode(makeEvent({ timestamp: NOW + 1 })), NOW + 1))).toBe('ok');
  });

  it('rejects a NaN timestamp (Avro longs cannot carry one, so checked directly)', () => {
    const error = validateEvent(makeEvent({ timestamp: Number.NaN }), NOW, DEFAULT_VALIDATION);
    expect([error?.code, error?.message]).toEqual(['VIGIL_EVENT_INVALID', 'timestamp is NaN']);
  });
});

describe('schema evolution and mismatch', () => {
  it('decodes a writer schema with an extra optional field', async () => {
    const schema = writerSchema((fields) => fields.splice(6, 0, { name: 'region', type: ['null', 'string'], default: null }));
    const writer = avro.Type.forSchema(schema as Schema, { wrapUnions: false });
    const lookup = new FakeLookup();
    lookup.schemas.set(8, JSON.stringify(schema));
    const decoder = new InferenceDecoder({ lookup, now: () => NOW });
    await decoder.load(8);
    const outcome = decoder.decodeSync(frameWire(8, writer.toBuffer({ ...INFERENCE_EVENT, region: 'eu-west' })));
    expect(outcome?.ok && outcome.event).toEqual(INFERENCE_EVENT);
  });

  it('fills reader defaults for optional fields an older writer lacks', async () => {
    const schema = writerSchema((fields) => {
      const keep = fields.filter((f) => !['attributes', 'llm', 'categorical'].includes(String(f['name'])));
      fields.splice(0, fields.length, ...keep);
    });
    const writer = avro.Type.forSchema(schema as Schema, { wrapUnions: false });
    const lookup = new FakeLookup();
    lookup.schemas.set(9, JSON.stringify(schema));
    const decoder = new InferenceDecoder({ lookup, now: () => NOW });
    await decoder.load(9);
    const outcome = decoder.decodeSync(frameWire(9, writer.toBuffer(INFERENCE_EVENT)));
    expect(outcome?.ok && outcome.event).toEqual({ ...INFERENCE_EVENT, attributes: {}, llm: null, categorical: {} });
  });

  it('reads a writer whose unions avsc cannot unwrap', async () => {
    const ab = ['null', { type: 'record', name: 'A', fields: [] }, { type: 'record', name: 'B', fields: [{ name: 'x', type: 'int' }] }];
    const schema = writerSchema((fields) => fields.push({ name: 'extra', type: ab, default: null }));
    const writer = avro.Type.forSchema(schema as Schema, { wrapUnions: true });
    const lookup = new FakeLookup();
    lookup.schemas.set(10, JSON.stringify(schema));
    const decoder = new InferenceDecoder({ lookup, now: () => NOW });
    await decoder.load(10);
    const value = { ...INFERENCE_EVENT, endpoint: { string: '/v1/score' }, embedding: { array: INFERENCE_EVENT.embedding }, score: { double: 0.137 }, predictedClass: { string: 'approve' }, classProbabilities: { map: INFERENCE_EVENT.classProbabilities }, extra: { 'dev.vigil.B': { x: 1 } } };
    const outcome = decoder.decodeSync(frameWire(10, writer.toBuffer(value)));
    expect(outcome?.ok && outcome.event).toEqual(INFERENCE_EVENT);
  });

  it('reports an unresolvable writer as VIGIL_DECODE_SCHEMA_MISMATCH for every record, looked up once', async () => {
    const schema = writerSchema((fields) => {
      const latency = fields.find((f) => f['name'] === 'latencyMs')!;
      latency['type'] = 'string';
    });
    const lookup = new FakeLookup();
    lookup.schemas.set(11, JSON.stringify(schema));
    lookup.schemas.set(12, 'not json');
    lookup.schemas.set(13, '{"type":"record","name":"X","fields":[{"name":"a","type":"nope"}]}');
    lookup.schemas.set(14, '"string"');
    const decoder = new InferenceDecoder({ lookup, now: () => NOW });
    for (const id of [11, 12, 13, 14]) {
      await decoder.load(id);
      for (let i = 0; i < 3; i++) expect(codeOf(decoder.decodeSync(frameWire(id, Buffer.from([0]))))).toBe('VIGIL_DECODE_SCHEMA_MISMATCH');
    }
    expect(lookup.calls).toEqual([11, 12, 13, 14]);
  });

  it('reports a writer enum symbol the reader lacks as a mismatch, per id', async () => {
    const schema = writerSchema((fields) => {
      const status = fields.find((f) => f['name'] === 'status')!;
      status['type'] = { type: 'enum', name: 'InferenceStatus', symbols: ['OK', 'ERROR', 'TIMEOUT', 'FALLBACK', 'CANCELLED'] };
    });
    const lookup = new FakeLookup();
    lookup.schemas.set(15, JSON.stringify(schema));
    const decoder = new InferenceDecoder({ lookup, now: () => NOW });
    await decoder.load(15);
    const writer = avro.Type.forSchema(schema as Schema, { wrapUnions: false });
    expect(codeOf(decoder.decodeSync(frameWire(15, writer.toBuffer(INFERENCE_EVENT))))).toBe('VIGIL_DECODE_SCHEMA_MISMATCH');
  });
});
