/**
 * Reference categories and window category counts for the categorical drift detectors (chi-square,
 * z-test). Batches carry categorical features as per-batch dictionaries (codes are not comparable
 * across batches), so counts are kept against the reference's own category list, matched by string.
 *
 * Prepared reference data (Float64Array sections only, as every Summary): the categorical feature
 * names and each feature's categories as UTF-16 code units (`nameChars`/`nameLengths`,
 * `categoryChars`/`categoryLengths`), `categoryCounts` (categories kept per feature, sorted by
 * string, at most `maxCategories`) and `refCounts`: per feature one slot per kept category plus one
 * last slot, "other", for reference categories beyond the cap. In a window, values of categories the
 * reference never saw land in that same last slot, so the state stays bounded whatever the input
 * (a hostile stream of fresh strings costs nothing) and an unseen category still moves the test.
 * Window summary: `counts` (same slots as refCounts) and `totals` (non-absent rows per feature).
 */
import type { NumericColumns } from '../../../src/contracts/batch.js';
import type { ReferenceProfile } from '../reference.js';
import { decodeSections, encodeSections, sumSections } from '../summary.js';
import type { DetectorParams, DetectorScore, Summary, WindowDetector } from '../types.js';
import { familyDetector, type FamilyMember, type SummaryFamily } from './family.js';
import { correctedScores, type FeatureTest, type ParamSpec } from './params.js';
import type { Correction } from '../../kernels/multitest.js';

export type CategorySummary = { readonly counts: Float64Array; readonly totals: Float64Array };
const SECTIONS = ['counts', 'totals'] as const;

export const MAX_CATEGORIES: ParamSpec = { kind: 'number', default: 50, min: 2, max: 10_000, integer: true };

/** The decoded prepared data of one reference. */
export interface ReferenceCategories {
  readonly names: readonly string[];
  /** Per feature, its kept categories in order. */
  readonly categories: readonly (readonly string[])[];
  /** Per feature, category → slot. */
  readonly slots: readonly ReadonlyMap<string, number>[];
  /** Per feature, offset of its first slot in refCounts / counts. */
  readonly offsets: readonly number[];
  readonly refCounts: Float64Array;
  readonly width: number;
}

function encodeStrings(strings: readonly string[]): { chars: Float64Array; lengths: Float64Array } {
  const lengths = Float64Array.from(strings, (s) => s.length);
  const chars = new Float64Array(lengths.reduce((a, b) => a + b, 0));
  let at = 0;
  for (const s of strings) for (let i = 0; i < s.length; i++) chars[at++] = s.charCodeAt(i);
  return { chars, lengths };
}

function decodeStrings(chars: Float64Array, lengths: Float64Array): string[] {
  const out: string[] = [];
  let at = 0;
  for (const length of lengths) {
    let s = '';
    for (let i = 0; i < length; i++) s += String.fromCharCode(chars[at++]!);
    out.push(s);
  }
  return out;
}

/** O(1) shape check of a batch's categorical columns: a malformed one fails with a message, never reads out of bounds. */
export function assertCategorical(columns: NumericColumns, where: string): void {
  const cat = columns.categorical;
  if (cat === undefined) return;
  if (!Array.isArray(cat.names) || !Array.isArray(cat.dictionaries) || cat.dictionaries.length !== cat.names.length) {
    throw new RangeError(`${where}: columns.categorical needs one dictionary per name`);
  }
  if (!(cat.codes instanceof Int32Array) || cat.codes.length !== cat.names.length * columns.count) {
    throw new RangeError(`${where}: columns.categorical.codes must be an Int32Array of ${cat.names.length * columns.count} codes`);
  }
}

