/** Shared helpers of the integration tests: unique names, clients, polling. */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { kafkaClient } from '../../src/pipeline/sink/kafka.js';

export function stack(): { brokers: string[]; registryUrl: string } {
  return { brokers: inject('brokers'), registryUrl: inject('registryUrl') };
}

/** A topic prefix no other test uses, so tests never see each other's records. */
export function uniquePrefix(label: string): string {
  return `t.${label}.${Date.now().toString(36)}${randomBytes(3).toString('hex')}.`;
}

export function testKafka(clientId = 'vigil-test') {
  return kafkaClient({ brokers: stack().brokers, clientId });
}

export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

import type { KafkaMessage } from 'kafkajs';
import { generateKeyPairSync } from 'node:crypto';
import { avroType, type SchemaName } from '../../src/contracts/schemas.js';
import { keyIdOf, type AuditKey } from '../../src/security/audit-key.js';

export interface Collected<T> {
  readonly value: T | null;
  readonly key: string | null;
  readonly partition: number;
  readonly offset: string;
  readonly headers: Record<string, string>;
  readonly raw: Buffer | null;
}

/**
 * Reads `topic` (read_committed, unless `readUncommitted`) from the beginning until `done(records)`
 * holds or the time runs out; then returns what it read. Values are decoded with `schema`, or left raw
 * when it is null.
 */
export async function collect<T>(
  topic: string,
  schema: SchemaName | null,
  done: (records: readonly Collected<T>[]) => boolean,
  timeoutMs: number,
  options: { readonly readUncommitted?: boolean } = {},
): Promise<Collected<T>[]> {
  const consumer = testKafka('collector').consumer({ groupId: `collector-${randomBytes(6).toString('hex')}`, readUncommitted: options.readUncommitted === true });
  const records: Collected<T>[] = [];
  const type = schema ? avroType(schema) : null;
  const toRecord = (partition: number, m: KafkaMessage): Collected<T> => ({
    value: m.value === null ? null : type ? (type.fromBuffer(m.value.subarray(5)) as T) : null,
    key: m.key?.toString('utf8') ?? null,
    partition,
    offset: m.offset,
    headers: Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString('utf8') : String(v)])),
    raw: m.value,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) records.push(toRecord(batch.partition, m));
    },
  });
  const deadline = Date.now() + timeoutMs;
  while (!done(records) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  await consumer.disconnect();
  return records;
}

export function testAuditKey(): AuditKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { keyId: keyIdOf(publicKey), privateKey, publicKey };
}

/** Waits until the engine has committed `count` consumed records (its own counter, bumped after each commit). */
export async function consumedAll(engine: { metrics: { consumed: { get(): Promise<{ values: { value: number }[] }> } } }, count: number, timeoutMs: number): Promise<void> {
  await eventually(
    async () => {
      const metric = await engine.metrics.consumed.get();
      return metric.values.reduce((n, v) => n + v.value, 0) >= count ? true : undefined;
    },
    timeoutMs,
    `the engine to consume ${count} records`,
  );
}
