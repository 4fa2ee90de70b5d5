/** Builders for event-detector tests: a reference profile with a detector's prepared data attached. */
import type { NumericColumns } from '../../../../../src/contracts/batch.js';
import { buildReferenceProfile, type ReferenceProfile } from '../../../../../workers/detectors/reference.js';
import type { AnyEventDetector } from '../../../../../workers/detectors/types.js';

/** The profile of `columns` with `detectorData` prepared by each detector, as the engine would build it. */
export function preparedReference(columns: NumericColumns, featureNames: readonly string[], detectors: readonly AnyEventDetector[]): ReferenceProfile {
  const profile = buildReferenceProfile({ columns, featureNames, id: 'test-ref' });
  const detectorData: Record<string, ReturnType<NonNullable<AnyEventDetector['prepareReference']>>> = {};
  for (const d of detectors) if (d.prepareReference) detectorData[d.id] = d.prepareReference(columns, profile, d.parseParams(undefined));
  return { ...profile, detectorData };
}
