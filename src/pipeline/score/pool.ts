/**
 * The main-thread side of the scoring pool: one small class over a private Piscina pool that runs the
 * named tasks of the compiled worker module `dist/workers/scoring.js`.
 *
 * - Batches cross the thread boundary by transfer: the typed arrays of the NumericColumns go in the
 *   `transferList` of `run`, so the caller's arrays are detached afterwards (byteLength 0) and must not
 *   be reused. (A `Piscina.move()` nested inside the task object would arrive empty, hence the list.)
 * - Reference profiles are SharedArrayBuffer-backed: posting one shares its memory with the worker.
 * - Every method validates its input on this thread (O(1)) and reports all failures, its own or the
 *   worker's, as a rejected promise with a VigilError; `inFlight` and `needsDrain` change synchronously
 *   when a method is called.
 * - Backpressure: `needsDrain` is true while every thread is busy and the queue is full; the consumer
 *   pauses then and resumes from `onDrain`. Counting in-flight tasks here, rather than forwarding
 *   Piscina's own `needsDrain`, is deliberate: Piscina's flag is updated in a microtask after `run()`
 *   (a check right after submitting reads a stale value), counts only workers that finished starting,
 *   and ignores the queue, so it cannot bound memory to `threads + maxQueue` batches.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import { busyCounter, busyNanoseconds, type BusyWorkerData } from '../../../workers/busy.js';
import { assertOptional, optionalBuffers, optionalOf } from '../../../workers/detectors/optional.js';
import type { NumericColumns } from '../../contracts/batch.js';
import { findPackageRoot } from '../../contracts/schemas.js';
import { VigilError, describeError } from '../../errors.js';
import type { ReferenceProfile } from '../../../workers/detectors/reference.js';
import type { DetectorScore } from '../../../workers/detectors/types.js';
import type { DetectorParamsById, ScoringTaskName, ScoringTaskResults, ScoringTasks, Summaries } from '../../../workers/scoring.js';

export type { DetectorParamsById, Summaries } from '../../../workers/scoring.js';

/** Most threads a pool may be given. */
export const MAX_THREADS = 256;
/** Largest `maxQueue`: the queue must stay bounded, whatever the input rate. */
export const MAX_QUEUE = 65_536;

export interface ScoringPoolOptions {
  /** Worker threads; default `max(1, os.availableParallelism() - 1)`, leaving a core to the consumer. */
  readonly threads?: number;
  /** Tasks that may wait for a free thread; default `max(4, threads²)` (Piscina's 'auto', floored). */
  readonly maxQueue?: number;
  /** Milliseconds `close()` waits for running tasks before terminating the workers; default 30 000. */
  readonly closeTimeout?: number;
  /** The compiled worker module; default `<package root>/dist/workers/scoring.js`. */
  readonly workerFile?: string;
}

const OPTION_NAMES: readonly string[] = ['threads', 'maxQueue', 'closeTimeout', 'workerFile'];

export interface BuildReferenceRequest {
  /** Reference batch; its typed arrays are transferred (detached here after the call). */
  readonly columns: NumericColumns;
  /** Names of the first feature columns, in the feature index's order. */
  readonly featureNames: readonly string[];
  readonly id: string;
  /** Bins per feature, 2 .. 1024; 10 when absent. */
  readonly binCount?: number;
  /** Detectors whose own reference data (`prepareReference`) is computed with the profile. */
  readonly detectors?: readonly string[];
  readonly params?: DetectorParamsById;
}

export interface SummarizeRequest {
  /** One batch; its typed arrays are transferred (detached here after the call). A ColumnarBatch may be passed: only its numeric columns are sent. */
  readonly columns: NumericColumns & { readonly featureNames?: readonly string[] };
  readonly reference: ReferenceProfile;
  readonly detectors: readonly string[];
  readonly params?: DetectorParamsById;
}

export interface SummarizeRangesRequest extends SummarizeRequest {
  /** Row ranges [start, end) of the batch, in order; one Summaries comes back per range. */
  readonly ranges: readonly (readonly [number, number])[];
}

export interface ScoreBatchRequest extends Omit<SummarizeRangesRequest, 'detectors'> {
  /** Window detectors summarised per range (may be empty). */
  readonly windowDetectors: readonly string[];
  /** Event detectors scoring the rows within the ranges (may be empty). */
  readonly eventDetectors: readonly string[];
}

export interface ScoreWindowRequest {
  /** Merged window summaries per detector; cloned (they are small and usually still the window's state). */
  readonly summaries: Readonly<Summaries>;
  readonly reference: ReferenceProfile;
  readonly detectors: readonly string[];
  readonly params?: DetectorParamsById;
}

