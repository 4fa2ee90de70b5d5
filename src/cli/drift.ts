/** `vigil drift`: offline drift report of a current data file against a reference file. */
import { writeFile } from 'node:fs/promises';
import { VigilError } from '../errors.js';
import { parseColumnSpec, resolveFeatures } from '../drift/columns.js';
import { renderHtml } from '../drift/html.js';
import { readTable } from '../drift/read.js';
import { BINNINGS, buildReport, type Binning } from '../drift/report.js';
import { renderText } from '../drift/text.js';
import { CORRECTIONS, type Correction } from '../../workers/kernels/multitest.js';
import { intFlag, parseFlags } from './args.js';
import type { CommandIo } from './io.js';

export const HELP = `Usage: vigil drift --reference FILE --current FILE [options]

Compares every column of the current file with the reference file and reports, per feature, every
drift statistic with its threshold and verdict. Files are CSV (a header row) or JSON lines (one flat
object per line); the format follows the extension (.csv, .jsonl, .ndjson, .json).

Numeric columns: Kolmogorov-Smirnov, Cramer-von Mises, Wasserstein (normalised), PSI, Jensen-Shannon,
Hellinger. Categorical columns: chi-square, z-test (binary), PSI, Jensen-Shannon, Hellinger.
A feature drifts when KS (numeric) or chi-square (categorical) rejects after the correction.

Options:
  --reference FILE        the reference data (what normal looks like)
  --current FILE          the data to check
  --format FORMAT         text (default), json or html
  --columns SPEC          columns to compare, with optional types: "age:numeric,city:categorical,score"
                          (default: every column of the reference, types inferred from it)
  --binning NAME          reference-quantile (default), fixed-k or sturges-both (Evidently's)
  --bins N                bins for reference-quantile and fixed-k (default 10)
  --correction NAME       bh (Benjamini-Hochberg, default), bonferroni or none, across features
  --alpha A               false-alarm level per statistic (default 0.05)
  --wasserstein-threshold T   threshold of the normalised Wasserstein distance (default 0.1)
  --out FILE              write the report to FILE instead of standard output

Exit codes: 0 no feature drifted, 1 at least one drifted, 2 bad usage or a bad file (the message
names the file, line and column).
`;

const FLAGS = {
  reference: { type: 'string' },
  current: { type: 'string' },
  format: { type: 'string' },
  columns: { type: 'string' },
  binning: { type: 'string' },
  bins: { type: 'string' },
  correction: { type: 'string' },
  alpha: { type: 'string' },
  'wasserstein-threshold': { type: 'string' },
  out: { type: 'string' },
} as const;

function numberFlag(value: unknown, name: string, lowExclusive: number, high: number, fallback: number): number {
  if (value === undefined) return fallback;
  const text = String(value);
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= lowExclusive || n > high) {
    throw new VigilError('VIGIL_USAGE', `--${name} must be a number greater than ${lowExclusive} and at most ${high}, got ${JSON.stringify(text)}`);
  }
  return n;
}

function choice<T extends string>(value: unknown, name: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) throw new VigilError('VIGIL_USAGE', `--${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  return value as T;
}

export async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseFlags(argv, FLAGS, 0, 'drift');
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const referenceFile = values.reference;
  const currentFile = values.current;
  if (typeof referenceFile !== 'string' || typeof currentFile !== 'string') {
    throw new VigilError('VIGIL_USAGE', `--reference FILE and --current FILE are required; see \`vigil drift --help\``);
  }
  const format = choice(values.format, 'format', ['text', 'json', 'html'] as const, 'text');
  const binning = choice<Binning>(values.binning, 'binning', BINNINGS, 'reference-quantile');
  const correction = choice<Correction>(values.correction, 'correction', CORRECTIONS, 'bh');
  const bins = intFlag(values.bins, 'bins', 2, 1024, 10);
  const alpha = numberFlag(values.alpha, 'alpha', 0, 0.5, 0.05);
  const wassersteinThreshold = numberFlag(values['wasserstein-threshold'], 'wasserstein-threshold', 0, 1e6, 0.1);
  const specs = typeof values.columns === 'string' ? parseColumnSpec(values.columns) : undefined;

  const reference = await readTable(referenceFile);
  const current = await readTable(currentFile);
  const features = resolveFeatures(reference, current, specs);
  const report = buildReport({ file: referenceFile, rows: reference.lines.length }, { file: currentFile, rows: current.lines.length }, features, {
    alpha,
    correction,
    binning,
    bins,
    wassersteinThreshold,
  });
  const rendered = format === 'json' ? JSON.stringify(report, null, 2) : format === 'html' ? renderHtml(report) : renderText(report);
  if (typeof values.out === 'string') {
    await writeFile(values.out, rendered.endsWith('\n') ? rendered : `${rendered}\n`);
    io.out(`${report.summary.drifted} of ${report.summary.features} features drifted; report written to ${values.out}`);
  } else {
    io.out(rendered);
  }
  return report.summary.drifted > 0 ? 1 : 0;
}
