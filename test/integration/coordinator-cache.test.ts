/**
 * Transactional producers that remember their coordinators, against the real broker: back-to-back
 * transactions send no FindCoordinator each (kafkajs alone sends four per transaction), and what they
 * write and the offsets they commit are all there.
 */
import { describe, expect, it } from 'vitest';
import { installCoordinatorCache } from '../../src/pipeline/sink/coordinator-cache.js';
import { PartitionTransactions } from '../../src/pipeline/sink/transactional.js';
import { collect, testKafka, uniquePrefix } from './helpers.js';

const TRANSACTIONS = 8;

describe('the coordinator cache on the real broker', () => {
  it('commits transaction after transaction with fewer than one FindCoordinator each, outputs and offsets committed', async () => {
    expect(installCoordinatorCache()).toEqual({ installed: true });
    const prefix = uniquePrefix('coordinators');
    const input = `${prefix}in`;
    const output = `${prefix}out`;
    const groupId = `${prefix}group`;
    const kafka = testKafka('vigil-test-coordinators');
    const admin = kafka.admin();
    await admin.connect();
    const transactions = new PartitionTransactions(kafka, { groupId, idPrefix: prefix });
    try {
      await admin.createTopics({ waitForLeaders: true, topics: [input, output].map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1 })) });
      const producer = await transactions.producerFor(input, 0);
      const requests: string[] = [];
      producer.on(producer.events.REQUEST, (event) => requests.push(event.payload.apiName));
      for (let i = 0; i < TRANSACTIONS; i++) {
        await transactions.commit(input, 0, [{ topic: output, key: `k${i}`, value: Buffer.from(`value ${i}`) }], String(i + 1));
      }
      const finds = requests.filter((api) => api === 'FindCoordinator').length;
      // kafkajs alone: 4 per transaction (the transaction coordinator three times, the group's once).
      expect(finds).toBeLessThan(TRANSACTIONS);
      expect(requests.filter((api) => api === 'EndTxn')).toHaveLength(TRANSACTIONS);
      const read = await collect<never>(output, null, (records) => records.length >= TRANSACTIONS, 30_000);
      expect(read.map((r) => r.raw?.toString('utf8'))).toEqual(Array.from({ length: TRANSACTIONS }, (_, i) => `value ${i}`));
      const [committed] = await admin.fetchOffsets({ groupId, topics: [input] });
      expect(committed?.partitions).toEqual([expect.objectContaining({ partition: 0, offset: String(TRANSACTIONS) })]);
    } finally {
      await transactions.close();
      await admin.deleteTopics({ topics: [input, output] }).catch(() => undefined);
      await admin.disconnect();
    }
  });
});
