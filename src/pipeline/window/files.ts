/**
 * Reference data files named in the configuration (`reference.file`, globally or per model): read
 * once, relative to the configuration file's folder, and shared by every partition.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { LoadedConfig, ModelSettings } from '../../config/types.js';
import { VigilError, describeError } from '../../errors.js';
import { parseReferenceLines, referenceFromRows } from './reference.js';
import type { ReferenceData } from './types.js';

/** Rows read from one reference file at most. */
export const MAX_REFERENCE_FILE_ROWS = 1_000_000;

export class ReferenceFiles {
  readonly #config: LoadedConfig;
  readonly #settings: (modelId: string) => ModelSettings;
  readonly #byPath = new Map<string, ReferenceData>();

  constructor(config: LoadedConfig, settings: (modelId: string) => ModelSettings) {
    this.#config = config;
    this.#settings = settings;
  }

  #path(file: string): string {
    return resolve(this.#config.source ? dirname(this.#config.source) : process.cwd(), file);
  }

  #load(file: string): ReferenceData {
    const path = this.#path(file);
    let reference = this.#byPath.get(path);
    if (!reference) {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (error) {
        throw new VigilError('VIGIL_INPUT_INVALID', `reference file ${path} cannot be read: ${describeError(error)}`, { cause: error, details: { file: path } });
      }
      const rows = parseReferenceLines(text, path, MAX_REFERENCE_FILE_ROWS);
      if (rows.length === 0) throw new VigilError('VIGIL_INPUT_INVALID', `reference file ${path} holds no rows`, { details: { file: path } });
      reference = referenceFromRows(rows);
      this.#byPath.set(path, reference);
    }
    return reference;
  }

  /** Reads every file the configuration names (the default and each configured model's). */
  loadAll(): void {
    const { config } = this.#config;
    if (config.engine.reference.file) this.#load(config.engine.reference.file);
    for (const modelId of Object.keys(config.models)) {
      const file = this.#settings(modelId).reference.file;
      if (file) this.#load(file);
    }
  }

  forModel(modelId: string): ReferenceData | undefined {
    const file = this.#settings(modelId).reference.file;
    return file ? this.#load(file) : undefined;
  }
}
