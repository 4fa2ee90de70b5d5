/**
 * JSON schemas of `vigil.yaml` and of the per-model override documents of the `vigil.config` topic.
 * Every object is closed (`additionalProperties: false`), so a misspelt key is an error rather than a
 * silently ignored setting. Defaults live in ./defaults.ts; bounds here keep memory bounded whatever
 * the file says (a window or reference is held in memory, so its size is capped).
 */
import type { SchemaObject } from 'ajv';

/** Model ids and versions: printable, no control characters, bounded; never an object-prototype name. */
const ID = {
  type: 'string',
  minLength: 1,
  maxLength: 200,
  pattern: '^[^\\u0000-\\u001f\\u007f]+$',
  not: { enum: ['__proto__', 'constructor', 'prototype'] },
} as const;

/** Versions: like ids, without the prototype-name rule (they are values, not keys). */
const VERSION = { type: 'string', minLength: 1, maxLength: 200, pattern: ID.pattern } as const;

const integer = (minimum: number, maximum: number): SchemaObject => ({ type: 'integer', minimum, maximum });

const psi = (): SchemaObject => ({
  type: 'object',
  additionalProperties: false,
  properties: {
    enabled: { type: 'boolean' },
    bins: integer(2, 1000),
    warning: { type: 'number', exclusiveMinimum: 0, maximum: 100 },
    critical: { type: 'number', exclusiveMinimum: 0, maximum: 100 },
    params: { type: 'object', maxProperties: 64 },
  },
});

/** Any registered detector other than psi: whether it runs, its thresholds, its own parameters. */
const detector = (): SchemaObject => ({
  type: 'object',
  additionalProperties: false,
  properties: {
    enabled: { type: 'boolean' },
    warning: { type: 'number', minimum: -1e12, maximum: 1e12 },
    critical: { type: 'number', minimum: -1e12, maximum: 1e12 },
    // Checked by the detector's own parseParams after the schema (see models.ts checkDetectors).
    params: { type: 'object', maxProperties: 64 },
  },
});

const detectors = (): SchemaObject => ({
  type: 'object',
  maxProperties: 64,
  propertyNames: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,63}$' },
  properties: { psi: psi() },
  additionalProperties: detector(),
});

const windows = (): SchemaObject => ({
  type: 'object',
  additionalProperties: false,
  properties: {
    count: integer(1, 1_000_000),
    timeMs: integer(1, 7 * 24 * 3_600_000),
  },
});

/**
 * `file` is allowed in the configuration file but not in a live override: a record on a Kafka topic
 * must not be able to make the engine read an arbitrary path on its host.
 */
const reference = (allowFile: boolean): SchemaObject => ({
  type: 'object',
  additionalProperties: false,
  properties: {
    events: integer(1, 1_000_000),
    ...(allowFile ? { file: { type: ['string', 'null'], minLength: 1, maxLength: 4096 } } : {}),
  },
});

const object = (properties: Record<string, SchemaObject>, required: readonly string[] = []): SchemaObject => ({
  type: 'object',
  additionalProperties: false,
  properties,
  ...(required.length > 0 ? { required: [...required] } : {}),
});

/** Event-time durations: up to 30 days. */
const duration = (): SchemaObject => integer(0, 30 * 24 * 3_600_000);

/** A point in time: ms since the epoch, or an ISO 8601 date-time (checked by checkAlerting). */
const instant = (): SchemaObject => ({ type: ['integer', 'string'], minimum: 0, maximum: 8_640_000_000_000_000, minLength: 10, maxLength: 40 });

const silence = (): SchemaObject =>
  object(
    {
      id: { type: 'string', minLength: 1, maxLength: 200, pattern: ID.pattern },
      matchers: {
        type: 'array',
        minItems: 1,
        maxItems: 20,
        items: object(
          {
            label: { type: 'string', enum: ['modelId', 'modelVersion', 'detector', 'feature', 'kind', 'severity'] },
            op: { type: 'string', enum: ['=', '!=', '=~', '!~'] },
            value: { type: 'string', maxLength: 200 },
          },
          ['label', 'op', 'value'],
        ),
      },
      startsAt: instant(),
      endsAt: instant(),
      comment: { type: 'string', maxLength: 1000 },
    },
    ['id', 'matchers', 'endsAt'],
  );

