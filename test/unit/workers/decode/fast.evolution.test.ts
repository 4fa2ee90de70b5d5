/**
 * (4) Schema evolution: writers the Avro resolution rules let the reader read (extra fields, missing
 * optional fields, promotions, reordered and wider unions, reordered fields and enum symbols) decode to
 * what avsc's resolver gives, and mutated bytes of such writers get the current path's verdict; writers
 * that cannot be read are refused at compile time with a clear error.
 */
import { describe, it, expect } from 'vitest';
import avro from 'avsc';
import type { Schema, Type } from 'avsc';
import type { InferenceEvent, LlmTrace } from '../../../../src/contracts/records.js';
import { schemaSource } from '../../../../src/contracts/schemas.js';
import { compileFastDecoder, FastDecoderCompileError, FastEvent } from '../../../../workers/decode/fast.js';
import { EVENT_TYPE, currentDecode, expectSameEvent, fastDecode, int, mulberry32, randomEvent, randomString } from './helpers.js';
import type { Rng } from './helpers.js';

type Json = Record<string, unknown>;
type FieldJson = { name: string; type: unknown; default?: unknown };

const READER = JSON.parse(schemaSource('InferenceEvent')) as Json & { fields: FieldJson[] };

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function fieldsOf(schema: Json): FieldJson[] {
  return schema['fields'] as FieldJson[];
}

function llmRecord(schema: Json): Json & { fields: FieldJson[] } {
  const llm = fieldsOf(schema).find((f) => f.name === 'llm')!;
  return (llm.type as unknown[]).find((t) => typeof t === 'object') as Json & { fields: FieldJson[] };
}

/** The reader schema with `edit` applied to a copy. */
function writerSchema(edit: (schema: Json & { fields: FieldJson[] }) => void): Json {
  const schema = clone(READER);
  edit(schema);
  return schema;
}

function setType(schema: Json, name: string, type: unknown, drop = true): void {
  const field = fieldsOf(schema).find((f) => f.name === name)!;
  field.type = type;
  if (drop) delete field.default;
}

function remove(schema: Json, ...names: string[]): void {
  schema['fields'] = fieldsOf(schema).filter((f) => !names.includes(f.name));
}

function omit<T extends object>(value: T, ...names: string[]): Json {
  const out = { ...value } as Json;
  for (const name of names) delete out[name];
  return out;
}

interface Variant {
  readonly name: string;
  readonly schema: Json;
  /** Writer type used to encode (wrapped unions where avsc needs them). */
  readonly wrap?: boolean;
  /** A random event as the writer writes it. */
  readonly value: (event: InferenceEvent, rng: Rng) => unknown;
}

const int32 = (rng: Rng): number => int(rng, 2 ** 32) - 2 ** 31;

const EXTRA_RECORD = {
  type: 'record',
  name: 'Extra',
  namespace: 'test.extra',
  fields: [
    { name: 'a', type: 'int' },
    { name: 'next', type: ['null', 'Extra'] },
    { name: 'fx', type: { type: 'fixed', name: 'Three', size: 3 } },
    { name: 'color', type: { type: 'enum', name: 'Color', symbols: ['RED', 'GREEN'] } },
    { name: 'blobs', type: { type: 'map', values: { type: 'array', items: 'bytes' } } },
    { name: 'flag', type: 'boolean' },
    { name: 'f', type: 'float' },
    { name: 'd', type: 'double' },
    { name: 'l', type: 'long' },
    { name: 'nothing', type: 'null' },
    { name: 'ds', type: { type: 'array', items: 'double' } },
  ],
};

function extraValue(rng: Rng, depth = 0): Json {
  return {
    a: int32(rng),
    next: depth < 2 && rng() < 0.5 ? extraValue(rng, depth + 1) : null,
    fx: Buffer.from([int(rng, 256), int(rng, 256), int(rng, 256)]),
    color: rng() < 0.5 ? 'RED' : 'GREEN',
    blobs: { [randomString(rng, 5)]: [Buffer.from(randomString(rng, 9))] },
    flag: rng() < 0.5,
    f: Math.fround(rng()),
    d: rng(),
    l: int(rng, 2 ** 52),
    nothing: null,
    ds: [rng(), rng()],
  };
}