export function prepareCategories(columns: NumericColumns, maxCategories: number): Summary {
  assertCategorical(columns, 'prepareReference');
  const cat = columns.categorical;
  const names = cat?.names ?? [];
  const kept: string[][] = [];
  const counts: number[] = [];
  for (let f = 0; f < names.length; f++) {
    const tally = new Map<string, number>();
    const dict = cat!.dictionaries[f] ?? [];
    for (let i = 0; i < columns.count; i++) {
      const code = cat!.codes[f * columns.count + i]!;
      const value = code >= 0 && code < dict.length ? dict[code]! : undefined;
      if (value !== undefined) tally.set(value, (tally.get(value) ?? 0) + 1);
    }
    // Most frequent first for the cap (ties by string), then kept in string order.
    const ranked = [...tally.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const keep = ranked.slice(0, maxCategories).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    kept.push(keep.map(([k]) => k));
    for (const [, c] of keep) counts.push(c);
    counts.push(ranked.slice(maxCategories).reduce((s, [, c]) => s + c, 0));
  }
  const n = encodeStrings(names);
  const c = encodeStrings(kept.flat());
  return {
    nameChars: n.chars,
    nameLengths: n.lengths,
    categoryChars: c.chars,
    categoryLengths: c.lengths,
    categoryCounts: Float64Array.from(kept, (k) => k.length),
    refCounts: Float64Array.from(counts),
  };
}

const cache = new WeakMap<Float64Array, ReferenceCategories>();

/** The reference's categories for detector `id`, decoded once per reference; null when not prepared. */
export function referenceCategories(id: string, reference: ReferenceProfile): ReferenceCategories | null {
  const data = reference.detectorData?.[id];
  if (data === undefined) return null;
  const { nameChars, nameLengths, categoryChars, categoryLengths, categoryCounts, refCounts } = data;
  if (!nameChars || !nameLengths || !categoryChars || !categoryLengths || !categoryCounts || !refCounts) {
    throw new RangeError(`${id}: reference "${reference.id}" carries prepared data of the wrong shape`);
  }
  const hit = cache.get(refCounts);
  if (hit) return hit;
  const names = decodeStrings(nameChars, nameLengths);
  const all = decodeStrings(categoryChars, categoryLengths);
  const categories: string[][] = [];
  const slots: Map<string, number>[] = [];
  const offsets: number[] = [];
  let at = 0;
  let slot = 0;
  for (let f = 0; f < names.length; f++) {
    const k = categoryCounts[f]!;
    const list = all.slice(at, at + k);
    at += k;
    categories.push(list);
    slots.push(new Map(list.map((v, i) => [v, i])));
    offsets.push(slot);
    slot += k + 1;
  }
  if (slot !== refCounts.length) throw new RangeError(`${id}: reference "${reference.id}" carries ${refCounts.length} category counts for ${slot} slots`);
  const decoded = { names, categories, slots, offsets, refCounts, width: slot };
  cache.set(refCounts, decoded);
  return decoded;
}

export function emptyCategories(id: string, reference: ReferenceProfile): CategorySummary {
  const ref = referenceCategories(id, reference);
  return { counts: new Float64Array(ref?.width ?? 0), totals: new Float64Array(ref?.names.length ?? 0) };
}

export function summarizeCategories(id: string, columns: NumericColumns, reference: ReferenceProfile): CategorySummary {
  const summary = emptyCategories(id, reference);
  const ref = referenceCategories(id, reference);
  assertCategorical(columns, id);
  const cat = columns.categorical;
  if (ref === null || cat === undefined) return summary;
  const { count } = columns;
  ref.names.forEach((name, f) => {
    const b = cat.names.indexOf(name);
    if (b < 0) return;
    const dict = cat.dictionaries[b] ?? [];
    // Translate the batch's dictionary once: code → slot (the last slot for unseen categories).
    const other = ref.categories[f]!.length;
    const slotOf = Int32Array.from(dict, (v) => ref.slots[f]!.get(v) ?? other);
    const base = ref.offsets[f]!;
    let total = 0;
    for (let i = b * count, end = i + count; i < end; i++) {
      const code = cat.codes[i]!;
      if (code < 0 || code >= slotOf.length) continue;
      summary.counts[base + slotOf[code]!]!++;
      total++;
    }
    summary.totals[f] = total;
  });
  return summary;
}

export function mergeCategories(id: string, a: CategorySummary, b: CategorySummary): CategorySummary {
  return sumSections(id, SECTIONS, a, b) as CategorySummary;
}

export function encodeCategories(id: string, version: number, summary: CategorySummary): Uint8Array {
  return encodeSections(id, version, SECTIONS, summary);
}

export function decodeCategories(id: string, version: number, bytes: Uint8Array): CategorySummary {
  const s = decodeSections(id, version, SECTIONS, bytes) as CategorySummary;
  let sum = 0;
  let total = 0;
  for (const c of s.counts) {
    if (!(Number.isSafeInteger(c) && c >= 0)) throw new RangeError(`${id}: invalid summary bytes (count ${c} is not a non-negative integer)`);
    sum += c;
  }
  for (const t of s.totals) total += t;
  if (sum !== total) throw new RangeError(`${id}: invalid summary bytes (counts add up to ${sum}, totals to ${total})`);
  return s;
}

/** Checks a window summary against the reference's layout. */
export function checkCategories(id: string, summary: CategorySummary, ref: ReferenceCategories): void {
  if (summary.counts.length !== ref.width || summary.totals.length !== ref.names.length) {
    throw new RangeError(`${id}: summary of ${summary.totals.length} features × ${summary.counts.length} slots does not match the reference (${ref.names.length} × ${ref.width})`);
  }
}

/**
 * A detector over per-category counts of each categorical feature (chi-square, z-test): everything but
 * its parameters, its score and how many categories its reference keeps is the shared category summary.
 */
export function categoryDetector<P extends DetectorParams>(
  member: FamilyMember<CategorySummary, P> & {
    /** Categories the reference keeps per feature (the rest pool as "other"). */
    readonly maxCategories: (params: P) => number;
  },
): WindowDetector<CategorySummary, P> {
  const family: SummaryFamily<CategorySummary, P> = {
    empty: (id, reference) => emptyCategories(id, reference),
    summarize: (id, columns, reference) => summarizeCategories(id, columns, reference),
    merge: mergeCategories,
    encode: encodeCategories,
    decode: decodeCategories,
    prepareReference: (columns, _reference, params) => prepareCategories(columns, member.maxCategories(params)),
  };
  return familyDetector(family, member);
}

/**
 * The score of a category test detector (chi-square, z-test): `test` of each categorical feature of
 * the reference (null: not tested), then the correction across features.
 */
export function scoreCategoryTests(
  id: string,
  summary: CategorySummary,
  reference: ReferenceProfile,
  params: { readonly alpha: number; readonly correction: Correction },
  test: (feature: string, f: number, ref: ReferenceCategories) => FeatureTest | null,
): DetectorScore[] {
  const ref = referenceCategories(id, reference);
  if (ref === null) return [];
  checkCategories(id, summary, ref);
  return correctedScores(id, ref.names.flatMap((feature, f) => test(feature, f, ref) ?? []), params);
}
