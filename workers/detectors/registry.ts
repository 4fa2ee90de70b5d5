/**
 * Every window detector, by id. Adding a detector is adding it to DETECTORS: the scoring tasks, the
 * configuration and the contract test suite all read this list.
 */
import { psiDetector } from './drift/psi.js';
import type { AnyWindowDetector } from './types.js';

const DETECTORS: readonly AnyWindowDetector[] = [psiDetector];

export const detectorRegistry: ReadonlyMap<string, AnyWindowDetector> = new Map(DETECTORS.map((d) => [d.id, d]));

if (detectorRegistry.size !== DETECTORS.length) throw new Error('detector ids must be unique');

/** The registered detector ids, in registration order. */
export function detectorIds(): string[] {
  return [...detectorRegistry.keys()];
}

/** The detector with this id; a RangeError listing the known ids otherwise. */
export function getDetector(id: string): AnyWindowDetector {
  const detector = detectorRegistry.get(id);
  if (detector === undefined) throw new RangeError(`unknown detector "${id}"; registered: ${detectorIds().join(', ')}`);
  return detector;
}