const VARIANTS: Variant[] = [
  {
    name: 'extra writer fields (first, middle, last, in LlmTrace; recursive, fixed, enum, nested collections)',
    schema: writerSchema((s) => {
      s.fields.unshift({ name: 'traceId', type: 'string' });
      s.fields.splice(6, 0, { name: 'extra', type: EXTRA_RECORD });
      s.fields.push({ name: 'tail', type: ['null', 'string', 'long'] });
      llmRecord(s).fields.splice(1, 0, { name: 'model', type: 'string' }, { name: 'temperature', type: ['null', 'double'] });
    }),
    value: (e, rng) => ({
      ...e,
      traceId: randomString(rng, 20),
      extra: extraValue(rng),
      tail: rng() < 0.3 ? null : rng() < 0.5 ? randomString(rng, 8) : int(rng, 1e9),
      llm: e.llm === null ? null : { ...e.llm, model: randomString(rng, 10), temperature: rng() < 0.5 ? null : rng() },
    }),
  },
  {
    name: 'writer without the optional fields',
    schema: writerSchema((s) => remove(s, 'endpoint', 'categorical', 'embedding', 'score', 'predictedClass', 'classProbabilities', 'llm', 'attributes')),
    value: (e) => omit(e, 'endpoint', 'categorical', 'embedding', 'score', 'predictedClass', 'classProbabilities', 'llm', 'attributes'),
  },
  {
    name: 'LlmTrace writer with only `response`',
    schema: writerSchema((s) => {
      llmRecord(s).fields = [{ name: 'response', type: 'string' }];
    }),
    value: (e) => ({ ...e, llm: e.llm === null ? null : { response: e.llm.response } }),
  },
  {
    name: 'promotions: int → long / double / float, long → double / float, float → double, bytes → string',
    schema: writerSchema((s) => {
      setType(s, 'eventId', 'bytes');
      setType(s, 'timestamp', 'int');
      setType(s, 'latencyMs', 'int');
      setType(s, 'features', { type: 'map', values: 'float' });
      setType(s, 'categorical', { type: 'map', values: 'bytes' });
      setType(s, 'embedding', ['null', { type: 'array', items: 'int' }], false);
      setType(s, 'score', ['null', 'long'], false);
      setType(s, 'classProbabilities', ['null', { type: 'map', values: 'float' }], false);
      const trace = llmRecord(s);
      trace.fields.find((f) => f.name === 'tokenLogprobs')!.type = { type: 'array', items: 'long' };
      trace.fields.find((f) => f.name === 'responseEmbedding')!.type = ['null', { type: 'array', items: 'long' }];
    }),
    value: (e, rng) => ({
      ...e,
      eventId: Buffer.from(e.eventId),
      timestamp: int32(rng),
      latencyMs: int32(rng),
      features: Object.fromEntries(Object.entries(e.features).map(([k, v]) => [k, Math.fround(v)])),
      categorical: Object.fromEntries(Object.entries(e.categorical).map(([k, v]) => [k, Buffer.from(v)])),
      embedding: e.embedding === null ? null : e.embedding.map(() => int32(rng)),
      score: e.score === null ? null : int(rng, 2 ** 53) - 2 ** 52,
      classProbabilities: e.classProbabilities,
      llm:
        e.llm === null
          ? null
          : {
              ...e.llm,
              tokenLogprobs: e.llm.tokenLogprobs.map(() => int(rng, 2 ** 40) - 2 ** 39),
              responseEmbedding: e.llm.responseEmbedding === null ? null : e.llm.responseEmbedding.map(() => int(rng, 2 ** 30)),
            },
    }),
  },
  {
    name: 'reordered union branches',
    schema: writerSchema((s) => {
      setType(s, 'endpoint', ['string', 'null']);
      setType(s, 'embedding', [{ type: 'array', items: 'float' }, 'null']);
      setType(s, 'score', ['double', 'null']);
      setType(s, 'predictedClass', ['string', 'null']);
      setType(s, 'classProbabilities', [{ type: 'map', values: 'double' }, 'null']);
      const trace = llmRecord(s);
      setType(s, 'llm', [trace, 'null']);
      for (const f of trace.fields) {
        if (Array.isArray(f.type) && f.type[0] === 'null') {
          f.type = [...(f.type as unknown[]).slice(1), 'null'];
          delete f.default;
        }
      }
    }),
    value: (e) => e,
  },
  {
    name: 'wider writer unions and plain writer types for reader unions',
    wrap: true,
    schema: writerSchema((s) => {
      setType(s, 'latencyMs', ['int', 'double']);
      setType(s, 'score', 'double');
      setType(s, 'endpoint', 'string');
      setType(s, 'predictedClass', 'null');
      setType(s, 'features', { type: 'map', values: ['float', 'double', 'long'] });
      setType(s, 'timestamp', ['int', 'long']);
    }),
    value: (e, rng) => {
      const features: Json = {};
      for (const [k, v] of Object.entries(e.features)) {
        const r = int(rng, 3);
        features[k] = r === 0 ? { float: Math.fround(v) } : r === 1 ? { double: v } : { long: int(rng, 1e12) };
      }
      const wrap = (type: string, value: unknown): Json | null => (value === null ? null : { [type]: value });
      return {
        ...e,
        timestamp: rng() < 0.5 ? { int: int32(rng) } : { long: e.timestamp },
        latencyMs: rng() < 0.5 ? { int: int32(rng) } : { double: e.latencyMs },
        score: e.score ?? rng(),
        endpoint: e.endpoint ?? '',
        predictedClass: null,
        features,
        embedding: wrap('array', e.embedding),
        classProbabilities: wrap('map', e.classProbabilities),
        llm:
          e.llm === null
            ? null
            : {
                'dev.vigil.LlmTrace': {
                  ...e.llm,
                  prompt: wrap('string', e.llm.prompt),
                  responseEmbedding: wrap('array', e.llm.responseEmbedding),
                  contextEmbedding: wrap('array', e.llm.contextEmbedding),
                } satisfies Record<keyof LlmTrace, unknown>,
              },
      };
    },
  },
  {
    name: 'reordered fields and enum symbols, a writer enum with fewer symbols',
    schema: writerSchema((s) => {
      s.fields.reverse();
      setType(s, 'status', { type: 'enum', name: 'InferenceStatus', symbols: ['FALLBACK', 'OK', 'TIMEOUT'] });
      llmRecord(s).fields.reverse();
    }),
    value: (e, rng) => ({ ...e, status: (['FALLBACK', 'OK', 'TIMEOUT'] as const)[int(rng, 3)] }),
  },
  {
    name: 'a writer whose top level is a union of the record',
    wrap: true,
    schema: { __union: [clone(READER)] } as Json,
    value: (e) => ({
      'dev.vigil.InferenceEvent': {
        ...e,
        endpoint: e.endpoint === null ? null : { string: e.endpoint },
        embedding: e.embedding === null ? null : { array: e.embedding },
        score: e.score === null ? null : { double: e.score },
        predictedClass: e.predictedClass === null ? null : { string: e.predictedClass },
        classProbabilities: e.classProbabilities === null ? null : { map: e.classProbabilities },
        llm:
          e.llm === null
            ? null
            : {
                'dev.vigil.LlmTrace': {
                  ...e.llm,
                  prompt: e.llm.prompt === null ? null : { string: e.llm.prompt },
                  responseEmbedding: e.llm.responseEmbedding === null ? null : { array: e.llm.responseEmbedding },
                  contextEmbedding: e.llm.contextEmbedding === null ? null : { array: e.llm.contextEmbedding },
                },
              },
      },
    }),
  },
];