/** Alert semantics; every key optional (defaults keep one alert per crossing score and window). */
const alerting = (): SchemaObject =>
  object({
    hysteresis: object({ fireAfter: integer(1, 32), of: integer(1, 32), resolveAfter: integer(1, 1000) }),
    grouping: object({ waitMs: duration(), intervalMs: duration(), repeatMs: duration() }),
    rateLimit: object({ maxAlerts: integer(0, 100_000), perMs: integer(1, 30 * 24 * 3_600_000) }),
    inhibition: object({ enabled: { type: 'boolean' } }),
    silences: { type: 'array', maxItems: 1000, items: silence() },
  });

const response = (): SchemaObject =>
  object({
    rules: {
      type: 'array',
      maxItems: 20,
      items: object(
        {
          action: { type: 'string', enum: ['ROLLBACK', 'FALLBACK', 'SHUTDOWN'] },
          severity: { type: 'string', enum: ['WARNING', 'CRITICAL'] },
          consecutiveWindows: integer(1, 1000),
          kinds: { type: 'array', maxItems: 7, uniqueItems: true, items: { type: 'string', enum: ['DRIFT', 'PERFORMANCE', 'ANOMALY', 'HALLUCINATION', 'ACCESS', 'GOVERNANCE', 'ENGINE'] } },
          approval: { type: 'string', enum: ['auto', 'required'] },
        },
        ['action', 'consecutiveWindows'],
      ),
    },
    fallbackModel: { type: ['string', 'null'], minLength: 1, maxLength: 200, pattern: ID.pattern },
  });

/**
 * A live override may tune alerting but not the response: a record on a Kafka topic must not be able
 * to turn automatic rollbacks or shutdowns on.
 */
const modelOverride = (allowFile: boolean): SchemaObject => ({
  type: 'object',
  additionalProperties: false,
  properties: {
    detectors: detectors(),
    windows: windows(),
    reference: reference(allowFile),
    alerting: alerting(),
    ...(allowFile ? { response: response() } : {}),
  },
});

/** I/O logging settings that can differ per model (`iolog` and `iolog.models.<id>`). */
const iologModelProperties = {
  enabled: { type: 'boolean' },
  sampleRate: { type: 'number', minimum: 0, maximum: 1 },
  alwaysOnAlert: { type: 'boolean' },
  retentionDays: integer(1, 3650),
} as const;

const iolog = (): SchemaObject => ({
  type: 'object',
  additionalProperties: false,
  properties: {
    ...iologModelProperties,
    maxTextChars: integer(256, 1_048_576),
    redaction: {
      type: 'object',
      additionalProperties: false,
      properties: {
        fields: { type: 'array', maxItems: 200, items: { type: 'string', minLength: 1, maxLength: 100 } },
        // The regex rules that keep redaction linear are checked when the redactor is built (src/security/redact/custom.ts).
        patterns: {
          type: 'array',
          maxItems: 32,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'regex'],
            properties: {
              name: { type: 'string', minLength: 1, maxLength: 40, pattern: '^[a-z][a-z0-9_]*$' },
              regex: { type: 'string', minLength: 1, maxLength: 200 },
              wholeWord: { type: 'boolean' },
            },
          },
        },
      },
    },
    models: { type: 'object', propertyNames: ID, additionalProperties: { type: 'object', additionalProperties: false, properties: iologModelProperties } },
  },
});

const encryption = (): SchemaObject => ({
  type: 'object',
  additionalProperties: false,
  properties: {
    keyFile: { type: ['string', 'null'], minLength: 1, maxLength: 4096 },
    keyEnv: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Z_][A-Z0-9_]*$' },
    // At most 2^28 records per data key: far below the 2^32 random-nonce bound of NIST SP 800-38D.
    maxUsesPerDataKey: integer(1, 2 ** 28),
    state: { type: 'boolean' },
    references: { type: 'boolean' },
  },
});

/** Globs over model ids, principals or endpoints: `*` any run of characters, `?` one character. */
const GLOB = { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^\\u0000-\\u001f\\u007f]+$' } as const;
const globs = (): SchemaObject => ({ type: 'array', minItems: 1, maxItems: 100, items: GLOB });
const ROLE = { type: 'string', enum: ['viewer', 'operator', 'approver', 'auditor', 'admin'] } as const;
/** Asymmetric JWT algorithms only: `none` and every HMAC algorithm are refused by the schema itself. */
const JWT_ALGORITHM = { type: 'string', enum: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] } as const;
const rate = (): SchemaObject => ({
  type: 'object',
  additionalProperties: false,
  properties: { requests: integer(1, 1_000_000), perSeconds: integer(1, 86_400) },
});

