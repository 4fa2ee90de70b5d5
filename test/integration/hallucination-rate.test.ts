/**
 * The window hallucination rate in the engine on the real stack: the demo's assistant answers from
 * its passages for its reference and two windows, then states unsupported facts in 30 % of its answers;
 * `hallucination-rate` raises a HALLUCINATION alert for every window after the switch and none before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, InferenceEvent } from '../../src/contracts/records.js';
import { AssistantGenerator } from '../../src/demo/assistant.js';
import { startEngineRig, type EngineRig } from './rig.js';
import { collect, consumedAll, uniquePrefix } from './helpers.js';

const REFERENCE = 400;
const WINDOW = 200;
const SWITCH = REFERENCE + 2 * WINDOW;
const TOTAL = SWITCH + 3 * WINDOW;
const START = Date.UTC(2026, 0, 1);
const SPACING_MS = 100;

describe('hallucination rate in the engine', () => {
  const prefix = uniquePrefix('hrate');
  let rig: EngineRig | undefined;

  beforeAll(async () => {
    rig = await startEngineRig(prefix, 1, {
      engine: { windows: { count: WINDOW, timeMs: 3_600_000 }, reference: { events: REFERENCE } },
      detectors: { psi: { enabled: false }, 'hallucination-rate': { enabled: true } },
    });
  });

  afterAll(async () => {
    await rig?.stop();
  });

  it('alerts on every window after the assistant starts hallucinating, and on none before', async () => {
    const assistant = new AssistantGenerator({ modelId: 'support-assistant', modelVersion: '2', seed: 9, hallucinateFrom: SWITCH, hallucinationRate: 0.3, startTime: START, spacingMs: SPACING_MS });
    const events: InferenceEvent[] = Array.from({ length: TOTAL }, () => assistant.next());
    for (let at = 0; at < TOTAL; at += 500) await rig!.producer.send(events.slice(at, at + 500).map((value) => ({ key: value.modelId, value })));
    await consumedAll(rig!.engine, TOTAL, 120_000);

    const alerts = (await collect<Alert>(`${prefix}alerts`, 'Alert', () => false, 5000)).map((r) => r.value!).filter((a) => a.detector === 'hallucination-rate');
    // One alert per window after the switch (a window ends just after its last event), none for the two before.
    const timeOf = (event: number): number => START + event * SPACING_MS;
    expect(alerts.map((a) => a.windowEnd).sort((x, y) => x - y)).toEqual([1, 2, 3].map((w) => timeOf(SWITCH + w * WINDOW - 1) + 1));
    expect(alerts.every((a) => a.windowStart > timeOf(SWITCH - 1))).toBe(true);
    for (const a of alerts) {
      expect(a).toMatchObject({ kind: 'HALLUCINATION', status: 'FIRING', modelId: 'support-assistant', modelVersion: '2', feature: null, severity: 'CRITICAL' });
      expect(a.evidence).toMatchObject({ windowAnswers: String(WINDOW), baselineAnswers: String(REFERENCE), baselineFlagged: '0', baselineRate: '0', exceeds: 'true' });
      expect(Number(a.evidence['windowRate'])).toBeGreaterThan(0.15);
      expect(Number(a.evidence['pValue'])).toBeLessThan(1e-6);
      expect(a.score).toBeCloseTo(-Math.log10(Number(a.evidence['pValue'])), 6);
    }
  }, 180_000);
});
