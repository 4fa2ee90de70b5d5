/**
 * The contract every registered window detector must keep. A new detector is covered as soon as it is
 * in the registry; nothing here names a particular detector.
 */
import { describe, expect, it } from 'vitest';
import type { CategoricalColumns, NumericColumns } from '../../../../src/contracts/batch.js';
import type { LlmTrace } from '../../../../src/contracts/records.js';
import { AssistantGenerator } from '../../../../src/demo/assistant.js';
import { buildReferenceProfile, type ReferenceProfile } from '../../../../workers/detectors/reference.js';
import { detectorIds, detectorRegistry, getDetector } from '../../../../workers/detectors/registry.js';
import type { Summary } from '../../../../workers/detectors/types.js';
import { gaussian, makeColumns, mulberry32, normalColumns } from '../helpers.js';

const KINDS = ['DRIFT', 'PERFORMANCE', 'ANOMALY', 'HALLUCINATION'];
const NAMES = ['f0', 'f1', 'f2', 'f3'];
const EMBEDDING_DIM = 6;
const CLASSES = ['neg', 'pos'];

/** LLM traces of the demo's assistant, one row in ten without one; `shift` makes more answers unsupported. */
function traces(seed: number, count: number, shift: number): (LlmTrace | null)[] {
  const rng = mulberry32(seed);
  const assistant = new AssistantGenerator({ modelId: 'llm', modelVersion: '1', seed, hallucinateFrom: 0, hallucinationRate: 0.05 + 0.4 * shift });
  return Array.from({ length: count }, () => (rng() < 0.1 ? null : assistant.next().llm!));
}

/**
 * Columns with every optional column a detector may read (embeddings, predicted class, class
 * probabilities, joined labels, LLM traces), seeded, some rows without them; scores, latencies and
 * statuses vary.
 */
function withOptionalColumns(columns: NumericColumns, seed: number, shift: number): NumericColumns {
  const rng = mulberry32(seed);
  const normal = gaussian(rng);
  const n = columns.count;
  const values = new Float32Array(n * EMBEDDING_DIM);
  const present = new Uint8Array(n);
  const probabilities = new Float64Array(2 * n);
  const predicted = new Int32Array(n);
  const labelCodes = new Int32Array(n);
  const numeric = new Float64Array(n);
  const scores = new Float64Array(n);
  const latencies = new Float64Array(n);
  const statuses = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    present[i] = rng() < 0.95 ? 1 : 0;
    for (let d = 0; d < EMBEDDING_DIM; d++) values[i * EMBEDDING_DIM + d] = present[i] ? normal() + shift : NaN;
    const p = 1 / (1 + Math.exp(-(normal() + shift)));
    probabilities[i] = 1 - p;
    probabilities[n + i] = p;
    predicted[i] = p >= 0.5 ? 1 : 0;
    const label = rng() < p ? 1 : 0;
    labelCodes[i] = rng() < 0.9 ? label : -1;
    numeric[i] = labelCodes[i] === -1 ? NaN : p + 0.1 * normal();
    scores[i] = rng() < 0.97 ? p : NaN;
    latencies[i] = 20 + 3 * normal() + 10 * shift;
    statuses[i] = rng() < 0.05 + 0.1 * shift ? 1 : 0;
  }
  return {
    ...columns,
    scores,
    latencies,
    statuses,
    embedding: { dim: EMBEDDING_DIM, values, present },
    predicted: { codes: predicted, values: CLASSES },
    classProbabilities: { classes: CLASSES, values: probabilities },
    labels: { numeric, classes: { codes: labelCodes, values: CLASSES } },
    llm: traces(seed, n, shift),
  };
}

