import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InferenceEvent } from '../../src/contracts/records.js';
import { buildConfig } from '../../src/config/index.js';
import { EventGenerator } from '../../src/demo/generator.js';
import { Engine } from '../../src/engine.js';
import { avroProducer, type AvroProducer } from '../../src/pipeline/sink/producer.js';
import { ensureTopics } from '../../src/pipeline/sink/topics.js';
import { collect, stack, testAuditKey, testKafka, uniquePrefix } from './helpers.js';
import { createLogger } from '../../src/telemetry/logger.js';

// A pool worker that fails every task: the stand-in for a bug that some input always triggers.
const BROKEN_WORKER = `
export function decodeBatch() { throw new Error('detector bug'); }
export function buildReference() { throw new Error('detector bug'); }
export function summarize() { throw new Error('detector bug'); }
export function summarizeRanges() { throw new Error('detector bug'); }
export function scoreWindow() { throw new Error('detector bug'); }
export function scoreWindows() { throw new Error('detector bug'); }
export function scoreEvents() { throw new Error('detector bug'); }
export function scoreBatch() { throw new Error('detector bug'); }
`;

describe('a batch that always fails', () => {
  const prefix = uniquePrefix('poison');
  let engine: Engine;
  let producer: AvroProducer<InferenceEvent>;

  beforeAll(async () => {
    await ensureTopics(stack().brokers, prefix, 1);
    const dir = mkdtempSync(join(tmpdir(), 'vigil-worker-'));
    const workerFile = join(dir, 'broken.mjs');
    writeFileSync(workerFile, BROKEN_WORKER);
    const config = buildConfig({ engine: { groupId: `${prefix}engine`, windows: { count: 100 }, reference: { events: 100 } } }, 'test');
    engine = new Engine({
      config,
      infra: { ...stack(), topicPrefix: prefix, httpHost: '127.0.0.1', httpPort: 0 },
      auditKey: testAuditKey(),
      listen: false,
      scoringWorkerFile: workerFile,
      // The failures are expected here; keep the test output clean.
      logger: createLogger({ level: 'silent' }),
    });
    await engine.start();
    producer = await avroProducer<InferenceEvent>({ ...stack(), topic: `${prefix}inference`, schema: 'InferenceEvent' });
  });

  afterAll(async () => {
    await producer?.close();
    await engine?.stop();
  });

  it('goes to the dead-letter topic after three attempts, bytes unchanged, and the partition moves on', async () => {
    const events = new EventGenerator({ modelId: 'poison-model', modelVersion: '1', seed: 1 }).take(300);
    await producer.send(events.map((value) => ({ key: value.modelId, value })));
    const dlq = await collect<null>(`${prefix}dlq`, null, (r) => r.length >= 300, 90_000);
    expect(dlq).toHaveLength(300);
    expect(new Set(dlq.map((r) => r.headers['vigil.error.code']))).toEqual(new Set(['VIGIL_INTERNAL']));
    expect(dlq[0]!.headers['vigil.error.message']).toMatch(/failed 3 times: .*detector bug/);
    expect(dlq.map((r) => r.headers['vigil.source.offset'])).toEqual(events.map((_, i) => String(i)));
    // The offsets moved past the batch: the partition is not stuck on it.
    const admin = testKafka().admin();
    await admin.connect();
    const [offsets] = await admin.fetchOffsets({ groupId: `${prefix}engine`, topics: [`${prefix}inference`] });
    await admin.disconnect();
    expect(offsets?.partitions).toEqual([{ partition: 0, offset: '300', metadata: null }]);
    expect(engine.phase).toBe('running');
  });
});
