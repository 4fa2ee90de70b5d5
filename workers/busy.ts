/**
 * How long the pool's threads spend running tasks, counted by the threads themselves. Piscina's own
 * run time is taken on the calling thread, from posting a task to handling its result: it includes
 * the message latency and however long that thread was busy elsewhere, and read 0.8 for a pool thread
 * that CPU profiles showed idle more than half the time. Here each task adds its own duration, in
 * nanoseconds, to a counter in a SharedArrayBuffer that the pool hands every thread as workerData.
 *
 * A task that calls another task function (scoreBatch → scoreEvents, scoreWindows → scoreWindow) is
 * counted once. Outside a pool thread (the functions called in process) nothing is counted.
 */
import { isMainThread, workerData } from 'node:worker_threads';

/** The workerData of a pool that counts its busy time. */
export interface BusyWorkerData {
  readonly busyNanoseconds: SharedArrayBuffer;
}

/** A counter for a pool's workerData. */
export function busyCounter(): SharedArrayBuffer {
  return new SharedArrayBuffer(BigInt64Array.BYTES_PER_ELEMENT);
}

/** Nanoseconds counted so far in `counter`. */
export function busyNanoseconds(counter: SharedArrayBuffer): number {
  return Number(Atomics.load(new BigInt64Array(counter), 0));
}

function counterOfThisThread(): BigInt64Array | null {
  if (isMainThread) return null;
  const shared = (workerData as Partial<BusyWorkerData> | null | undefined)?.busyNanoseconds;
  return shared instanceof SharedArrayBuffer && shared.byteLength >= BigInt64Array.BYTES_PER_ELEMENT ? new BigInt64Array(shared) : null;
}

const counter = counterOfThisThread();
let depth = 0;

/** Runs a task, adding its duration to the pool's counter (once, however tasks nest). */
export function timed<T>(run: () => T): T {
  if (counter === null || depth > 0) return run();
  depth++;
  const started = process.hrtime.bigint();
  try {
    return run();
  } finally {
    depth--;
    Atomics.add(counter, 0, process.hrtime.bigint() - started);
  }
}
