/**
 * The optional columns of a batch (categorical, embedding, predicted class, class probabilities,
 * joined labels, LLM traces): selecting rows, joining batches, shape checks and transfer lists. Pure
 * functions over plain data, shared by the pool threads (slicing a batch per window) and the main
 * thread (dropping duplicate rows, collecting a reference).
 */
import type { CategoricalColumns, ClassProbabilityColumns, CodedColumn, LabelColumns, NumericColumns, VectorColumn } from '../../src/contracts/batch.js';
import type { LlmTrace } from '../../src/contracts/records.js';

export type OptionalColumns = Pick<NumericColumns, 'categorical' | 'embedding' | 'predicted' | 'classProbabilities' | 'labels' | 'llm'>;

/** Only the optional columns present in `columns` (no undefined keys, so spreading it adds nothing else). */
export function optionalOf(columns: OptionalColumns): OptionalColumns {
  const out: { -readonly [K in keyof OptionalColumns]: OptionalColumns[K] } = {};
  if (columns.categorical !== undefined) out.categorical = columns.categorical;
  if (columns.embedding !== undefined) out.embedding = columns.embedding;
  if (columns.predicted !== undefined) out.predicted = columns.predicted;
  if (columns.classProbabilities !== undefined) out.classProbabilities = columns.classProbabilities;
  if (columns.labels !== undefined) out.labels = columns.labels;
  if (columns.llm !== undefined) out.llm = columns.llm;
  return out;
}

function pickCoded(column: CodedColumn, rows: ArrayLike<number>): CodedColumn {
  const codes = new Int32Array(rows.length);
  for (let k = 0; k < rows.length; k++) codes[k] = column.codes[rows[k]!]!;
  return { codes, values: column.values };
}

/** Rows `rows` (indices into a batch of `count` rows, any order) of the optional columns present. */
export function pickOptional(src: OptionalColumns, count: number, rows: ArrayLike<number>): OptionalColumns {
  const n = rows.length;
  const out: { -readonly [K in keyof OptionalColumns]: OptionalColumns[K] } = {};
  if (src.categorical !== undefined) {
    const { names, dictionaries } = src.categorical;
    const codes = new Int32Array(names.length * n);
    for (let f = 0; f < names.length; f++) for (let k = 0; k < n; k++) codes[f * n + k] = src.categorical.codes[f * count + rows[k]!]!;
    out.categorical = { names, codes, dictionaries };
  }
  if (src.embedding !== undefined) {
    const { dim } = src.embedding;
    const values = new Float32Array(n * dim);
    const present = new Uint8Array(n);
    for (let k = 0; k < n; k++) {
      const r = rows[k]!;
      values.set(src.embedding.values.subarray(r * dim, (r + 1) * dim), k * dim);
      present[k] = src.embedding.present[r]!;
    }
    out.embedding = { dim, values, present };
  }
  if (src.predicted !== undefined) out.predicted = pickCoded(src.predicted, rows);
  if (src.classProbabilities !== undefined) {
    const { classes } = src.classProbabilities;
    const values = new Float64Array(classes.length * n);
    for (let c = 0; c < classes.length; c++) for (let k = 0; k < n; k++) values[c * n + k] = src.classProbabilities.values[c * count + rows[k]!]!;
    out.classProbabilities = { classes, values };
  }
  if (src.labels !== undefined) {
    const numeric = new Float64Array(n);
    for (let k = 0; k < n; k++) numeric[k] = src.labels.numeric[rows[k]!]!;
    out.labels = { numeric, classes: pickCoded(src.labels.classes, rows) };
  }
  if (src.llm !== undefined) {
    const llm: (LlmTrace | null)[] = new Array<LlmTrace | null>(n);
    for (let k = 0; k < n; k++) llm[k] = src.llm[rows[k]!] ?? null;
    out.llm = llm;
  }
  return out;
}

/** Rows `[start, end)`. */
export function sliceOptional(src: OptionalColumns, count: number, start: number, end: number): OptionalColumns {
  const rows = new Int32Array(end - start);
  for (let k = 0; k < rows.length; k++) rows[k] = start + k;
  return pickOptional(src, count, rows);
}

