/** Schema problems as field paths: the config validator's wording, plus a missing key named by its own path. */
import type { ValidateFunction } from 'ajv';
import { keyPath, problemsOf, type ConfigProblem } from '../../config/validate.js';

export function schemaProblems(validate: ValidateFunction, document: unknown): ConfigProblem[] {
  if (validate(document)) return [];
  const errors = validate.errors ?? [];
  const missing: ConfigProblem[] = [];
  const rest = errors.filter((e) => {
    if (e.keyword !== 'required') return true;
    const segments = e.instancePath === '' ? [] : e.instancePath.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    missing.push({ path: keyPath([...segments, String((e.params as { missingProperty?: unknown }).missingProperty)]), message: 'is required' });
    return false;
  });
  const replay = Object.assign(() => false, { errors: rest }) as unknown as ValidateFunction;
  const others = rest.length === 0 ? [] : problemsOf(replay, document);
  const seen = new Set<string>();
  return [...missing, ...others]
    .filter((p) => (seen.has(p.path) ? false : (seen.add(p.path), true)))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
