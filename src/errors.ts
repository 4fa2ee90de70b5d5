/**
 * Every error Vigil raises carries a stable code from this catalogue, an optional `cause`, and a
 * `retriable` flag. Callers branch on `code` or `retriable`, never on message text.
 * `test/unit/errors.test.ts` checks that the catalogue and the README's error table agree.
 */
export const ERROR_CODES = {
  // usage and input: exit code 2
  VIGIL_USAGE: { retriable: false, exit: 2, summary: 'bad command-line usage' },
  VIGIL_CONFIG_INVALID: { retriable: false, exit: 2, summary: 'configuration does not match its schema' },
  VIGIL_INPUT_INVALID: { retriable: false, exit: 2, summary: 'an input file or value is malformed' },
  // the local stack
  VIGIL_STACK_JAVA_MISSING: { retriable: false, exit: 2, summary: 'no Java 17+ runtime found' },
  VIGIL_STACK_MAVEN_MISSING: { retriable: false, exit: 2, summary: 'Maven (mvn) not found' },
  VIGIL_STACK_FETCH_FAILED: { retriable: true, exit: 2, summary: 'fetching Kafka or the registry from Maven failed' },
  VIGIL_STACK_PORT_IN_USE: { retriable: false, exit: 2, summary: 'a stack port is taken by another process' },
  VIGIL_STACK_START_TIMEOUT: { retriable: true, exit: 2, summary: 'a stack service did not become ready in time' },
  VIGIL_STACK_PROCESS_EXITED: { retriable: false, exit: 2, summary: 'a stack process exited during start-up' },
  VIGIL_STACK_NOT_RUNNING: { retriable: false, exit: 1, summary: 'the stack is not running' },
  // Kafka and the registry
  VIGIL_KAFKA_UNAVAILABLE: { retriable: true, exit: 2, summary: 'the Kafka broker cannot be reached' },
  VIGIL_REGISTRY_UNAVAILABLE: { retriable: true, exit: 2, summary: 'the schema registry cannot be reached' },
  VIGIL_TOPIC_MISCONFIGURED: { retriable: false, exit: 1, summary: 'an existing topic has settings that differ from the contract' },
  // decoding (each routes a record to the dead-letter topic)
  VIGIL_DECODE_MAGIC: { retriable: false, exit: 2, summary: 'record does not start with the Confluent magic byte 0' },
  VIGIL_DECODE_SHORT: { retriable: false, exit: 2, summary: 'record is shorter than the 5-byte wire header' },
  VIGIL_DECODE_UNKNOWN_SCHEMA: { retriable: false, exit: 2, summary: 'schema id unknown to the registry' },
  VIGIL_DECODE_SCHEMA_MISMATCH: { retriable: false, exit: 2, summary: 'writer schema cannot be read as the expected record' },
  VIGIL_DECODE_TRUNCATED: { retriable: false, exit: 2, summary: 'Avro body ends before the record does' },
  VIGIL_DECODE_TRAILING: { retriable: false, exit: 2, summary: 'bytes left over after the Avro record' },
  VIGIL_DECODE_MALFORMED: { retriable: false, exit: 2, summary: 'Avro bytes break their own schema (bad index, length or varint)' },
  VIGIL_DECODE_OVERSIZED: { retriable: false, exit: 2, summary: 'record declares more items or bytes than it carries or than allowed' },
  VIGIL_EVENT_INVALID: { retriable: false, exit: 2, summary: 'decoded event has an invalid value' },
  VIGIL_EVENT_DUPLICATE: { retriable: false, exit: 2, summary: 'event id already seen' },
  // engine
  VIGIL_ENGINE_STOPPING: { retriable: false, exit: 1, summary: 'the engine is shutting down' },
  VIGIL_INTERNAL: { retriable: false, exit: 1, summary: 'an unexpected internal error' },
  // governance: manifests, compliance checks, the registry, the audit trail
  VIGIL_MANIFEST_INVALID: { retriable: false, exit: 2, summary: 'a deployment manifest does not match its schema' },
  VIGIL_POLICY_INVALID: { retriable: false, exit: 2, summary: 'a compliance rule pack is malformed' },
  VIGIL_CHECK_FAILED: { retriable: false, exit: 1, summary: 'compliance checks found violations' },
  VIGIL_GOVERNANCE_REFUSED: { retriable: false, exit: 1, summary: 'a governance step is not allowed in the version\'s state' },
  // data protection: keys, envelope encryption, protected artifacts
  VIGIL_KEY_INVALID: { retriable: false, exit: 2, summary: 'a key file or key value is missing, malformed or readable by others' },
  VIGIL_KEY_UNKNOWN: { retriable: false, exit: 2, summary: 'the data names a key-encryption key the key provider does not hold' },
  VIGIL_DECRYPT_FAILED: { retriable: false, exit: 2, summary: 'authentication failed: ciphertext, tag, nonce, associated data or wrapped key altered, or the wrong key' },
  VIGIL_ARTIFACT_CORRUPT: { retriable: false, exit: 2, summary: 'a protected artifact has a malformed header or is truncated or extended' },
  // the admin API, identities and access control (HTTP status in the summary)
  VIGIL_AUTH_REQUIRED: { retriable: false, exit: 2, summary: 'no credentials were given (401)' },
  VIGIL_AUTH_INVALID: { retriable: false, exit: 2, summary: 'the token is unknown, expired, revoked or fails verification (401)' },
  VIGIL_FORBIDDEN: { retriable: false, exit: 2, summary: 'the principal lacks the role the action needs (403)' },
  VIGIL_SEPARATION_OF_DUTIES: { retriable: false, exit: 2, summary: 'the action would break separation of duties (403)' },
  VIGIL_RATE_LIMITED: { retriable: true, exit: 2, summary: 'too many requests or failed logins; retry after the time given (429)' },
  VIGIL_NOT_FOUND: { retriable: false, exit: 2, summary: 'no such route, model or record (404)' },
  VIGIL_NOT_IMPLEMENTED: { retriable: false, exit: 2, summary: 'the route exists but its logic is not provided yet (501)' },
  VIGIL_API_UNAVAILABLE: { retriable: true, exit: 2, summary: 'the admin API cannot be reached or failed (5xx)' },
} as const satisfies Record<string, { retriable: boolean; exit: 1 | 2; summary: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class VigilError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  /** Extra facts for the message reader: the file, field, value or port at fault. */
  readonly details: Readonly<Record<string, string | number | boolean>>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, string | number | boolean>; retriable?: boolean } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VigilError';
    this.code = code;
    this.retriable = options.retriable ?? ERROR_CODES[code].retriable;
    this.details = Object.freeze({ ...(options.details ?? {}) });
  }

  /** The process exit code a command returns when this error ends it. */
  get exitCode(): 1 | 2 {
    return ERROR_CODES[this.code].exit;
  }
}

export function isVigilError(value: unknown): value is VigilError {
  return value instanceof VigilError;
}

/** A one-line description of any thrown value, for messages (never for classification). */
export function describeError(value: unknown): string {
  if (value instanceof Error) return value.message;
  return String(value);
}
