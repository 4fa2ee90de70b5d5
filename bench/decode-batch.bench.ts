/**
 * The pool thread's decode task on its own, in this thread: `decodeBatch` over tasks shaped like the
 * engine's (7,500 records of 4 models, 32 numeric features each, Confluent-framed Avro), numeric-only
 * and with optional fields (categorical features on every event, an LLM trace on every tenth).
 * Reports ns per event, median (and spread) over repeats of a few tasks each, wall and CPU time of
 * this process. Knobs: VIGIL_BENCH_DECODE_RECORDS (7500), VIGIL_BENCH_DECODE_REPEATS (25).
 */
import { decodeBatch, type DecodeBatchTask } from '../workers/decode/batch.js';
import { decodeTask } from './lib/decode-tasks.js';
import { intEnv, progress } from './lib/env.js';
import { percentile, round } from './lib/stats.js';
import type { Scenario } from './run.js';

const TASKS_PER_REPEAT = 4;

interface Timing {
  readonly wall: number[];
  readonly cpu: number[];
}

/** ns per event of `repeats` rounds of TASKS_PER_REPEAT decodes, wall and CPU. */
function measure(task: DecodeBatchTask, repeats: number): Timing {
  const events = (task.bounds.length - 1) * TASKS_PER_REPEAT;
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const cpuStart = process.cpuUsage();
    const start = process.hrtime.bigint();
    for (let t = 0; t < TASKS_PER_REPEAT; t++) {
      const { failures } = decodeBatch(task);
      if (failures.length > 0) throw new Error(`decode-batch: record ${failures[0]!.index} failed: ${failures[0]!.message}`);
    }
    wall.push(Number(process.hrtime.bigint() - start) / events);
    const used = process.cpuUsage(cpuStart);
    cpu.push(((used.user + used.system) * 1000) / events);
  }
  return { wall, cpu };
}

function summary(values: readonly number[]): { p50: number; min: number; p90: number } {
  return { p50: round(percentile(values, 50), 0), min: round(Math.min(...values), 0), p90: round(percentile(values, 90), 0) };
}

const scenario: Scenario = {
  name: 'decode-batch',
  description: 'decodeBatch in one thread: ns per event, 32 features, 4 models, numeric-only and with optional fields',
  async run() {
    const records = intEnv('VIGIL_BENCH_DECODE_RECORDS', 7500);
    const repeats = intEnv('VIGIL_BENCH_DECODE_REPEATS', 25);
    const nowMs = Date.now();
    const variants = { numeric: false, optional: true };
    const out: Record<string, unknown> = { records, models: 4, features: 32, repeats, tasksPerRepeat: TASKS_PER_REPEAT };
    for (const [name, optional] of Object.entries(variants)) {
      const task = decodeTask({ records, models: 4, features: 32, optional }, nowMs);
      progress('decode-batch', `${name}: ${task.bytes.length} bytes, warming up`);
      measure(task, 10);
      const { wall, cpu } = measure(task, repeats);
      out[name] = { meanRecordBytes: round(task.bytes.length / records, 0), wallNsPerEvent: summary(wall), cpuNsPerEvent: summary(cpu) };
    }
    return out;
  },
};
export default scenario;
