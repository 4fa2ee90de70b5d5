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
