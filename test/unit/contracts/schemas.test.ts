import { describe, it, expect } from 'vitest';
import avro from 'avsc';
import type { Schema } from 'avsc';
import { ENUM_SYMBOLS } from '../../../src/contracts/records.js';
import type { InferenceEvent } from '../../../src/contracts/records.js';
import {
  SCHEMA_NAMES,
  SCHEMA_NAMESPACE,
  avroType,
  isSchemaName,
  loadSchema,
  schemaSource,
} from '../../../src/contracts/schemas.js';
import type { SchemaName } from '../../../src/contracts/schemas.js';
import { ALERT, GROUND_TRUTH, INFERENCE_EVENT, LLM_INFERENCE_EVENT, SAMPLES } from '../../fixtures/samples.js';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface NamedTypeInfo {
  path: string;
  schema: Json;
}

interface FieldInfo {
  path: string;
  field: Json;
}

/** Walks a JSON Avro schema and collects every named type (record, enum, fixed) and record field. */
function walk(schema: unknown, path: string, named: NamedTypeInfo[], fields: FieldInfo[]): void {
  if (Array.isArray(schema)) {
    schema.forEach((branch, i) => walk(branch, `${path}[${i}]`, named, fields));
    return;
  }
  if (!isObject(schema)) return; // primitive or reference by name
  const type = schema['type'];
  if (type === 'record' || type === 'error' || type === 'enum' || type === 'fixed') {
    named.push({ path: `${path}<${String(schema['name'])}>`, schema });
  }
  if (type === 'record' || type === 'error') {
    const recordFields = schema['fields'];
    if (!Array.isArray(recordFields)) throw new Error(`${path}: record without fields`);
    for (const field of recordFields) {
      if (!isObject(field)) throw new Error(`${path}: field is not an object`);
      const fieldPath = `${path}.${String(field['name'])}`;
      fields.push({ path: fieldPath, field });
      walk(field['type'], fieldPath, named, fields);
    }
  } else if (type === 'array') {
    walk(schema['items'], `${path}[]`, named, fields);
  } else if (type === 'map') {
    walk(schema['values'], `${path}{}`, named, fields);
  } else if (isObject(type) || Array.isArray(type)) {
    walk(type, path, named, fields);
  }
}

function collect(name: SchemaName): { named: NamedTypeInfo[]; fields: FieldInfo[] } {
  const named: NamedTypeInfo[] = [];
  const fields: FieldInfo[] = [];
  walk(loadSchema(name), name, named, fields);
  return { named, fields };
}

function hasDoc(value: Json): boolean {
  const doc = value['doc'];
  return typeof doc === 'string' && doc.trim().length > 0;
}

function fieldNames(name: SchemaName): string[] {
  const fields = loadSchema(name)['fields'];
  if (!Array.isArray(fields)) throw new Error(`${name}: no fields`);
  return fields.map((f: unknown) => (isObject(f) ? String(f['name']) : ''));
}

/** isValid with undeclared fields rejected; returns the paths at fault (empty when valid). */
function invalidPaths(name: SchemaName, value: unknown): string[] {
  const paths: string[] = [];
  avroType(name).isValid(value, {
    noUndeclaredFields: true,
    errorHook: (path: string[]) => {
      paths.push(path.join('.') || '<root>');
    },
  });
  return paths;
}