/**
 * `access`: who may use the admin API and which principals may call which model. Read by
 * src/security (README: "The admin API and access control").
 */
const access = (): SchemaObject => ({
  type: 'object',
  additionalProperties: false,
  properties: {
    tokens: { type: 'object', additionalProperties: false, properties: { file: { type: 'string', minLength: 1, maxLength: 4096 } } },
    oidc: {
      type: ['object', 'null'],
      additionalProperties: false,
      required: ['issuer', 'audience'],
      properties: {
        issuer: { type: 'string', minLength: 1, maxLength: 2048 },
        audience: { type: 'string', minLength: 1, maxLength: 2048 },
        jwksFile: { type: 'string', minLength: 1, maxLength: 4096 },
        jwksUrl: { type: 'string', minLength: 1, maxLength: 2048, pattern: '^https?://' },
        algorithms: { type: 'array', minItems: 1, maxItems: 10, uniqueItems: true, items: JWT_ALGORITHM },
        groupsClaim: { type: 'string', minLength: 1, maxLength: 200 },
        clockToleranceSec: integer(0, 300),
      },
    },
    bindings: {
      type: 'array',
      maxItems: 10_000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['roles'],
        properties: {
          principal: { type: 'string', minLength: 1, maxLength: 200 },
          group: { type: 'string', minLength: 1, maxLength: 200 },
          roles: { type: 'array', minItems: 1, maxItems: 5, uniqueItems: true, items: ROLE },
          models: globs(),
        },
      },
    },
    limits: {
      type: 'object',
      additionalProperties: false,
      properties: {
        bodyBytes: integer(1024, 16 * 1024 * 1024),
        perPrincipal: rate(),
        perAddress: rate(),
        authFailures: {
          type: 'object',
          additionalProperties: false,
          // ASVS V2.2.1: no more than 100 failed attempts per hour on one account.
          properties: { max: integer(1, 100), windowSec: integer(60, 86_400) },
        },
      },
    },
    cors: { type: 'object', additionalProperties: false, properties: { origins: { type: 'array', maxItems: 100, items: { type: 'string', pattern: '^https?://[^/\\s]+$', maxLength: 300 } } } },
    inference: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled: { type: 'boolean' },
        rules: {
          type: 'array',
          maxItems: 10_000,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['principals', 'models'],
            properties: { principals: globs(), models: globs(), endpoints: globs() },
          },
        },
      },
    },
  },
});

/** The whole `vigil.yaml` document (every key optional; defaults fill the gaps). */
export const CONFIG_SCHEMA: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  properties: {
    engine: {
      type: 'object',
      additionalProperties: false,
      properties: {
        groupId: { type: 'string', minLength: 1, maxLength: 249 },
        sessionTimeoutMs: integer(6000, 300_000),
        fetchMaxBytesPerPartition: integer(1024, 64 * 1024 * 1024),
        fastRecordDecoding: { type: 'boolean' },
        framedReads: { type: 'boolean' },
        windows: windows(),
        reference: reference(true),
        pool: {
          type: 'object',
          additionalProperties: false,
          properties: { threads: integer(0, 256), maxQueue: integer(0, 1_000_000) },
        },
      },
    },
    detectors: detectors(),
    policy: {
      type: 'object',
      additionalProperties: false,
      properties: {
        rollback: {
          type: 'object',
          additionalProperties: false,
          properties: { consecutiveCriticalWindows: integer(1, 1000), enabled: { type: 'boolean' } },
        },
        lastApproved: { type: 'object', propertyNames: ID, additionalProperties: VERSION },
      },
    },
    alerting: alerting(),
    response: response(),
    models: { type: 'object', propertyNames: ID, additionalProperties: modelOverride(true) },
    iolog: iolog(),
    encryption: encryption(),
    access: access(),
  },
};

/** One `models.<id>` entry of the file. */
export const MODEL_OVERRIDE_SCHEMA: SchemaObject = modelOverride(true);

/** A live override from the `vigil.config` topic: the per-model schema without `reference.file`. */
export const LIVE_OVERRIDE_SCHEMA: SchemaObject = modelOverride(false);
