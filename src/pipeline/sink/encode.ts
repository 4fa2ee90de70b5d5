/**
 * Output encoding: registers each output record's schema under `<topic>-value` (TopicNameStrategy)
 * once at start-up and encodes records in the Confluent wire format with Vigil's own Avro types.
 */
import { avroType, schemaSource, type SchemaName } from '../../contracts/schemas.js';
import { VigilError, describeError } from '../../errors.js';

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

/** Registers `schema` under `subject` and returns its id; retries transient failures with backoff. */
export async function registerSchema(registryUrl: string, subject: string, schema: string, attempts = 5): Promise<number> {
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      const response = await fetch(`${registryUrl}/subjects/${encodeURIComponent(subject)}/versions`, {
        method: 'POST',
        headers: { 'content-type': CONTENT_TYPE, accept: CONTENT_TYPE },
        body: JSON.stringify({ schema, schemaType: 'AVRO' }),
        signal: AbortSignal.timeout(10_000),
      });
      const body = (await response.json().catch(() => ({}))) as { id?: number; message?: string };
      if (response.ok && typeof body.id === 'number') return body.id;
      if (response.status === 409 || response.status === 422) {
        throw new VigilError('VIGIL_REGISTRY_UNAVAILABLE', `the registry refused the schema for ${subject}: ${body.message ?? response.status}`, { retriable: false });
      }
      lastError = new Error(`HTTP ${response.status}: ${body.message ?? ''}`);
    } catch (error) {
      if (error instanceof VigilError) throw error;
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
  }
  throw new VigilError('VIGIL_REGISTRY_UNAVAILABLE', `cannot register ${subject} at ${registryUrl}: ${describeError(lastError)}`, { cause: lastError });
}

/** Frames an Avro body in the Confluent wire format: magic 0, 4-byte big-endian id, body. */
export function frame(schemaId: number, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(5 + body.length);
  out[0] = 0;
  out.writeUInt32BE(schemaId, 1);
  body.copy(out, 5);
  return out;
}

export interface RecordEncoder<T> {
  readonly schemaId: number;
  encode(record: T): Buffer;
}

export async function recordEncoder<T>(registryUrl: string, topic: string, name: SchemaName): Promise<RecordEncoder<T>> {
  const schemaId = await registerSchema(registryUrl, `${topic}-value`, schemaSource(name));
  const type = avroType(name);
  return {
    schemaId,
    encode: (record: T) => frame(schemaId, type.toBuffer(record)),
  };
}