describe('Avro contract schemas', () => {
  it('lists one schema per contract record', () => {
    expect([...SCHEMA_NAMES].sort()).toEqual(Object.keys(SAMPLES).sort());
    expect(isSchemaName('InferenceEvent')).toBe(true);
    expect(isSchemaName('NoSuchRecord')).toBe(false);
  });

  describe.each(SCHEMA_NAMES.map((name) => [name] as const))('%s', (name) => {
    it('parses with avsc as a dev.vigil record', () => {
      const raw = loadSchema(name);
      expect(raw['type']).toBe('record');
      expect(raw['name']).toBe(name);
      expect(raw['namespace']).toBe(SCHEMA_NAMESPACE);
      const type = avroType(name);
      expect(type.typeName).toBe('record');
      expect(type.name).toBe(`${SCHEMA_NAMESPACE}.${name}`);
      expect(avroType(name)).toBe(type); // cached
      expect(() => JSON.parse(schemaSource(name))).not.toThrow();
    });

    it('documents every record, enum and field', () => {
      const { named, fields } = collect(name);
      expect(named.length).toBeGreaterThan(0);
      expect(named.filter((n) => !hasDoc(n.schema)).map((n) => n.path)).toEqual([]);
      expect(fields.length).toBeGreaterThan(0);
      expect(fields.filter((f) => !hasDoc(f.field)).map((f) => f.path)).toEqual([]);
    });

    it('keeps optional fields as ["null", ...] unions defaulting to null', () => {
      const { fields } = collect(name);
      const offenders = fields
        .filter(({ field }) => Array.isArray(field['type']) && field['type'].includes('null'))
        .filter(({ field }) => {
          const branches = field['type'] as unknown[];
          return branches[0] !== 'null' || !('default' in field) || field['default'] !== null;
        })
        .map((f) => f.path);
      expect(offenders).toEqual([]);
    });

    it('accepts the sample record, with every field present, and round-trips it', () => {
      const sample = SAMPLES[name];
      expect(Object.keys(sample).sort()).toEqual(fieldNames(name).sort());
      expect(invalidPaths(name, sample)).toEqual([]);
      const type = avroType(name);
      expect(type.isValid(sample)).toBe(true);
      const decoded: unknown = type.fromBuffer(type.toBuffer(sample));
      expect(decoded).toEqual(sample);
    });
  });

  it('round-trips the other union branches (LLM trace, numeric label, resolved alert)', () => {
    const variants: [SchemaName, object][] = [
      ['InferenceEvent', LLM_INFERENCE_EVENT],
      ['GroundTruth', { ...GROUND_TRUTH, label: 1 }],
      ['GroundTruth', { ...GROUND_TRUTH, label: 42.5 }],
      ['Alert', { ...ALERT, status: 'RESOLVED', severity: 'INFO', feature: null }],
    ];
    for (const [name, value] of variants) {
      expect(invalidPaths(name, value), name).toEqual([]);
      const type = avroType(name);
      const decoded: unknown = type.fromBuffer(type.toBuffer(value));
      expect(decoded, name).toEqual(value);
    }
  });

  it('fills defaults for fields a producer leaves out', () => {
    const type = avroType('InferenceEvent');
    const minimal = {
      eventId: 'e-1',
      timestamp: 1_700_000_000_000,
      modelId: 'm',
      modelVersion: '1',
      principal: 'p',
      features: { x: 1 },
      latencyMs: 3,
      status: 'ERROR',
    };
    expect(type.isValid(minimal)).toBe(true);
    const decoded: unknown = type.fromBuffer(type.toBuffer(minimal));
    const expected: InferenceEvent = {
      ...minimal,
      status: 'ERROR',
      endpoint: null,
      categorical: {},
      embedding: null,
      score: null,
      predictedClass: null,
      classProbabilities: null,
      llm: null,
      attributes: {},
    };
    expect(decoded).toEqual(expected);
  });

  it('rejects records that break the contract', () => {
    expect(invalidPaths('InferenceEvent', { ...INFERENCE_EVENT, status: 'MAYBE' })).toEqual(['status']);
    expect(invalidPaths('InferenceEvent', { ...INFERENCE_EVENT, features: { x: 'high' } })).toEqual(['features.x']);
    expect(invalidPaths('InferenceEvent', { ...INFERENCE_EVENT, extra: 1 })).not.toEqual([]);
    const { eventId: _eventId, ...withoutId } = INFERENCE_EVENT;
    expect(invalidPaths('InferenceEvent', withoutId)).toEqual(['eventId']);
  });

  it('declares enum symbols identical to the TypeScript constants', () => {
    const found = new Map<string, unknown>();
    for (const name of SCHEMA_NAMES) {
      for (const { schema } of collect(name).named) {
        if (schema['type'] !== 'enum') continue;
        const enumName = String(schema['name']);
        expect(found.has(enumName), `enum ${enumName} declared twice`).toBe(false);
        found.set(enumName, schema['symbols']);
      }
    }
    expect(Object.fromEntries(found)).toEqual(
      Object.fromEntries(Object.entries(ENUM_SYMBOLS).map(([k, v]) => [k, [...v]])),
    );
  });

  it('stores timestamp-millis as plain millisecond numbers (no logical type registered)', () => {
    const type = avroType('GroundTruth');
    const decoded: unknown = type.fromBuffer(type.toBuffer(GROUND_TRUTH));
    expect(isObject(decoded) && decoded['timestamp']).toBe(GROUND_TRUTH.timestamp);
  });
});

describe('InferenceEvent schema evolution', () => {
  const oldType = avroType('InferenceEvent');
  const evolvedSchema = loadSchema('InferenceEvent');
  const evolvedFields = evolvedSchema['fields'];
  if (!Array.isArray(evolvedFields)) throw new Error('InferenceEvent has no fields');
  evolvedSchema['fields'] = [
    ...evolvedFields,
    {
      name: 'region',
      type: ['null', 'string'],
      default: null,
      doc: 'Serving region; added later to test backward and forward compatibility.',
    },
  ];
  const newType = avro.Type.forSchema(evolvedSchema as Schema, { wrapUnions: false });

  it('new reader reads data written with the old schema (backward compatible)', () => {
    const resolver = newType.createResolver(oldType);
    for (const event of [INFERENCE_EVENT, LLM_INFERENCE_EVENT]) {
      const decoded: unknown = newType.fromBuffer(oldType.toBuffer(event), resolver);
      expect(decoded).toEqual({ ...event, region: null });
    }
  });

  it('old reader reads data written with the new schema (forward compatible)', () => {
    const resolver = oldType.createResolver(newType);
    for (const region of ['eu-west-1', null]) {
      for (const event of [INFERENCE_EVENT, LLM_INFERENCE_EVENT]) {
        const written = newType.toBuffer({ ...event, region });
        const decoded: unknown = oldType.fromBuffer(written, resolver);
        expect(decoded).toEqual(event);
      }
    }
  });

  it('new writer and new reader keep the added field', () => {
    const value = { ...INFERENCE_EVENT, region: 'eu-west-1' };
    const decoded: unknown = newType.fromBuffer(newType.toBuffer(value));
    expect(decoded).toEqual(value);
  });

  it('old and new data cannot be read without a resolver', () => {
    expect(() => oldType.fromBuffer(newType.toBuffer({ ...INFERENCE_EVENT, region: 'eu-west-1' }))).toThrow();
  });
});
