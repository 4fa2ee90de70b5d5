/**
 * kafkajs's Batch for fetches of the fast record decoding, with no 64-bit `Long` per record.
 *
 * kafkajs 2.2.4 builds a Batch of every fetched partition. On the way it keeps the messages at or
 * after the fetched offset, parsing each message's offset into a BigInt-backed `Long` to compare it,
 * then drops those of aborted transactions and the control records, each step into a new array. For
 * messages of the fast decoding (fast-records.ts), whose offsets are exact numbers, this module
 * makes the same three arrays by comparing numbers, and hands an array on unchanged where nothing is
 * dropped from it. Everything else goes to kafkajs's own constructor:
 * - messages of kafkajs's own decoding (a compressed batch, say) among those of the fetch;
 * - a fetch that reports aborted transactions;
 * - a fetched offset that is not an integer of at most 15 digits.
 *
 * The batch is of kafkajs's class (its methods, `instanceof`) with the same fields, in the same order.
 * The tests build both kinds over the same fetched bytes and compare them.
 *
 * kafkajs's consumer binds its Batch when it loads, so `installFastBatch()` must run before kafkajs is
 * first loaded in the process: the engine's commands call it before they load anything else. It
 * refuses, and says why, when kafkajs is not 2.2.4 or its consumer is already loaded; kafkajs then
 * keeps its own batches, and only the speed differs.
 */
import { replaceKafkajsModule, type PatchOutcome } from '../kafkajs-patch.js';
import { FetchedMessage } from './fast-records.js';

const BATCH = 'kafkajs/src/consumer/batch.js';
const CONSUMER_GROUP = /[\\/]kafkajs[\\/]src[\\/]consumer[\\/]consumerGroup\.js$/;
/** On the Batch put in kafkajs's place: the one it replaced. */
export const FAST_BATCH_MARK = Symbol.for('vigil.fastBatch');
/** Offsets compared as numbers: at most 15 digits stay exact. */
const PLAIN_OFFSET = /^-?[0-9]{1,15}$/;

export interface PartitionData {
  readonly partition: number;
  readonly highWatermark: string;
  readonly messages: readonly unknown[];
  readonly abortedTransactions?: readonly unknown[] | null;
}

export type BatchClass = new (topic: string, fetchedOffset: unknown, partitionData: PartitionData) => object;

/** The messages of a batch from `fetchedOffset` on, and of those the ones that are not control records; undefined when kafkajs must decide. */
export function keptMessages(fetchedOffset: unknown, partitionData: PartitionData): { within: readonly FetchedMessage[]; messages: readonly FetchedMessage[] } | undefined {
  const { abortedTransactions, messages } = partitionData;
  if (abortedTransactions && abortedTransactions.length > 0) return undefined;
  let from: number;
  if (typeof fetchedOffset === 'number' && Number.isSafeInteger(fetchedOffset)) from = fetchedOffset;
  else if (typeof fetchedOffset === 'string' && PLAIN_OFFSET.test(fetchedOffset)) from = Number(fetchedOffset);
  else return undefined;
  let before = false;
  let control = false;
  for (const m of messages) {
    if (!(m instanceof FetchedMessage)) return undefined;
    if (m.offsetValue() < from) before = true;
    else if (m.isControlRecord) control = true;
  }
  const fetched = messages as readonly FetchedMessage[];
  const within = before ? fetched.filter((m) => m.offsetValue() >= from) : fetched;
  return { within, messages: control ? within.filter((m) => !m.isControlRecord) : within };
}

/** A Batch class that builds batches of fast messages itself and leaves the rest to `Original`. */
export function fastBatchClass(Original: BatchClass): BatchClass {
  function FastBatch(topic: string, fetchedOffset: unknown, partitionData: PartitionData): object {
    const kept = keptMessages(fetchedOffset, partitionData);
    if (kept === undefined) return new Original(topic, fetchedOffset, partitionData);
    const batch = Object.create(Original.prototype as object) as Record<string, unknown>;
    // kafkajs's fields, in its order.
    batch['fetchedOffset'] = fetchedOffset;
    batch['topic'] = topic;
    batch['partition'] = partitionData.partition;
    batch['highWatermark'] = partitionData.highWatermark;
    batch['rawMessages'] = partitionData.messages;
    batch['messagesWithinOffset'] = kept.within;
    batch['messages'] = kept.messages;
    return batch;
  }
  FastBatch.prototype = Original.prototype;
  return FastBatch as unknown as BatchClass;
}

export type FastBatchOutcome = PatchOutcome;

let outcome: FastBatchOutcome | undefined;

/** Puts the fast Batch in kafkajs's place for this process (once; later calls return the first outcome). */
export function installFastBatch(): FastBatchOutcome {
  outcome ??= replaceBatch();
  return outcome;
}

/** What the install did, if it was tried in this process. */
export function fastBatchOutcome(): FastBatchOutcome {
  return outcome ?? { installed: false, reason: 'not installed in this process (the engine\'s commands install it before kafkajs loads)' };
}

function replaceBatch(): FastBatchOutcome {
  return replaceKafkajsModule<BatchClass>('the fast Batch', {
    module: BATCH,
    mark: FAST_BATCH_MARK,
    boundBy: CONSUMER_GROUP,
    tooLate: 'kafkajs has already loaded its consumer, which keeps the Batch it loaded with',
    replace: fastBatchClass,
  });
}