/** A dictionary that only grows, string → code. */
class Dictionary {
  readonly values: string[] = [];
  readonly #codes = new Map<string, number>();
  code(value: string): number {
    let code = this.#codes.get(value);
    if (code === undefined) {
      code = this.values.length;
      this.#codes.set(value, code);
      this.values.push(value);
    }
    return code;
  }
}

/** Several batches' coded columns as one, over the union of their dictionaries; absent parts code -1. */
function concatCoded(parts: readonly { readonly column: CodedColumn | undefined; readonly count: number }[]): CodedColumn {
  const dictionary = new Dictionary();
  const total = parts.reduce((n, p) => n + p.count, 0);
  const codes = new Int32Array(total).fill(-1);
  let at = 0;
  for (const { column, count } of parts) {
    if (column !== undefined) {
      const remap = column.values.map((v) => dictionary.code(v));
      for (let i = 0; i < count; i++) {
        const c = column.codes[i]!;
        if (c >= 0) codes[at + i] = remap[c]!;
      }
    }
    at += count;
  }
  return { codes, values: dictionary.values };
}

/**
 * Batches' optional columns, one after the other, as one set of columns: dictionaries and category,
 * class and feature names are unioned (in order of first appearance); rows of a batch that lacks a
 * column are absent in it; embeddings whose dimension differs from the first batch's are absent.
 */
export function concatOptional(parts: readonly { readonly columns: OptionalColumns; readonly count: number }[]): OptionalColumns {
  const total = parts.reduce((n, p) => n + p.count, 0);
  const out: { -readonly [K in keyof OptionalColumns]: OptionalColumns[K] } = {};
  if (parts.some((p) => p.columns.categorical !== undefined)) out.categorical = concatCategorical(parts, total);
  const firstEmbedding = parts.find((p) => p.columns.embedding !== undefined)?.columns.embedding;
  if (firstEmbedding !== undefined) {
    const { dim } = firstEmbedding;
    const values = new Float32Array(total * dim).fill(Number.NaN);
    const present = new Uint8Array(total);
    let at = 0;
    for (const { columns, count } of parts) {
      const e = columns.embedding;
      if (e !== undefined && e.dim === dim) {
        values.set(e.values.subarray(0, count * dim), at * dim);
        present.set(e.present.subarray(0, count), at);
      }
      at += count;
    }
    out.embedding = { dim, values, present };
  }
  if (parts.some((p) => p.columns.predicted !== undefined)) out.predicted = concatCoded(parts.map((p) => ({ column: p.columns.predicted, count: p.count })));
  if (parts.some((p) => p.columns.classProbabilities !== undefined)) out.classProbabilities = concatProbabilities(parts, total);
  if (parts.some((p) => p.columns.labels !== undefined)) {
    const numeric = new Float64Array(total).fill(Number.NaN);
    let at = 0;
    for (const { columns, count } of parts) {
      if (columns.labels !== undefined) numeric.set(columns.labels.numeric.subarray(0, count), at);
      at += count;
    }
    out.labels = { numeric, classes: concatCoded(parts.map((p) => ({ column: p.columns.labels?.classes, count: p.count }))) };
  }
  if (parts.some((p) => p.columns.llm !== undefined)) {
    const llm: (LlmTrace | null)[] = [];
    for (const { columns, count } of parts) for (let i = 0; i < count; i++) llm.push(columns.llm?.[i] ?? null);
    out.llm = llm;
  }
  return out;
}

function concatCategorical(parts: readonly { readonly columns: OptionalColumns; readonly count: number }[], total: number): CategoricalColumns {
  const names: string[] = [];
  const featureOf = new Map<string, number>();
  const dictionaries: Dictionary[] = [];
  for (const { columns } of parts) {
    for (const name of columns.categorical?.names ?? []) {
      if (!featureOf.has(name)) {
        featureOf.set(name, names.length);
        names.push(name);
        dictionaries.push(new Dictionary());
      }
    }
  }
  const codes = new Int32Array(names.length * total).fill(-1);
  let at = 0;
  for (const { columns, count } of parts) {
    const c = columns.categorical;
    if (c !== undefined) {
      c.names.forEach((name, local) => {
        const f = featureOf.get(name)!;
        const remap = c.dictionaries[local]!.map((v) => dictionaries[f]!.code(v));
        for (let i = 0; i < count; i++) {
          const code = c.codes[local * count + i]!;
          if (code >= 0) codes[f * total + at + i] = remap[code]!;
        }
      });
    }
    at += count;
  }
  return { names, codes, dictionaries: dictionaries.map((d) => d.values) };
}

