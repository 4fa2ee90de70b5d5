/**
 * Data quality per event, against what the reference carried:
 *   - missing: a reference numeric feature absent (NaN), or a reference categorical feature absent;
 *   - out of range: a numeric value below the reference minimum or above its maximum;
 *   - unseen category: a categorical value the reference never had for that feature;
 *   - wrong type: ±Infinity in a numeric feature, a fractional value in a feature that only held
 *     integers in the reference, or a reference numeric feature sent as a string (found among the
 *     event's categorical columns).
 * The raw score is the number of issues; it is calibrated against the issue counts of the reference
 * rows, so a feature that is often absent in the reference does not make every event suspect.
 *
 * Reference sections: `min`, `max`, `integral` (1 when every reference value is an integer), per
 * numeric feature; `numericNames` (hash53 of the numeric names), `categoryNames` (hash53 per
 * categorical feature of the reference), `categoryOffsets` (k + 1 offsets into `categoryValues`),
 * `categoryValues` (sorted hash53 of the values seen, per categorical feature), `calibration`.
 */
import type { NumericColumns } from '../../../src/contracts/batch.js';
import { buildCalibration } from '../../kernels/calibration.js';
import { hash53 } from '../../text/hash.js';
import type { ReferenceProfile } from '../reference.js';
import type { EventDetector, EventScores, Summary } from '../types.js';
import { calibrated, featureValue, flagRows, notScored, num, sectionsOf } from './common.js';
import { THRESHOLD_SPEC, parseNumberParams } from './params.js';

export type DataQualityParams = { readonly threshold: number };

const ID = 'data-quality';
const SECTIONS = ['min', 'max', 'integral', 'numericNames', 'categoryNames', 'categoryOffsets', 'categoryValues', 'calibration'] as const;
/** Feature names listed per issue in evidence, at most. */
const EVIDENCE_NAMES = 5;

interface Issues {
  readonly missing: Float64Array;
  readonly outOfRange: Float64Array;
  readonly unseen: Float64Array;
  readonly wrongType: Float64Array;
}

function sortedHasValue(sorted: Float64Array, from: number, to: number, x: number): boolean {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo < to && sorted[lo] === x;
}

/** Per batch categorical feature: index of the reference categorical feature with its name (or -1), and the hashed dictionary. */
function categoricalPlan(columns: NumericColumns, data: Summary): { refIndex: Int32Array; numeric: Uint8Array; dictionaries: Float64Array[] } {
  const names = columns.categorical?.names ?? [];
  const refIndex = new Int32Array(names.length).fill(-1);
  const numeric = new Uint8Array(names.length);
  const categoryNames = data['categoryNames']!;
  const numericNames = data['numericNames']!;
  names.forEach((name, c) => {
    const h = hash53(String(name));
    refIndex[c] = categoryNames.indexOf(h);
    numeric[c] = numericNames.includes(h) ? 1 : 0;
  });
  const dictionaries = (columns.categorical?.dictionaries ?? []).map((dict) => Float64Array.from(dict, (v) => hash53(String(v))));
  return { refIndex, numeric, dictionaries };
}

function countIssues(columns: NumericColumns, p: number, data: Summary): Issues {
  const n = columns.count;
  const issues: Issues = { missing: new Float64Array(n), outOfRange: new Float64Array(n), unseen: new Float64Array(n), wrongType: new Float64Array(n) };
  const { min, max, integral } = data as Record<string, Float64Array>;
  for (let f = 0; f < p; f++) {
    for (let i = 0; i < n; i++) {
      const x = featureValue(columns, f, i);
      if (x !== x) issues.missing[i]!++;
      else if (!Number.isFinite(x)) issues.wrongType[i]!++;
      else {
        if (x < min![f]! || x > max![f]!) issues.outOfRange[i]!++;
        if (integral![f] === 1 && !Number.isInteger(x)) issues.wrongType[i]!++;
      }
    }
  }
  const k = data['categoryNames']!.length;
  const offsets = data['categoryOffsets']!;
  const values = data['categoryValues']!;
  const cat = columns.categorical;
  const plan = categoricalPlan(columns, data);
  const seen = new Uint8Array(k);
  for (let i = 0; i < n; i++) {
    seen.fill(0);
    if (cat !== undefined) {
      for (let c = 0; c < plan.refIndex.length; c++) {
        const code = cat.codes[c * n + i] ?? -1;
        const hashed = plan.dictionaries[c];
        if (code < 0 || hashed === undefined || code >= hashed.length) continue;
        if (plan.numeric[c] === 1) issues.wrongType[i]!++;
        const r = plan.refIndex[c]!;
        if (r < 0) continue;
        seen[r] = 1;
        if (!sortedHasValue(values, offsets[r]!, offsets[r + 1]!, hashed[code]!)) issues.unseen[i]!++;
      }
    }
    // A batch without a categorical column at all was built without them (an optional column), which
    // says nothing about the events: only a batch that carries categorical values can miss one.
    if (cat !== undefined) for (let r = 0; r < k; r++) if (seen[r] === 0) issues.missing[i]!++;
  }
  return issues;
}

