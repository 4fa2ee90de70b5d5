/**
 * Compliance of a deployed version re-evaluated when its live configuration changes, on the real
 * stack: a version whose manifest covers every feature is deployed through the admin API; the
 * detector configuration is changed through the same API so that one feature loses its drift
 * detector, and a GOVERNANCE alert per monitoring rule, citing its clause, lands on the alerts topic
 * (read_committed) with its audit record. The same change again raises nothing; malformed records on
 * the configuration topic are logged and skipped; a restart repeats nothing; a finding that goes away
 * and comes back alerts again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, AuditRecord, DetectorConfig } from '../../src/contracts/records.js';
import { LIVE_PATH_PREFIX } from '../../src/governance/compliance/live.js';
import { avroProducer } from '../../src/pipeline/sink/producer.js';
import { makeManifest } from '../unit/governance/helpers.js';
import { startAdminRig, type AdminRig } from './admin-rig.js';
import { collect, stack, testKafka, uniquePrefix } from './helpers.js';

const MONITORING_RULES = ['EUAIA-15-MONITORING', 'ISO42001-A.6.2.6-MONITORING', 'NIST-MEASURE-2.4-MONITORING'];

describe('compliance re-evaluated when the live configuration changes, on the real stack', () => {
  const prefix = uniquePrefix('govconfig');
  const logLines: string[] = [];
  // The file switches chi-square on beside psi; I/O logs are kept 120 days, short of the EU AI Act's six
  // months: one live finding at deployment, which shows the watch has read the deployment.
  const config = { detectors: { 'chi-square': { enabled: true } }, iolog: { enabled: true, retentionDays: 120 } };
  let rig: AdminRig;
  const call = async (who: string, method: 'POST' | 'PUT', url: string, payload: object) => {
    const res = await rig.call(who, method, url, payload);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as Record<string, unknown>;
  };
  const chiSquare = (enabled: boolean) => call('olga', 'PUT', '/v1/models/credit-risk/config', { config: { detectors: { 'chi-square': { enabled } } }, reason: 'test' });
  const governanceAlerts = async (done: (alerts: readonly Alert[]) => boolean) =>
    (await collect<Alert>(`${prefix}alerts`, 'Alert', (r) => done(r.map((x) => x.value!).filter((a) => a.kind === 'GOVERNANCE')), 30_000)).map((r) => r.value!).filter((a) => a.kind === 'GOVERNANCE');
  const fromConfig = (alerts: readonly Alert[]) => alerts.filter((a) => a.source.topic === `${prefix}config`);

  beforeAll(async () => {
    rig = await startAdminRig(prefix, { olga: ['operator'], ann: ['approver'], bob: ['approver'] }, { config, log: logLines });
  }, 120_000);
  afterAll(async () => {
    await rig?.stop();
  });

  it('raises one alert per monitoring rule when a feature loses its drift detector, once, and again after it came back', async () => {
    const manifest = makeManifest((m) => {
      m.modelVersion = '1.0.0';
      m.rollback = { targetVersion: null, noTargetReason: 'first version of the model' };
      m.monitoring = {
        features: ['age', 'income', 'region'],
        detectors: [
          { name: 'psi', kind: 'drift', features: ['age', 'income'] },
          { name: 'chi-square', kind: 'drift', features: ['region'] },
        ],
      };
    });
    expect((await call('olga', 'POST', '/v1/models/credit-risk/versions/1.0.0/submit', { manifest })).check).toMatchObject({ passed: true });
    await call('ann', 'POST', '/v1/models/credit-risk/versions/1.0.0/approve', {});
    await call('bob', 'POST', '/v1/models/credit-risk/versions/1.0.0/approve', {});
    expect((await call('olga', 'POST', '/v1/models/credit-risk/versions/1.0.0/deploy', { noTargetReason: 'first version of the model' })).status).toBe('deployed');
    const atDeployment = await governanceAlerts((a) => a.length >= 1);
    expect(atDeployment.map((a) => [a.evidence['rule'], a.evidence['basis'], a.source.topic])).toEqual([['EUAIA-12-RETENTION', 'live configuration', `${prefix}governance`]]);

    // chi-square off: `region` has no drift detector in the running configuration.
    const off = await chiSquare(false);
    const first = fromConfig(await governanceAlerts((a) => fromConfig(a).length >= 3));
    expect(first.map((a) => a.evidence['rule']).sort()).toEqual(MONITORING_RULES);
    for (const a of first) {
      expect(a).toMatchObject({ severity: 'CRITICAL', status: 'FIRING', detector: 'compliance', modelId: 'credit-risk', modelVersion: '1.0.0', windowStart: off.updatedAt });
      expect(a.evidence).toMatchObject({ basis: 'live configuration', path: `${LIVE_PATH_PREFIX}monitoring.detectors`, revealedBy: 'vigil.config revision 1 of credit-risk by olga' });
      expect(a.evidence['message']).toMatch(/without a drift detector: region$/);
      expect(a.evidence['clause']).toMatch(/^(Art\. 15\(1\)|MEASURE 2\.4|A\.6\.2\.6)$/);
    }
    const offset = first[0]!.source.firstOffset;
    const audit = (await collect<AuditRecord>(`${prefix}audit`, 'AuditRecord', (r) => r.filter((x) => x.value?.action === 'alert.firing').length >= 4, 30_000)).map((r) => r.value!);
    const audited = audit.filter((r) => r.action === 'alert.firing').map((r) => (JSON.parse(r.payload) as Alert).alertId);
    for (const a of first) expect(audited).toContain(a.alertId);

    // The same change again; a record that is not in the wire format; an override that does not parse.
    await chiSquare(false);
    const raw = testKafka('govconfig-raw').producer();
    await raw.connect();
    await raw.send({ topic: `${prefix}config`, messages: [{ key: 'credit-risk', value: Buffer.from('not avro') }] });
    await raw.disconnect();
    const writer = await avroProducer<DetectorConfig>({ ...stack(), topic: `${prefix}config`, schema: 'DetectorConfig' });
    await writer.send([{ key: 'credit-risk', value: { modelId: 'credit-risk', revision: 99, updatedAt: Date.now(), updatedBy: 'mallory', config: '{not json' } }]);
    await writer.close();
    // Back on (the finding goes away), then off again: the watch is still running, and alerts again.
    await chiSquare(true);
    const again = await chiSquare(false);
    const all = fromConfig(await governanceAlerts((a) => fromConfig(a).length >= 6));
    expect(all).toHaveLength(6);
    const second = all.filter((a) => a.source.firstOffset !== offset);
    expect(second.map((a) => a.evidence['rule']).sort()).toEqual(MONITORING_RULES);
    expect(second.every((a) => a.windowStart === again.updatedAt && a.evidence['revealedBy'] === 'vigil.config revision 4 of credit-risk by olga')).toBe(true);
    expect(logLines.some((l) => /unreadable vigil\.config record skipped by the compliance watch/.test(l) && l.includes('not in the schema registry wire format'))).toBe(true);
    expect(logLines.some((l) => /vigil\.config record not applied by the compliance watch/.test(l) && l.includes('does not parse'))).toBe(true);

    // A restart reads the history and repeats nothing: the next alerts are those of the next change.
    await rig.restart();
    await chiSquare(true);
    const third = await chiSquare(false);
    const afterRestart = await governanceAlerts((a) => fromConfig(a).length >= 9);
    expect(fromConfig(afterRestart)).toHaveLength(9);
    expect(afterRestart.filter((a) => a.source.topic !== `${prefix}config`)).toHaveLength(1);
    expect(fromConfig(afterRestart).filter((a) => a.windowStart === third.updatedAt)).toHaveLength(3);
  }, 240_000);
});
