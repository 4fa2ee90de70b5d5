/**
 * Multivariate drift by PCA reconstruction error, in the manner of NannyML's data reconstruction
 * drift: the reference's features are standardised (mean, population standard deviation; an absent
 * value is imputed with the reference mean), a PCA keeps the fewest components explaining
 * `varianceExplained` of the variance, and a row's error is the Euclidean distance between it and
 * its reconstruction from those components. When the joint structure of the features changes (even
 * with unchanged marginals) the error rises.
 *
 * Limits are learnt on the reference itself: it is cut into `referenceChunks` consecutive chunks,
 * each chunk's mean error computed, and the limits are their mean ± `sigmas` standard deviations.
 * Window summary: [Σ error, rows], merged by addition. Score: the window's mean error, with the limits
 * in the evidence (drift = outside them).
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { NumericColumns } from '../../../src/contracts/batch.js';
import type { ReferenceProfile } from '../reference.js';
import { integerIn, numberIn, parseWith } from '../sequential/params.js';
import { decodeSections, encodeSections, sumSections } from '../summary.js';
import type { DetectorScore, Summary, WindowDetector } from '../types.js';

export type PcaParams = { readonly varianceExplained: number; readonly referenceChunks: number; readonly sigmas: number; readonly minRows: number };
export type PcaSummary = { readonly sums: Float64Array };

const ID = 'pca-drift';
const SECTIONS = ['sums'] as const;
export const PCA_DEFAULTS: PcaParams = Object.freeze({ varianceExplained: 0.65, referenceChunks: 10, sigmas: 3, minRows: 50 });

function parseParams(raw: Readonly<Record<string, unknown>> | undefined): PcaParams {
  return parseWith(ID, PCA_DEFAULTS, { varianceExplained: numberIn(0, 1, true), referenceChunks: integerIn(2, 1000), sigmas: numberIn(0, 100, true), minRows: integerIn(1, 1 << 30) }, raw);
}

interface Model {
  readonly mean: Float64Array;
  readonly scale: Float64Array;
  /** k × d, row-major: the kept principal axes. */
  readonly components: Float64Array;
  readonly k: number;
}

function modelOf(reference: ReferenceProfile): Model | null {
  const d = reference.detectorData?.[ID];
  if (d === undefined) return null;
  const width = d['mean']!.length;
  return { mean: d['mean']!, scale: d['scale']!, components: d['components']!, k: width === 0 ? 0 : d['components']!.length / width };
}

/** Adds each row's reconstruction error over rows [from, to) to out[0] and the row count to out[1]. */
function errors(columns: NumericColumns, model: Model, from: number, to: number, out: Float64Array): void {
  const width = model.mean.length;
  const n = columns.count;
  const z = new Float64Array(width);
  const proj = new Float64Array(model.k);
  for (let i = from; i < to; i++) {
    for (let f = 0; f < width; f++) {
      const v = f < columns.featureCount ? columns.features[f * n + i]! : NaN;
      // Standardised and centred; an absent value is the reference mean, i.e. 0.
      z[f] = v === v ? (v - model.mean[f]!) / model.scale[f]! : 0;
    }
    proj.fill(0);
    for (let c = 0; c < model.k; c++) {
      let s = 0;
      for (let f = 0; f < width; f++) s += z[f]! * model.components[c * width + f]!;
      proj[c] = s;
    }
    let err = 0;
    for (let f = 0; f < width; f++) {
      let rec = 0;
      for (let c = 0; c < model.k; c++) rec += proj[c]! * model.components[c * width + f]!;
      const d = z[f]! - rec;
      err += d * d;
    }
    out[0]! += Math.sqrt(err);
    out[1]!++;
  }
}

