/**
 * Reference profiles: what "normal" looked like for a model version, summarised once per feature and
 * shared read-only with every worker. All typed arrays are views of one SharedArrayBuffer, so posting a
 * profile to a worker shares the memory instead of copying it (only the id and the feature names are
 * cloned). Nothing writes to a profile after `buildReferenceProfile` returns.
 */
import type { NumericColumns } from '../../src/contracts/batch.js';
import { binCounts } from '../kernels/histogram.js';
import { MOMENTS_SIZE, moments } from '../kernels/moments.js';
import { quantileEdges } from '../kernels/quantiles.js';
import { assertColumns } from './columns.js';
import type { Summary } from './types.js';

/** Bins per feature unless configured otherwise. */
export const DEFAULT_BIN_COUNT = 10;
/** Most bins a profile may ask for (keeps a profile's size proportional to its feature count). */
export const MAX_BIN_COUNT = 1024;

export interface ReferenceProfile {
  /** Reference data set or profile id (Alert.referenceId). */
  readonly id: string;
  /** The feature index the profile covers: a prefix of every later batch's feature index. */
  readonly featureNames: readonly string[];
  /** Rows the profile was built from. */
  readonly count: number;
  /** Bins asked for per feature; a feature may use fewer (see `edgeCounts`). */
  readonly binCount: number;
  /**
   * Edges of each feature: feature `f` has `edgeCounts[f]` strictly increasing edges at
   * `edges[f * (binCount - 1) ..]`, hence `edgeCounts[f] + 1` bins (workers/kernels/quantiles.ts).
   */
  readonly edges: Float64Array;
  /** Number of edges per feature, 0 .. binCount - 1. */
  readonly edgeCounts: Uint32Array;
  /** Share of the feature's non-NaN reference values in bin `b` at `proportions[f * binCount + b]`; unused bins are 0. */
  readonly proportions: Float64Array;
  /** Non-NaN reference values per feature. */
  readonly featureCounts: Float64Array;
  /** Mean per feature over its non-NaN values; NaN without values. */
  readonly means: Float64Array;
  /** Sample variance per feature; NaN with fewer than two values. */
  readonly variances: Float64Array;
  /** The one buffer behind every array above. */
  readonly buffer: SharedArrayBuffer;
  /** Per detector id, what its `prepareReference` computed from the reference batch; read-only. */
  readonly detectorData?: Readonly<Record<string, Summary>>;
}

export interface BuildReferenceInput {
  readonly columns: NumericColumns;
  /** Names of the first `featureNames.length` feature columns; further columns are not profiled. */
  readonly featureNames: readonly string[];
  /** Bins per feature, 2 .. MAX_BIN_COUNT; DEFAULT_BIN_COUNT when absent. */
  readonly binCount?: number;
  readonly id: string;
}

/** Profiles every named feature of a reference batch into a SharedArrayBuffer-backed ReferenceProfile. */
export function buildReferenceProfile(input: BuildReferenceInput): ReferenceProfile {
  const { columns, featureNames, id } = input;
  const binCount = input.binCount ?? DEFAULT_BIN_COUNT;
  if (typeof id !== 'string' || id.length === 0) throw new TypeError('buildReference: id must be a non-empty string');
  if (!Number.isInteger(binCount) || binCount < 2 || binCount > MAX_BIN_COUNT) {
    throw new RangeError(`buildReference: binCount must be an integer from 2 to ${MAX_BIN_COUNT}, got ${binCount}`);
  }
  assertColumns(columns, 'buildReference');
  if (!Array.isArray(featureNames) || featureNames.some((name) => typeof name !== 'string')) {
    throw new TypeError('buildReference: featureNames must be an array of strings');
  }
  if (featureNames.length > columns.featureCount) {
    throw new RangeError(`buildReference: ${featureNames.length} feature names for ${columns.featureCount} feature columns`);
  }
  if (new Set(featureNames).size !== featureNames.length) throw new RangeError('buildReference: featureNames must be unique');

  const featureCount = featureNames.length;
  const profile = allocateProfile(id, [...featureNames], columns.count, binCount);
  const { count } = columns;
  const stride = binCount - 1;
  const m = new Float64Array(MOMENTS_SIZE);
  for (let f = 0; f < featureCount; f++) {
    const offset = f * count;
    const k = quantileEdges(columns.features, offset, count, binCount, profile.edges, f * stride);
    profile.edgeCounts[f] = k;
    const n = binCounts(columns.features, offset, count, profile.edges, profile.proportions, f * stride, k, f * binCount);
    if (n > 0) for (let b = 0; b <= k; b++) profile.proportions[f * binCount + b]! /= n;
    moments(columns.features, offset, count, m);
    profile.featureCounts[f] = n;
    profile.means[f] = m[1]!;
    profile.variances[f] = n > 1 ? m[2]! / (n - 1) : NaN;
  }
  return profile;
}

function allocateProfile(id: string, featureNames: string[], count: number, binCount: number): ReferenceProfile {
  const f = featureNames.length;
  const float64s = f * (binCount - 1) + f * binCount + 3 * f;
  const buffer = new SharedArrayBuffer(8 * float64s + 4 * f);
  let at = 0;
  const take = (length: number): Float64Array => {
    const view = new Float64Array(buffer, at, length);
    at += 8 * length;
    return view;
  };
  const edges = take(f * (binCount - 1));
  const proportions = take(f * binCount);
  const featureCounts = take(f);
  const means = take(f);
  const variances = take(f);
  const edgeCounts = new Uint32Array(buffer, at, f);
  return { id, featureNames, count, binCount, edges, edgeCounts, proportions, featureCounts, means, variances, buffer };
}

/**
 * O(1) shape check of a profile received from another thread or restored from state: every array has
 * the length its feature and bin counts imply, so detectors can index without bounds surprises.
 */
export function assertReferenceProfile(reference: ReferenceProfile, where: string): void {
  if (reference === null || typeof reference !== 'object') throw new TypeError(`${where}: reference must be a ReferenceProfile`);
  const { featureNames, binCount } = reference;
  if (!Array.isArray(featureNames)) throw new TypeError(`${where}: reference.featureNames must be an array`);
  if (!Number.isInteger(binCount) || binCount < 2 || binCount > MAX_BIN_COUNT) {
    throw new RangeError(`${where}: reference.binCount must be an integer from 2 to ${MAX_BIN_COUNT}, got ${String(binCount)}`);
  }
  const f = featureNames.length;
  const check = (name: string, array: unknown, ctor: Float64ArrayConstructor | Uint32ArrayConstructor, length: number): void => {
    if (!(array instanceof ctor) || array.length !== length) {
      throw new RangeError(`${where}: reference.${name} must be a ${ctor.name} of ${length} values`);
    }
  };
  check('edges', reference.edges, Float64Array, f * (binCount - 1));
  check('edgeCounts', reference.edgeCounts, Uint32Array, f);
  check('proportions', reference.proportions, Float64Array, f * binCount);
  check('featureCounts', reference.featureCounts, Float64Array, f);
  check('means', reference.means, Float64Array, f);
  check('variances', reference.variances, Float64Array, f);
  for (let i = 0; i < f; i++) {
    if (reference.edgeCounts[i]! > binCount - 1) throw new RangeError(`${where}: reference.edgeCounts[${i}] exceeds binCount - 1`);
  }
}
