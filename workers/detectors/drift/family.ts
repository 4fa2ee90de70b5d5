/**
 * The drift detectors of one summary family (raw samples, category counts, named bins) differ only in
 * their id, parameters and score: how a window becomes a summary, how summaries merge and are stored,
 * and what the reference prepares belong to the family. A family is written once; its detectors are
 * made from it here.
 */
import type { NumericColumns } from '../../../src/contracts/batch.js';
import type { ReferenceProfile } from '../reference.js';
import type { DetectorParams, DetectorScore, Summary, WindowDetector } from '../types.js';

export interface SummaryFamily<S extends Summary, P extends DetectorParams> {
  empty(id: string, reference: ReferenceProfile, params: P): S;
  summarize(id: string, columns: NumericColumns, reference: ReferenceProfile, params: P): S;
  merge(id: string, a: S, b: S): S;
  encode(id: string, version: number, summary: S): Uint8Array;
  decode(id: string, version: number, bytes: Uint8Array): S;
  prepareReference(columns: NumericColumns, reference: ReferenceProfile, params: P): Summary;
}

/** What a detector of a family adds to it. */
export interface FamilyMember<S extends Summary, P extends DetectorParams> {
  readonly id: string;
  readonly version: number;
  readonly description: string;
  readonly parseParams: (raw: Readonly<Record<string, unknown>> | undefined) => P;
  readonly score: (summary: S, reference: ReferenceProfile, params: P) => DetectorScore[];
}

export function familyDetector<S extends Summary, P extends DetectorParams>(family: SummaryFamily<S, P>, member: FamilyMember<S, P>): WindowDetector<S, P> {
  const { id, version } = member;
  return Object.freeze({
    id,
    kind: 'DRIFT' as const,
    stateVersion: version,
    description: member.description,
    parseParams: member.parseParams,
    empty: (reference: ReferenceProfile, params: P): S => family.empty(id, reference, params),
    summarize: (columns: NumericColumns, reference: ReferenceProfile, params: P): S => family.summarize(id, columns, reference, params),
    merge: (a: S, b: S): S => family.merge(id, a, b),
    score: member.score,
    encode: (summary: S): Uint8Array => family.encode(id, version, summary),
    decode: (bytes: Uint8Array): S => family.decode(id, version, bytes),
    prepareReference: (columns: NumericColumns, reference: ReferenceProfile, params: P): Summary => family.prepareReference(columns, reference, params),
  });
}
