/**
 * The feature columns of each model version: a feature index per version and the catalogue of them,
 * with the limits that keep their memory bounded (the packing itself runs in the pool,
 * workers/decode/groups.ts).
 *
 * Feature columns: each model version numbers its feature names in order of first appearance and only
 * ever appends, so a column number handed to the workers stays valid for the life of the process and
 * batches built later extend the index of earlier ones (prefix-stable).
 *
 * Memory: everything that grows with the input is capped: features per model version, model versions,
 * feature-name length, and the cells of one batch's feature matrix (a version with 4096 known features
 * and 50k sparse events would otherwise ask for a 1.6 GB matrix, so large groups are split).
 */
import { VigilError } from '../../errors.js';

export interface ColumnarOptions {
  /** Most feature columns one model version may have (default 4096). */
  maxFeaturesPerModel?: number;
  /** Most model versions the catalogue tracks (default 10_000). */
  maxModelVersions?: number;
  /** Longest feature name, in UTF-16 code units (default 256): names are kept for the life of the process. */
  maxFeatureNameLength?: number;
  /** Most cells (rows × feature columns) in one batch's feature matrix (default 4Mi, 32 MiB of doubles). */
  maxBatchCells?: number;
  /**
   * The columns a model version starts with, when they are already fixed elsewhere: by restored window
   * state, or by a reference file. Without this, the order would follow the first event seen.
   */
  initialNames?: (modelId: string, modelVersion: string) => readonly string[] | undefined;
}

type Limits = Required<Omit<ColumnarOptions, 'initialNames'>>;

const DEFAULTS: Limits = Object.freeze({
  maxFeaturesPerModel: 4096,
  maxModelVersions: 10_000,
  maxFeatureNameLength: 256,
  maxBatchCells: 4 * 1024 * 1024,
});

function settings(options: ColumnarOptions): Limits {
  const out = { ...DEFAULTS };
  for (const key of Object.keys(DEFAULTS) as (keyof Limits)[]) {
    const value = options[key];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new VigilError('VIGIL_CONFIG_INVALID', `columnar option ${key} must be a positive integer, got ${String(value)}`, {
        details: { option: key },
      });
    }
    out[key] = value;
  }
  return out;
}

/** Feature name → column for one model version. Names are only appended. */
export class FeatureIndex {
  readonly maxFeatures: number;
  readonly #columns = new Map<string, number>();
  readonly #names: string[] = [];
  #snapshot: readonly string[] | undefined;

  constructor(maxFeatures: number) {
    this.maxFeatures = maxFeatures;
  }

  get size(): number {
    return this.#names.length;
  }

  columnOf(name: string): number | undefined {
    return this.#columns.get(name);
  }

  /** The names in column order, frozen; the same array until a name is appended (batches share it). */
  names(): readonly string[] {
    this.#snapshot ??= Object.freeze(this.#names.slice());
    return this.#snapshot;
  }

  /** Appends `names` not indexed yet, in the given order (all or none, like `admit`). */
  appendNames(names: readonly string[]): VigilError | undefined {
    const fresh = names.filter((name, i) => !this.#columns.has(name) && names.indexOf(name) === i);
    if (this.#names.length + fresh.length > this.maxFeatures) {
      return new VigilError('VIGIL_DECODE_OVERSIZED', `${fresh.length} more feature names would pass the limit of ${this.maxFeatures}`);
    }
    for (const name of fresh) {
      this.#columns.set(name, this.#names.length);
      this.#names.push(name);
    }
    if (fresh.length > 0) this.#snapshot = undefined;
    return undefined;
  }

  /**
   * Appends the names of `features` not indexed yet, all or none: an event whose new names would pass
   * the cap (or that carries an over-long name) changes nothing and gets the error back.
   */
  admit(features: Readonly<Record<string, number>>, maxNameLength: number, label: string): VigilError | undefined {
    let fresh: string[] | undefined;
    for (const name in features) {
      if (this.#columns.has(name)) continue;
      if (name.length > maxNameLength) {
        return new VigilError('VIGIL_DECODE_OVERSIZED', `feature name of ${name.length} characters (${name.slice(0, 32)}…) is over the limit of ${maxNameLength}`, {
          details: { model: label },
        });
      }
      (fresh ??= []).push(name);
    }
    if (fresh === undefined) return undefined;
    const total = this.#names.length + fresh.length;
    if (total > this.maxFeatures) {
      return new VigilError('VIGIL_DECODE_OVERSIZED', `${label} would have ${total} features, over the limit of ${this.maxFeatures}`, {
        details: { model: label, features: total },
      });
    }
    for (const name of fresh) {
      this.#columns.set(name, this.#names.length);
      this.#names.push(name);
    }
    this.#snapshot = undefined;
    return undefined;
  }
}

/** The feature indexes of every model version seen, kept across batches. */
export class FeatureCatalog {
  readonly options: Readonly<Limits>;
  readonly #initialNames: ColumnarOptions['initialNames'];
  readonly #byModel = new Map<string, Map<string, FeatureIndex>>();
  #versions = 0;

  constructor(options: ColumnarOptions = {}) {
    this.options = Object.freeze(settings(options));
    this.#initialNames = options.initialNames;
  }

  get versionCount(): number {
    return this.#versions;
  }

  /** The index of a model version, created on first use; an error once `maxModelVersions` are tracked. */
  indexFor(modelId: string, modelVersion: string): FeatureIndex | VigilError {
    let versions = this.#byModel.get(modelId);
    const known = versions?.get(modelVersion);
    if (known !== undefined) return known;
    if (this.#versions >= this.options.maxModelVersions) {
      return new VigilError('VIGIL_DECODE_OVERSIZED', `model version ${modelId}@${modelVersion} is one more than the limit of ${this.options.maxModelVersions} tracked versions`, {
        details: { modelId, modelVersion },
      });
    }
    if (versions === undefined) {
      versions = new Map();
      this.#byModel.set(modelId, versions);
    }
    const index = new FeatureIndex(this.options.maxFeaturesPerModel);
    const initial = this.#initialNames?.(modelId, modelVersion);
    if (initial !== undefined && initial.length > 0) {
      // Names fixed by restored state or a reference file come first, in their order.
      const seeded = index.appendNames(initial.slice(0, this.options.maxFeaturesPerModel));
      if (seeded !== undefined) return seeded;
    }
    versions.set(modelVersion, index);
    this.#versions++;
    return index;
  }
}
