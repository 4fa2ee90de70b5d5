/**
 * Column types for `vigil drift`: declared with `--columns name[:numeric|categorical],...` or
 * inferred from the reference file (numeric when every present value is a number; categorical
 * otherwise), then both files are checked against them: a missing column, or a value of a numeric
 * column that is not a finite number, is an error naming the file, line, column and value.
 */
import { VigilError } from '../errors.js';
import type { Table } from './read.js';

export type ColumnType = 'numeric' | 'categorical';

export interface ColumnSpec {
  readonly name: string;
  /** Declared type; undefined means inferred. */
  readonly type?: ColumnType;
}

const NUMBER = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/** Parses `--columns`: comma-separated names, each optionally `:numeric` or `:categorical`. */
export function parseColumnSpec(spec: string): ColumnSpec[] {
  const out: ColumnSpec[] = [];
  const seen = new Set<string>();
  for (const part of spec.split(',')) {
    const item = part.trim();
    if (item === '') throw new VigilError('VIGIL_USAGE', `--columns: an empty entry in ${JSON.stringify(spec)}`);
    const colon = item.lastIndexOf(':');
    let name = item;
    let type: ColumnType | undefined;
    if (colon > 0) {
      const t = item.slice(colon + 1).trim();
      if (t !== 'numeric' && t !== 'categorical') throw new VigilError('VIGIL_USAGE', `--columns: type of ${JSON.stringify(item.slice(0, colon))} must be numeric or categorical, got ${JSON.stringify(t)}`);
      name = item.slice(0, colon).trim();
      type = t;
    }
    if (seen.has(name)) throw new VigilError('VIGIL_USAGE', `--columns: ${JSON.stringify(name)} is listed twice`);
    seen.add(name);
    out.push(type === undefined ? { name } : { name, type });
  }
  return out;
}

export interface Feature {
  readonly name: string;
  readonly type: ColumnType;
  readonly declared: boolean;
  /** Numeric features: the present values of each side. */
  readonly reference?: Float64Array;
  readonly current?: Float64Array;
  /** Categorical features: the present values of each side. */
  readonly referenceCategories?: readonly string[];
  readonly currentCategories?: readonly string[];
  readonly referenceMissing: number;
  readonly currentMissing: number;
}

function isNumberCell(table: Table, c: number, r: number, text: string): boolean {
  if (table.numericCells) return table.numericCells[c]![r] === 1;
  return NUMBER.test(text) && Number.isFinite(Number(text));
}

function inferType(table: Table, c: number): ColumnType {
  let any = false;
  const column = table.cells[c]!;
  for (let r = 0; r < column.length; r++) {
    const v = column[r];
    if (v === null || v === undefined) continue;
    any = true;
    if (!isNumberCell(table, c, r, v)) return 'categorical';
  }
  return any ? 'numeric' : 'categorical';
}

/** The text of a cell for a message: quoted, cut at 60 characters. */
export function cellText(v: string): string {
  return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
}

/** A bad cell: VIGIL_INPUT_INVALID naming the file, line and column. */
export function cellError(table: Table, r: number, name: string, why: string): VigilError {
  return new VigilError('VIGIL_INPUT_INVALID', `${table.file}: line ${table.lines[r]}, column ${JSON.stringify(name)}: ${why}`, {
    details: { file: table.file, line: table.lines[r]!, column: name },
  });
}

/** The index of column `name` in `table`, or an error naming the file and listing its columns. */
export function columnIndex(table: Table, name: string): number {
  const index = table.columns.indexOf(name);
  if (index < 0) {
    throw new VigilError('VIGIL_INPUT_INVALID', `${table.file}: no column ${JSON.stringify(name)} (columns: ${table.columns.slice(0, 20).map((n) => JSON.stringify(n)).join(', ')}${table.columns.length > 20 ? ', …' : ''})`, {
      details: { file: table.file, column: name },
    });
  }
  return index;
}

/** Column `name` of a numeric column in row order, NaN where absent; a cell that is not a finite number is an error. */
export function numericCells(table: Table, name: string, c: number = columnIndex(table, name)): Float64Array {
  const column = table.cells[c]!;
  const values = new Float64Array(column.length);
  for (let r = 0; r < column.length; r++) {
    const v = column[r];
    if (v === null || v === undefined) values[r] = NaN;
    else if (!isNumberCell(table, c, r, v)) throw cellError(table, r, name, `${cellText(v)} is not a number (the column is numeric)`);
    else values[r] = Number(v);
  }
  return values;
}

function extractNumeric(table: Table, c: number, name: string): { values: Float64Array; missing: number } {
  const all = numericCells(table, name, c);
  const values = all.filter((v) => !Number.isNaN(v)).sort();
  return { values, missing: all.length - values.length };
}

function extractCategorical(table: Table, c: number): { values: string[]; missing: number } {
  const values: string[] = [];
  let missing = 0;
  for (const v of table.cells[c]!) {
    if (v === null || v === undefined) missing++;
    else values.push(v);
  }
  return { values, missing };
}

/**
 * The features to compare: the listed columns (all must be in both files), or every column of the
 * reference (each must be in the current file too) but those in `exclude` (embedding, label,
 * prediction and probability columns). Types as declared, else inferred from the reference.
 */
export function resolveFeatures(reference: Table, current: Table, specs: readonly ColumnSpec[] | undefined, exclude: ReadonlySet<string> = new Set()): Feature[] {
  const wanted: readonly ColumnSpec[] = specs ?? reference.columns.filter((name) => !exclude.has(name)).map((name) => ({ name }));
  const features: Feature[] = [];
  for (const spec of wanted) {
    const rc = columnIndex(reference, spec.name);
    const cc = columnIndex(current, spec.name);
    const type = spec.type ?? inferType(reference, rc);
    if (type === 'numeric') {
      const r = extractNumeric(reference, rc, spec.name);
      const c = extractNumeric(current, cc, spec.name);
      features.push({ name: spec.name, type, declared: spec.type !== undefined, reference: r.values, current: c.values, referenceMissing: r.missing, currentMissing: c.missing });
    } else {
      const r = extractCategorical(reference, rc);
      const c = extractCategorical(current, cc);
      features.push({ name: spec.name, type, declared: spec.type !== undefined, referenceCategories: r.values, currentCategories: c.values, referenceMissing: r.missing, currentMissing: c.missing });
    }
  }
  if (features.length === 0) throw new VigilError('VIGIL_INPUT_INVALID', `${reference.file}: no columns to compare`, { details: { file: reference.file } });
  return features;
}
