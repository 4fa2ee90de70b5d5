/**
 * The pool thread's decode task on its own, in this thread: `decodeBatch` over tasks shaped like the
 * engine's (7,500 records of 4 models, 32 numeric features each, Confluent-framed Avro), numeric-only
 * and with optional fields (categorical features on every event, an LLM trace on every tenth).
 * Reports ns per event, median (and spread) over repeats of a few tasks each, wall and CPU time of
 * this process (on a shared machine the CPU time is the steadier).
 *
 * To compare with another version of the decoder, point VIGIL_BENCH_DECODE_AGAINST at a copy of that
 * version's tree (with workers/ and src/, e.g. from `git archive`): both run in this process, their
 * repeats interleaved, so a busy machine slows both alike.
 * Knobs: VIGIL_BENCH_DECODE_RECORDS (7500), VIGIL_BENCH_DECODE_REPEATS (25), VIGIL_BENCH_DECODE_AGAINST.
 */
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodeBatch, type DecodeBatchResult, type DecodeBatchTask } from '../workers/decode/batch.js';
import { decodeTask } from './lib/decode-tasks.js';
import { intEnv, progress } from './lib/env.js';
import { percentile, round } from './lib/stats.js';
import type { Scenario } from './run.js';

const TASKS_PER_REPEAT = 4;

type Decode = (task: DecodeBatchTask) => DecodeBatchResult;

interface Timing {
  readonly wall: number[];
  readonly cpu: number[];
}

/** One repeat of TASKS_PER_REPEAT decodes, in ns per event (wall, CPU) added to `into`. */
function repeat(decode: Decode, task: DecodeBatchTask, into: Timing): void {
  const events = (task.bounds.length - 1) * TASKS_PER_REPEAT;
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let t = 0; t < TASKS_PER_REPEAT; t++) {
    const { failures } = decode(task);
    if (failures.length > 0) throw new Error(`decode-batch: record ${failures[0]!.index} failed: ${failures[0]!.message}`);
  }
  into.wall.push(Number(process.hrtime.bigint() - start) / events);
  const used = process.cpuUsage(cpuStart);
  into.cpu.push(((used.user + used.system) * 1000) / events);
}

function summary(values: readonly number[]): { p50: number; min: number; p90: number } {
  return { p50: round(percentile(values, 50), 0), min: round(Math.min(...values), 0), p90: round(percentile(values, 90), 0) };
}

async function against(): Promise<{ dir: string; decode: Decode } | undefined> {
  const dir = process.env['VIGIL_BENCH_DECODE_AGAINST']?.trim();
  if (dir === undefined || dir === '') return undefined;
  const file = join(resolve(dir), 'workers', 'decode', 'batch.ts');
  if (!existsSync(file)) throw new Error(`VIGIL_BENCH_DECODE_AGAINST=${dir}: no workers/decode/batch.ts there`);
  return { dir, decode: ((await import(pathToFileURL(file).href)) as { decodeBatch: Decode }).decodeBatch };
}

const scenario: Scenario = {
  name: 'decode-batch',
  description: 'decodeBatch in one thread: ns per event, 32 features, 4 models, numeric-only and with optional fields',
  async run() {
    const records = intEnv('VIGIL_BENCH_DECODE_RECORDS', 7500);
    const repeats = intEnv('VIGIL_BENCH_DECODE_REPEATS', 25);
    const other = await against();
    const nowMs = Date.now();
    const variants = { numeric: false, optional: true };
    const out: Record<string, unknown> = { records, models: 4, features: 32, repeats, tasksPerRepeat: TASKS_PER_REPEAT };
    if (other !== undefined) out['against'] = basename(resolve(other.dir)); // (a name, not this machine's path)
    for (const [name, optional] of Object.entries(variants)) {
      const task = decodeTask({ records, models: 4, features: 32, optional }, nowMs);
      progress('decode-batch', `${name}: ${task.bytes.length} bytes, warming up`);
      const mine: Timing = { wall: [], cpu: [] };
      const theirs: Timing = { wall: [], cpu: [] };
      for (let r = 0; r < 10; r++) {
        repeat(decodeBatch, task, { wall: [], cpu: [] });
        if (other !== undefined) repeat(other.decode, task, { wall: [], cpu: [] });
      }
      for (let r = 0; r < repeats; r++) {
        // (alternating which goes first)
        if (other !== undefined && r % 2 === 1) repeat(other.decode, task, theirs);
        repeat(decodeBatch, task, mine);
        if (other !== undefined && r % 2 === 0) repeat(other.decode, task, theirs);
      }
      const result: Record<string, unknown> = { meanRecordBytes: round(task.bytes.length / records, 0), wallNsPerEvent: summary(mine.wall), cpuNsPerEvent: summary(mine.cpu) };
      if (other !== undefined) result['against'] = { wallNsPerEvent: summary(theirs.wall), cpuNsPerEvent: summary(theirs.cpu) };
      out[name] = result;
    }
    return out;
  },
};
export default scenario;