function invalidOption(option: string, must: string, value: unknown): VigilError {
  return new VigilError('VIGIL_CONFIG_INVALID', `scoring pool option "${option}" must be ${must}, got ${JSON.stringify(value) ?? String(value)}`, {
    details: { option },
  });
}

function integerOption(options: ScoringPoolOptions, option: 'threads' | 'maxQueue' | 'closeTimeout', min: number, max: number, fallback: number): number {
  const value = options[option];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidOption(option, `an integer from ${min} to ${max}`, value);
  }
  return value;
}

function defaultWorkerFile(): string {
  return join(findPackageRoot(), 'dist', 'workers', 'scoring.js');
}

/**
 * The columns of a batch as a fresh plain object (of a ColumnarBatch, only the columns: no ids or
 * offsets cross), and its distinct transferable buffers.
 */
function numericPart(columns: NumericColumns): { columns: NumericColumns; transferList: ArrayBuffer[] } {
  const { count, featureCount, features, scores, latencies, statuses, timestamps } = columns;
  const expect = (name: string, length: number, actual: number): void => {
    if (length !== actual) {
      throw new VigilError('VIGIL_INPUT_INVALID', `batch column "${name}" has ${actual} values, expected ${length}`, { details: { column: name } });
    }
  };
  if (!Number.isInteger(count) || count < 0 || !Number.isInteger(featureCount) || featureCount < 0) {
    throw new VigilError('VIGIL_INPUT_INVALID', `batch count ${count} and featureCount ${featureCount} must be non-negative integers`);
  }
  expect('features', count * featureCount, features.length);
  expect('scores', count, scores.length);
  expect('latencies', count, latencies.length);
  expect('statuses', count, statuses.length);
  expect('timestamps', count, timestamps.length);
  // Columns may share one buffer; a buffer listed twice makes postMessage throw. SharedArrayBuffers are
  // shared by posting, so they are left out.
  const optional = optionalOf(columns);
  try {
    assertOptional(optional, count, 'batch');
  } catch (error) {
    throw new VigilError('VIGIL_INPUT_INVALID', error instanceof Error ? error.message : String(error), { cause: error });
  }
  const buffers = new Set<ArrayBuffer>(optionalBuffers(optional));
  for (const array of [features, scores, latencies, statuses, timestamps]) {
    if (array.buffer instanceof ArrayBuffer) buffers.add(array.buffer);
  }
  return { columns: { count, featureCount, features, scores, latencies, statuses, timestamps, ...optional }, transferList: [...buffers] };
}

export class ScoringPool {
  /** Nanoseconds the threads spent running tasks, added by the threads (workers/busy.ts). */
  readonly #busy = busyCounter();
  readonly #pool: Piscina<ScoringTasks[ScoringTaskName], unknown>;
  readonly #threads: number;
  readonly #maxQueue: number;
  readonly #drainListeners = new Set<() => void>();
  readonly #errorListeners = new Set<(error: Error) => void>();
  #inFlight = 0;
  #full = false;
  #closed: Promise<void> | undefined;

