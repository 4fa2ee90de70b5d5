/**
 * The drift detectors' detection-delay table and false-alarm rates on seeded streams (the same
 * streams the calibration tests pin: test/unit/workers/detectors/drift/streams.ts). Not a timing:
 * the numbers depend only on the seeds.
 *   - false alarms: 8 references of 2,000 rows × 40 stationary windows of 200 rows, 4 features,
 *     alpha 0.05, share of windows where any feature alerts after the correction across features;
 *   - delay: windows of 100 rows, the change starts at window 10 (feature 0, or the categorical
 *     feature), 40 windows; delay = windows after the change until the first alert (0 = the first
 *     changed window), with the false alarms seen in the 10 windows before the change.
 */
import { loadavg } from 'node:os';
import { NUMERIC_DETECTORS, SHIFTS, runStream, type StreamOptions } from '../test/unit/workers/detectors/drift/streams.js';
import type { Scenario } from './run.js';

const scenario: Scenario = {
  name: 'drift-detection-delay',
  description: 'detection delay (windows) of seeded shifts and false-alarm rate of stationary streams, per drift detector',
  async run() {
    const loadStart = loadavg()[0]!;
    const falseAlarms: Record<string, unknown>[] = [];
    for (const id of [...NUMERIC_DETECTORS, 'chi-square']) {
      for (const correction of id === 'wasserstein' ? ['none (fixed threshold 0.1)'] : ['bh', 'bonferroni']) {
        let alerts = 0;
        let windows = 0;
        for (let seed = 1; seed <= 8; seed++) {
          const r = runStream(id, id === 'wasserstein' ? {} : { correction, alpha: 0.05 }, null, { seed, features: 4, referenceRows: 2000, windowRows: 200, windows: 40, changeAt: Infinity });
          alerts += r.alerts.filter(Boolean).length;
          windows += r.alerts.length;
        }
        falseAlarms.push({ detector: id, correction, alpha: id === 'wasserstein' ? null : 0.05, windows, alertingWindows: alerts, rate: Number((alerts / windows).toFixed(4)) });
      }
    }
    const options: StreamOptions = { seed: 9, features: 4, referenceRows: 2000, windowRows: 100, windows: 40, changeAt: 10 };
    const delays: Record<string, unknown>[] = [];
    for (const shift of SHIFTS) {
      for (const id of shift.mix ? ['chi-square'] : NUMERIC_DETECTORS) {
        const r = runStream(id, {}, shift, options);
        delays.push({ shift: shift.name, detector: id, delayWindows: r.delay, falseAlarmsBeforeChange: r.alerts.slice(0, options.changeAt).filter(Boolean).length });
      }
    }
    const loadEnd = loadavg()[0]!;
    return {
      loadAverage1m: { start: Number(loadStart.toFixed(2)), end: Number(loadEnd.toFixed(2)) },
      falseAlarms,
      delays,
      notes: [
        'seeded and deterministic: load does not change these numbers',
        'detectors use their defaults (alpha 0.05, Benjamini-Hochberg across features; jensen-shannon and hellinger on 10 reference-quantile bins with chi-square critical values; wasserstein on its fixed 0.1 threshold)',
        'wasserstein alerts before the change too: a fixed threshold on 100- and 200-row windows is mostly noise',
      ],
    };
  },
};
export default scenario;
