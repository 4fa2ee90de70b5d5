/** JSON schema of the deployment manifest (types.ts). Unknown keys are rejected, except inside the SBOM. */
import { DETECTOR_KINDS, MODEL_KINDS, RISK_CLASSES } from './types.js';

const text = (max = 1024) => ({ type: 'string', minLength: 1, maxLength: max });
const hex64 = { type: 'string', pattern: '^[0-9a-f]{64}$' };
const nullable = (schema: object) => ({ anyOf: [{ type: 'null' }, schema] });

const ENVIRONMENT = {
  type: 'object',
  additionalProperties: false,
  required: ['os', 'arch', 'cpuModel', 'cpuCount', 'memoryBytes', 'runtimes', 'containerImageDigest', 'gitCommit', 'envVarNames'],
  properties: {
    os: {
      type: 'object',
      additionalProperties: false,
      required: ['platform', 'release', 'type'],
      properties: { platform: text(64), release: text(256), type: text(64) },
    },
    arch: text(64),
    cpuModel: { type: 'string', maxLength: 256 },
    cpuCount: { type: 'integer', minimum: 0, maximum: 65536 },
    memoryBytes: { type: 'integer', minimum: 0 },
    runtimes: { type: 'object', maxProperties: 64, propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9_.-]{0,63}$' }, additionalProperties: text(128) },
    containerImageDigest: nullable({ type: 'string', pattern: '^sha256:[0-9a-f]{64}$' }),
    gitCommit: nullable({ type: 'string', pattern: '^[0-9a-f]{40}([0-9a-f]{24})?$' }),
    envVarNames: { type: 'array', maxItems: 4096, items: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_.-]{0,255}$' } },
  },
};

const COMPONENT = {
  type: 'object',
  required: ['type', 'name'],
  properties: {
    type: text(64),
    name: text(512),
    group: { type: 'string', maxLength: 512 },
    version: { type: 'string', maxLength: 256 },
    purl: { type: 'string', maxLength: 2048 },
    licenses: {
      type: 'array',
      maxItems: 64,
      items: {
        type: 'object',
        anyOf: [{ required: ['license'] }, { required: ['expression'] }],
        properties: {
          license: { type: 'object', properties: { id: { type: 'string', maxLength: 256 }, name: { type: 'string', maxLength: 1024 } } },
          expression: { type: 'string', maxLength: 2048 },
        },
      },
    },
  },
};

export const MANIFEST_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['manifestVersion', 'modelId', 'modelVersion', 'capturedAt', 'riskClass', 'artifact', 'configuration', 'environment', 'sbom', 'environmentHash'],
  properties: {
    manifestVersion: { const: 1 },
    modelId: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$' },
    modelVersion: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$' },
    capturedAt: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,3})?Z$' },
    owner: text(256),
    intendedUse: text(4096),
    riskClass: { enum: [...RISK_CLASSES] },
    modelKind: { enum: [...MODEL_KINDS] },
    artifact: {
      type: 'object',
      additionalProperties: false,
      required: ['uri', 'sha256', 'sizeBytes'],
      properties: { uri: text(2048), sha256: hex64, sizeBytes: { type: 'integer', minimum: 0 } },
    },
    configuration: {
      type: 'object',
      additionalProperties: false,
      required: ['source', 'sha256'],
      properties: { source: nullable(text(2048)), sha256: hex64 },
    },
    environment: ENVIRONMENT,
    documents: {
      type: 'object',
      maxProperties: 64,
      propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9]{0,63}$' },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['uri', 'sha256'],
        properties: { uri: text(2048), sha256: nullable(hex64) },
      },
    },
    rollback: {
      type: 'object',
      additionalProperties: false,
      required: ['targetVersion'],
      properties: { targetVersion: nullable(text(64)), noTargetReason: nullable(text(2048)) },
    },
    monitoring: {
      type: 'object',
      additionalProperties: false,
      required: ['features', 'detectors'],
      properties: {
        features: { type: 'array', maxItems: 10000, items: text(256) },
        detectors: {
          type: 'array',
          maxItems: 1000,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'kind'],
            properties: { name: text(128), kind: { enum: [...DETECTOR_KINDS] }, features: { type: 'array', maxItems: 10000, items: text(256) } },
          },
        },
      },
    },
    ioLogging: {
      type: 'object',
      additionalProperties: false,
      required: ['enabled', 'encrypted', 'retentionDays'],
      properties: { enabled: { type: 'boolean' }, encrypted: { type: 'boolean' }, retentionDays: { type: 'integer', minimum: 0, maximum: 36500 } },
    },
    auditLog: {
      type: 'object',
      additionalProperties: false,
      required: ['retentionDays'],
      properties: { retentionDays: { type: 'integer', minimum: 0, maximum: 36500 } },
    },
    sbom: {
      type: 'object',
      required: ['bomFormat', 'specVersion'],
      properties: {
        bomFormat: { const: 'CycloneDX' },
        specVersion: { type: 'string', pattern: '^1\\.[0-9]$' },
        components: { type: 'array', maxItems: 100000, items: COMPONENT },
      },
    },
    environmentHash: hex64,
  },
} as const;
