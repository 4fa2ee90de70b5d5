import { describe, expect, it } from 'vitest';
import { INFRA_DEFAULTS, infraFromEnv } from '../../../src/config/infra.js';

describe('infrastructure settings', () => {
  it('uses the contract defaults', () => {
    expect(infraFromEnv({})).toEqual(INFRA_DEFAULTS);
    expect(INFRA_DEFAULTS.brokers).toEqual(['127.0.0.1:19092']);
    expect(INFRA_DEFAULTS.registryUrl).toBe('http://127.0.0.1:18081/apis/ccompat/v7');
  });

  it('takes overrides from the environment', () => {
    const s = infraFromEnv({
      VIGIL_BROKERS: 'a:9092, b:9093',
      VIGIL_SCHEMA_REGISTRY_URL: 'https://reg.example/api/',
      VIGIL_TOPIC_PREFIX: 'prod.vigil.',
      VIGIL_HTTP_PORT: '9000',
      VIGIL_HTTP_HOST: '0.0.0.0',
    });
    expect(s).toEqual({ brokers: ['a:9092', 'b:9093'], registryUrl: 'https://reg.example/api', topicPrefix: 'prod.vigil.', httpHost: '0.0.0.0', httpPort: 9000 });
    expect(Object.isFrozen(s)).toBe(true);
  });

  it.each([
    [{ VIGIL_BROKERS: 'nohost' }, /VIGIL_BROKERS="nohost" is not valid: expected host:port/],
    [{ VIGIL_BROKERS: ' , ' }, /VIGIL_BROKERS/],
    [{ VIGIL_SCHEMA_REGISTRY_URL: 'ftp://x' }, /VIGIL_SCHEMA_REGISTRY_URL="ftp:\/\/x"/],
    [{ VIGIL_TOPIC_PREFIX: 'bad prefix!' }, /VIGIL_TOPIC_PREFIX/],
    [{ VIGIL_HTTP_PORT: '70000' }, /VIGIL_HTTP_PORT="70000" is not valid: expected a port number/],
    [{ VIGIL_HTTP_PORT: '8o8o' }, /VIGIL_HTTP_PORT/],
  ])('rejects %o naming the variable', (env, message) => {
    expect(() => infraFromEnv(env)).toThrow(message);
  });
});
