/**
 * GET /v1/iolog with inject(): the auditor reads decrypted, redacted entries made by the I/O log
 * builder; every other role (admin included) is refused with 403 naming the auditor role; every
 * attempt is in the access log and the audit trail; bad queries are 400s.
 */
import { describe, expect, it } from 'vitest';
import type { Role } from '../../../src/config/types.js';
import type { IoLogRecord } from '../../../src/contracts/records.js';
import { IoLogBuilder } from '../../../src/iolog/builder.js';
import { Envelope } from '../../../src/security/crypto/envelope.js';
import { settings, tabularEvent } from '../iolog/fixtures.js';
import { testProvider } from '../security/crypto/helpers.js';
import { bearer, T0, testApi } from './helpers.js';

const TOPIC = 'vigil.iolog';

async function records(): Promise<IoLogRecord[]> {
  const builder = new IoLogBuilder({ settings: settings(), envelope: new Envelope(testProvider()), topic: TOPIC });
  const out: IoLogRecord[] = [];
  for (let i = 0; i < 5; i++) {
    out.push(await builder.record(tabularEvent(i, { timestamp: T0 - 10_000 + i * 1000, categorical: { contact: `jane.doe${i}@example.com` } }), 'SAMPLED'));
  }
  out.push(await builder.record(tabularEvent(9, { modelId: 'fraud-v2', timestamp: T0 - 5000 }), 'ALERT'));
  return out;
}

async function setup() {
  const tokens: Record<string, { roles: Role[]; scopes?: string[] }> = {
    aud: { roles: ['auditor'] },
    audFraud: { roles: ['auditor'], scopes: ['fraud-*'] },
    ada: { roles: ['admin'] },
    vic: { roles: ['viewer'] },
  };
  const api = testApi({ tokens, iolog: { records: await records(), envelope: new Envelope(testProvider()), topic: TOPIC } });
  const get = (who: string, query: string) => api.app.inject({ method: 'GET', url: `/v1/iolog?${query}`, headers: bearer(api.texts[who]!) });
  return { api, get };
}

describe('GET /v1/iolog', () => {
  it('gives the auditor the decrypted, redacted entries of one model, and audits the read', async () => {
    const { api, get } = await setup();
    const res = await get('aud', 'model=credit-risk');
    expect(res.statusCode).toBe(200);
    const entries = res.json().entries as { eventId: string; modelId: string; payload: { categorical: Record<string, string>; features: Record<string, number> }; redactions: Record<string, number> }[];
    expect(entries.map((e) => e.eventId)).toEqual(['evt-0', 'evt-1', 'evt-2', 'evt-3', 'evt-4']);
    expect(entries[0]!.payload.categorical['contact']).toBe('[EMAIL]');
    expect(entries[0]!.redactions).toMatchObject({ email: 1 });
    expect(Object.keys(entries[0]!.payload.features)).toHaveLength(20);
    expect(res.body).not.toContain('jane.doe');
    const audited = api.audit.records.filter((r) => r.action === 'iolog.read');
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ actor: 'aud', subject: 'credit-risk' });
    expect(JSON.parse(audited[0]!.payload)).toMatchObject({ principal: 'aud', allowed: true, returned: 5, filter: { modelId: 'credit-risk' } });
    expect(api.accessRecords().at(-1)).toMatchObject({ principal: 'aud', route: '/v1/iolog', model: 'credit-risk', decision: 'allow', status: 200 });
  });

  it('filters by event, time range and limit', async () => {
    const { get } = await setup();
    const ids = async (query: string) => ((await get('aud', query)).json().entries as { eventId: string }[]).map((e) => e.eventId);
    expect(await ids('model=credit-risk&event=evt-3')).toEqual(['evt-3']);
    expect(await ids(`model=credit-risk&from=${T0 - 9000}&to=${T0 - 7000}`)).toEqual(['evt-1', 'evt-2']);
    expect(await ids(`model=credit-risk&from=${new Date(T0 - 8000).toISOString()}`)).toEqual(['evt-2', 'evt-3', 'evt-4']);
    expect(await ids('model=credit-risk&limit=2')).toEqual(['evt-0', 'evt-1']);
    expect(await ids('model=fraud-v2')).toEqual(['evt-9']);
    expect(await ids('model=nobody')).toEqual([]);
  });

  it('refuses every role but auditor, admin included, and an auditor of other models, with 403 naming the role; each refusal is audited', async () => {
    const { api, get } = await setup();
    for (const who of ['ada', 'vic', 'audFraud']) {
      const res = await get(who, 'model=credit-risk');
      expect(res.statusCode, who).toBe(403);
      expect(res.json().missingRoles).toEqual(['auditor']);
      expect(res.json().message).toMatch(/^needs role auditor for model "credit-risk"/);
      expect(res.body).not.toContain('jane.doe');
    }
    expect((await get('audFraud', 'model=fraud-v2')).statusCode).toBe(200);
    expect(api.audit.records.filter((r) => r.action === 'access.denied')).toHaveLength(3);
    const anonymous = await api.app.inject({ method: 'GET', url: '/v1/iolog?model=credit-risk' });
    expect(anonymous.statusCode).toBe(401);
  });

  it('answers bad queries with 400, never 5xx', async () => {
    const { api, get } = await setup();
    const cases: [string, RegExp][] = [
      ['', /the query must name one model/],
      ['model=a&model=b', /the query must name one model/],
      ['model=', /must NOT have fewer than 1 characters/],
      ['model=credit-risk&limit=0', /limit must be from 1 to 1000/],
      ['model=credit-risk&limit=5000', /limit must be from 1 to 1000/],
      ['model=credit-risk&limit=-1', /limit must match pattern/],
      ['model=credit-risk&event=evt-1&from=1', /event cannot be combined with from\/to/],
      ['model=credit-risk&from=20&to=10', /to must be after from/],
      ['model=credit-risk&from=yesterday', /from must match pattern/],
      ['model=credit-risk&from=2026-13-45', /from must be milliseconds since the epoch or an ISO 8601 time/],
      ['model=credit-risk&bogus=1', /must NOT have additional properties/],
      [`model=${'m'.repeat(300)}`, /must NOT have more than 200 characters/],
    ];
    for (const [query, message] of cases) {
      const res = await get('aud', query);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().message, query).toMatch(message);
    }
    expect(api.audit.records.filter((r) => r.action === 'iolog.read')).toEqual([]);
  });

  it('answers 501 on a server without I/O log keys', async () => {
    const api = testApi({ tokens: { aud: { roles: ['auditor'] } } });
    const res = await api.app.inject({ method: 'GET', url: '/v1/iolog?model=credit-risk', headers: bearer(api.texts['aud']!) });
    expect(res.statusCode).toBe(501);
    expect(res.json().error).toBe('VIGIL_NOT_IMPLEMENTED');
  });
});
