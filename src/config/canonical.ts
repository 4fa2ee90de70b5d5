/**
 * Canonical JSON: the one byte form of a value that Vigil hashes and signs (configuration hashes,
 * ids, audit payloads, state snapshots). Object keys are sorted by UTF-16 code unit, there is no
 * whitespace, numbers and strings use the ECMAScript JSON forms; for the values it accepts this is
 * the JSON Canonicalization Scheme (RFC 8785). Anything with no single JSON spelling is rejected
 * instead of being silently coerced: non-finite numbers, undefined array items, bigints, functions,
 * symbols, cycles and objects that are not plain (Date, Map, Buffer, class instances).
 * Object properties whose value is `undefined` are omitted, as JSON.stringify does, so optional
 * fields that are absent and fields explicitly set to undefined hash alike.
 */
import { createHash } from 'node:crypto';
import { VigilError } from '../errors.js';

export function canonicalJson(value: unknown): string {
  const parts: string[] = [];
  write(value, '$', parts, new Set<object>());
  return parts.join('');
}

/** Lower-case hex SHA-256 of `canonicalJson(value)`. */
export function canonicalHash(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}

/** Lower-case hex SHA-256 of a UTF-8 string or of bytes. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function write(value: unknown, path: string, out: string[], ancestors: Set<object>): void {
  switch (typeof value) {
    case 'string':
      out.push(JSON.stringify(value));
      return;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'number':
      if (!Number.isFinite(value)) throw reject(path, `the number ${String(value)} has no JSON form`);
      out.push(JSON.stringify(value)); // -0 becomes 0, as in RFC 8785
      return;
    case 'object':
      break;
    default:
      throw reject(path, `a ${typeof value} has no JSON form`);
  }
  if (value === null) {
    out.push('null');
    return;
  }
  if (ancestors.has(value)) throw reject(path, 'the value contains a cycle');
  ancestors.add(value);
  if (Array.isArray(value)) {
    out.push('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(',');
      const item: unknown = value[i];
      if (item === undefined) throw reject(`${path}[${i}]`, 'an array item is undefined');
      write(item, `${path}[${i}]`, out, ancestors);
    }
    out.push(']');
  } else {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw reject(path, `a ${describeObject(value)} is not a plain object`);
    }
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).filter((k) => record[k] !== undefined).sort();
    out.push('{');
    keys.forEach((key, i) => {
      if (i > 0) out.push(',');
      out.push(JSON.stringify(key), ':');
      write(record[key], `${path}.${key}`, out, ancestors);
    });
    out.push('}');
  }
  ancestors.delete(value);
}

function describeObject(value: object): string {
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name.length > 0 ? name : 'non-plain object';
}

function reject(path: string, reason: string): VigilError {
  return new VigilError('VIGIL_INPUT_INVALID', `cannot write canonical JSON at ${path}: ${reason}`, { details: { path } });
}
