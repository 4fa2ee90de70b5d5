/** Seeded tables for the drift section tests: CSV text built from columns, parsed as `vigil drift` parses files. */
import type { NumericColumns } from '../../../src/contracts/batch.js';
import { parseTable, type Table } from '../../../src/drift/read.js';
import { gaussian, mulberry32 } from '../workers/helpers.js';

export type Cells = Record<string, readonly (number | string | null)[]>;

/** CSV text of the columns (numbers written in full, so the file holds exactly these doubles). */
export function csvOf(columns: Cells): string {
  const names = Object.keys(columns);
  const rows = columns[names[0]!]!.length;
  const quote = (v: number | string | null): string => (v === null ? '' : typeof v === 'number' ? String(v) : /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = [names.join(',')];
  for (let r = 0; r < rows; r++) lines.push(names.map((n) => quote(columns[n]![r]!)).join(','));
  return `${lines.join('\n')}\n`;
}

export function tableOf(file: string, columns: Cells): Table {
  return parseTable(file, new TextEncoder().encode(csvOf(columns)));
}

/**
 * A seeded data set: x ~ N(shift, 1), y = 0.8 x + noise (correlation `rho` when not broken), z ~ N(0, 1),
 * an embedding around (3, 3, 3, 3) moved by `shift` in its first coordinate, a latency stream whose
 * mean moves by `jump` from row `jumpAt`, a binary classifier's truth, prediction and probability
 * whose labels are flipped with probability `flip`, and a regression target.
 */
export function dataset(seed: number, rows: number, o: { shift?: number; jump?: number; jumpAt?: number; flip?: number; decorrelate?: boolean } = {}): Cells {
  const rng = mulberry32(seed);
  const g = gaussian(rng);
  const cols: Record<string, (number | string | null)[]> = { x: [], y: [], z: [], emb: [], lat: [], err: [], truth: [], pred: [], prob: [], target: [], guess: [] };
  for (let i = 0; i < rows; i++) {
    const x = (o.shift ?? 0) + g();
    const y = o.decorrelate ? g() : 0.8 * x + 0.6 * g();
    cols['x']!.push(x);
    cols['y']!.push(y);
    cols['z']!.push(g());
    cols['emb']!.push(JSON.stringify([3 + (o.shift ?? 0) + 0.5 * g(), 3 + 0.5 * g(), 3 + 0.5 * g(), 3 + 0.5 * g()]));
    cols['lat']!.push(20 + g() + (i >= (o.jumpAt ?? Infinity) ? (o.jump ?? 0) : 0));
    cols['err']!.push(rng() < (i >= (o.jumpAt ?? Infinity) ? 0.4 : 0.05) ? 1 : 0);
    const q = 1 / (1 + Math.exp(-2 * x));
    let yes = rng() < q;
    if (rng() < (o.flip ?? 0)) yes = !yes;
    cols['truth']!.push(yes ? 'yes' : 'no');
    cols['pred']!.push(q >= 0.5 ? 'yes' : 'no');
    cols['prob']!.push(q);
    const target = 2 * x + g() * 0.5;
    cols['target']!.push(target);
    cols['guess']!.push(2 * x + (o.flip ?? 0) * 4 * g());
  }
  return cols;
}

/** The engine's view of numeric columns of `cells`: features in order, row index as the timestamp (file order is time offline). */
export function engineColumns(cells: Cells, names: readonly string[], extra: Partial<NumericColumns> = {}): NumericColumns {
  const count = cells[Object.keys(cells)[0]!]!.length;
  const features = new Float64Array(count * names.length);
  names.forEach((n, f) => cells[n]!.forEach((v, i) => (features[f * count + i] = v === null ? NaN : Number(v))));
  return {
    count,
    featureCount: names.length,
    features,
    scores: new Float64Array(count).fill(NaN),
    latencies: new Float64Array(count),
    statuses: new Uint8Array(count),
    timestamps: Float64Array.from({ length: count }, (_, i) => i),
    ...extra,
  };
}
