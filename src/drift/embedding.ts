/**
 * The embedding section: the engine's `embedding-drift` detector (distance of the current file's mean
 * embedding from the reference's, over a threshold learnt by splitting the reference against itself).
 * An embedding is either one column whose cells are JSON arrays of numbers, or a declared group of
 * numeric columns read as one vector per row. Every vector must have the dimension of the reference's
 * first; a bad cell is an error naming the file, line and column.
 */
import type { VectorColumn } from '../contracts/batch.js';
import { EMBEDDING_DEFAULTS } from '../../workers/detectors/drift/embedding.js';
import { embeddingDriftDetector } from '../../workers/detectors/drift/embedding.js';
import { evidenceNumber, untested, type Check } from './checks.js';
import { cellError, cellText, columnIndex, numericCells } from './columns.js';
import { columnsOf, runDetector } from './engine.js';
import type { Table } from './read.js';

const STATISTIC = 'cosine distance between mean embeddings / threshold';

/** Parses one cell holding a JSON array of finite numbers. */
function vectorOf(table: Table, r: number, name: string, text: string): number[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw cellError(table, r, name, `${cellText(text)} is not a JSON array of numbers (the column is an embedding)`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0) throw cellError(table, r, name, `${cellText(text)} is not a non-empty JSON array of numbers (the column is an embedding)`);
  const at = parsed.findIndex((x) => typeof x !== 'number' || !Number.isFinite(x));
  if (at >= 0) throw cellError(table, r, name, `item ${at} of the embedding is ${JSON.stringify(parsed[at]) ?? String(parsed[at])}, not a finite number`);
  return parsed as number[];
}

/**
 * The embedding of every row of `table`: from `names[0]` (JSON arrays) when one column is named, else
 * the row's values of the named columns. `dim` fixes the dimension (the reference's); undefined takes
 * the first vector's.
 */
export function embeddingColumn(table: Table, names: readonly string[], dim?: number): VectorColumn {
  const rows = table.lines.length;
  if (names.length > 1) {
    const columns = names.map((n) => numericCells(table, n));
    const values = new Float32Array(rows * names.length);
    const present = new Uint8Array(rows);
    for (let r = 0; r < rows; r++) {
      let any = false;
      columns.forEach((column, d) => {
        values[r * names.length + d] = column[r]!;
        if (!Number.isNaN(column[r]!)) any = true;
      });
      if (!any) continue;
      const gap = columns.findIndex((column) => Number.isNaN(column[r]!));
      if (gap >= 0) throw cellError(table, r, names[gap]!, `no value, but the row's other embedding columns have one (an embedding needs all ${names.length})`);
      present[r] = 1;
    }
    return { dim: names.length, values, present };
  }
  const name = names[0]!;
  const cells = table.cells[columnIndex(table, name)]!;
  const vectors: (number[] | null)[] = cells.map((text, r) => (text === null || text === undefined ? null : vectorOf(table, r, name, text)));
  const d = dim ?? vectors.find((v) => v !== null)?.length ?? 0;
  const values = new Float32Array(rows * d).fill(NaN);
  const present = new Uint8Array(rows);
  vectors.forEach((v, r) => {
    if (v === null) return;
    if (v.length !== d) throw cellError(table, r, name, `an embedding of ${v.length} numbers; expected ${d} (the dimension of the reference's first embedding)`);
    values.set(v, r * d);
    present[r] = 1;
  });
  return { dim: d, values, present };
}

export function embeddingChecks(reference: Table, current: Table, names: readonly string[], seed: number): Check[] {
  const subject = names.join(', ');
  const threshold = `distance > the ${EMBEDDING_DEFAULTS.quantile} quantile of ${EMBEDDING_DEFAULTS.splits} reference self-splits (score > 1)`;
  const refVectors = embeddingColumn(reference, names);
  if (refVectors.dim === 0) return [untested(embeddingDriftDetector.id, subject, STATISTIC, threshold, `not tested: ${reference.file} has no embedding in ${subject}`)];
  const curVectors = embeddingColumn(current, names, refVectors.dim);
  const ref = columnsOf(reference.lines.length, [], { embedding: refVectors });
  const cur = columnsOf(current.lines.length, [], { embedding: curVectors });
  const [s] = runDetector(embeddingDriftDetector.id, { seed }, ref, cur, []);
  if (s === undefined) return [untested(embeddingDriftDetector.id, subject, STATISTIC, threshold, `not tested: needs at least 4 reference and ${EMBEDDING_DEFAULTS.minRows} current embeddings`)];
  const e = s.evidence;
  return [
    {
      detector: embeddingDriftDetector.id,
      subject,
      statistic: STATISTIC,
      value: s.score,
      threshold,
      drift: e['drift'] === 'true',
      details: { distance: evidenceNumber(e, 'distance'), criticalValue: evidenceNumber(e, 'threshold'), thresholdFrom: e['thresholdFrom']!, dimension: refVectors.dim, referenceRows: evidenceNumber(e, 'referenceRows'), currentRows: evidenceNumber(e, 'windowRows'), seed },
    },
  ];
}
