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
