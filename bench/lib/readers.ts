/**
 * Context readers of the throughput scenarios: kafkajs consumers that do part of the engine's work and
 * nothing after it, pipelined per partition as the engine does (bareConsume's `stage`).
 *
 * - `decodeStageConsume`: kafkajs plus the engine's own decode stage (the values framed on the main
 *   thread, decoded in a fresh pool of the engine's size, then duplicate detection and the stable
 *   feature columns). What the engine does beyond this (windows, scoring, policy, transactional
 *   outputs) is the rest of its cost.
 * - `walkStageConsume`: for a process where installRecordWalk() is in effect: the decode stage fed
 *   with records made from walked batches (a value view and an offset each) instead of kafkajs's: the
 *   engine's first stage as it would run behind a source that walks record batches.
 * - `walkDecodeConsume`: for a process where installRecordWalk() is in effect: the record batches
 *   walked in place on the main thread (no object per record), their values decoded by the engine's
 *   pool (decodeBatch, as the decode stage sends it); no duplicate detection or stable columns.
 */
import type { KafkaMessage } from 'kafkajs';
import { FeatureCatalog } from '../../src/pipeline/decode/columnar.js';
import { PooledDecodeStage, decodeLimits } from '../../src/pipeline/decode/pooled.js';
import { RegistryClient } from '../../src/pipeline/decode/registry.js';
import { ScoringPool } from '../../src/pipeline/score/pool.js';
import { bareConsume, type CountResult } from './bare.js';
import { forEachRecord, packValues, type WalkedBatch } from './record-walk.js';
import type { InputRecord } from '../../src/pipeline/decode/index.js';
import { inputRecords } from '../../src/pipeline/source/fast-records.js';
import type { BenchStack } from './stack.js';

export interface ReaderOptions {
  readonly concurrency: number;
  readonly timeoutMs: number;
  readonly fetchBytes?: number;
  /** 0: the engine's default (cores - 1). */
  readonly poolThreads: number;
}

function readerPool(options: ReaderOptions): ScoringPool {
  return new ScoringPool(options.poolThreads > 0 ? { threads: options.poolThreads } : {});
}

function consumeOptions(options: ReaderOptions): { concurrency: number; timeoutMs: number; fetchBytes?: number } {
  return { concurrency: options.concurrency, timeoutMs: options.timeoutMs, ...(options.fetchBytes === undefined ? {} : { fetchBytes: options.fetchBytes }) };
}

/** kafkajs plus the engine's decode stage; `toRecords` turns a batch's messages into the stage's input. */
async function stageConsume(
  stack: BenchStack,
  topic: string,
  expected: number,
  options: ReaderOptions,
  toRecords: (topic: string, partition: number, messages: readonly KafkaMessage[]) => readonly InputRecord[],
  records?: (messages: readonly KafkaMessage[]) => number,
): Promise<CountResult> {
  const pool = readerPool(options);
  const lookup = new RegistryClient({ baseUrl: stack.registryUrl });
  const stages = new Map<number, PooledDecodeStage>();
  try {
    return await bareConsume(stack, topic, expected, {
      ...consumeOptions(options),
      ...(records === undefined ? {} : { records }),
      stage: async (from, partition, messages) => {
        let stage = stages.get(partition);
        if (stage === undefined) {
          stage = new PooledDecodeStage({ pool, lookup });
          stages.set(partition, stage);
        }
        const result = await stage.decodeRecords(toRecords(from, partition, messages));
        if (result.deadLetters.length > 0) throw new Error(`the decode stage refused ${result.deadLetters.length} records of ${from}[${partition}]: ${result.deadLetters[0]!.message}`);
      },
    });
  } finally {
    await pool.close();
  }
}

export function decodeStageConsume(stack: BenchStack, topic: string, expected: number, options: ReaderOptions): Promise<CountResult> {
  return stageConsume(stack, topic, expected, options, inputRecords);
}

export function walkStageConsume(stack: BenchStack, topic: string, expected: number, options: ReaderOptions): Promise<CountResult> {
  const toRecords = (from: string, partition: number, messages: readonly KafkaMessage[]): InputRecord[] => {
    const records: InputRecord[] = [];
    forEachRecord(walked(messages), (b, span) => {
      records.push({
        key: span.keyLength < 0 ? null : b.value.subarray(span.keyStart, span.keyStart + span.keyLength),
        value: span.valueLength < 0 ? null : b.value.subarray(span.valueStart, span.valueStart + span.valueLength),
        topic: from,
        partition,
        offset: String(span.offset),
      });
    });
    return records;
  };
  return stageConsume(stack, topic, expected, options, toRecords, walkedRecords);
}

/** The WalkedBatches kafkajs hands over while the record walk is in effect; an error if it is not. */
export function walked(messages: readonly KafkaMessage[]): readonly WalkedBatch[] {
  const batches = messages as unknown as readonly WalkedBatch[];
  if (batches.some((b) => typeof b.recordCount !== 'number')) throw new Error('kafkajs handed over records, not walked batches: the record walk is not in effect');
  return batches;
}

/** Records in walked batches (bareConsume's `records`). */
export function walkedRecords(messages: readonly KafkaMessage[]): number {
  let n = 0;
  for (const b of walked(messages)) if (!b.isControlRecord) n += b.recordCount;
  return n;
}

export async function walkDecodeConsume(stack: BenchStack, topic: string, expected: number, options: ReaderOptions): Promise<CountResult> {
  const pool = readerPool(options);
  const lookup = new RegistryClient({ baseUrl: stack.registryUrl });
  const schemas: Record<number, string> = {};
  const limits = decodeLimits(new FeatureCatalog({}).options.maxBatchCells);
  try {
    return await bareConsume(stack, topic, expected, {
      ...consumeOptions(options),
      records: walkedRecords,
      stage: async (from, partition, messages) => {
        const { bytes, bounds, nulls } = packValues(walked(messages));
        // Every event of the bench carries the same writer schema: its id is in the first value's frame.
        if (bytes.length >= 5) {
          const id = new DataView(bytes.buffer, bytes.byteOffset).getUint32(1);
          schemas[id] ??= await lookup.schemaFor(id);
        }
        const result = await pool.decodeBatch({ bytes, bounds, nulls, schemas, unknownIds: [], nowMs: Date.now(), limits });
        if (result.failures.length > 0) throw new Error(`the pool refused ${result.failures.length} records of ${from}[${partition}]: ${result.failures[0]!.message}`);
      },
    });
  } finally {
    await pool.close();
  }
}
