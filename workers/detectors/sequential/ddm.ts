/**
 * DDM, the drift detection method of Gama et al. (2004), with River's semantics
 * (river.drift.binary.DDM, 0.26): over a stream of 0/1 errors, the running error rate p and its
 * standard deviation s = sqrt(p(1-p)/n); after `warmStart` values the smallest p + s seen is kept,
 * a warning is raised when p + s exceeds p_min + warningThreshold·s_min and a drift when it exceeds
 * p_min + driftThreshold·s_min. The update after a drift starts afresh.
 */
import { integerIn, numberIn, parseWith } from './params.js';
import type { SequentialDetector, StateSections } from './sequential.js';
import { count, flag, section } from './sequential.js';

export type DdmParams = { readonly warmStart: number; readonly warningThreshold: number; readonly driftThreshold: number };

export const DDM_DEFAULTS: DdmParams = Object.freeze({ warmStart: 30, warningThreshold: 2, driftThreshold: 3 });

export function parseDdmParams(raw: Readonly<Record<string, unknown>> | undefined, where = 'ddm'): DdmParams {
  const p = parseWith(where, DDM_DEFAULTS, { warmStart: integerIn(0, 1 << 30), warningThreshold: numberIn(0, 1000), driftThreshold: numberIn(0, 1000) }, raw);
  if (p.warningThreshold > p.driftThreshold) {
    throw new RangeError(`${where}: parameter "warningThreshold" (${p.warningThreshold}) must not exceed "driftThreshold" (${p.driftThreshold})`);
  }
  return p;
}

const SCALARS = 8;

export class Ddm implements SequentialDetector {
  readonly algorithm = 'ddm';
  readonly #p: DdmParams;
  #n = 0;
  #mean = 0;
  #pMin = NaN; // NaN until the warm start is over (River: None)
  #sMin = NaN;
  #psMin = Infinity;
  #drift = false;
  #warning = false;
  #updates = 0;

  constructor(params: DdmParams = DDM_DEFAULTS) {
    this.#p = params;
  }

  get driftDetected(): boolean {
    return this.#drift;
  }
  get warningDetected(): boolean {
    return this.#warning;
  }
  get updates(): number {
    return this.#updates;
  }

  /** `x` is an error indicator: 1 (or true) for an error, 0 otherwise. */
  update(x: number): void {
    this.#updates++;
    if (this.#drift) {
      this.#n = 0;
      this.#mean = 0;
      this.#pMin = NaN;
      this.#sMin = NaN;
      this.#psMin = Infinity;
      this.#drift = false;
      this.#warning = false;
    }
    this.#n += 1;
    this.#mean += (1 / this.#n) * (x - this.#mean);
    const p = this.#mean;
    const s = Math.sqrt((p * (1 - p)) / this.#n);
    if (this.#n > this.#p.warmStart) {
      if (p + s <= this.#psMin) {
        this.#pMin = p;
        this.#sMin = s;
        this.#psMin = p + s;
      }
      this.#warning = p + s > this.#pMin + this.#p.warningThreshold * this.#sMin;
      if (p + s > this.#pMin + this.#p.driftThreshold * this.#sMin) {
        this.#drift = true;
        this.#warning = false;
      }
    }
  }

  snapshot(): StateSections {
    return { scalars: Float64Array.of(this.#n, this.#mean, this.#pMin, this.#sMin, this.#psMin, this.#drift ? 1 : 0, this.#warning ? 1 : 0, this.#updates) };
  }

  static restore(params: DdmParams, state: StateSections): Ddm {
    const where = 'ddm restore';
    const s = section(where, state, 'scalars', SCALARS);
    const d = new Ddm(params);
    d.#n = count(where, 'n', s[0]);
    d.#mean = s[1]!;
    d.#pMin = s[2]!;
    d.#sMin = s[3]!;
    d.#psMin = s[4]!;
    d.#drift = flag(where, 'drift', s[5]);
    d.#warning = flag(where, 'warning', s[6]);
    d.#updates = count(where, 'updates', s[7]);
    return d;
  }
}
