/**
 * The decode stage on its own: PooledDecodeStage.decodeRecords over fetched-shaped batches (7,500
 * records each, 4 models interleaved, 32 features, Avro in the wire format as the producer of the
 * end-to-end benchmarks encodes them) with a real pool of one thread, as the engine runs it on two
 * cores. Reports, per event, the CPU time of the main thread (the copy into the task, deserialising
 * the result, dedup and the columnar batches), of the pool thread (decoding, packing, serialising the
 * result) and of the other threads (mostly the garbage collector's helpers), as medians of repeated
 * passes over fresh eventIds (so dedup inserts and evicts as in steady state). CPU time per thread,
 * not event-loop utilisation: on a shared machine a busy thread also waits for a core.
 *
 * Knobs: VIGIL_BENCH_DECODE_BATCHES (batches per pass, 24), VIGIL_BENCH_DECODE_PASSES (7),
 * VIGIL_BENCH_FEATURES (32), VIGIL_BENCH_MODELS (4), VIGIL_BENCH_BATCH (7500), VIGIL_BENCH_PROFILE (a
 * folder: CPU profile of the main thread during the last pass).
 */
import { Piscina } from 'piscina';
import { fileURLToPath } from 'node:url';
import { avroType, schemaSource } from '../src/contracts/schemas.js';
import type { InferenceEvent } from '../src/contracts/records.js';
import { EventGenerator } from '../src/demo/generator.js';
import { PooledDecodeStage } from '../src/pipeline/decode/pooled.js';
import type { InputRecord } from '../src/pipeline/decode/index.js';
import type { ScoringPool } from '../src/pipeline/score/pool.js';
import { frame } from '../src/pipeline/sink/encode.js';
import type { DecodeBatchTask } from '../workers/decode/batch.js';
import { intEnv, progress } from './lib/env.js';
import { fetchedBatch } from './lib/fetched.js';
import { PhaseProfiler } from './lib/profile.js';
import { percentile, round } from './lib/stats.js';
import { threadCpuDelta, threadCpuMs } from './lib/threads.js';
import type { Scenario } from './run.js';

const NAME = 'decode-stage';
const SCHEMA_ID = 7;

async function batches(count: number, size: number, models: number, features: number, seed: number): Promise<InputRecord[][]> {
  const type = avroType('InferenceEvent');
  const generators = Array.from({ length: models }, (_, k) => new EventGenerator({ modelId: `bench-model-${k}`, modelVersion: '1.0.0', features, seed: seed + k }));
  const out: InputRecord[][] = [];
  let offset = 0;
  for (let b = 0; b < count; b++) {
    const messages = Array.from({ length: size }, (_, i) => {
      const event: InferenceEvent = generators[i % models]!.next();
      return { key: Buffer.from(event.modelId), value: frame(SCHEMA_ID, type.toBuffer(event)) };
    });
    out.push(await fetchedBatch('vigil.inference', 0, offset, messages));
    offset += size;
  }
  return out;
}

/** The scoring worker behind a Piscina of one thread, shaped as the stage needs it. */
function singleThreadPool(): { pool: ScoringPool; piscina: Piscina } {
  const piscina = new Piscina({ filename: fileURLToPath(new URL('../dist/workers/scoring.js', import.meta.url)), minThreads: 1, maxThreads: 1 });
  const decodeBatch = (task: DecodeBatchTask): Promise<unknown> => {
    const transferList = [...new Set([task.bytes.buffer, task.bounds.buffer])].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
    return piscina.run(task, { name: 'decodeBatch', transferList });
  };
  return { pool: { decodeBatch } as unknown as ScoringPool, piscina };
}


const scenario: Scenario = {
  name: NAME,
  description: 'PooledDecodeStage.decodeRecords on 7,500-record fetched batches, one pool thread: main-thread and pool-thread µs per event',
  async run() {
    const perPass = intEnv('VIGIL_BENCH_DECODE_BATCHES', 24);
    const passes = intEnv('VIGIL_BENCH_DECODE_PASSES', 7);
    const features = intEnv('VIGIL_BENCH_FEATURES', 32);
    const models = intEnv('VIGIL_BENCH_MODELS', 4);
    const size = intEnv('VIGIL_BENCH_BATCH', 7500);
    const { pool, piscina } = singleThreadPool();
    const schema = schemaSource('InferenceEvent');
    const stage = new PooledDecodeStage({ pool, lookup: { schemaFor: () => Promise.resolve(schema) } });
    const main: number[] = [];
    const pooled: number[] = [];
    const others: number[] = [];
    let decoded = 0;
    const profiler = new PhaseProfiler();
    // Pass 0 warms up; every pass reads fresh events (new ids, later offsets).
    for (let pass = 0; pass <= passes; pass++) {
      const input = await batches(perPass, size, models, features, 1000 + pass * 17);
      if (global.gc) global.gc();
      const events = perPass * size;
      if (pass === passes) await profiler.start();
      const from = threadCpuMs();
      for (const records of input) decoded = (await stage.decodeRecords(records)).decoded;
      const used = threadCpuDelta(from, threadCpuMs());
      if (pass === passes) await profiler.stop(NAME);
      if (decoded !== size) throw new Error(`a batch decoded ${decoded} of ${size} events`);
      if (pass === 0) continue;
      const mainMs = used.get(process.pid) ?? 0;
      used.delete(process.pid);
      // The pool's thread is the busiest of the rest.
      const workerMs = Math.max(0, ...used.values());
      const totalMs = [...used.values()].reduce((a, b) => a + b, 0);
      main.push((mainMs * 1000) / events);
      pooled.push((workerMs * 1000) / events);
      others.push(((totalMs - workerMs) * 1000) / events);
      progress(NAME, `pass ${pass}: main ${round(main.at(-1)!, 3)} µs/event, pool ${round(pooled.at(-1)!, 3)} µs/event`);
    }
    await piscina.destroy();
    return {
      batchSize: size,
      models,
      features,
      eventsPerPass: perPass * size,
      passes,
      mainMicrosPerEvent: round(percentile(main, 50), 3),
      poolMicrosPerEvent: round(percentile(pooled, 50), 3),
      otherThreadsMicrosPerEvent: round(percentile(others, 50), 3),
      mainMicrosPerEventAll: main.map((v) => round(v, 3)),
      poolMicrosPerEventAll: pooled.map((v) => round(v, 3)),
    };
  },
};
export default scenario;
