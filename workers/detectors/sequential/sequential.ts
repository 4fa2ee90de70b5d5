/**
 * The shape every sequential (one value at a time) drift detector shares, in the style of River:
 * `update(x)` feeds one value, then `driftDetected` (and `warningDetected` where the algorithm has a
 * warning zone) say what the last update found. A detector that signalled a drift starts afresh on
 * its next update, as River's do.
 *
 * State is plain Float64Array sections (`snapshot()`), so it can sit in the state changelog with the
 * shared summary layout (../summary.ts), and `restore` gives back a detector that continues exactly
 * where the snapshot was taken: the same future detections, bit for bit.
 */
export type StateSections = Record<string, Float64Array>;

export interface SequentialDetector {
  /** Algorithm name (adwin, page-hinkley, kswin, ddm, cusum). */
  readonly algorithm: string;
  /** Feeds one value. Non-finite values are the caller's to filter out. */
  update(x: number): void;
  /**
   * Feeds `values[start, end)` in order, exactly as that many `update` calls would, and calls
   * `onDrift(i)` for each index at which a drift is signalled. Where an algorithm has it, this is the
   * fast path (its state kept in locals for the loop).
   */
  updateMany?(values: ArrayLike<number>, start: number, end: number, onDrift?: (index: number) => void): void;
  /** Whether the last update signalled a drift. */
  readonly driftDetected: boolean;
  /** Whether the last update is in the warning zone (false for algorithms without one). */
  readonly warningDetected: boolean;
  /** Updates seen since creation (or since the restored snapshot's creation), drifts included. */
  readonly updates: number;
  /** The full state, copied; `restore` of it continues identically. */
  snapshot(): StateSections;
}

/** Reads a required state section of an exact length, or throws a RangeError naming it. */
export function section(where: string, state: StateSections, name: string, length?: number): Float64Array {
  const s = state[name];
  if (!(s instanceof Float64Array)) throw new RangeError(`${where}: state has no section "${name}"`);
  if (length !== undefined && s.length !== length) throw new RangeError(`${where}: state section "${name}" has ${s.length} values, expected ${length}`);
  return s;
}

/** A state value that must be a non-negative integer (counts, indices), checked. */
export function count(where: string, name: string, value: number | undefined, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined || !Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${where}: state value "${name}" must be an integer from 0 to ${max}, got ${String(value)}`);
  }
  return value;
}

/** A state flag stored as 0 or 1. */
export function flag(where: string, name: string, value: number | undefined): boolean {
  if (value !== 0 && value !== 1) throw new RangeError(`${where}: state flag "${name}" must be 0 or 1, got ${String(value)}`);
  return value === 1;
}
