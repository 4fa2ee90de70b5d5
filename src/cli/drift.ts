/** `vigil drift`: offline drift report of a current data file against a reference file. */
import { writeFile } from 'node:fs/promises';
import { VigilError } from '../errors.js';
import { parseColumnSpec, resolveFeatures } from '../drift/columns.js';
import { renderHtml } from '../drift/html.js';
import { MULTIVARIATE_METHODS } from '../drift/multivariate.js';
import { TASKS, type PerformanceOptions } from '../drift/performance.js';
import { DEFAULT_LIMITS, readTable } from '../drift/read.js';
import { BINNINGS, buildReport, type Binning } from '../drift/report.js';
import { buildSections } from '../drift/sections.js';
import { ALGORITHMS, type StreamOptions } from '../drift/streams.js';
import { renderText, summaryLine } from '../drift/text.js';
import { CORRECTIONS, type Correction } from '../../workers/kernels/multitest.js';
import { intFlag, parseFlags } from './args.js';
import type { CommandIo } from './io.js';

export const HELP = `Usage: vigil drift --reference FILE --current FILE [options]

Compares every column of the current file with the reference file and reports, per feature, every
drift statistic with its threshold and verdict, then the engine's multivariate, embedding, stream and
performance detectors on the same files. Files are CSV (a header row) or JSON lines (one flat object
per line); the format follows the extension (.csv, .jsonl, .ndjson, .json).

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

Beyond the per-feature tests (the engine's detectors; the reference file is the reference, the
current file one window):
  --multivariate LIST     mmd, pca, "mmd,pca" (the default with two or more numeric columns) or none:
                          MMD (RBF kernel, median heuristic, permutation p <= alpha) and PCA
                          reconstruction error over the numeric columns together
  --embedding COLUMNS     embedding drift of one column of JSON arrays of numbers, or of a group of
                          numeric columns ("e0,e1,e2") read as one vector
  --streams COLUMNS       sequential drift of each numeric column in file order, continuing from the
                          reference's; detections as current-file row indices and lines
  --stream-detectors LIST adwin, page-hinkley, kswin, ddm (0/1 columns), cusum (default: all that apply)
  --label COLUMN --prediction COLUMN   model performance, reference against current
  --probability COLUMN    probability of the positive class (the second class in sorted order):
                          ROC AUC and CBPE-estimated accuracy
  --task TASK             classification (default: accuracy, F1, ROC AUC) or regression (MAE, RMSE)
  --seed N                seed of the MMD permutations, embedding self-splits and KSWIN (default 1)
Columns named by --embedding, --label, --prediction and --probability are left out of the
per-feature tests unless --columns lists them.

Exit codes: 0 nothing drifted, 1 a feature or a section drifted, 2 bad usage or a bad file (the
message names the file, line and column).
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
  multivariate: { type: 'string' },
  embedding: { type: 'string' },
  streams: { type: 'string' },
  'stream-detectors': { type: 'string' },
  label: { type: 'string' },
  prediction: { type: 'string' },
  probability: { type: 'string' },
  task: { type: 'string' },
  seed: { type: 'string' },
} as const;

/** Most rows of each file the MMD kernel matrix takes. */
const MMD_SAMPLE = 1000;

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

/** A comma-separated list flag: non-empty names, no repeats, each in `allowed` when given. */
function listFlag<T extends string>(value: unknown, name: string, allowed?: readonly T[]): T[] | undefined {
  if (value === undefined) return undefined;
  const items = String(value).split(',').map((x) => x.trim());
  for (const item of items) {
    if (item === '') throw new VigilError('VIGIL_USAGE', `--${name}: an empty entry in ${JSON.stringify(value)}`);
    if (allowed !== undefined && !allowed.includes(item as T)) throw new VigilError('VIGIL_USAGE', `--${name} entries must be among ${allowed.join(', ')}, got ${JSON.stringify(item)}`);
  }
  if (new Set(items).size !== items.length) throw new VigilError('VIGIL_USAGE', `--${name}: an entry is listed twice in ${JSON.stringify(value)}`);
  return items as T[];
}

function performanceFlags(values: Record<string, unknown>): PerformanceOptions | undefined {
  const { label, prediction, probability } = values;
  if (label === undefined && prediction === undefined) {
    for (const other of ['probability', 'task']) if (values[other] !== undefined) throw new VigilError('VIGIL_USAGE', `--${other} needs --label COLUMN and --prediction COLUMN`);
    return undefined;
  }
  if (typeof label !== 'string' || typeof prediction !== 'string') throw new VigilError('VIGIL_USAGE', `--label and --prediction go together: ${label === undefined ? '--label' : '--prediction'} is missing`);
  const task = choice(values.task, 'task', TASKS, 'classification');
  if (probability !== undefined && task === 'regression') throw new VigilError('VIGIL_USAGE', '--probability applies to --task classification only');
  return { label, prediction, task, ...(typeof probability === 'string' ? { probability } : {}) };
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
  const seed = intFlag(values.seed, 'seed', 0, 0xffff_ffff, 1);
  const methods = values.multivariate === 'none' ? [] : listFlag(values.multivariate, 'multivariate', MULTIVARIATE_METHODS);
  const embedding = listFlag(values.embedding, 'embedding');
  const streamColumns = listFlag(values.streams, 'streams');
  const algorithms = listFlag(values['stream-detectors'], 'stream-detectors', ALGORITHMS);
  if (algorithms !== undefined && streamColumns === undefined) throw new VigilError('VIGIL_USAGE', '--stream-detectors needs --streams COLUMNS');
  const streams: StreamOptions | undefined = streamColumns === undefined ? undefined : { columns: streamColumns, seed, ...(algorithms === undefined ? {} : { algorithms }) };
  const performance = performanceFlags(values);

  const declared = new Set([...(embedding ?? []), ...(performance === undefined ? [] : [performance.label, performance.prediction, performance.probability ?? ''])]);
  const arrayColumns = new Set(embedding?.length === 1 ? embedding : []);
  const reference = await readTable(referenceFile, DEFAULT_LIMITS, arrayColumns);
  const current = await readTable(currentFile, DEFAULT_LIMITS, arrayColumns);
  const features = resolveFeatures(reference, current, specs, declared);
  const numeric = features.filter((f) => f.type === 'numeric').map((f) => f.name);
  if (methods !== undefined && methods.length > 0 && numeric.length < 2) {
    throw new VigilError('VIGIL_INPUT_INVALID', `--multivariate needs at least two numeric columns; ${referenceFile} has ${numeric.length} among those compared`, { details: { file: referenceFile } });
  }
  const sections = buildSections(reference, current, {
    multivariate: { columns: numeric, methods: methods ?? MULTIVARIATE_METHODS, alpha, seed, mmdSample: MMD_SAMPLE },
    seed,
    ...(embedding === undefined ? {} : { embedding }),
    ...(streams === undefined ? {} : { streams }),
    ...(performance === undefined ? {} : { performance }),
  });
  const report = buildReport({ file: referenceFile, rows: reference.lines.length }, { file: currentFile, rows: current.lines.length }, features, { alpha, correction, binning, bins, wassersteinThreshold }, sections);
  const rendered = format === 'json' ? JSON.stringify(report, null, 2) : format === 'html' ? renderHtml(report) : renderText(report);
  if (typeof values.out === 'string') {
    await writeFile(values.out, rendered.endsWith('\n') ? rendered : `${rendered}\n`);
    io.out(`${summaryLine(report)}; report written to ${values.out}`);
  } else {
    io.out(rendered);
  }
  return report.summary.drifted > 0 || report.summary.driftedSections.length > 0 ? 1 : 0;
}
