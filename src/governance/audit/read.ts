/**
 * Getting audit records to verify: from a JSON-lines export (one AuditRecord per line) or from the
 * audit topic (read_committed, up to its end as of the call, Avro values decoded with the writer schema
 * from the registry). A line or message that cannot be read is kept as a marker, so the verifier reports
 * it by position instead of the reader silently dropping it.
 */
import avro from 'avsc';
import type { Type } from 'avsc';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { avroType, type SchemaName } from '../../contracts/schemas.js';
import { RegistryClient } from '../../pipeline/decode/registry.js';
import { readToEnd } from '../../pipeline/source/read-to-end.js';
import { VigilError, describeError } from '../../errors.js';

/** An input item that could not be read as a record: the verifier reports it as malformed. */
export interface Unreadable {
  readonly unreadable: string;
}

export const MAX_LINE_CHARS = 4 * 1024 * 1024;
export const MAX_RECORDS = 5_000_000;

export async function readAuditExport(file: string): Promise<unknown[]> {
  const out: unknown[] = [];
  const stream = createReadStream(file, { encoding: 'utf8' });
  const failure = new Promise<never>((_, reject) =>
    stream.on('error', (error) => reject(new VigilError('VIGIL_INPUT_INVALID', `cannot read audit export ${file}: ${describeError(error)}`, { cause: error, details: { file } }))),
  );
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  const read = (async () => {
    let n = 0;
    for await (const line of lines) {
      n++;
      if (line.trim().length === 0) continue;
      if (out.length >= MAX_RECORDS) throw new VigilError('VIGIL_INPUT_INVALID', `audit export ${file} holds more than ${MAX_RECORDS} records`, { details: { file } });
      if (line.length > MAX_LINE_CHARS) {
        out.push({ unreadable: `line ${n} is longer than ${MAX_LINE_CHARS} characters` } satisfies Unreadable);
        continue;
      }
      try {
        out.push(JSON.parse(line));
      } catch (error) {
        out.push({ unreadable: `line ${n} is not JSON: ${describeError(error)}` } satisfies Unreadable);
      }
    }
  })();
  // Whichever loses the race must not end as an unhandled rejection.
  read.catch(() => undefined);
  failure.catch(() => undefined);
  try {
    await Promise.race([read, failure]);
  } finally {
    stream.destroy();
  }
  return out;
}

/** Records of the audit topic in offset order per partition (the audit topic has one partition). */
export async function readAuditTopic(kafka: Kafka, topic: string, registryUrl: string, timeoutMs = 60_000): Promise<unknown[]> {
  return readTopicRecords(kafka, topic, registryUrl, 'AuditRecord', timeoutMs);
}

/**
 * Every record of a topic up to its end (read_committed), decoded as `schema` from the writer schema
 * the registry holds for each record's id, in offset order per partition; a record that cannot be
 * decoded is an `Unreadable` marker naming its topic, partition and offset.
 */
export async function readTopicRecords(kafka: Kafka, topic: string, registryUrl: string, schema: SchemaName, timeoutMs = 60_000): Promise<unknown[]> {
  const messages: { partition: number; message: KafkaMessage }[] = [];
  await readToEnd(kafka, { topic, timeoutMs, onMessage: (partition, message) => messages.push({ partition, message }) });
  messages.sort((a, b) => a.partition - b.partition || (BigInt(a.message.offset) < BigInt(b.message.offset) ? -1 : 1));
  const registry = new RegistryClient({ baseUrl: registryUrl });
  const reader = avroType(schema);
  const resolvers = new Map<number, { resolver: unknown } | { error: string }>();
  const out: unknown[] = [];
  for (const { partition, message } of messages) {
    const at = `${topic}[${partition}]@${message.offset}`;
    const value = message.value;
    if (value === null || value.length < 5 || value[0] !== 0) {
      out.push({ unreadable: `${at} is not a Confluent-framed Avro value` } satisfies Unreadable);
      continue;
    }
    const id = value.readUInt32BE(1);
    let entry = resolvers.get(id);
    if (entry === undefined) {
      try {
        const writer: Type = avro.Type.forSchema(JSON.parse(await registry.schemaFor(id)) as avro.Schema, { wrapUnions: false });
        entry = { resolver: reader.createResolver(writer) };
      } catch (error) {
        if (error instanceof VigilError && error.retriable) throw error;
        entry = { error: `schema id ${id}: ${describeError(error)}` };
      }
      resolvers.set(id, entry);
    }
    if ('error' in entry) {
      out.push({ unreadable: `${at}: ${entry.error}` } satisfies Unreadable);
      continue;
    }
    try {
      out.push(reader.fromBuffer(value.subarray(5), entry.resolver as Parameters<Type['fromBuffer']>[1], true));
    } catch (error) {
      out.push({ unreadable: `${at} does not decode as ${schema}: ${describeError(error)}` } satisfies Unreadable);
    }
  }
  return out;
}

/** Splits records by chain, keeping their order; unreadable items go with the chain read just before them. */
export function groupByChain(items: readonly unknown[]): Map<string, unknown[]> {
  const chains = new Map<string, unknown[]>();
  let current = '(unknown chain)';
  for (const item of items) {
    const id = (item as { chainId?: unknown } | null)?.chainId;
    if (typeof id === 'string') current = id;
    const list = chains.get(current) ?? [];
    list.push(item);
    chains.set(current, list);
  }
  return chains;
}
