/**
 * Parameter validation shared by the event detectors: a declarative spec per parameter (default and
 * range), unknown keys rejected, every error a RangeError naming the detector, the parameter and the
 * value.
 */
import type { DetectorParams } from '../types.js';

export interface NumberSpec {
  readonly default: number;
  readonly min: number;
  readonly max: number;
  /** Whether the bounds are excluded. */
  readonly open?: boolean;
  readonly integer?: boolean;
}

export type ParamSpec = Readonly<Record<string, NumberSpec>>;

export function parseNumberParams<P extends DetectorParams>(id: string, spec: ParamSpec, raw: Readonly<Record<string, unknown>> | undefined): P {
  const names = Object.keys(spec);
  if (raw !== undefined && (raw === null || typeof raw !== 'object' || Array.isArray(raw))) {
    throw new RangeError(`${id}: parameters must be an object, got ${raw === null ? 'null' : typeof raw}`);
  }
  for (const key of Object.keys(raw ?? {})) {
    if (!(key in spec)) throw new RangeError(`${id}: unknown parameter "${key}"; expected one of ${names.join(', ')}`);
  }
  const out: Record<string, number> = {};
  for (const name of names) {
    const s = spec[name]!;
    const value = raw?.[name] ?? s.default;
    const inRange = typeof value === 'number' && (s.open ? value > s.min && value < s.max : value >= s.min && value <= s.max);
    if (!inRange || (s.integer === true && !Number.isInteger(value))) {
      const range = s.open ? `(${s.min}, ${s.max})` : `[${s.min}, ${s.max}]`;
      throw new RangeError(`${id}: parameter "${name}" must be ${s.integer ? 'an integer' : 'a number'} in ${range}, got ${JSON.stringify(value) ?? String(value)}`);
    }
    out[name] = value as number;
  }
  return Object.freeze(out) as unknown as P;
}

/** The flagging threshold every calibrated anomaly detector shares: a calibrated score in [0, 1). */
export const THRESHOLD_SPEC: NumberSpec = { default: 0.995, min: 0, max: 1, open: true };