/** Rows [from, to) of `columns`, every column copied, optional ones included. */
function sliceAll(columns: NumericColumns, from: number, to: number): NumericColumns {
  const n = columns.count;
  const count = to - from;
  const features = new Float64Array(count * columns.featureCount);
  for (let f = 0; f < columns.featureCount; f++) features.set(columns.features.subarray(f * n + from, f * n + to), f * count);
  const byClass = (values: Float64Array, classes: number): Float64Array => {
    const out = new Float64Array(classes * count);
    for (let c = 0; c < classes; c++) out.set(values.subarray(c * n + from, c * n + to), c * count);
    return out;
  };
  const { embedding, predicted, classProbabilities, labels, llm } = columns;
  return {
    count,
    featureCount: columns.featureCount,
    features,
    scores: columns.scores.slice(from, to),
    latencies: columns.latencies.slice(from, to),
    statuses: columns.statuses.slice(from, to),
    timestamps: columns.timestamps.slice(from, to),
    ...(embedding && { embedding: { dim: embedding.dim, values: embedding.values.slice(from * embedding.dim, to * embedding.dim), present: embedding.present.slice(from, to) } }),
    ...(predicted && { predicted: { codes: predicted.codes.slice(from, to), values: predicted.values } }),
    ...(classProbabilities && { classProbabilities: { classes: classProbabilities.classes, values: byClass(classProbabilities.values, classProbabilities.classes.length) } }),
    ...(labels && { labels: { numeric: labels.numeric.slice(from, to), classes: { codes: labels.classes.codes.slice(from, to), values: labels.classes.values } } }),
    ...(llm && { llm: llm.slice(from, to) }),
  };
}

/** The rows of `a` followed by the rows of `b`, every column, optional ones included (both must carry the same ones). */
function concatAll(a: NumericColumns, b: NumericColumns): NumericColumns {
  const count = a.count + b.count;
  const cat = <T extends Float64Array | Float32Array | Uint8Array | Int32Array>(x: T, y: T): T => {
    const z = new (x.constructor as new (length: number) => T)(x.length + y.length);
    z.set(x);
    z.set(y, x.length);
    return z;
  };
  const byFeature = (x: Float64Array, y: Float64Array, groups: number): Float64Array => {
    const out = new Float64Array(groups * count);
    for (let g = 0; g < groups; g++) {
      out.set(x.subarray(g * a.count, (g + 1) * a.count), g * count);
      out.set(y.subarray(g * b.count, (g + 1) * b.count), g * count + a.count);
    }
    return out;
  };
  const [ea, eb, pa, pb, ca, cb, la, lb] = [a.embedding, b.embedding, a.predicted, b.predicted, a.classProbabilities, b.classProbabilities, a.labels, b.labels];
  return {
    count,
    featureCount: a.featureCount,
    features: byFeature(a.features, b.features, a.featureCount),
    scores: cat(a.scores, b.scores),
    latencies: cat(a.latencies, b.latencies),
    statuses: cat(a.statuses, b.statuses),
    timestamps: cat(a.timestamps, b.timestamps),
    ...(ea && eb && { embedding: { dim: ea.dim, values: cat(ea.values, eb.values), present: cat(ea.present, eb.present) } }),
    ...(pa && pb && { predicted: { codes: cat(pa.codes, pb.codes), values: pa.values } }),
    ...(ca && cb && { classProbabilities: { classes: ca.classes, values: byFeature(ca.values, cb.values, ca.classes.length) } }),
    ...(la && lb && { labels: { numeric: cat(la.numeric, lb.numeric), classes: { codes: cat(la.classes.codes, lb.classes.codes), values: la.classes.values } } }),
    ...(a.llm && b.llm && { llm: [...a.llm, ...b.llm] }),
  };
}

// Categorical inputs: a three-way feature, a binary one, and (in windows) a value the reference never saw.
const CATEGORICAL = ['colour', 'flag'];
const CATEGORICAL_VALUES = [
  ['red', 'green', 'blue', 'violet'],
  ['yes', 'no'],
];

