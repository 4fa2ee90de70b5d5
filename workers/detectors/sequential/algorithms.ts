/** The sequential algorithms by name: parameter parsing, creation and restore from a snapshot. */
import { Adwin, parseAdwinParams } from './adwin.js';
import type { AdwinParams } from './adwin.js';
import { Cusum, parseCusumParams } from './cusum.js';
import type { CusumParams } from './cusum.js';
import { Ddm, parseDdmParams } from './ddm.js';
import type { DdmParams } from './ddm.js';
import { Kswin, parseKswinParams } from './kswin.js';
import type { KswinParams } from './kswin.js';
import { PageHinkley, parsePageHinkleyParams } from './page-hinkley.js';
import type { PageHinkleyParams } from './page-hinkley.js';
import type { SequentialDetector, StateSections } from './sequential.js';

export const ALGORITHMS = ['adwin', 'page-hinkley', 'kswin', 'ddm', 'cusum'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];
export type AlgorithmParams = AdwinParams | PageHinkleyParams | KswinParams | DdmParams | CusumParams;

function known(algorithm: string, where: string): Algorithm {
  if (!(ALGORITHMS as readonly string[]).includes(algorithm)) throw new RangeError(`${where}: unknown algorithm "${algorithm}"; expected one of ${ALGORITHMS.join(', ')}`);
  return algorithm as Algorithm;
}

/** Validated parameters of `algorithm` (defaults for missing keys). */
export function parseAlgorithmParams(algorithm: string, raw: Readonly<Record<string, unknown>> | undefined, where: string = algorithm): AlgorithmParams {
  switch (known(algorithm, where)) {
    case 'adwin':
      return parseAdwinParams(raw, where);
    case 'page-hinkley':
      return parsePageHinkleyParams(raw, where);
    case 'kswin':
      return parseKswinParams(raw, where);
    case 'ddm':
      return parseDdmParams(raw, where);
    case 'cusum':
      return parseCusumParams(raw, where);
  }
}

/** A fresh detector; `params` must come from parseAlgorithmParams for the same algorithm. */
export function createSequential(algorithm: string, params: AlgorithmParams): SequentialDetector {
  switch (known(algorithm, 'sequential')) {
    case 'adwin':
      return new Adwin(params as AdwinParams);
    case 'page-hinkley':
      return new PageHinkley(params as PageHinkleyParams);
    case 'kswin':
      return new Kswin(params as KswinParams);
    case 'ddm':
      return new Ddm(params as DdmParams);
    case 'cusum':
      return new Cusum(params as CusumParams);
  }
}

/** The detector a snapshot describes; a RangeError when the state does not fit the algorithm. */
export function restoreSequential(algorithm: string, params: AlgorithmParams, state: StateSections): SequentialDetector {
  switch (known(algorithm, 'sequential')) {
    case 'adwin':
      return Adwin.restore(params as AdwinParams, state);
    case 'page-hinkley':
      return PageHinkley.restore(params as PageHinkleyParams, state);
    case 'kswin':
      return Kswin.restore(params as KswinParams, state);
    case 'ddm':
      return Ddm.restore(params as DdmParams, state);
    case 'cusum':
      return Cusum.restore(params as CusumParams, state);
  }
}