function schemaOf(variant: Variant): unknown {
  const union = (variant.schema as { __union?: unknown[] }).__union;
  return union ?? variant.schema;
}

function writerType(variant: Variant): Type {
  return avro.Type.forSchema(schemaOf(variant) as Schema, { wrapUnions: variant.wrap === true });
}

/** Flips, cuts and splices, as in the fuzz test, but smaller. */
function damage(body: Buffer, rng: Rng): Buffer {
  const at = int(rng, body.length);
  switch (int(rng, 4)) {
    case 0: {
      const out = Buffer.from(body);
      out[at] = out[at]! ^ (1 << int(rng, 8));
      return out;
    }
    case 1:
      return body.subarray(0, at);
    case 2:
      return Buffer.concat([body.subarray(0, at), Buffer.from([int(rng, 256), int(rng, 256)]), body.subarray(at)]);
    default:
      return Buffer.concat([body.subarray(0, at), body.subarray(Math.min(body.length, at + 1 + int(rng, 6)))]);
  }
}

describe('fast decoder: schema evolution', () => {
  for (const variant of VARIANTS) {
    it(`${variant.name}: the values avsc's resolver gives, the current path's verdict on damaged bytes`, () => {
      const writer = writerType(variant);
      const decoder = compileFastDecoder(JSON.stringify(schemaOf(variant)));
      expect(decoder.writerIsReader).toBe(false);
      const resolver = EVENT_TYPE.createResolver(writer);
      const rng = mulberry32(variant.name.length * 7919);
      const out = new FastEvent();
      let damagedOk = 0;
      for (let i = 0; i < 300; i++) {
        const body = writer.toBuffer(variant.value(randomEvent(rng, 24), rng));
        const expected = currentDecode(body, writer, {}, resolver);
        if (!expected.ok) throw new Error(expected.message);
        expect(decoder.decode(body, 0, body.length, out), decoder.lastError?.message).toBeUndefined();
        expectSameEvent(out, expected.event);

        const bad = damage(body, rng);
        const verdict = currentDecode(bad, writer, {}, resolver);
        const actual = fastDecode(decoder, bad, out);
        if (verdict.ok) {
          damagedOk++;
          expect(actual.ok, actual.ok ? '' : actual.message).toBe(true);
          expectSameEvent(out, verdict.event);
        } else {
          expect(actual.ok ? 'ok' : `${actual.code} ${actual.message}`).toBe(`${verdict.code} ${verdict.message}`);
        }
      }
      expect(damagedOk).toBeLessThan(300);
    });
  }

  it('fills missing reader fields with fresh defaults on every record', () => {
    const variant = VARIANTS[1]!;
    const writer = writerType(variant);
    const decoder = compileFastDecoder(writer.schema() as object);
    const out = new FastEvent();
    out.endpoint = 'stale';
    out.score = 3;
    out.hasScore = true;
    const body = writer.toBuffer(variant.value(randomEvent(mulberry32(5)), mulberry32(6)));
    expect(decoder.decode(body, 0, body.length, out)).toBeUndefined();
    expect(out.endpoint).toBeNull();
    expect(out.hasScore).toBe(false);
    expect(out.score).toBeNaN();
    expect(out.categorical).toEqual({});
    const first = out.categorical;
    expect(decoder.decode(body, 0, body.length, out)).toBeUndefined();
    expect(out.categorical).not.toBe(first); // a caller may keep and mutate what it got
  });

  const UNREADABLE: Record<string, Json | string> = {
    'a required field is missing': writerSchema((s) => remove(s, 'eventId')),
    'features hold strings': writerSchema((s) => setType(s, 'features', { type: 'map', values: 'string' })),
    'the status enum has a symbol the reader lacks': writerSchema((s) => setType(s, 'status', { type: 'enum', name: 'InferenceStatus', symbols: ['OK', 'ERROR', 'TIMEOUT', 'FALLBACK', 'UNKNOWN'] })),
    'the record has another name': writerSchema((s) => {
      s['namespace'] = 'com.other';
    }),
    'timestamp is a string': writerSchema((s) => setType(s, 'timestamp', 'string')),
    'endpoint may be an int': writerSchema((s) => setType(s, 'endpoint', ['null', 'int'])),
    'latencyMs is a string': writerSchema((s) => setType(s, 'latencyMs', 'string')),
    'a long read as int (no demotion)': writerSchema((s) => {
      llmRecord(s).fields.find((f) => f.name === 'inputTokens')!.type = 'long';
    }),
    'features may be null': writerSchema((s) => setType(s, 'features', ['null', { type: 'map', values: 'double' }])),
    'LlmTrace lacks `response`': writerSchema((s) => {
      llmRecord(s).fields = llmRecord(s).fields.filter((f) => f.name !== 'response');
    }),
    'the top level is not a record': '"string"',
    'the text is not JSON': '{"type": "record",',
    'the schema is not valid Avro': '{"type": "record", "name": "X", "fields": [{"name": "a", "type": "nope"}]}',
  };

  for (const [name, schema] of Object.entries(UNREADABLE)) {
    it(`refuses a writer that cannot be read: ${name}`, () => {
      const text = typeof schema === 'string' ? schema : JSON.stringify(schema);
      let error: unknown;
      try {
        compileFastDecoder(text);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(FastDecoderCompileError);
      expect((error as FastDecoderCompileError).code).toBe('VIGIL_DECODE_SCHEMA_MISMATCH');
      expect((error as Error).message).toMatch(/^writer schema /);
      // The current path refuses it too.
      let current: unknown;
      try {
        const json = JSON.parse(text) as Schema;
        EVENT_TYPE.createResolver(avro.Type.forSchema(json, { wrapUnions: true }));
      } catch (err) {
        current = err;
      }
      expect(current).toBeDefined();
    });
  }
});
