/** Loading the committed peer fixtures (written by bench/peers/drift_fixtures.py) and comparing to them. */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

export function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../../../fixtures/peers/${name}`, import.meta.url), 'utf8')) as T;
}

/** |got − want| <= rel·|want|, with an absolute floor of 1e-15 for values at or near zero. */
export function expectClose(got: number, want: number, label: string, rel = 1e-9): void {
  const ok = got === want || Math.abs(got - want) <= Math.max(rel * Math.abs(want), 1e-15);
  expect(ok, `${label}: got ${got}, want ${want} (relative difference ${Math.abs(got - want) / Math.abs(want)})`).toBe(true);
}

export function sorted(values: readonly number[]): Float64Array {
  return Float64Array.from(values).sort();
}
