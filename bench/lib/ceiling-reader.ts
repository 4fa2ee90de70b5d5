/**
 * One reader of the e2e-ceiling scenario, in a process of its own (so the record walk, which changes
 * every kafkajs consumer of its process, touches nothing else, and every reader starts from the same
 * cold process). Prints its CountResult as one JSON line.
 *
 * Usage (under tsx): ceiling-reader.ts <count|fast-count|walk|stage|fast-stage|walk-stage|walk-decode> <topic> <events> <fetch bytes>
 * <partitions at once> <pool threads>
 */
import { installFastRecords } from '../../src/pipeline/source/fast-records.js';
import { installRecordWalk } from './record-walk.js';

const READERS = ['count', 'fast-count', 'walk', 'stage', 'fast-stage', 'walk-stage', 'walk-decode'] as const;
type Reader = (typeof READERS)[number];

const [reader, topic, eventsText, fetchText, concurrencyText, threadsText] = process.argv.slice(2);
if (!READERS.includes(reader as Reader) || topic === undefined) {
  process.stderr.write(`usage: ceiling-reader.ts <${READERS.join('|')}> <topic> <events> <fetch bytes> <partitions at once> <pool threads>\n`);
  process.exit(2);
}
const whole = (name: string, text: string | undefined, min: number): number => {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min) {
    process.stderr.write(`ceiling-reader: ${name} must be a whole number >= ${min}, got ${JSON.stringify(text)}\n`);
    process.exit(2);
  }
  return value;
};
const events = whole('events', eventsText, 1);
const fetchBytes = whole('fetch bytes', fetchText, 1);
const concurrency = whole('partitions at once', concurrencyText, 1);
const poolThreads = whole('pool threads', threadsText, 0);

// Before kafkajs decodes its first fetch: the modules below load kafkajs, not its fetch decoding.
if (reader!.startsWith('walk')) installRecordWalk();
if (reader!.startsWith('fast')) {
  const decoding = installFastRecords();
  if (!decoding.installed) {
    process.stderr.write(`ceiling-reader: the fast record decoding is not installed: ${decoding.reason}\n`);
    process.exit(1);
  }
}
const { benchStack } = await import('./stack.js');
const { bareConsume } = await import('./bare.js');
const { decodeStageConsume, walkDecodeConsume, walkStageConsume, walkedRecords } = await import('./readers.js');

const stack = await benchStack('ceiling');
const timeoutMs = 300_000;
const options = { concurrency, timeoutMs, fetchBytes, poolThreads };
const result =
  reader === 'count' || reader === 'fast-count'
    ? await bareConsume(stack, topic, events, { concurrency, timeoutMs, fetchBytes })
    : reader === 'walk'
      ? await bareConsume(stack, topic, events, { concurrency, timeoutMs, fetchBytes, records: walkedRecords })
      : reader === 'stage' || reader === 'fast-stage'
        ? await decodeStageConsume(stack, topic, events, options)
        : reader === 'walk-stage'
          ? await walkStageConsume(stack, topic, events, options)
          : await walkDecodeConsume(stack, topic, events, options);
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
