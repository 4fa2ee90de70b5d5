/**
 * Schema validation with messages a person can act on: each problem names the key path
 * (`detectors.psi.bins`), what the value must be (`must be integer >= 2 and <= 1000`) and what it was,
 * or which key is unknown and which keys are allowed there.
 */
import { Ajv } from 'ajv';
import type { ErrorObject, SchemaObject, ValidateFunction } from 'ajv';
import { VigilError } from '../errors.js';
import { CONFIG_SCHEMA, LIVE_OVERRIDE_SCHEMA, MODEL_OVERRIDE_SCHEMA } from './schema.js';

const ajv = new Ajv({ allErrors: true, strict: true, verbose: true, allowUnionTypes: true });

export const validators = {
  config: ajv.compile(CONFIG_SCHEMA),
  modelOverride: ajv.compile(MODEL_OVERRIDE_SCHEMA),
  liveOverride: ajv.compile(LIVE_OVERRIDE_SCHEMA),
} as const;

export interface ConfigProblem {
  /** Dotted key path, `(root)` for the document itself. */
  readonly path: string;
  /** What is wrong, starting with a verb: `must be ...` or `is not a known key ...`. */
  readonly message: string;
}

/** Runs `validate` and returns its problems, one per key path, sorted by path. */
export function problemsOf(validate: ValidateFunction, document: unknown, basePath: readonly string[] = []): ConfigProblem[] {
  if (validate(document)) return [];
  const byPath = new Map<string, ConfigProblem>();
  for (const error of validate.errors ?? []) {
    const problem = describe(error, basePath);
    if (problem !== null && !byPath.has(problem.path)) byPath.set(problem.path, problem);
  }
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** A VIGIL_CONFIG_INVALID error listing every problem, naming the file (or other origin). */
export function configError(origin: string, problems: readonly ConfigProblem[], cause?: unknown): VigilError {
  const first = problems[0];
  const lines = problems.map((p) => `${p.path} ${p.message}`);
  const message =
    lines.length === 1 ? `invalid configuration in ${origin}: ${lines[0] ?? ''}` : `invalid configuration in ${origin}:\n  - ${lines.join('\n  - ')}`;
  return new VigilError('VIGIL_CONFIG_INVALID', message, {
    cause,
    details: { file: origin, path: first?.path ?? '(root)', problems: problems.length },
  });
}

/** `a.b.c` from path segments; segments that are not plain words are quoted: `models["a.b"].windows`. */
export function keyPath(segments: readonly string[]): string {
  if (segments.length === 0) return '(root)';
  let out = '';
  for (const segment of segments) {
    if (/^[A-Za-z0-9_-]+$/.test(segment)) out += out.length === 0 ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

function describe(error: ErrorObject, basePath: readonly string[]): ConfigProblem | null {
  const segments = [...basePath, ...pointerSegments(error.instancePath)];
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      const allowed = Object.keys((error.parentSchema?.['properties'] as object | undefined) ?? {});
      return { path: keyPath([...segments, key]), message: `is not a known key (allowed here: ${allowed.join(', ')})` };
    }
    case 'required':
      return { path: keyPath([...segments, String(params['missingProperty'])]), message: 'is required here' };
    case 'propertyNames': {
      const key = String(params['propertyName']);
      return { path: keyPath([...segments, key]), message: `is not a valid id: ${expected(error.schema)}` };
    }
    case 'if':
    case 'anyOf':
      return null;
    default: {
      // Errors raised while checking a property *name* (inside propertyNames) are reported above.
      if ((error as ErrorObject & { propertyName?: string }).propertyName !== undefined) return null;
      return { path: keyPath(segments), message: `must be ${expected(error.parentSchema)} (got ${preview(error.data)})` };
    }
  }
}

function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** A phrase for what a schema accepts: `integer >= 2 and <= 1000`, `boolean`, `a mapping`. */
export function expected(schema: unknown): string {
  if (typeof schema !== 'object' || schema === null) return 'valid';
  const s = schema as SchemaObject;
  if (Array.isArray(s['enum'])) return `one of ${s['enum'].map((v) => JSON.stringify(v)).join(', ')}`;
  const types = (Array.isArray(s['type']) ? s['type'] : [s['type']]).filter((t): t is string => typeof t === 'string');
  const parts: string[] = [];
  for (const type of types) {
    if (type === 'integer' || type === 'number') {
      const bounds: string[] = [];
      if (typeof s['minimum'] === 'number') bounds.push(`>= ${s['minimum']}`);
      if (typeof s['exclusiveMinimum'] === 'number') bounds.push(`> ${s['exclusiveMinimum']}`);
      if (typeof s['maximum'] === 'number') bounds.push(`<= ${s['maximum']}`);
      parts.push([type, bounds.join(' and ')].filter((p) => p.length > 0).join(' '));
    } else if (type === 'string') {
      let text = s['minLength'] === 1 ? 'a non-empty string' : 'a string';
      if (typeof s['maxLength'] === 'number') text += ` of at most ${s['maxLength']} characters`;
      if (typeof s['pattern'] === 'string') text += ' without control characters';
      if (s['not'] !== undefined) text += ' (not __proto__, constructor or prototype)';
      parts.push(text);
    } else if (type === 'object') {
      parts.push('a mapping of keys to values');
    } else {
      parts.push(type);
    }
  }
  return parts.length > 0 ? parts.join(' or ') : 'valid';
}

function preview(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch (cause) {
    // Not JSON-representable (a cycle cannot come from YAML or JSON, but be safe): show its type.
    text = `a ${typeof value} (${cause instanceof Error ? cause.name : 'unprintable'})`;
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
