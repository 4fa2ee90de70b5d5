/**
 * The engine's state changelog (`vigil.state`, compacted): one record per (input partition, kind,
 * model version), written to the state partition numbered like the input partition, in the same
 * transaction as the outputs and the offsets it is consistent with.
 */
import type { StateRecord } from '../contracts/records.js';

export type StateKind = 'windows' | 'reference' | 'rollback' | 'chain' | 'events' | 'labelled-windows' | 'labelled-reference' | 'labelled-rollback';

export const STATE_FORMAT_VERSION = 1;

export function stateKey(partition: number, kind: StateKind, modelId: string, modelVersion: string): string {
  // JSON keeps the parts apart whatever characters model ids contain.
  return JSON.stringify([partition, kind, modelId, modelVersion]);
}

export function stateRecord(partition: number, kind: StateKind, modelId: string, modelVersion: string, body: Uint8Array): StateRecord {
  return {
    key: stateKey(partition, kind, modelId, modelVersion),
    modelId,
    modelVersion,
    kind,
    version: STATE_FORMAT_VERSION,
    body: Buffer.from(body.buffer, body.byteOffset, body.byteLength),
    encrypted: false,
  };
}
