/**
 * How close anything that decodes every event can get to e2e-throughput's counting consumer on this
 * machine. Seven kafkajs readers take turns on one pre-produced topic (the events of e2e-throughput),
 * each in a fresh process of its own (bench/lib/ceiling-reader.ts), for several rounds:
 *
 * - `count`: the counting consumer of e2e-throughput (the target's baseline);
 * - `fast-count`: the same with the engine's own record decoding (src/pipeline/source/fast-records.ts,
 *   on in the engine by default): the same messages, built in one pass;
 * - `walk`: the same consumer with kafkajs's per-record decoding replaced by a walk over each fetched
 *   record batch in place (bench/lib/record-walk.ts): what fetching costs without an object per record;
 * - `stage`: kafkajs plus the engine's decode stage (framing, decoding in the pool, duplicate
 *   detection, stable columns), the first stage of the engine and nothing after it;
 * - `fast-stage`: the decode stage behind the engine's own record decoding, as the engine runs it;
 * - `walk-stage`: the engine's decode stage fed with records made from walked batches (a value view
 *   and an offset each) instead of kafkajs's: that first stage behind a source that walks batches;
 * - `walk-decode`: walked batches, their values packed on the main thread and decoded by the engine's
 *   pool: the cheapest way this code base has to decode every event after a kafkajs fetch.
 *
 * The engine does at least what `stage` does, so `stage`'s rate over `count`'s bounds the engine's
 * ratio from above on the machine the scenario runs on; `walk-decode` says whether building kafkajs's
 * record objects is what holds it back.
 *
 * Knobs: VIGIL_BENCH_EVENTS (300000), VIGIL_BENCH_MODELS (4), VIGIL_BENCH_PARTITIONS (2),
 * VIGIL_BENCH_FEATURES (32), VIGIL_BENCH_ROUNDS (3), VIGIL_BENCH_POOL_THREADS (0: the engine's
 * default, cores - 1), VIGIL_BENCH_FETCH_BYTES (default: the engine's fetchMaxBytesPerPartition).
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIG_DEFAULTS } from '../src/config/defaults.js';
import type { Scenario } from './run.js';
import type { CountResult } from './lib/bare.js';
import { Cleanup } from './lib/cleanup.js';
import { intEnv, progress } from './lib/env.js';
import { loadInference } from './lib/events.js';
import { benchStack, createTopics, dropTopics } from './lib/stack.js';
import { percentile, round } from './lib/stats.js';

const NAME = 'e2e-ceiling';
const READERS = ['count', 'fast-count', 'walk', 'stage', 'fast-stage', 'walk-stage', 'walk-decode'] as const;
type Reader = (typeof READERS)[number];
const READER_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'lib', 'ceiling-reader.ts');

/** Runs one reader in a child process (this process's node options, so under tsx) and returns its result. */
function runReader(reader: Reader, args: readonly (string | number)[]): Promise<CountResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, READER_SCRIPT, reader, ...args.map(String)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0) {
        reject(new Error(`the ${reader} reader exited with ${signal ?? code}: ${last.slice(0, 300)}`));
        return;
      }
      try {
        resolve(JSON.parse(last) as CountResult);
      } catch {
        reject(new Error(`the ${reader} reader printed no result: ${last.slice(0, 300)}`));
      }
    });
  });
}

const median = (values: readonly number[]): number => percentile(values, 50);

const scenario: Scenario = {
  name: NAME,
  description: 'events/s of kafkajs readers that count (kafkajs or the engine record decoding), walk record batches in place, run the engine decode stage behind either decoding or walked batches, or decode walked batches in the pool, vs the counting consumer',
  async run() {
    const events = intEnv('VIGIL_BENCH_EVENTS', 300_000);
    const models = intEnv('VIGIL_BENCH_MODELS', 4);
    const partitions = intEnv('VIGIL_BENCH_PARTITIONS', 2);
    const features = intEnv('VIGIL_BENCH_FEATURES', 32);
    const rounds = intEnv('VIGIL_BENCH_ROUNDS', 3);
    const poolThreads = intEnv('VIGIL_BENCH_POOL_THREADS', 0, 0);
    const fetchBytes = intEnv('VIGIL_BENCH_FETCH_BYTES', CONFIG_DEFAULTS.engine.fetchMaxBytesPerPartition);
    // As e2e-throughput: max(2, pool threads) partitions at once, the engine's default.
    const concurrency = Math.max(2, poolThreads > 0 ? poolThreads : Math.max(1, availableParallelism() - 1));

    const stack = await benchStack('ceiling');
    const cleanup = new Cleanup();
    cleanup.add('delete the topics', () => dropTopics(stack));
    try {
      await createTopics(stack, partitions);
      const topic = `${stack.prefix}inference`;
      progress(NAME, `producing ${events} events of ${models} models on ${topic}`);
      const { bytes } = await loadInference(stack, topic, { events, models, partitions, features });
      const runs = new Map<Reader, CountResult[]>(READERS.map((r) => [r, []]));
      for (let r = 1; r <= rounds; r++) {
        for (const reader of READERS) {
          const result = await runReader(reader, [topic, events, fetchBytes, concurrency, poolThreads]);
          if (result.events < events) throw new Error(`the ${reader} reader read ${result.events} of ${events} events`);
          runs.get(reader)!.push(result);
          progress(NAME, `round ${r}/${rounds}: ${reader} ${result.eventsPerSecond}/s`);
        }
      }
      const countMedian = median(runs.get('count')!.map((x) => x.eventsPerSecond));
      const readers = Object.fromEntries(
        READERS.map((reader) => {
          const results = runs.get(reader)!;
          const rates = results.map((x) => x.eventsPerSecond);
          return [
            reader,
            {
              eventsPerSecond: rates,
              medianEventsPerSecond: median(rates),
              steadyEventsPerSecond: results.map((x) => x.steadyEventsPerSecond),
              // Each round against the count run of the same round.
              ratioPerRound: results.map((x, i) => round(x.eventsPerSecond / runs.get('count')![i]!.eventsPerSecond, 3)),
              ratioOfMedians: round(median(rates) / countMedian, 3),
              cpuCores: results.map((x) => x.cpuCores),
            },
          ];
        }),
      );
      await cleanup.run();
      return {
        setup: { events, models, partitions, features, recordBytes: Math.round(bytes / events), rounds, partitionsConsumedConcurrently: concurrency, fetchMaxBytesPerPartition: fetchBytes, poolThreads: poolThreads > 0 ? poolThreads : 'engine default (cores - 1)', process: 'each reader run in a fresh child process', timing: 'from group join to the last record read (or decoded)' },
        readers,
        note: 'the engine does at least what the stage reader does: its ratio to count bounds the engine\'s on this machine',
      };
    } finally {
      await cleanup.run();
    }
  },
};
export default scenario;
