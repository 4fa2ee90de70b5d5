import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, apiClientOptionsFromEnv } from '../../../src/cli/api-client.js';
import { VigilError } from '../../../src/errors.js';
import { testApi } from './helpers.js';

describe('the API client of the command line', () => {
  const api = testApi({ tokens: { op: { roles: ['operator'], owner: 'olga' }, view: { roles: ['viewer'], owner: 'vic' } } });
  let baseUrl = '';
  beforeAll(async () => {
    await api.app.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
  });
  afterAll(() => api.app.close());

  const failure = async (promise: Promise<unknown>): Promise<VigilError> => {
    try {
      await promise;
    } catch (error) {
      if (error instanceof VigilError) return error;
      throw error;
    }
    throw new Error('expected a failure');
  };

  it('sends the token and returns the answer', async () => {
    const client = new ApiClient({ baseUrl, token: api.texts['op']! });
    const result = await client.request<{ revision: number }>('PUT', '/v1/models/credit-risk/config', { config: { windows: { count: 10 } } });
    expect(result.revision).toBe(1);
    expect((await client.get<{ principal: string }>('/v1/whoami')).principal).toBe('olga');
  });

  it('turns API errors into one line with the server code; a 403 says which role was missing', async () => {
    const viewer = new ApiClient({ baseUrl, token: api.texts['view']! });
    const forbidden = await failure(viewer.request('PUT', '/v1/models/credit-risk/config', { config: {} }));
    expect(forbidden.code).toBe('VIGIL_FORBIDDEN');
    expect(forbidden.message).toBe('PUT /v1/models/credit-risk/config: 403 needs role operator or admin for model "credit-risk" (vic has viewer)');
    const bad = await failure(new ApiClient({ baseUrl, token: 'vigil_0123456789abcdef_' + 'A'.repeat(43) }).get('/v1/models'));
    expect(bad.code).toBe('VIGIL_AUTH_INVALID');
    expect(bad.message).toBe('GET /v1/models: 401 unknown token');
    expect(bad.message).not.toContain('AAAA');
    const invalid = await failure(new ApiClient({ baseUrl, token: api.texts['op']! }).request('PUT', '/v1/models/credit-risk/config', { config: { windows: { count: 0 } } }));
    expect(invalid.code).toBe('VIGIL_CONFIG_INVALID');
    expect(invalid.message).not.toContain('\n');
    const notImplemented = await failure(new ApiClient({ baseUrl, token: api.texts['op']! }).request('POST', '/v1/models/credit-risk/rollback', { reason: 'x' }));
    expect(notImplemented.code).toBe('VIGIL_NOT_IMPLEMENTED');
    const missing = await failure(new ApiClient({ baseUrl }).get('/v1/models'));
    expect(missing.code).toBe('VIGIL_AUTH_REQUIRED');
    expect(missing.message).toMatch(/set VIGIL_TOKEN/);
  });

  it('says when the API cannot be reached, and reads its address from the environment', async () => {
    const down = await failure(new ApiClient({ baseUrl: 'http://127.0.0.1:1', token: 'secret-token-text', timeoutMs: 2000 }).get('/v1/models'));
    expect(down.code).toBe('VIGIL_API_UNAVAILABLE');
    expect(down.message).toMatch(/cannot reach the admin API at http:\/\/127\.0\.0\.1:1/);
    expect(down.message).not.toContain('secret-token-text');
    expect(apiClientOptionsFromEnv({})).toEqual({ baseUrl: 'http://127.0.0.1:8787' });
    expect(apiClientOptionsFromEnv({ VIGIL_HTTP_PORT: '9000', VIGIL_TOKEN: 't' })).toEqual({ baseUrl: 'http://127.0.0.1:9000', token: 't' });
    expect(apiClientOptionsFromEnv({ VIGIL_API_URL: 'https://vigil.example.test/' }).baseUrl).toBe('https://vigil.example.test');
    expect(() => apiClientOptionsFromEnv({ VIGIL_API_URL: 'file:///etc/passwd' })).toThrow(/VIGIL_API_URL="file:\/\/\/etc\/passwd" is not an http\(s\) URL/);
  });
});
