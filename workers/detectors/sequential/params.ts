/** Validation of sequential detector parameters: defaults for missing keys, unknown keys and bad values rejected by name. */

export type Check = (value: unknown) => string | null;

/** A number in an interval; `open` excludes the bounds. */
export function numberIn(min: number, max: number, open = false): Check {
  return (v) =>
    typeof v === 'number' && Number.isFinite(v) && (open ? v > min && v < max : v >= min && v <= max)
      ? null
      : `a number in ${open ? '(' : '['}${min}, ${max}${open ? ')' : ']'}`;
}

/** An integer in [min, max]. */
export function integerIn(min: number, max: number): Check {
  return (v) => (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? null : `an integer from ${min} to ${max}`);
}

/** One of the listed strings. */
export function oneOf(values: readonly string[]): Check {
  return (v) => (typeof v === 'string' && values.includes(v) ? null : `one of ${values.join(', ')}`);
}

/**
 * Validates `raw` against `checks`, filling `defaults`; the message names `where`, the parameter and
 * the value at fault. The result is frozen.
 */
export function parseWith<P extends Record<string, number | string | boolean>>(
  where: string,
  defaults: P,
  checks: { readonly [K in keyof P]: Check },
  raw: Readonly<Record<string, unknown>> | undefined,
): P {
  if (raw === undefined) return defaults;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new RangeError(`${where}: parameters must be an object`);
  for (const key of Object.keys(raw)) {
    if (!Object.hasOwn(defaults, key)) throw new RangeError(`${where}: unknown parameter "${key}"; expected one of ${Object.keys(defaults).join(', ')}`);
  }
  const out: Record<string, number | string | boolean> = {};
  for (const key of Object.keys(defaults)) {
    const value = Object.hasOwn(raw, key) ? raw[key] : defaults[key];
    const problem = checks[key]!(value);
    if (problem !== null) throw new RangeError(`${where}: parameter "${key}" must be ${problem}, got ${JSON.stringify(value) ?? String(value)}`);
    out[key] = value as number | string | boolean;
  }
  return Object.freeze(out) as P;
}
