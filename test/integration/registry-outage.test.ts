import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InferenceEvent } from '../../src/contracts/records.js';
import { buildConfig } from '../../src/config/index.js';
import { EventGenerator } from '../../src/demo/generator.js';
import { Engine } from '../../src/engine.js';
import { avroProducer, type AvroProducer } from '../../src/pipeline/sink/producer.js';
import { ensureTopics } from '../../src/pipeline/sink/topics.js';
import { consumedAll, stack, testAuditKey, uniquePrefix } from './helpers.js';

/** A pass-through proxy in front of the real registry that can be switched to answer 503. */
function registryProxy(target: string): Promise<{ server: Server; url: string; setDown(down: boolean): void; requests: () => number }> {
  const base = new URL(target);
  let down = false;
  let count = 0;
  const server = createServer((req, res) => {
    count++;
    if (down) {
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"error_code":50301,"message":"down for the test"}');
      return;
    }
    const upstream = request({ host: base.hostname, port: base.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}${base.pathname}`, setDown: (d) => (down = d), requests: () => count });
    }),
  );
}

describe('a registry outage', () => {
  const prefix = uniquePrefix('outage');
  let proxy: Awaited<ReturnType<typeof registryProxy>>;
  let engine: Engine;
  let producer: AvroProducer<InferenceEvent>;

  beforeAll(async () => {
    await ensureTopics(stack().brokers, prefix, 1);
    proxy = await registryProxy(stack().registryUrl);
    const config = buildConfig({ engine: { groupId: `${prefix}engine`, windows: { count: 500 }, reference: { events: 500 } } }, 'test');
    engine = new Engine({ config, infra: { brokers: stack().brokers, registryUrl: proxy.url, topicPrefix: prefix, httpHost: '127.0.0.1', httpPort: 0 }, auditKey: testAuditKey(), listen: false });
    await engine.start();
    // The producer talks to the registry directly: only the engine sees the outage.
    producer = await avroProducer<InferenceEvent>({ ...stack(), topic: `${prefix}inference`, schema: 'InferenceEvent' });
  });

  afterAll(async () => {
    await producer?.close();
    await engine?.stop();
    proxy?.server.close();
  });

  it('does not stop the decoding of schema ids the engine already knows', async () => {
    const events = new EventGenerator({ modelId: 'outage-model', modelVersion: '1', seed: 5 });
    await producer.send(events.take(1000).map((value) => ({ key: value.modelId, value })));
    await consumedAll(engine, 1000, 60_000);

    proxy.setDown(true);
    const before = proxy.requests();
    await producer.send(events.take(1000).map((value) => ({ key: value.modelId, value })));
    await consumedAll(engine, 2000, 60_000);
    const decoded = (await engine.metrics.decoded.get()).values.reduce((n, v) => n + v.value, 0);
    expect(decoded).toBe(2000);
    expect((await engine.metrics.deadLettered.get()).values.reduce((n, v) => n + v.value, 0)).toBe(0);
    // The known id was served from the cache: not one request reached the (dead) registry.
    expect(proxy.requests()).toBe(before);
    expect(engine.phase).toBe('running');
  });
});
