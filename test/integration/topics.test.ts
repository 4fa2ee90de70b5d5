import { describe, expect, it } from 'vitest';
import { main } from '../../src/main.js';
import { ConfigResourceTypes } from '../../src/pipeline/sink/kafka.js';
import { ensureTopics } from '../../src/pipeline/sink/topics.js';
import { TOPICS } from '../../src/contracts/topics.js';
import { stack, testKafka, uniquePrefix } from './helpers.js';

async function topicConfig(topic: string, names: string[]): Promise<Record<string, string>> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: names }],
    });
    return Object.fromEntries((described.resources[0]?.configEntries ?? []).map((e) => [e.configName, e.configValue]));
  } finally {
    await admin.disconnect();
  }
}

describe('vigil topics create', () => {
  it('creates every topic of the contract with its settings, and is idempotent', async () => {
    const prefix = uniquePrefix('topics');
    const first = await ensureTopics(stack().brokers, prefix, 2);
    expect(first.map((o) => o.topic)).toEqual(TOPICS.map((t) => `${prefix}${t.name}`));
    expect(first.every((o) => o.action === 'created')).toBe(true);

    const second = await ensureTopics(stack().brokers, prefix, 2);
    expect(second.every((o) => o.action === 'exists')).toBe(true);

    const admin = testKafka().admin();
    await admin.connect();
    const metadata = await admin.fetchTopicMetadata({ topics: [`${prefix}inference`, `${prefix}config`, `${prefix}audit`, `${prefix}state`] });
    await admin.disconnect();
    expect(Object.fromEntries(metadata.topics.map((t) => [t.name.slice(prefix.length), t.partitions.length]))).toEqual({
      inference: 2,
      config: 1,
      audit: 1,
      state: 2,
    });
    expect((await topicConfig(`${prefix}config`, ['cleanup.policy']))['cleanup.policy']).toBe('compact');
    expect((await topicConfig(`${prefix}state`, ['cleanup.policy']))['cleanup.policy']).toBe('compact');
    expect(await topicConfig(`${prefix}audit`, ['cleanup.policy', 'retention.ms'])).toEqual({ 'cleanup.policy': 'delete', 'retention.ms': '-1' });
  });

  it('reports an existing topic whose settings break the contract, and exits 1 from the CLI', async () => {
    const prefix = uniquePrefix('misconf');
    const admin = testKafka().admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: `${prefix}state`, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'cleanup.policy', value: 'delete' }] }],
    });
    await admin.disconnect();

    const lines: string[] = [];
    const saved = process.env.VIGIL_TOPIC_PREFIX;
    process.env.VIGIL_TOPIC_PREFIX = prefix;
    try {
      const code = await main(['topics', 'create', '--partitions', '1'], { out: (l) => lines.push(l), err: (l) => lines.push(l) });
      expect(code).toBe(1);
    } finally {
      if (saved === undefined) delete process.env.VIGIL_TOPIC_PREFIX;
      else process.env.VIGIL_TOPIC_PREFIX = saved;
    }
    const stateLine = lines.find((l) => l.startsWith(`${prefix}state`));
    expect(stateLine).toMatch(/misconfigured/);
    expect(stateLine).toMatch(/cleanup\.policy: wanted compact, found delete/);
  });

  it('rejects a bad --partitions value with exit 2 and names the flag', async () => {
    const lines: string[] = [];
    const code = await main(['topics', 'create', '--partitions', 'lots'], { out: (l) => lines.push(l), err: (l) => lines.push(l) });
    expect(code).toBe(2);
    expect(lines.join('\n')).toMatch(/--partitions must be a whole number/);
  });
});