function concatProbabilities(parts: readonly { readonly columns: OptionalColumns; readonly count: number }[], total: number): ClassProbabilityColumns {
  const classes: string[] = [];
  const classOf = new Map<string, number>();
  for (const { columns } of parts) {
    for (const name of columns.classProbabilities?.classes ?? []) {
      if (!classOf.has(name)) {
        classOf.set(name, classes.length);
        classes.push(name);
      }
    }
  }
  const values = new Float64Array(classes.length * total).fill(Number.NaN);
  let at = 0;
  for (const { columns, count } of parts) {
    const p = columns.classProbabilities;
    if (p !== undefined) {
      p.classes.forEach((name, local) => {
        values.set(p.values.subarray(local * count, (local + 1) * count), classOf.get(name)! * total + at);
      });
    }
    at += count;
  }
  return { classes, values };
}

/** The transferable buffers of the optional columns present. */
export function optionalBuffers(columns: OptionalColumns): ArrayBuffer[] {
  const arrays: ArrayBufferView[] = [];
  if (columns.categorical) arrays.push(columns.categorical.codes);
  if (columns.embedding) arrays.push(columns.embedding.values, columns.embedding.present);
  if (columns.predicted) arrays.push(columns.predicted.codes);
  if (columns.classProbabilities) arrays.push(columns.classProbabilities.values);
  if (columns.labels) arrays.push(columns.labels.numeric, columns.labels.classes.codes);
  return arrays.map((a) => a.buffer).filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
}

/**
 * O(columns) shape check of the optional columns of a batch of `count` rows (lengths, types and code
 * ranges are left to the detectors that read them: a code outside its dictionary reads as absent).
 */
export function assertOptional(columns: OptionalColumns, count: number, where: string): void {
  const fail = (why: string): never => {
    throw new RangeError(`${where}: ${why}`);
  };
  const coded = (name: string, column: CodedColumn): void => {
    if (!(column.codes instanceof Int32Array) || column.codes.length !== count) fail(`${name}.codes must be an Int32Array of ${count} codes`);
    if (!Array.isArray(column.values)) fail(`${name}.values must be an array of strings`);
  };
  const c = columns.categorical;
  if (c !== undefined) {
    if (!Array.isArray(c.names) || !Array.isArray(c.dictionaries) || c.dictionaries.length !== c.names.length) fail('categorical needs one dictionary per name');
    if (!(c.codes instanceof Int32Array) || c.codes.length !== c.names.length * count) fail(`categorical.codes must be an Int32Array of ${c.names.length} x ${count} codes`);
  }
  const e: VectorColumn | undefined = columns.embedding;
  if (e !== undefined) {
    if (!Number.isSafeInteger(e.dim) || e.dim < 0) fail('embedding.dim must be a non-negative integer');
    if (!(e.values instanceof Float32Array) || e.values.length !== e.dim * count) fail(`embedding.values must be a Float32Array of ${count} x ${e.dim} values`);
    if (!(e.present instanceof Uint8Array) || e.present.length !== count) fail(`embedding.present must be a Uint8Array of ${count} flags`);
  }
  if (columns.predicted !== undefined) coded('predicted', columns.predicted);
  const p = columns.classProbabilities;
  if (p !== undefined) {
    if (!Array.isArray(p.classes)) fail('classProbabilities.classes must be an array');
    if (!(p.values instanceof Float64Array) || p.values.length !== p.classes.length * count) fail(`classProbabilities.values must be a Float64Array of ${p.classes.length} x ${count} values`);
  }
  const l: LabelColumns | undefined = columns.labels;
  if (l !== undefined) {
    if (!(l.numeric instanceof Float64Array) || l.numeric.length !== count) fail(`labels.numeric must be a Float64Array of ${count} values`);
    coded('labels.classes', l.classes);
  }
  if (columns.llm !== undefined && (!Array.isArray(columns.llm) || columns.llm.length !== count)) fail(`llm must be an array of ${count} traces or nulls`);
}
