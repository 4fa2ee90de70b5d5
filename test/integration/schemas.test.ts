import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { SCHEMA_NAMES, avroType, loadSchema, schemaSource, type SchemaName } from '../../src/contracts/schemas.js';
import { RegistryClient } from '../../src/pipeline/decode/registry.js';
import { SAMPLES } from '../fixtures/samples.js';
import { stack, uniquePrefix } from './helpers.js';

const TOPIC_OF: Record<SchemaName, string> = {
  InferenceEvent: 'inference',
  GroundTruth: 'labels',
  GovernanceEvent: 'governance',
  DetectorConfig: 'config',
  Alert: 'alerts',
  AuditRecord: 'audit',
  RollbackCommand: 'rollback',
  IoLogRecord: 'iolog',
  StateRecord: 'state',
};

async function writerSchema(id: number): Promise<object> {
  const response = await fetch(`${stack().registryUrl}/schemas/ids/${id}`);
  expect(response.status).toBe(200);
  const body = (await response.json()) as { schema: string };
  return JSON.parse(body.schema) as object;
}

describe('the Avro contracts against the real schema registry', () => {
  const registry = new SchemaRegistry({ host: stack().registryUrl });
  const prefix = uniquePrefix('schemas');

  it.each(SCHEMA_NAMES.map((n) => [n]))('%s registers under TopicNameStrategy and round-trips through the Confluent wire format', async (name) => {
    const subject = `${prefix}${TOPIC_OF[name]}-value`;
    const { id } = await registry.register({ type: SchemaType.AVRO, schema: schemaSource(name) }, { subject });
    const sample = SAMPLES[name];
    const bytes = await registry.encode(id, sample);
    expect(bytes[0]).toBe(0);
    expect(bytes.readUInt32BE(1)).toBe(id);
    // Read back with the registry client, and with Vigil's own types from the body alone.
    expect(await registry.decode(bytes)).toEqual(sample);
    expect(avroType(name).fromBuffer(bytes.subarray(5))).toEqual(sample);
  });

  it("preloads a subject's latest schema into the engine's registry client under the id the registry gave it", async () => {
    const subject = `${prefix}preload-value`;
    const { id } = await registry.register({ type: SchemaType.AVRO, schema: schemaSource('InferenceEvent') }, { subject });
    const client = new RegistryClient({ baseUrl: stack().registryUrl });
    expect(await client.preload(subject)).toBe(id);
    const cached = client.cached(id);
    expect(cached).toBeDefined();
    expect(avro.Type.forSchema(JSON.parse(cached!) as avro.Schema).schema()).toEqual(avroType('InferenceEvent').schema());
    expect(client.requestCount).toBe(1);
    expect(await client.preload(`${prefix}no-such-subject-value`)).toBeUndefined();
  });

  it('adding an optional field stays readable both ways (BACKWARD rule accepts it)', async () => {
    const subject = `${prefix}evolution-value`;
    const v1 = loadSchema('InferenceEvent');
    const v2 = loadSchema('InferenceEvent');
    (v2.fields as object[]).push({ name: 'region', type: ['null', 'string'], default: null, doc: 'deployment region' });
    const id1 = (await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(v1) }, { subject })).id;
    const id2 = (await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(v2) }, { subject })).id;
    expect(id2).not.toBe(id1);

    const oldType = avro.Type.forSchema((await writerSchema(id1)) as avro.Schema, { wrapUnions: false });
    const newType = avro.Type.forSchema((await writerSchema(id2)) as avro.Schema, { wrapUnions: false });
    const sample = SAMPLES.InferenceEvent;

    // Old data, new reader: the new field takes its default.
    const oldBytes = await registry.encode(id1, sample);
    const readNew = newType.fromBuffer(oldBytes.subarray(5), newType.createResolver(oldType)) as Record<string, unknown>;
    expect(readNew).toEqual({ ...sample, region: null });

    // New data, old reader: the new field is skipped.
    const newBytes = await registry.encode(id2, { ...sample, region: 'eu-west-1' });
    const readOld = oldType.fromBuffer(newBytes.subarray(5), oldType.createResolver(newType));
    expect(readOld).toEqual(sample);
  });

  it('a breaking change (a new field without a default) is refused by the registry', async () => {
    const subject = `${prefix}breaking-value`;
    const v1 = loadSchema('GroundTruth');
    const v2 = loadSchema('GroundTruth');
    (v2.fields as object[]).push({ name: 'annotator', type: 'string', doc: 'who labelled it' });
    await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(v1) }, { subject });
    await expect(registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(v2) }, { subject })).rejects.toThrow(/compatib|409|incompatible/i);
  });
});
