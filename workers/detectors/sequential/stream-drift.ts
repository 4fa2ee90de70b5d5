/**
 * Window detectors that run a sequential algorithm (adwin, page-hinkley, kswin, ddm, cusum) over one
 * model-level stream of a window, in event order: `stream-score` (the model's `score`),
 * `stream-latency` (`latencyMs`) and `stream-errors` (1 where status != OK, else 0).
 *
 * Why the summary is the window's values, not a detector state: a sequential detector's state after
 * two batches cannot be built from the states after each, so states do not merge. The ordered values
 * do (merge = concatenation, associative, empty = no values). To bound a window's size, only the
 * newest `maxValues` values are kept (a suffix of a concatenation is associative too) and the older
 * ones are counted in `dropped`.
 *
 * At `score` time the algorithm starts from the state it reached on the reference stream
 * (`prepareReference` feeds the reference batch's column in row order and stores the snapshot as
 * Float64Array sections in `reference.detectorData`) and then reads the window. So every window is
 * tested as a continuation of the reference: its result depends on the reference and that window
 * only, never on earlier windows or on how the engine split batches, and a replay gives the same
 * alerts. Without prepared reference data the algorithm starts fresh on the window.
 *
 * Standardised (parameter `standardize`, on by default for the score and latency streams): values are
 * read as (value − mean) / sd of the reference stream, so an algorithm's scale-bound parameters
 * (Page–Hinkley's delta and threshold, CUSUM's drift and h, ADWIN's range term) mean the same in
 * milliseconds as in probabilities: units of the reference's standard deviation. The error stream is
 * 0/1 and read as it is. Without prepared reference data nothing is standardised.
 *
 * Score: the number of drift signals in the window (0 = none; each signal restarts the algorithm, as
 * in River). Evidence names the algorithm, the window position of the first and last signal, the
 * warnings (DDM), the values read and dropped.
 */
import type { NumericColumns } from '../../../src/contracts/batch.js';
import type { ReferenceProfile } from '../reference.js';
import { decodeSections, encodeSections } from '../summary.js';
import type { DetectorParams, DetectorScore, Summary, WindowDetector } from '../types.js';
import { ALGORITHMS, createSequential, parseAlgorithmParams, restoreSequential } from './algorithms.js';
import type { AlgorithmParams } from './algorithms.js';

export type StreamSummary = { readonly values: Float64Array; readonly dropped: Float64Array };

export type StreamParams = DetectorParams & { readonly algorithm: string; readonly maxValues: number; readonly standardize: boolean };

type Stream = 'score' | 'latency' | 'errors';

const SECTIONS = ['values', 'dropped'] as const;
export const DEFAULT_MAX_VALUES = 100_000;
const MAX_MAX_VALUES = 10_000_000;

/** The stream's value at row i, or NaN when the row has none. */
function valueAt(stream: Stream, columns: NumericColumns, i: number): number {
  if (stream === 'score') return columns.scores[i]!;
  if (stream === 'latency') return columns.latencies[i]!;
  return columns.statuses[i] === 0 ? 0 : 1;
}

/** The section of the prepared reference data that holds the stream's mean and sd (0 and 1: as is). */
const SCALE_SECTION = 'scale';

/**
 * Mean and sample standard deviation of the finite values among `at(0 .. n - 1)`: how a stream is
 * standardised (the engine's detectors and `vigil drift` alike). 0 and 1 (as is) with fewer than two
 * values or no spread.
 */
export function streamScale(n: number, at: (i: number) => number): { mean: number; sd: number } {
  let count = 0;
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < n; i++) {
    const v = at(i);
    if (!Number.isFinite(v)) continue;
    count++;
    const d = v - mean;
    mean += d / count;
    m2 += d * (v - mean);
  }
  const sd = count >= 2 ? Math.sqrt(m2 / (count - 1)) : 0;
  return sd > 0 && Number.isFinite(sd) ? { mean, sd } : { mean: 0, sd: 1 };
}

