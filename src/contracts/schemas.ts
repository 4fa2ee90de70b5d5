/**
 * Runtime access to the Avro contracts in `schemas/*.avsc` (the files are shipped with the package).
 *
 * Records are parsed with `{ wrapUnions: false }`: unions decode to the bare value, and the decoded
 * shapes are the interfaces in ./records.ts. No logical-type implementation is registered, so
 * `timestamp-millis` fields read and write plain millisecond numbers.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import avro from 'avsc';
import type { Schema, Type } from 'avsc';

/** Every top-level record schema, by the base name of its `.avsc` file (also the record name). */
export const SCHEMA_NAMES = [
  'InferenceEvent',
  'GroundTruth',
  'Alert',
  'RollbackCommand',
  'AuditRecord',
  'IoLogRecord',
  'GovernanceEvent',
  'DetectorConfig',
  'StateRecord',
] as const;

export type SchemaName = (typeof SCHEMA_NAMES)[number];

/** Avro namespace shared by every contract record. */
export const SCHEMA_NAMESPACE = 'dev.vigil';

export function isSchemaName(value: string): value is SchemaName {
  return (SCHEMA_NAMES as readonly string[]).includes(value);
}

let packageRoot: string | undefined;

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/**
 * The package root: the nearest directory at or above this module that holds both `schemas/` and
 * `package.json` (works from `src/contracts/` under tsx/vitest and from `dist/src/contracts/`).
 */
export function findPackageRoot(): string {
  if (packageRoot !== undefined) return packageRoot;
  const start = dirname(fileURLToPath(import.meta.url));
  let dir = start;
  for (;;) {
    if (isDirectory(join(dir, 'schemas')) && existsSync(join(dir, 'package.json'))) {
      packageRoot = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(`cannot find the Vigil package root (a directory with schemas/ and package.json) above ${start}`);
    }
    dir = parent;
  }
}

/** Absolute path of the directory holding the `.avsc` files. */
export function schemasDir(): string {
  return resolve(findPackageRoot(), 'schemas');
}

/** Absolute path of one schema file. */
export function schemaPath(name: SchemaName): string {
  return join(schemasDir(), `${name}.avsc`);
}

const schemaText = new Map<SchemaName, string>();

/** The schema file's text, exactly as shipped (what gets registered with a schema registry). */
export function schemaSource(name: SchemaName): string {
  if (!isSchemaName(name)) {
    throw new Error(`unknown schema "${String(name)}"; expected one of ${SCHEMA_NAMES.join(', ')}`);
  }
  let text = schemaText.get(name);
  if (text === undefined) {
    text = readFileSync(schemaPath(name), 'utf8');
    schemaText.set(name, text);
  }
  return text;
}

/** The parsed Avro JSON schema; a fresh object on every call, so callers may modify it. */
export function loadSchema(name: SchemaName): Record<string, unknown> {
  const text = schemaSource(name);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`${schemaPath(name)}: not valid JSON: ${message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${schemaPath(name)}: expected a JSON object (an Avro record schema)`);
  }
  return parsed as Record<string, unknown>;
}

const types = new Map<SchemaName, Type>();

/** The avsc Type of a schema, built once with `{ wrapUnions: false }` and cached. */
export function avroType(name: SchemaName): Type {
  let type = types.get(name);
  if (type === undefined) {
    const schema = loadSchema(name);
    try {
      type = avro.Type.forSchema(schema as Schema, { wrapUnions: false });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new Error(`${schemaPath(name)}: invalid Avro schema: ${message}`);
    }
    types.set(name, type);
  }
  return type;
}
