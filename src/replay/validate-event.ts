/**
 * An InferenceEvent read from a file (JSON), checked against the Avro contract before it is encoded:
 * optional fields take their schema defaults, unknown fields are refused, and the first value that
 * does not fit is named by its field path (`features.age: expected double, got "x"`).
 */
import type { Type } from 'avsc';
import type { InferenceEvent } from '../contracts/records.js';
import { avroType } from '../contracts/schemas.js';

interface FieldLike {
  readonly name: string;
  readonly type: Type;
  defaultValue(): unknown;
}

function recordFields(type: Type): readonly FieldLike[] | null {
  const fields = (type as unknown as { fields?: FieldLike[] }).fields;
  return Array.isArray(fields) ? fields : null;
}

function recordBranch(type: Type): Type | null {
  if (recordFields(type)) return type;
  const branches = (type as unknown as { types?: Type[] }).types;
  return branches?.find((t) => recordFields(t) !== null) ?? null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A copy of `value` with defaults filled in; the name of an unknown field, if any. */
function withDefaults(type: Type, value: Record<string, unknown>, path: string): { value: Record<string, unknown>; unknown: string | null } {
  const fields = recordFields(type)!;
  const names = new Set(fields.map((f) => f.name));
  for (const key of Object.keys(value)) if (!names.has(key)) return { value, unknown: `${path}${key}` };
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    let v = value[field.name];
    if (v === undefined) v = field.defaultValue();
    const branch = recordBranch(field.type);
    if (branch !== null && isObject(v)) {
      const nested = withDefaults(branch, v, `${path}${field.name}.`);
      if (nested.unknown !== null) return nested;
      v = nested.value;
    }
    if (v !== undefined) out[field.name] = v;
  }
  return { value: out, unknown: null };
}

function describeType(type: Type): string {
  const branches = (type as unknown as { types?: Type[] }).types;
  if (branches) return branches.map(describeType).join(' or ');
  const name = type.typeName;
  if (name === 'record') return 'an object';
  if (name === 'map') return 'an object of values';
  if (name === 'array') return 'a list';
  if (name === 'enum') return `one of ${((type as unknown as { symbols: string[] }).symbols ?? []).join(', ')}`;
  if (name === 'logical:timestamp-millis') return 'long';
  return name;
}

function preview(value: unknown): string {
  const text = value === undefined ? 'nothing' : (JSON.stringify(value) ?? String(value));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export type EventCheck = { readonly ok: true; readonly event: InferenceEvent } | { readonly ok: false; readonly field: string; readonly message: string };

/** Checks a parsed JSON value as an InferenceEvent. */
export function checkEvent(value: unknown): EventCheck {
  if (!isObject(value)) return { ok: false, field: '(event)', message: `must be an object (got ${preview(value)})` };
  const type = avroType('InferenceEvent');
  const filled = withDefaults(type, value, '');
  if (filled.unknown !== null) return { ok: false, field: filled.unknown, message: 'is not a field of InferenceEvent' };
  let problem: { field: string; message: string } | null = null;
  type.isValid(filled.value, {
    errorHook: (path: string[], any: unknown, t: Type) => {
      if (problem !== null) return;
      problem = { field: path.length > 0 ? path.join('.') : '(event)', message: `expected ${describeType(t)}, got ${preview(any)}` };
    },
  });
  if (problem !== null) return { ok: false, ...(problem as { field: string; message: string }) };
  return { ok: true, event: filled.value as unknown as InferenceEvent };
}
