/**
 * Benchmark parameters from the environment: every scenario reads its knobs here so a quick run is
 * one variable away (`VIGIL_BENCH_EVENTS=50000 npm run bench -- e2e-throughput`). A value that is set
 * but not a number is a mistake worth stopping on, not a reason to fall back silently.
 */

function read(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** A whole number from `name` (underscores allowed: 300_000), at least `min`. */
export function intEnv(name: string, fallback: number, min = 1): number {
  const text = read(name);
  if (text === undefined) return fallback;
  const value = Number(text.replace(/_/g, ''));
  if (!Number.isSafeInteger(value) || value < min) throw new Error(`${name}=${JSON.stringify(text)}: expected a whole number >= ${min}`);
  return value;
}

/** A positive number from `name`, or `fallback` (which may be undefined: "not given"). */
export function numEnv(name: string, fallback: number): number;
export function numEnv(name: string, fallback: number | undefined): number | undefined;
export function numEnv(name: string, fallback: number | undefined): number | undefined {
  const text = read(name);
  if (text === undefined) return fallback;
  const value = Number(text.replace(/_/g, ''));
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}=${JSON.stringify(text)}: expected a positive number`);
  return value;
}

export function boolEnv(name: string, fallback: boolean): boolean {
  const text = read(name);
  if (text === undefined) return fallback;
  if (/^(1|true|yes|on)$/i.test(text)) return true;
  if (/^(0|false|no|off)$/i.test(text)) return false;
  throw new Error(`${name}=${JSON.stringify(text)}: expected 1/0, true/false, yes/no or on/off`);
}

export function choiceEnv<T extends string>(name: string, choices: readonly T[], fallback: T): T {
  const text = read(name);
  if (text === undefined) return fallback;
  if (!(choices as readonly string[]).includes(text)) throw new Error(`${name}=${JSON.stringify(text)}: expected one of ${choices.join(', ')}`);
  return text as T;
}

/** Progress lines go to stderr so that stdout stays the scenario's JSON. */
export function progress(scenario: string, message: string): void {
  process.stderr.write(`[${scenario} ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}
