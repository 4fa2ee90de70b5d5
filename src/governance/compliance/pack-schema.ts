/** JSON schema of a rule pack file. Unknown keys are rejected so that a typo never silently disables a rule. */
import { RISK_CLASSES } from '../manifest/types.js';
import { SEVERITIES } from './types.js';

const text = (max = 512) => ({ type: 'string', minLength: 1, maxLength: max });
const path = { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9]*(\\.[A-Za-z][A-Za-z0-9]*){0,7}$' };
const idList = { type: 'array', maxItems: 1000, items: text(128) };
const riskList = { type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...RISK_CLASSES] } };
const days = { type: 'integer', minimum: 0, maximum: 36500 };
const check = (kind: string, properties: Record<string, unknown> = {}, required: string[] = []) => ({
  type: 'object',
  additionalProperties: false,
  required: ['kind', ...required],
  properties: { kind: { const: kind }, ...properties },
});

const CHECK = {
  type: 'object',
  required: ['kind'],
  discriminator: { propertyName: 'kind' },
  oneOf: [
    check('required', { paths: { type: 'array', minItems: 1, maxItems: 100, items: path } }, ['paths']),
    check('licences', { allow: idList, deny: idList, unknown: { enum: ['fail', 'pass'] } }, ['unknown']),
    check(
      'banned-packages',
      {
        packages: {
          type: 'array',
          minItems: 1,
          maxItems: 10000,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'reason'],
            properties: { name: text(512), versions: { type: 'array', minItems: 1, maxItems: 100, items: text(256) }, reason: text(1024) },
          },
        },
      },
      ['packages'],
    ),
    check(
      'approvals',
      { minimum: { type: 'object', additionalProperties: false, minProperties: 1, properties: Object.fromEntries(RISK_CLASSES.map((r) => [r, { type: 'integer', minimum: 0, maximum: 20 }])) } },
      ['minimum'],
    ),
    check('risk-class', { forbidden: riskList }, ['forbidden']),
    check('rollback-target'),
    check('io-logging', { encrypted: { type: 'boolean' } }, ['encrypted']),
    check('monitoring', { driftPerFeature: { type: 'boolean' }, hallucinationForLlm: { type: 'boolean' } }, ['driftPerFeature', 'hallucinationForLlm']),
    check('retention', { path, minDays: days, maxDays: days }, ['path']),
  ],
};

export const PACK_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['pack', 'framework', 'title', 'version', 'rules'],
  properties: {
    pack: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,63}$' },
    framework: text(128),
    title: text(256),
    version: text(32),
    rules: {
      type: 'array',
      minItems: 1,
      maxItems: 1000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'title', 'clause', 'severity', 'check'],
        properties: {
          id: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$' },
          title: text(256),
          description: text(4096),
          clause: { type: 'object', additionalProperties: false, required: ['ref', 'title'], properties: { ref: text(64), title: text(256) } },
          severity: { enum: [...SEVERITIES] },
          riskClasses: riskList,
          check: CHECK,
        },
      },
    },
  },
} as const;
