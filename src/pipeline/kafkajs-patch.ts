/**
 * What the engine's patches of kafkajs internals share (its record decoding, its Batch, its
 * coordinator look-ups): each is written for one kafkajs version, and says whether it is in place or
 * why not, so that the engine can log it and go on with kafkajs's own code.
 */
import { createRequire } from 'node:module';

/** The kafkajs version whose internals the patches are written for. */
export const KAFKAJS_VERSION = '2.2.4';

export type PatchOutcome = { readonly installed: true } | { readonly installed: false; readonly reason: string };

/**
 * Runs `apply` with a `require` that finds kafkajs's modules, when kafkajs is KAFKAJS_VERSION, and
 * returns what it says; else, or when it throws, why the patch (`what`) is not in place.
 */
export function patchKafkajs(what: string, apply: (require: NodeJS.Require) => PatchOutcome): PatchOutcome {
  const require = createRequire(import.meta.url);
  try {
    const version = (require('kafkajs/package.json') as { version?: string }).version;
    if (version !== KAFKAJS_VERSION) return { installed: false, reason: `kafkajs is ${String(version)}, ${what} is written for ${KAFKAJS_VERSION}` };
    return apply(require);
  } catch (error) {
    return { installed: false, reason: `kafkajs internals not as expected: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** A kafkajs module put in place of the one kafkajs loads. */
export interface ModuleReplacement<T extends object> {
  /** kafkajs's module, e.g. `kafkajs/src/consumer/batch.js`. */
  readonly module: string;
  /** Set on the replacement, holding what it replaced: a second install (this code loaded twice) sees it. */
  readonly mark: symbol;
  /** kafkajs's modules that bind `module` when they load: once one is loaded, a replacement comes too late. */
  readonly boundBy: RegExp;
  /** Why it came too late, for the outcome. */
  readonly tooLate: string;
  /** The replacement of kafkajs's export. */
  readonly replace: (current: T, require: NodeJS.Require) => T;
}

/**
 * Puts `replace(kafkajs's export)` in the module cache in place of kafkajs's `module`, for the whole
 * process, or says why not (see patchKafkajs). A replacement already there counts as installed.
 */
export function replaceKafkajsModule<T extends object>(what: string, spec: ModuleReplacement<T>): PatchOutcome {
  return patchKafkajs(what, (require) => {
    const path = require.resolve(spec.module);
    const current = require(path) as T;
    if ((current as Record<symbol, unknown>)[spec.mark] !== undefined) return { installed: true };
    if (Object.keys(require.cache).some((p) => spec.boundBy.test(p))) return { installed: false, reason: spec.tooLate };
    const module = require.cache[path];
    if (module === undefined) return { installed: false, reason: `kafkajs module ${spec.module} not in the module cache` };
    const replacement = spec.replace(current, require);
    Object.defineProperty(replacement, spec.mark, { value: current });
    module.exports = replacement;
    return { installed: true };
  });
}