function total(issues: Issues): Float64Array {
  const out = new Float64Array(issues.missing.length);
  for (let i = 0; i < out.length; i++) out[i] = issues.missing[i]! + issues.outOfRange[i]! + issues.unseen[i]! + issues.wrongType[i]!;
  return out;
}

/** Names of the numeric features of `row` with the given problem, for evidence (at most EVIDENCE_NAMES). */
function namesWhere(reference: ReferenceProfile, columns: NumericColumns, row: number, test: (x: number, f: number) => boolean): string {
  const out: string[] = [];
  for (let f = 0; f < reference.featureNames.length && out.length < EVIDENCE_NAMES; f++) {
    if (test(featureValue(columns, f, row), f)) out.push(reference.featureNames[f]!);
  }
  return out.join(',');
}

export const dataQualityDetector: EventDetector<DataQualityParams> = {
  id: ID,
  kind: 'ANOMALY',
  description: 'Missing features, values outside the reference range, unseen categories and wrong types, calibrated',
  parseParams: (raw) => parseNumberParams<DataQualityParams>(ID, { threshold: THRESHOLD_SPEC }, raw),
  prepareReference(columns: NumericColumns, reference: ReferenceProfile): Summary {
    const p = reference.featureNames.length;
    const min = new Float64Array(p).fill(Infinity);
    const max = new Float64Array(p).fill(-Infinity);
    const integral = new Float64Array(p).fill(1);
    for (let f = 0; f < p; f++) {
      let any = false;
      for (let i = 0; i < columns.count; i++) {
        const x = featureValue(columns, f, i);
        if (!Number.isFinite(x)) continue;
        any = true;
        if (x < min[f]!) min[f] = x;
        if (x > max[f]!) max[f] = x;
        if (!Number.isInteger(x)) integral[f] = 0;
      }
      if (!any) integral[f] = 0;
    }
    const cat = columns.categorical;
    const names = cat?.names ?? [];
    const valueLists: number[][] = names.map(() => []);
    if (cat !== undefined) {
      names.forEach((_, c) => {
        const dict = cat.dictionaries[c] ?? [];
        const used = new Set<number>();
        for (let i = 0; i < columns.count; i++) {
          const code = cat.codes[c * columns.count + i] ?? -1;
          if (code >= 0 && code < dict.length) used.add(hash53(String(dict[code])));
        }
        valueLists[c] = [...used];
      });
    }
    const categoryOffsets = new Float64Array(names.length + 1);
    valueLists.forEach((list, c) => (categoryOffsets[c + 1] = categoryOffsets[c]! + list.length));
    const categoryValues = new Float64Array(categoryOffsets[names.length]!);
    valueLists.forEach((list, c) => categoryValues.set(Float64Array.from(list).sort(), categoryOffsets[c]!));
    const data: Record<string, Float64Array> = {
      min,
      max,
      integral,
      numericNames: Float64Array.from(reference.featureNames, (name) => hash53(name)),
      categoryNames: Float64Array.from(names, (name) => hash53(String(name))),
      categoryOffsets,
      categoryValues,
    };
    data['calibration'] = buildCalibration(total(countIssues(columns, p, data)));
    return data;
  },
  scoreEvents(columns: NumericColumns, reference: ReferenceProfile, params: DataQualityParams): EventScores {
    const data = sectionsOf(reference, ID, SECTIONS);
    const p = reference.featureNames.length;
    if (data === undefined || data['min']!.length !== p || data['categoryOffsets']!.length !== data['categoryNames']!.length + 1) return notScored(columns.count);
    const issues = countIssues(columns, p, data);
    const raw = total(issues);
    const scores = calibrated(raw, data['calibration']!);
    const { min, max } = data as Record<string, Float64Array>;
    const flagged = flagRows(scores, params.threshold, (i) => ({
      signal: 'data-quality',
      issues: num(raw[i]!),
      missing: num(issues.missing[i]!),
      outOfRange: num(issues.outOfRange[i]!),
      unseenCategories: num(issues.unseen[i]!),
      wrongType: num(issues.wrongType[i]!),
      missingFeatures: namesWhere(reference, columns, i, (x) => x !== x),
      outOfRangeFeatures: namesWhere(reference, columns, i, (x, f) => Number.isFinite(x) && (x < min![f]! || x > max![f]!)),
    }));
    return { scores, flagged };
  },
};
