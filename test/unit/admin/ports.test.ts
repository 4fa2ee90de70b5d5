import { describe, expect, it } from 'vitest';
import { ConfigRecords, ConfiguredModels, silenceActive, type SilenceRecord } from '../../../src/admin/ports.js';
import { buildConfig } from '../../../src/config/index.js';
import type { DetectorConfig } from '../../../src/contracts/records.js';

const config = buildConfig({ policy: { lastApproved: { a: '1.0.0' } }, models: { b: { windows: { count: 5 } } } }, 'test').config;
const record = (modelId: string, revision: number, body: string): DetectorConfig => ({ modelId, revision, updatedAt: 1, updatedBy: 'x', config: body });

describe('the API view of vigil.config', () => {
  it('folds overrides, silences and tombstones, and reports records it cannot apply', () => {
    const records = new ConfigRecords(config, async () => undefined);
    expect(records.fold('a', record('a', 3, '{"windows":{"count":7}}'))).toBeNull();
    expect(records.get('a')).toMatchObject({ record: { revision: 3 }, override: { windows: { count: 7 } }, effective: { windows: { count: 7 } } });
    expect(records.fold('a', record('a', 4, '{"windows":{"count":-1}}'))).toMatch(/windows\.count/);
    expect(records.get('a').record?.revision).toBe(3);
    expect(records.fold('a', null)).toBeNull();
    expect(records.get('a').record).toBeNull();
    const silence: SilenceRecord = { kind: 'silence', silenceId: 's9', modelId: 'a', matchers: {}, startsAt: 10, endsAt: 20, comment: 'c', createdBy: 'x', createdAt: 10, expiredAt: null, expiredBy: null };
    expect(records.fold('silence:s9', record('a', 1, JSON.stringify(silence)))).toBeNull();
    expect(records.silences('a')).toEqual([silence]);
    expect(records.fold('silence:s8', record('a', 1, JSON.stringify(silence)))).toMatch(/not a silence record/);
    expect(records.fold('silence:s7', record('a', 1, '{'))).toMatch(/not JSON/);
    expect(records.fold('silence:s9', null)).toBeNull();
    expect(records.silences('a')).toEqual([]);
  });

  it('a silence is active from startsAt until endsAt or its expiry, whichever is first', () => {
    const s: SilenceRecord = { kind: 'silence', silenceId: 's', modelId: 'a', matchers: {}, startsAt: 10, endsAt: 20, comment: '', createdBy: 'x', createdAt: 0, expiredAt: null, expiredBy: null };
    expect([9, 10, 19, 20].map((t) => silenceActive(s, t))).toEqual([false, true, true, false]);
    expect(silenceActive({ ...s, expiredAt: 15, expiredBy: 'y' }, 15)).toBe(false);
  });

  it('lists the models of the configuration with their approved versions', () => {
    expect(new ConfiguredModels(config, { a: ['1.1.0'] }).list()).toEqual([
      { modelId: 'a', lastApproved: '1.0.0', versions: [{ version: '1.0.0', state: 'approved' }, { version: '1.1.0', state: 'known' }] },
      { modelId: 'b', lastApproved: null, versions: [] },
    ]);
  });
});
