/**
 * Columns of few distinct strings (principals, endpoints, environment hashes) as they cross from a pool
 * thread to the main thread: each distinct value once and, per row, the index of its value in a
 * Uint32Array (transferred). Structured cloning an array of strings deserialises every string on the
 * main thread; this form deserialises the few distinct ones, and expanding it fills the rows with
 * those same strings (no string per row).
 */

export interface DictionaryColumn<T extends string | null> {
  /** Each distinct value once, in order of first appearance. */
  readonly values: T[];
  /** Per row, the index of its value in `values`. */
  readonly codes: Uint32Array;
}

/** Encodes `column[start .. end)`. */
export function encodeDictionary<T extends string | null>(column: readonly T[], start = 0, end = column.length): DictionaryColumn<T> {
  const codes = new Uint32Array(end - start);
  const values: T[] = [];
  const index = new Map<T, number>();
  let last: T | undefined;
  let lastCode = -1;
  for (let row = start; row < end; row++) {
    const value = column[row]!;
    if (value !== last || lastCode < 0) {
      let code = index.get(value);
      if (code === undefined) {
        code = values.length;
        values.push(value);
        index.set(value, code);
      }
      last = value;
      lastCode = code;
    }
    codes[row - start] = lastCode;
  }
  return { values, codes };
}

/**
 * The rows of `column` (those listed in `keep`, in that order, when given) as an array. An index
 * outside the values (a column not made by encodeDictionary) is an error naming the column and row.
 */
export function expandDictionary<T extends string | null>(column: DictionaryColumn<T>, name: string, keep?: readonly number[]): T[] {
  const { values, codes } = column;
  const n = keep === undefined ? codes.length : keep.length;
  const out = new Array<T>(n);
  for (let k = 0; k < n; k++) {
    const row = keep === undefined ? k : keep[k]!;
    const code = codes[row];
    if (code === undefined || code >= values.length) throw new RangeError(`${name} column: row ${row} has value index ${code} of ${values.length} values`);
    out[k] = values[code] as T;
  }
  return out;
}
