/**
 * A schema source without a registry: serves the schemas bundled with Vigil under fixed local ids,
 * so `vigil replay` can encode events in the wire format and run them through the same decode stage
 * as the engine, with no Kafka and no registry. Ids are the position in SCHEMA_NAMES plus one; they
 * mean nothing outside one replay.
 */
import { SCHEMA_NAMES, schemaSource, type SchemaName } from '../contracts/schemas.js';
import type { SchemaLookup } from '../pipeline/decode/registry.js';
import { VigilError } from '../errors.js';

export class LocalSchemaSource implements SchemaLookup {
  idOf(name: SchemaName): number {
    return SCHEMA_NAMES.indexOf(name) + 1;
  }

  schemaFor(id: number): Promise<string> {
    const name = Number.isInteger(id) ? SCHEMA_NAMES[id - 1] : undefined;
    if (name === undefined) return Promise.reject(new VigilError('VIGIL_DECODE_UNKNOWN_SCHEMA', `schema id ${id} is not a bundled schema`));
    return Promise.resolve(schemaSource(name));
  }
}