  constructor(options: ScoringPoolOptions = {}) {
    if (options === null || typeof options !== 'object') throw invalidOption('options', 'an object', options);
    for (const key of Object.keys(options)) {
      if (!OPTION_NAMES.includes(key)) throw invalidOption(key, `one of ${OPTION_NAMES.join(', ')} (unknown option)`, (options as Record<string, unknown>)[key]);
    }
    this.#threads = integerOption(options, 'threads', 1, MAX_THREADS, Math.max(1, availableParallelism() - 1));
    this.#maxQueue = integerOption(options, 'maxQueue', 1, MAX_QUEUE, Math.max(4, this.#threads * this.#threads));
    const closeTimeout = integerOption(options, 'closeTimeout', 0, 600_000, 30_000);
    const workerFile = options.workerFile ?? defaultWorkerFile();
    if (typeof workerFile !== 'string' || workerFile.length === 0) throw invalidOption('workerFile', 'a file path', workerFile);
    if (!existsSync(workerFile)) {
      throw new VigilError('VIGIL_INTERNAL', `scoring worker ${workerFile} does not exist; run "npm run build" first`, { details: { option: 'workerFile' } });
    }
    this.#pool = new Piscina<ScoringTasks[ScoringTaskName], unknown>({
      filename: workerFile,
      minThreads: this.#threads,
      maxThreads: this.#threads,
      maxQueue: this.#maxQueue,
      concurrentTasksPerWorker: 1,
      workerData: { busyNanoseconds: this.#busy } satisfies BusyWorkerData,
      closeTimeout,
    });
    // Errors not tied to a task (a worker dying while idle, a close timeout) arrive as 'error' events.
    this.#pool.on('error', (error: unknown) => this.#emitError(error instanceof Error ? error : new Error(describeError(error))));
  }

  /** Profiles a reference batch (transferred) into a SharedArrayBuffer-backed ReferenceProfile. */
  async buildReference(request: BuildReferenceRequest): Promise<ReferenceProfile> {
    const { columns, transferList } = numericPart(request.columns);
    const task: ScoringTasks['buildReference'] = {
      columns,
      featureNames: [...request.featureNames],
      id: request.id,
      ...(request.binCount === undefined ? {} : { binCount: request.binCount }),
      ...(request.detectors === undefined ? {} : { detectors: [...request.detectors] }),
      ...(request.params === undefined ? {} : { params: request.params }),
    };
    return this.#run('buildReference', task, transferList);
  }

  /** One Summary per detector for one batch (transferred); the summaries come back transferred too. */
  async summarize(request: SummarizeRequest): Promise<Summaries> {
    const names = request.columns.featureNames;
    const reference = request.reference.featureNames;
    if (names !== undefined && (names.length < reference.length || reference.some((name, i) => names[i] !== name))) {
      throw new VigilError('VIGIL_INPUT_INVALID', `the batch's feature index does not start with reference "${request.reference.id}"'s features`, {
        details: { referenceId: request.reference.id },
      });
    }
    const { columns, transferList } = numericPart(request.columns);
    const task: ScoringTasks['summarize'] = { columns, reference: request.reference, detectors: [...request.detectors], ...optionalParams(request.params) };
    return this.#run('summarize', task, transferList);
  }

  /**
   * Runs `task()` once per thread, all at once, so each thread (idle, so each takes one) has loaded its
   * code and run the task's path before real work arrives; what the tasks give back is dropped.
   */
  async warm(task: () => ScoringTasks['decodeBatch']): Promise<void> {
    await Promise.all(Array.from({ length: this.#threads }, () => this.decodeBatch(task())));
  }

  /** Decodes the raw values of one Kafka batch (their buffer is transferred). */
  async decodeBatch(task: ScoringTasks['decodeBatch']): Promise<ScoringTaskResults['decodeBatch']> {
    const transfer = task.bytes.buffer instanceof ArrayBuffer ? [task.bytes.buffer] : [];
    for (const part of [task.bounds, task.ends]) {
      if (part?.buffer instanceof ArrayBuffer && !transfer.includes(part.buffer)) transfer.push(part.buffer);
    }
    return this.#run('decodeBatch', task, transfer);
  }

  /** One Summaries per row range of one batch, in one dispatch (a batch that spans several windows). */
  async summarizeRanges(request: SummarizeRangesRequest): Promise<Summaries[]> {
    return this.#runRanges('summarizeRanges', request, { detectors: [...request.detectors] });
  }

  /** Each event detector over the rows of `ranges` of one batch (transferred), in one dispatch. */
  async scoreEvents(request: SummarizeRangesRequest): Promise<ScoringTaskResults['scoreEvents']> {
    return this.#runRanges('scoreEvents', request, { detectors: [...request.detectors] });
  }

  /**
   * summarizeRanges and scoreEvents over the same batch (its columns transferred) in one dispatch:
   * what the engine sends per batch.
   */
  async scoreBatch(request: ScoreBatchRequest): Promise<ScoringTaskResults['scoreBatch']> {
    return this.#runRanges('scoreBatch', request, { windowDetectors: [...request.windowDetectors], eventDetectors: [...request.eventDetectors] });
  }

  /** A task over row ranges of one batch: its columns transferred, the ranges flattened. */
  #runRanges<N extends 'summarizeRanges' | 'scoreEvents' | 'scoreBatch'>(
    name: N,
    request: Omit<SummarizeRangesRequest, 'detectors'>,
    detectors: Omit<ScoringTasks[N], 'columns' | 'reference' | 'ranges' | 'params'>,
  ): Promise<ScoringTaskResults[N]> {
    const { columns, transferList } = numericPart(request.columns);
    const task = {
      columns,
      reference: request.reference,
      ranges: request.ranges.flatMap(([start, end]) => [start, end]),
      ...detectors,
      ...optionalParams(request.params),
    } as unknown as ScoringTasks[N];
    return this.#run(name, task, transferList);
  }

  /** Scores windows' merged summaries in one dispatch: one DetectorScore[] per request, in order (none: no dispatch). */
  async scoreWindows(requests: readonly ScoreWindowRequest[]): Promise<DetectorScore[][]> {
    if (requests.length === 0) return [];
    const windows = requests.map((r): ScoringTasks['scoreWindow'] => ({ summaries: r.summaries, reference: r.reference, detectors: [...r.detectors], ...optionalParams(r.params) }));
    const scores = await this.#run('scoreWindows', { windows }, []);
    if (!Array.isArray(scores) || scores.length !== requests.length) {
      throw new VigilError('VIGIL_INTERNAL', `scoring task "scoreWindows" returned ${Array.isArray(scores) ? scores.length : 'no'} results for ${requests.length} windows`);
    }
    return scores;
  }

  /**
   * True while `threads + maxQueue` tasks are in flight: a further task would be rejected. Pause the
   * input and resume from `onDrain`. Updated synchronously by every call, so it can be read right after
   * submitting.
   */
  get needsDrain(): boolean {
    return this.#inFlight >= this.#threads + this.#maxQueue;
  }

  /** Calls `listener` each time `needsDrain` turns from true to false; returns a function that unsubscribes. */
  onDrain(listener: () => void): () => void {
    this.#drainListeners.add(listener);
    return () => this.#drainListeners.delete(listener);
  }

  /**
   * Calls `listener` with errors that belong to no task (a worker that died while idle, a close that
   * timed out). Without a listener such an error is thrown, like an unhandled 'error' event.
   */
  onError(listener: (error: Error) => void): () => void {
    this.#errorListeners.add(listener);
    return () => this.#errorListeners.delete(listener);
  }

  /**
   * Share of the pool's thread time spent running tasks since it started (0..1): the busy time the
   * threads count themselves (workers/busy.ts) over duration × threads. (Piscina's own figure times a
   * task on this thread, from posting it to handling its result, so it counts message latency and
   * this thread's other work as the worker's; 5.3 also divides seconds by milliseconds.) A worker
   * module that does not count, such as a custom `workerFile`, reads 0.
   */
  get utilization(): number {
    const { duration } = this.#pool;
    if (duration <= 0) return 0;
    return Math.min(1, busyNanoseconds(this.#busy) / 1e6 / (duration * this.#threads));
  }

  /** Tasks submitted through this pool and not yet settled (running or queued). */
  get inFlight(): number {
    return this.#inFlight;
  }

  get threads(): number {
    return this.#threads;
  }

  get maxQueue(): number {
    return this.#maxQueue;
  }

  /**
   * Stops accepting tasks, lets running and queued tasks finish (up to `closeTimeout`, then terminates
   * the workers), and resolves when every thread has exited. `force` rejects queued tasks at once.
   * Idempotent: later calls return the first call's promise.
   */
  close(options: { force?: boolean } = {}): Promise<void> {
    this.#closed ??= this.#pool.close({ force: options.force === true });
    return this.#closed;
  }

  async #run<N extends ScoringTaskName>(name: N, task: ScoringTasks[N], transferList: ArrayBuffer[]): Promise<ScoringTaskResults[N]> {
    if (this.#closed !== undefined) {
      throw new VigilError('VIGIL_ENGINE_STOPPING', `scoring pool is closed; task "${name}" not run`);
    }
    if (this.needsDrain) {
      throw new VigilError('VIGIL_INTERNAL', `scoring pool is full (${this.#inFlight} tasks in flight, threads ${this.#threads} + maxQueue ${this.#maxQueue}); pause until onDrain`, {
        retriable: true,
        details: { reason: 'pool-full', task: name },
      });
    }
    this.#inFlight++;
    if (this.needsDrain) this.#full = true;
    try {
      return (await this.#pool.run(task, { name, transferList })) as ScoringTaskResults[N];
    } catch (cause) {
      throw new VigilError('VIGIL_INTERNAL', `scoring task "${name}" failed: ${describeError(cause)}`, { cause, details: { task: name } });
    } finally {
      this.#inFlight--;
      if (this.#full && !this.needsDrain) {
        this.#full = false;
        // Listeners run outside this task's promise chain: one that throws must not fail the task.
        for (const listener of [...this.#drainListeners]) queueMicrotask(listener);
      }
    }
  }

  #emitError(error: Error): void {
    if (this.#errorListeners.size === 0) throw error;
    for (const listener of [...this.#errorListeners]) listener(error);
  }
}

function optionalParams(params: DetectorParamsById | undefined): { params?: DetectorParamsById } {
  return params === undefined ? {} : { params };
}
