/**
 * An in-process engine on the real stack for one test file: its topics under a unique prefix, the
 * engine with the given configuration (its group named after the prefix), and a producer of inference
 * events. `stop` closes both.
 */
import type { InferenceEvent } from '../../src/contracts/records.js';
import { buildConfig } from '../../src/config/index.js';
import { Engine } from '../../src/engine.js';
import { avroProducer, type AvroProducer } from '../../src/pipeline/sink/producer.js';
import { ensureTopics } from '../../src/pipeline/sink/topics.js';
import { stack, testAuditKey } from './helpers.js';

export interface EngineRig {
  readonly engine: Engine;
  readonly producer: AvroProducer<InferenceEvent>;
  stop(): Promise<void>;
}

export async function startEngineRig(prefix: string, partitions: number, document: { readonly engine?: Record<string, unknown>; readonly [key: string]: unknown }): Promise<EngineRig> {
  await ensureTopics(stack().brokers, prefix, partitions);
  const config = buildConfig({ ...document, engine: { groupId: `${prefix}engine`, ...document.engine } }, 'test');
  const engine = new Engine({ config, infra: { ...stack(), topicPrefix: prefix, httpHost: '127.0.0.1', httpPort: 0 }, auditKey: testAuditKey(), listen: false });
  await engine.start();
  const producer = await avroProducer<InferenceEvent>({ ...stack(), topic: `${prefix}inference`, schema: 'InferenceEvent' });
  return {
    engine,
    producer,
    stop: async () => {
      await producer.close();
      await engine.stop();
    },
  };
}
