import { describe, expect, it } from 'vitest';
import { main } from '../../src/main.js';
import type { CommandIo } from '../../src/cli/io.js';
import { stack, testKafka } from './helpers.js';

function capture(): CommandIo & { lines: string[] } {
  const lines: string[] = [];
  return { lines, out: (l) => lines.push(l), err: (l) => lines.push(l) };
}

describe('the local stack', () => {
  it('`vigil stack status` reports Kafka and the registry ready', async () => {
    const io = capture();
    const code = await main(['stack', 'status', '--json'], io);
    const status = JSON.parse(io.lines.join('\n')) as { services: { name: string; ready: boolean }[] };
    expect(code).toBe(0);
    expect(status.services.map((s) => [s.name, s.ready])).toEqual([
      ['kafka', true],
      ['registry', true],
    ]);
  });

  it('an independent Kafka client lists topics on the broker', async () => {
    const admin = testKafka('independent-client').admin();
    await admin.connect();
    try {
      const cluster = await admin.describeCluster();
      expect(cluster.brokers.map((b) => `${b.host}:${b.port}`)).toContain(stack().brokers[0]);
      expect(Array.isArray(await admin.listTopics())).toBe(true);
    } finally {
      await admin.disconnect();
    }
  });

  it('the registry serves the Confluent API: GET /subjects', async () => {
    const response = await fetch(`${stack().registryUrl}/subjects`);
    expect(response.status).toBe(200);
    expect(Array.isArray(await response.json())).toBe(true);
  });
});