/** Seeded categorical columns; `shift` tilts the mix; `unseen` lets 'violet' appear. Absent values (-1) included. */
function categorical(seed: number, count: number, shift: number, unseen: boolean): CategoricalColumns {
  const rng = mulberry32(seed);
  const codes = new Int32Array(count * CATEGORICAL.length);
  for (let i = 0; i < count; i++) {
    const u = rng();
    codes[i] = u < 0.03 ? -1 : u < 0.45 - shift ? 0 : u < 0.75 ? 1 : unseen && u > 0.97 ? 3 : 2;
    codes[count + i] = rng() < 0.3 + shift ? 0 : 1;
  }
  return { names: CATEGORICAL, codes, dictionaries: CATEGORICAL_VALUES };
}

function withCategorical(columns: NumericColumns, cat: CategoricalColumns): NumericColumns {
  return { ...columns, categorical: cat };
}

/** Strings of categorical feature f at row i, or null when absent. */
function valueAt(cat: CategoricalColumns, count: number, f: number, i: number): string | null {
  const code = cat.codes[f * count + i]!;
  return code < 0 ? null : cat.dictionaries[f]![code]!;
}

/** Re-codes rows with per-batch dictionaries (first-seen order), as a decoder would: codes differ between batches. */
function recode(rows: (string | null)[][], count: number): CategoricalColumns {
  const codes = new Int32Array(count * CATEGORICAL.length);
  const dictionaries = CATEGORICAL.map((_, f) => {
    const dict: string[] = [];
    for (let i = 0; i < count; i++) {
      const v = rows[f]![i]!;
      if (v === null) codes[f * count + i] = -1;
      else {
        let code = dict.indexOf(v);
        if (code < 0) code = dict.push(v) - 1;
        codes[f * count + i] = code;
      }
    }
    return dict;
  });
  return { names: CATEGORICAL, codes, dictionaries };
}

/** Rows [from, to): every column; categorical codes re-coded per batch, as a decoder would. */
function sliceColumns(columns: NumericColumns, from: number, to: number): NumericColumns {
  const sliced = sliceAll(columns, from, to);
  const cat = columns.categorical;
  if (!cat) return sliced;
  const rows = CATEGORICAL.map((_, f) => Array.from({ length: to - from }, (_, i) => valueAt(cat, columns.count, f, from + i)));
  return withCategorical(sliced, recode(rows, to - from));
}

function concatColumns(a: NumericColumns, b: NumericColumns): NumericColumns {
  const joined = concatAll(a, b);
  if (!a.categorical || !b.categorical) return joined;
  const rows = CATEGORICAL.map((_, f) => [
    ...Array.from({ length: a.count }, (_, i) => valueAt(a.categorical!, a.count, f, i)),
    ...Array.from({ length: b.count }, (_, i) => valueAt(b.categorical!, b.count, f, i)),
  ]);
  return withCategorical(joined, recode(rows, joined.count));
}

const referenceColumns = withCategorical(withOptionalColumns(normalColumns(11, 800, 4, 0, 0.05), 21, 0), categorical(21, 800, 0, false));
const profile = buildReferenceProfile({ columns: referenceColumns, featureNames: NAMES, id: 'contract-ref' });
// Each detector's own reference data, as the engine prepares it once per reference.
const reference = {
  ...profile,
  detectorData: Object.fromEntries(
    detectorIds().flatMap((id) => {
      const d = getDetector(id);
      return d.prepareReference === undefined ? [] : [[id, d.prepareReference(referenceColumns, profile, d.parseParams(undefined))]];
    }),
  ),
};
// The window under test: shifted, with absent values, one more column than the reference, and a category the reference never saw.
const window = withCategorical(withOptionalColumns(normalColumns(12, 900, 5, 0.5, 0.05), 22, 0.5), categorical(22, 900, 0.1, true));