function concatSuffix(a: Float64Array, b: Float64Array, keep: number): { values: Float64Array; cut: number } {
  const total = a.length + b.length;
  const cut = Math.max(0, total - keep);
  const values = new Float64Array(total - cut);
  if (cut < a.length) {
    values.set(a.subarray(cut));
    values.set(b, a.length - cut);
  } else {
    values.set(b.subarray(cut - a.length));
  }
  return { values, cut };
}

function makeStreamDetector(id: string, stream: Stream, defaultAlgorithm: string, description: string): WindowDetector<StreamSummary, StreamParams> {
  const algorithmParams = (params: StreamParams): AlgorithmParams => {
    const { algorithm: _a, maxValues: _m, standardize: _s, ...rest } = params;
    return rest as unknown as AlgorithmParams;
  };

  function parseParams(raw: Readonly<Record<string, unknown>> | undefined): StreamParams {
    const { algorithm = defaultAlgorithm, maxValues = DEFAULT_MAX_VALUES, standardize = stream !== 'errors', ...rest } = raw ?? {};
    if (typeof algorithm !== 'string' || !(ALGORITHMS as readonly string[]).includes(algorithm)) {
      throw new RangeError(`${id}: parameter "algorithm" must be one of ${ALGORITHMS.join(', ')}, got ${JSON.stringify(algorithm) ?? String(algorithm)}`);
    }
    if (algorithm === 'ddm' && stream !== 'errors') throw new RangeError(`${id}: parameter "algorithm" "ddm" needs a 0/1 stream; use it with stream-errors`);
    if (typeof maxValues !== 'number' || !Number.isInteger(maxValues) || maxValues < 1 || maxValues > MAX_MAX_VALUES) {
      throw new RangeError(`${id}: parameter "maxValues" must be an integer from 1 to ${MAX_MAX_VALUES}, got ${JSON.stringify(maxValues) ?? String(maxValues)}`);
    }
    if (typeof standardize !== 'boolean') throw new RangeError(`${id}: parameter "standardize" must be true or false, got ${JSON.stringify(standardize) ?? String(standardize)}`);
    if (standardize && stream === 'errors') throw new RangeError(`${id}: parameter "standardize" must be false: the error stream is read as 0/1`);
    const inner = parseAlgorithmParams(algorithm, rest, `${id} (${algorithm})`);
    return Object.freeze({ ...inner, algorithm, maxValues, standardize }) as StreamParams;
  }

  function empty(_reference: ReferenceProfile, params: StreamParams): StreamSummary {
    return { values: new Float64Array(0), dropped: Float64Array.of(0, params.maxValues) };
  }

  function summarize(columns: NumericColumns, _reference: ReferenceProfile, params: StreamParams): StreamSummary {
    let n = 0;
    for (let i = 0; i < columns.count; i++) if (Number.isFinite(valueAt(stream, columns, i))) n++;
    const keep = Math.min(n, params.maxValues);
    const values = new Float64Array(keep);
    let skip = n - keep;
    let at = 0;
    for (let i = 0; i < columns.count; i++) {
      const v = valueAt(stream, columns, i);
      if (!Number.isFinite(v)) continue;
      if (skip > 0) skip--;
      else values[at++] = v;
    }
    return { values, dropped: Float64Array.of(n - keep, params.maxValues) };
  }

  function merge(a: StreamSummary, b: StreamSummary): StreamSummary {
    const keep = a.dropped[1]!;
    if (keep !== b.dropped[1]) throw new RangeError(`${id}: cannot merge summaries of different maxValues (${keep} vs ${b.dropped[1]})`);
    const { values, cut } = concatSuffix(a.values, b.values, keep);
    return { values, dropped: Float64Array.of(a.dropped[0]! + b.dropped[0]! + cut, keep) };
  }

  function prepareReference(columns: NumericColumns, _reference: ReferenceProfile, params: StreamParams): Summary {
    const detector = createSequential(params.algorithm, algorithmParams(params));
    const { mean, sd } = params.standardize ? streamScale(columns.count, (i) => valueAt(stream, columns, i)) : { mean: 0, sd: 1 };
    for (let i = 0; i < columns.count; i++) {
      const v = valueAt(stream, columns, i);
      if (Number.isFinite(v)) detector.update((v - mean) / sd);
    }
    return { ...detector.snapshot(), [SCALE_SECTION]: Float64Array.of(mean, sd) };
  }

  function score(summary: StreamSummary, reference: ReferenceProfile, params: StreamParams): DetectorScore[] {
    const { values } = summary;
    if (values.length === 0) return [];
    const prepared = reference.detectorData?.[id];
    const inner = algorithmParams(params);
    const detector = prepared === undefined ? createSequential(params.algorithm, inner) : restoreSequential(params.algorithm, inner, prepared);
    const scale = prepared?.[SCALE_SECTION];
    const mean = scale?.length === 2 ? scale[0]! : 0;
    const sd = scale?.length === 2 && scale[1]! > 0 ? scale[1]! : 1;
    let drifts = 0;
    let warnings = 0;
    let first = -1;
    let last = -1;
    for (let i = 0; i < values.length; i++) {
      detector.update((values[i]! - mean) / sd);
      if (detector.driftDetected) {
        drifts++;
        if (first < 0) first = i;
        last = i;
      }
      if (detector.warningDetected) warnings++;
    }
    return [
      {
        detector: id,
        feature: null,
        score: drifts,
        evidence: {
          stream,
          algorithm: params.algorithm,
          drifts: String(drifts),
          firstDriftAt: String(first),
          lastDriftAt: String(last),
          warnings: String(warnings),
          values: String(values.length),
          dropped: String(summary.dropped[0]),
          start: prepared === undefined ? 'fresh' : `after reference ${reference.id}`,
          standardized: mean === 0 && sd === 1 ? 'no' : `(value - ${mean}) / ${sd}`,
        },
      },
    ];
  }

  function decode(bytes: Uint8Array): StreamSummary {
    const { values, dropped } = decodeSections(id, 1, SECTIONS, bytes) as StreamSummary;
    if (dropped.length !== 2) throw new RangeError(`${id}: invalid summary bytes (section "dropped" has ${dropped.length} values, expected 2)`);
    const [gone, keep] = [dropped[0]!, dropped[1]!];
    if (!(Number.isSafeInteger(gone) && gone >= 0)) throw new RangeError(`${id}: invalid summary bytes (dropped count ${gone})`);
    if (!(Number.isInteger(keep) && keep >= 1 && keep <= MAX_MAX_VALUES)) throw new RangeError(`${id}: invalid summary bytes (maxValues ${keep})`);
    if (values.length > keep) throw new RangeError(`${id}: invalid summary bytes (${values.length} values, more than maxValues ${keep})`);
    for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) throw new RangeError(`${id}: invalid summary bytes (value ${i} is not finite)`);
    return { values, dropped };
  }

  return Object.freeze({
    id,
    kind: 'DRIFT' as const,
    // The score is the number of drift signals in the window.
    thresholds: Object.freeze({ warning: 1, critical: 3 }),
    stateVersion: 1,
    description,
    parseParams,
    empty,
    summarize,
    merge,
    score,
    prepareReference,
    encode: (summary: StreamSummary) => encodeSections(id, 1, SECTIONS, summary),
    decode,
  });
}

export const streamScoreDetector = makeStreamDetector('stream-score', 'score', 'adwin', "Sequential drift (ADWIN by default) of the model's score stream, continuing from the reference");
export const streamLatencyDetector = makeStreamDetector('stream-latency', 'latency', 'adwin', 'Sequential drift (ADWIN by default) of the latency stream, continuing from the reference');
export const streamErrorsDetector = makeStreamDetector('stream-errors', 'errors', 'ddm', 'Sequential drift (DDM by default) of the error indicator (status != OK), continuing from the reference');