function prepareReference(columns: NumericColumns, reference: ReferenceProfile, params: PcaParams): Summary {
  const width = Math.min(reference.featureNames.length, columns.featureCount);
  const n = columns.count;
  const mean = new Float64Array(width);
  const scale = new Float64Array(width);
  for (let f = 0; f < width; f++) {
    let count = 0;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const v = columns.features[f * n + i]!;
      if (v === v) {
        count++;
        sum += v;
      }
    }
    const mu = count > 0 ? sum / count : 0;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const v = columns.features[f * n + i]!;
      if (v === v) ss += (v - mu) * (v - mu);
    }
    mean[f] = mu;
    const sd = count > 0 ? Math.sqrt(ss / count) : 0;
    scale[f] = sd > 0 ? sd : 1; // a constant feature carries no variance; scikit-learn's StandardScaler also uses 1
  }
  // Covariance of the standardised, imputed reference.
  const cov = new Matrix(width, width);
  const z = new Float64Array(width);
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < width; f++) {
      const v = columns.features[f * n + i]!;
      z[f] = v === v ? (v - mean[f]!) / scale[f]! : 0;
    }
    for (let a = 0; a < width; a++) for (let b = a; b < width; b++) cov.set(a, b, cov.get(a, b) + z[a]! * z[b]!);
  }
  for (let a = 0; a < width; a++) for (let b = a; b < width; b++) {
    const v = n > 1 ? cov.get(a, b) / (n - 1) : 0;
    cov.set(a, b, v);
    cov.set(b, a, v);
  }
  let k = 0;
  let kept = new Float64Array(0);
  if (width > 0 && n > 1) {
    const evd = new EigenvalueDecomposition(cov, { assumeSymmetric: true });
    const values = evd.realEigenvalues;
    const vectors = evd.eigenvectorMatrix;
    const order = values.map((_, i) => i).sort((a, b) => values[b]! - values[a]! || a - b);
    const total = values.reduce((s, v) => s + Math.max(0, v), 0);
    let acc = 0;
    while (k < width && (total <= 0 || acc / total <= params.varianceExplained)) acc += Math.max(0, values[order[k++]!]!);
    kept = new Float64Array(k * width);
    for (let c = 0; c < k; c++) {
      // Sign convention: the largest-magnitude loading positive, so the same data gives the same axes.
      let big = 0;
      for (let f = 0; f < width; f++) if (Math.abs(vectors.get(f, order[c]!)) > Math.abs(big)) big = vectors.get(f, order[c]!);
      const sign = big < 0 ? -1 : 1;
      for (let f = 0; f < width; f++) kept[c * width + f] = sign * vectors.get(f, order[c]!);
    }
  }
  const model: Model = { mean, scale, components: kept, k };
  // Limits from consecutive reference chunks.
  const chunks = Math.min(params.referenceChunks, Math.max(1, n));
  const chunkErrors: number[] = [];
  const out = new Float64Array(2);
  for (let c = 0; c < chunks; c++) {
    const from = Math.floor((c * n) / chunks);
    const to = Math.floor(((c + 1) * n) / chunks);
    out.fill(0);
    errors(columns, model, from, to, out);
    if (out[1]! > 0) chunkErrors.push(out[0]! / out[1]!);
  }
  const mu = chunkErrors.reduce((s, v) => s + v, 0) / Math.max(1, chunkErrors.length);
  const sd = Math.sqrt(chunkErrors.reduce((s, v) => s + (v - mu) * (v - mu), 0) / Math.max(1, chunkErrors.length));
  return { mean, scale, components: kept, limits: Float64Array.of(mu - params.sigmas * sd, mu + params.sigmas * sd, mu, sd, chunkErrors.length, k) };
}

function summarize(columns: NumericColumns, reference: ReferenceProfile): PcaSummary {
  const sums = new Float64Array(2);
  const model = modelOf(reference);
  if (model !== null) errors(columns, model, 0, columns.count, sums);
  return { sums };
}

function score(summary: PcaSummary, reference: ReferenceProfile, params: PcaParams): DetectorScore[] {
  const data = reference.detectorData?.[ID];
  const rows = summary.sums[1]!;
  if (data === undefined || rows < params.minRows) return [];
  const value = summary.sums[0]! / rows;
  const [lower, upper, mu, sd, chunks, k] = Array.from(data['limits']!);
  if (!Number.isFinite(value)) return [];
  return [
    {
      detector: ID,
      feature: null,
      score: value,
      evidence: {
        statistic: 'mean PCA reconstruction error (standardised features)',
        lowerLimit: String(lower),
        upperLimit: String(upper),
        drift: String(value < lower! || value > upper!),
        referenceMean: String(mu),
        referenceChunkStd: String(sd),
        referenceChunks: String(chunks),
        components: String(k),
        features: String(data['mean']!.length),
        rows: String(rows),
        referenceId: reference.id,
      },
    },
  ];
}

function decode(bytes: Uint8Array): PcaSummary {
  const s = decodeSections(ID, 1, SECTIONS, bytes) as PcaSummary;
  if (s.sums.length !== 2 || !(s.sums[0]! >= 0) || !(Number.isSafeInteger(s.sums[1]) && s.sums[1]! >= 0)) throw new RangeError(`${ID}: invalid summary bytes (sums ${Array.from(s.sums).join(', ')})`);
  return s;
}

export const pcaDriftDetector: WindowDetector<PcaSummary, PcaParams> = Object.freeze({
  id: ID,
  kind: 'DRIFT' as const,
  stateVersion: 1,
  description: 'Multivariate drift: mean PCA reconstruction error of the standardised features, with limits learnt on reference chunks',
  parseParams,
  empty: () => ({ sums: new Float64Array(2) }),
  summarize,
  merge: (a: PcaSummary, b: PcaSummary): PcaSummary => sumSections(ID, SECTIONS, a, b) as PcaSummary,
  score,
  prepareReference,
  encode: (summary: PcaSummary) => encodeSections(ID, 1, SECTIONS, summary),
  decode,
});
