/**
 * Packs the optional inputs and outputs of one model version's events (categorical features, input
 * embedding, predicted class, class probabilities, LLM trace) into the optional columns of a batch,
 * beside the numeric matrix that groups.ts packs. Nothing is allocated for a column no event carries,
 * so a numeric-only stream pays one branch per field.
 */
import type { CategoricalColumns, ClassProbabilityColumns, CodedColumn, VectorColumn } from '../../src/contracts/batch.js';
import type { LlmTrace } from '../../src/contracts/records.js';
import type { OptionalColumns } from '../detectors/optional.js';

/** The optional fields of a decoded event (FastEvent has them all). */
export interface OptionalFields {
  readonly categorical?: Readonly<Record<string, string>>;
  readonly embedding?: Float32Array | null;
  readonly predictedClass?: string | null;
  readonly classProbabilities?: Readonly<Record<string, number>> | null;
  readonly llm?: LlmTrace | null;
}

class Codes {
  readonly values: string[] = [];
  readonly #index = new Map<string, number>();
  code(value: string): number {
    let code = this.#index.get(value);
    if (code === undefined) {
      code = this.values.length;
      this.#index.set(value, code);
      this.values.push(value);
    }
    return code;
  }
}

/** Rows of (name, value) pairs for a sparse map-valued field, kept as flat lists. */
class SparseRows<V> {
  readonly names = new Codes();
  /** Row of each pair, the name's code, and its value. */
  readonly rows: number[] = [];
  readonly nameCodes: number[] = [];
  readonly values: V[] = [];
  add(row: number, name: string, value: V): void {
    this.rows.push(row);
    this.nameCodes.push(this.names.code(name));
    this.values.push(value);
  }
  get empty(): boolean {
    return this.rows.length === 0;
  }
}

/** A value per row for a field most events lack: nothing until some row has one, then a dense list. */
class RowValues<V> {
  #values: (V | undefined)[] | undefined;

  set(row: number, value: V): void {
    const values = (this.#values ??= []);
    while (values.length < row) values.push(undefined); // dense: no holes, no dictionary elements
    values[row] = value;
  }

  get(row: number): V | undefined {
    return this.#values?.[row];
  }

  /** Whether a row of [start, end) has a value. */
  any(start: number, end: number): boolean {
    const values = this.#values;
    if (values === undefined) return false;
    for (let row = start; row < end && row < values.length; row++) if (values[row] !== undefined) return true;
    return false;
  }
}

export class OptionalPacker {
  #rows = 0;
  readonly #categorical = new SparseRows<string>();
  readonly #probabilities = new SparseRows<number>();
  #embeddingDim = -1;
  /** Row → its embedding (a copy: the decoder's array may be a view of the input). */
  readonly #embeddings = new RowValues<Float32Array>();
  readonly #predicted = new RowValues<string>();
  readonly #llm = new RowValues<LlmTrace>();

  add(event: OptionalFields): void {
    const row = this.#rows++;
    const { categorical, embedding, predictedClass, classProbabilities, llm } = event;
    if (categorical !== undefined) for (const name in categorical) this.#categorical.add(row, name, categorical[name]!);
    if (embedding !== undefined && embedding !== null) {
      if (this.#embeddingDim < 0) this.#embeddingDim = embedding.length;
      // A vector of another dimension than the version's first is not comparable: it stays absent.
      if (embedding.length === this.#embeddingDim) this.#embeddings.set(row, Float32Array.from(embedding));
    }
    if (predictedClass !== undefined && predictedClass !== null) this.#predicted.set(row, predictedClass);
    if (classProbabilities !== undefined && classProbabilities !== null) {
      for (const name in classProbabilities) this.#probabilities.add(row, name, classProbabilities[name]!);
    }
    if (llm !== undefined && llm !== null) this.#llm.set(row, llm);
  }

  /** The optional columns of rows [start, end) (in add order); only those some row carries. */
  build(start: number, end: number): OptionalColumns {
    const n = end - start;
    const out: { -readonly [K in keyof OptionalColumns]: OptionalColumns[K] } = {};
    const categorical = this.#sparse(this.#categorical, start, end);
    if (categorical !== undefined) {
      const dictionaries = categorical.names.map(() => new Codes());
      const codes = new Int32Array(categorical.names.length * n).fill(-1);
      for (const [f, row, value] of categorical.pairs) codes[f * n + row] = dictionaries[f]!.code(value);
      out.categorical = { names: categorical.names, codes, dictionaries: dictionaries.map((d) => d.values) } satisfies CategoricalColumns;
    }
    const probabilities = this.#sparse(this.#probabilities, start, end);
    if (probabilities !== undefined) {
      const values = new Float64Array(probabilities.names.length * n).fill(Number.NaN);
      for (const [c, row, value] of probabilities.pairs) values[c * n + row] = value;
      out.classProbabilities = { classes: probabilities.names, values } satisfies ClassProbabilityColumns;
    }
    if (this.#embeddingDim >= 0 && this.#embeddings.any(start, end)) {
      const dim = this.#embeddingDim;
      const values = new Float32Array(n * dim).fill(Number.NaN);
      const present = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const vector = this.#embeddings.get(start + i);
        if (vector === undefined) continue;
        values.set(vector, i * dim);
        present[i] = 1;
      }
      out.embedding = { dim, values, present } satisfies VectorColumn;
    }
    if (this.#predicted.any(start, end)) {
      const dictionary = new Codes();
      const codes = new Int32Array(n).fill(-1);
      for (let i = 0; i < n; i++) {
        const value = this.#predicted.get(start + i);
        if (value !== undefined) codes[i] = dictionary.code(value);
      }
      out.predicted = { codes, values: dictionary.values } satisfies CodedColumn;
    }
    if (this.#llm.any(start, end)) {
      const llm: (LlmTrace | null)[] = new Array<LlmTrace | null>(n);
      for (let i = 0; i < n; i++) llm[i] = this.#llm.get(start + i) ?? null;
      out.llm = llm;
    }
    return out;
  }

  /** The pairs of rows [start, end) with names renumbered in order of first appearance in the range. */
  #sparse<V>(sparse: SparseRows<V>, start: number, end: number): { names: string[]; pairs: [number, number, V][] } | undefined {
    if (sparse.empty) return undefined;
    const local = new Map<number, number>();
    const names: string[] = [];
    const pairs: [number, number, V][] = [];
    for (let k = 0; k < sparse.rows.length; k++) {
      const row = sparse.rows[k]!;
      if (row < start || row >= end) continue;
      const code = sparse.nameCodes[k]!;
      let f = local.get(code);
      if (f === undefined) {
        f = names.length;
        local.set(code, f);
        names.push(sparse.names.values[code]!);
      }
      pairs.push([f, row - start, sparse.values[k]!]);
    }
    return names.length === 0 ? undefined : { names, pairs };
  }
}
