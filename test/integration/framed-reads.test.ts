/**
 * A kafkajs client whose connections read responses whole (engine.framedReads) against the real
 * broker: the admin, a producer and a consumer work as with kafkajs's own reads, and multi-megabyte
 * fetch responses arrive intact.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ISocketFactory } from 'kafkajs';
import { framedSocketFactory } from '../../src/pipeline/source/framed-reads.js';
import { KafkaClass, logLevel } from '../../src/pipeline/sink/kafka.js';
import { stack, uniquePrefix } from './helpers.js';

describe('framed reads against the real broker', () => {
  it('produce, admin and a consumer fetching 4 MiB at a time: every value back, byte for byte', async () => {
    const topic = `${uniquePrefix('framed')}values`;
    // The factory kafkaClient({ framedReads: true }) installs, watched: every chunk its sockets hand
    // kafkajs must be exactly one response.
    const chunks: number[] = [];
    let wrong = 0;
    const framed = framedSocketFactory();
    const watched: ISocketFactory = (args) => {
      const socket = framed(args);
      socket.on('data', (chunk: Buffer) => {
        chunks.push(chunk.length);
        if (chunk.length < 4 || chunk.readInt32BE(0) + 4 !== chunk.length) wrong++;
      });
      return socket;
    };
    const kafka = new KafkaClass({ clientId: 'vigil-test-framed', brokers: stack().brokers, logLevel: logLevel.NOTHING, socketFactory: watched });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 2, replicationFactor: 1 }] });
    const producer = kafka.producer();
    await producer.connect();
    // Values of many sizes (a few bytes to 200 KiB), so responses and records end anywhere in a read.
    const values = Array.from({ length: 3000 }, (_, i) => {
      const size = i % 100 === 0 ? 200_000 : (i * 977) % 5000;
      return createHash('sha256').update(String(i)).digest().toString('hex').repeat(Math.ceil(size / 64) + 1).slice(0, size);
    });
    for (let at = 0; at < values.length; at += 100) {
      await producer.send({ topic, messages: values.slice(at, at + 100).map((value, k) => ({ key: String(at + k), value, partition: (at + k) % 2 })) });
    }
    await producer.disconnect();
    const offsets = await admin.fetchTopicOffsets(topic);
    expect(offsets.map((o) => Number(o.high)).reduce((a, b) => a + b, 0)).toBe(values.length);
    await admin.disconnect();

    const consumer = kafka.consumer({ groupId: `framed-${Date.now()}`, maxBytesPerPartition: 4 * 1024 * 1024 });
    const seen = new Map<number, string>();
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) seen.set(Number(m.key!.toString()), m.value!.toString());
      },
    });
    const deadline = Date.now() + 60_000;
    while (seen.size < values.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await consumer.disconnect();
    expect(seen.size).toBe(values.length);
    for (let i = 0; i < values.length; i++) expect(seen.get(i), `value ${i}`).toBe(values[i]);
    expect(wrong).toBe(0);
    expect(Math.max(...chunks)).toBeGreaterThan(1024 * 1024);
  });
});