/** Sections equal up to a relative 1e-9 (exact for counts; room for detectors that sum floats). */
function expectSameSummary(actual: Summary, expected: Summary, label: string): void {
  expect(Object.keys(actual).sort(), label).toEqual(Object.keys(expected).sort());
  for (const [name, want] of Object.entries(expected)) {
    const got = actual[name]!;
    expect(got.length, `${label}: section ${name}`).toBe(want.length);
    for (let i = 0; i < want.length; i++) {
      const w = want[i]!;
      const g = got[i]!;
      if (Number.isNaN(w) || !Number.isFinite(w)) expect(g, `${label}: ${name}[${i}]`).toBe(w);
      else expect(Math.abs(g - w), `${label}: ${name}[${i}] = ${g}, expected ${w}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(w)));
    }
  }
}

function snapshot(columns: NumericColumns): (number | string)[] {
  const optional = [columns.categorical?.codes, columns.embedding?.values, columns.embedding?.present, columns.predicted?.codes, columns.classProbabilities?.values, columns.labels?.numeric, columns.labels?.classes.codes];
  return [
    ...columns.features,
    ...columns.scores,
    ...columns.latencies,
    ...columns.statuses,
    ...columns.timestamps,
    ...optional.flatMap((a) => (a === undefined ? [] : [...a])),
    JSON.stringify(columns.llm ?? null),
  ];
}

describe('detector registry', () => {
  it('holds unique ids and answers unknown ids with the list of known ones', () => {
    expect(detectorIds().length).toBeGreaterThan(0);
    expect(new Set(detectorIds()).size).toBe(detectorIds().length);
    expect(() => getDetector('no-such-detector')).toThrow(/unknown detector "no-such-detector"; registered: /);
  });
});

describe.each(detectorIds())('detector contract: %s', (id) => {
  const detector = detectorRegistry.get(id)!;
  const params = detector.parseParams(undefined);

  it('declares its identity', () => {
    expect(detector.id).toBe(id);
    expect(KINDS).toContain(detector.kind);
    expect(Number.isInteger(detector.stateVersion) && detector.stateVersion >= 1).toBe(true);
    expect(detector.description.length).toBeGreaterThan(0);
    expect(() => detector.parseParams({ 'not-a-parameter': 1 })).toThrow(RangeError);
  });

  it('summarizes into transferable Float64Array sections without touching its inputs', () => {
    const before = snapshot(window);
    const refBefore = Array.from(reference.proportions);
    const summary = detector.summarize(window, reference, params);
    expect(Object.keys(summary).length).toBeGreaterThan(0);
    for (const section of Object.values(summary)) {
      expect(section).toBeInstanceOf(Float64Array);
      expect(section.buffer).toBeInstanceOf(ArrayBuffer);
    }
    expect(snapshot(window)).toEqual(before);
    expect(Array.from(reference.proportions)).toEqual(refBefore);
  });

  it('merges batch summaries into the summary of the union, at any split', () => {
    const rng = mulberry32(13);
    const whole = detector.summarize(window, reference, params);
    for (const cut of [0, 1, 450, 899, 900, Math.floor(rng() * 900)]) {
      const a = sliceColumns(window, 0, cut);
      const b = sliceColumns(window, cut, window.count);
      expectSameSummary(detector.merge(detector.summarize(a, reference, params), detector.summarize(b, reference, params)), whole, `cut ${cut}`);
      expectSameSummary(detector.summarize(concatColumns(a, b), reference, params), whole, `concat ${cut}`);
    }
  });

  it('merges associatively, with empty() as the identity, leaving its inputs alone', () => {
    const [a, b, c] = [sliceColumns(window, 0, 200), sliceColumns(window, 200, 650), sliceColumns(window, 650, 900)].map((part) =>
      detector.summarize(part, reference, params),
    ) as [Summary, Summary, Summary];
    const aCopy = Object.fromEntries(Object.entries(a).map(([k, v]) => [k, Float64Array.from(v)]));
    expectSameSummary(detector.merge(detector.merge(a, b), c), detector.merge(a, detector.merge(b, c)), 'associativity');
    const empty = detector.empty(reference, params);
    expectSameSummary(detector.merge(empty, a), a, 'left identity');
    expectSameSummary(detector.merge(a, empty), a, 'right identity');
    expectSameSummary(a, aCopy, 'inputs untouched');
    expectSameSummary(detector.summarize(makeColumns(0, 5, () => 0), reference, params), empty, 'empty batch');
  });

  it('round-trips summaries through bytes and rejects damaged bytes', () => {
    for (const summary of [detector.summarize(window, reference, params), detector.empty(reference, params)]) {
      const bytes = detector.encode(summary);
      expect(bytes).toBeInstanceOf(Uint8Array);
      expectSameSummary(detector.decode(bytes), summary, 'round trip');
      expect(() => detector.decode(bytes.subarray(0, bytes.length - 1))).toThrow(RangeError);
      expect(() => detector.decode(new Uint8Array(0))).toThrow(RangeError);
    }
  });

  it('scores finite values with well-formed evidence', () => {
    const merged = detector.merge(detector.summarize(sliceColumns(window, 0, 400), reference, params), detector.summarize(sliceColumns(window, 400, 900), reference, params));
    const scores = detector.score(merged, reference, params);
    expect(scores.length).toBeGreaterThan(0);
    for (const s of scores) {
      expect(s.detector).toBe(id);
      expect(Number.isFinite(s.score)).toBe(true);
      expect(s.feature === null || NAMES.includes(s.feature) || CATEGORICAL.includes(s.feature)).toBe(true);
      for (const value of Object.values(s.evidence)) expect(typeof value).toBe('string');
    }
  });

  it('scores empty and all-absent windows without failing, and only finitely', () => {
    const absent = makeColumns(300, 4, () => NaN);
    const absentCategories = withCategorical(absent, { names: CATEGORICAL, codes: new Int32Array(600).fill(-1), dictionaries: [[], []] });
    for (const columns of [makeColumns(0, 4, () => 0), absent, absentCategories]) {
      const scores = detector.score(detector.summarize(columns, reference, params), reference, params);
      for (const s of scores) expect(Number.isFinite(s.score)).toBe(true);
    }
  });

  it('is deterministic: the same input gives the same summary, bytes and scores', () => {
    const first = detector.summarize(window, reference, params);
    const second = detector.summarize(window, reference, params);
    expect(detector.encode(second)).toEqual(detector.encode(first));
    expect(detector.score(second, reference, params)).toEqual(detector.score(first, reference, params));
  });
});

describe.each(detectorIds().filter((id) => detectorRegistry.get(id)!.prepareReference !== undefined))('detector contract, prepared reference: %s', (id) => {
  const detector = detectorRegistry.get(id)!;
  const params = detector.parseParams(undefined);

  it('prepares its reference data deterministically, as Float64Array sections, leaving the reference batch alone', () => {
    const before = snapshot(referenceColumns);
    const first = detector.prepareReference!(referenceColumns, profile, params);
    const second = detector.prepareReference!(referenceColumns, profile, params);
    for (const section of Object.values(first)) expect(section).toBeInstanceOf(Float64Array);
    expectSameSummary(second, first, 'prepareReference');
    expect(snapshot(referenceColumns)).toEqual(before);
  });
});

// Detectors whose default parameters need prepared data (every one but psi on its profile bins).
const needsPrepared = detectorIds().filter((id) => {
  const d = detectorRegistry.get(id)!;
  return d.prepareReference !== undefined && Object.keys(d.prepareReference(referenceColumns, profile, d.parseParams(undefined))).length > 0;
});

describe.each(needsPrepared)('detector contract, reference not prepared: %s', (id) => {
  const detector = detectorRegistry.get(id)!;
  const params = detector.parseParams(undefined);

  // Some detectors need their prepared data and score nothing without it; the sequential ones then
  // start from a fresh state instead of the reference's. Neither may fail or score non-finitely.
  it('scores without failing, and only finitely', () => {
    const bare: ReferenceProfile = { ...profile, detectorData: {} };
    const summary = detector.summarize(window, bare, params);
    for (const s of detector.score(summary, bare, params)) expect(Number.isFinite(s.score)).toBe(true);
  });
});
