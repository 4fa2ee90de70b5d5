import type { WindowContext } from '../../../../src/pipeline/policy/alerts.js';

export const T0 = Date.UTC(2025, 2, 14, 9, 30, 0);

/** A closed window of credit-risk 3.2.0, as the engine passes it to the policy. */
export const WINDOW: WindowContext = {
  modelId: 'credit-risk',
  modelVersion: '3.2.0',
  windowStart: T0,
  windowEnd: T0 + 60_000,
  source: { topic: 'vigil.inference', partition: 3, firstOffset: '1200', lastOffset: '2199' },
  configHash: 'a'.repeat(64),
  referenceId: 'b'.repeat(64),
};
