/** A configuration record folded for a model re-evaluates its deployed versions against the live configuration. */
import { describe, expect, it } from 'vitest';
import type { Alert, DetectorConfig, GovernanceEvent, GovernanceEventType } from '../../../src/contracts/records.js';
import { ComplianceWatch } from '../../../src/admin/compliance-watch.js';
import { buildConfig, canonicalHash } from '../../../src/config/index.js';
import { LIVE_PATH_PREFIX, LiveConfiguration } from '../../../src/governance/compliance/live.js';
import { loadPacks } from '../../../src/governance/compliance/packs.js';
import { apply, emptyRegistry, type RegistryState } from '../../../src/governance/registry/index.js';
import { makeManifest } from '../governance/helpers.js';

const packs = loadPacks();
const MODEL = 'credit-risk';
const manifest = makeManifest((m) => {
  m.modelId = MODEL;
  m.modelVersion = '1.0.0';
  m.rollback = { targetVersion: null, noTargetReason: 'first version' };
  m.monitoring = {
    features: ['age', 'income', 'region'],
    detectors: [
      { name: 'psi', kind: 'drift', features: ['age', 'income'] },
      { name: 'chi-square', kind: 'drift', features: ['region'] },
    ],
  };
});
const FILE = { iolog: { enabled: true, retentionDays: 365 }, detectors: { 'chi-square': { enabled: true } } };
const MONITORING_RULES = ['EUAIA-15-MONITORING', 'ISO42001-A.6.2.6-MONITORING', 'NIST-MEASURE-2.4-MONITORING'];

/** One watch with its registry and live configuration, fed as the admin wiring feeds it. */
function rig() {
  let state: RegistryState = emptyRegistry();
  const config = new LiveConfiguration(buildConfig(FILE, 'test').config);
  const raised: Alert[] = [];
  const watch = new ComplianceWatch({
    packs,
    registry: () => state,
    governanceTopic: 'vigil.governance',
    configuration: (modelId) => config.facts(modelId),
    configTopic: 'vigil.config',
    raise: async (a) => void raised.push(a),
  });
  let seq = 0;
  const governance = async (type: GovernanceEventType, actor: string, payload: object, version = '1.0.0') => {
    seq += 1;
    const event: GovernanceEvent = { eventId: `g${seq}`, type, modelId: MODEL, modelVersion: version, actor, timestamp: 1_000 * seq, reason: null, payload: JSON.stringify(payload) };
    const result = apply(state, event);
    if (result.ok) state = result.state;
    return watch.onEvent(event, { partition: 0, offset: String(seq) });
  };
  const deploy = async (version: string) => {
    await governance('MANIFEST_SUBMITTED', 'alice', { manifestHash: canonicalHash(manifest), riskClass: 'high', environmentHash: manifest.environmentHash, manifest: { ...manifest, modelVersion: version } }, version);
    await governance('CHECK_COMPLETED', 'ci', { passed: true, errors: 0, warnings: 0 }, version);
    await governance('APPROVED', 'bob', { roles: ['approver'] }, version);
    await governance('APPROVED', 'carol', { roles: ['approver'] }, version);
    return governance('DEPLOYED', 'ops', { roles: ['operator'], rollbackTarget: null, noTargetReason: 'first version' }, version);
  };
  let revision = 0;
  /** A record of vigil.config at `offset`, folded first, then handed to the watch (null document: a tombstone). */
  const configRecord = async (offset: number, document: object | null, key = MODEL) => {
    revision += 1;
    const record: DetectorConfig | null = document === null ? null : { modelId: key, revision, updatedAt: 50_000 + offset, updatedBy: 'olga', config: JSON.stringify(document) };
    const folded = config.fold(key, record?.config ?? null);
    if ('problem' in folded || folded.modelId === null) return { folded, alerts: [] as Alert[] };
    return { folded, alerts: await watch.onConfig(folded.modelId, record, { partition: 2, offset: String(offset), timestamp: 90_000 }) };
  };
  return { watch, raised, deploy, configRecord };
}

const CHI_OFF = { detectors: { 'chi-square': { enabled: false } } };

describe('compliance re-evaluated when the live configuration changes', () => {
  it('alerts once per rule when a feature loses its drift detector, citing the clause and the record position', async () => {
    const { watch, raised, deploy, configRecord } = rig();
    await deploy('1.0.0');
    watch.goLive();
    const { alerts } = await configRecord(7, CHI_OFF);
    expect(alerts.map((a) => a.evidence['rule']).sort()).toEqual(MONITORING_RULES);
    for (const a of alerts) {
      expect(a).toMatchObject({
        kind: 'GOVERNANCE',
        severity: 'CRITICAL',
        status: 'FIRING',
        detector: 'compliance',
        modelId: MODEL,
        modelVersion: '1.0.0',
        windowStart: 50_007,
        source: { topic: 'vigil.config', partition: 2, firstOffset: 7, lastOffset: 7 },
        evidence: { basis: 'live configuration', path: `${LIVE_PATH_PREFIX}monitoring.detectors`, revealedBy: 'vigil.config revision 1 of credit-risk by olga' },
      });
      expect(a.evidence['clause']!.length).toBeGreaterThan(0);
      expect(a.evidence['message']).toMatch(/^live configuration of credit-risk .*without a drift detector: region$/);
      expect(a.configHash).toMatch(/^[0-9a-f]{64}$/);
      const ruleId = a.evidence['rule'] as string;
      expect(a.alertId).toBe(canonicalHash(['vigil.alert.compliance.v1', MODEL, '1.0.0', a.evidence['pack'], ruleId, `${LIVE_PATH_PREFIX}monitoring.detectors`, 'config@2:7']));
    }
    expect(raised).toEqual(alerts);
  });

  it('does not alert twice for the same change, alerts again when the finding disappears and comes back', async () => {
    const { watch, deploy, configRecord } = rig();
    await deploy('1.0.0');
    watch.goLive();
    const first = (await configRecord(7, CHI_OFF)).alerts;
    expect(first).toHaveLength(3);
    expect((await configRecord(8, CHI_OFF)).alerts).toEqual([]);
    // Back on (a tombstone restores the file's settings): nothing to alert, the finding is gone.
    expect((await configRecord(9, null)).alerts).toEqual([]);
    const again = (await configRecord(10, CHI_OFF)).alerts;
    expect(again.map((a) => a.evidence['rule']).sort()).toEqual(MONITORING_RULES);
    expect(again.every((a) => a.source.firstOffset === 10)).toBe(true);
    expect(new Set([...first, ...again].map((a) => a.alertId)).size).toBe(6);
  });

  it('raises nothing for the history read at start, so a restart does not repeat alerts', async () => {
    const before = rig();
    await before.deploy('1.0.0');
    before.watch.goLive();
    expect(await before.configRecord(7, CHI_OFF).then((r) => r.alerts.length)).toBe(3);
    // A restart reads the same governance events and configuration records, then goes live.
    const after = rig();
    await after.deploy('1.0.0');
    expect((await after.configRecord(7, CHI_OFF)).alerts).toEqual([]);
    after.watch.goLive();
    expect((await after.configRecord(8, CHI_OFF)).alerts).toEqual([]);
    expect(after.raised).toEqual([]);
  });

  it('alerts on live findings at deployment, and evaluates deployed versions only', async () => {
    const { watch, deploy, configRecord } = rig();
    watch.goLive();
    // No version deployed yet: a configuration change raises nothing.
    expect((await configRecord(3, CHI_OFF)).alerts).toEqual([]);
    const atDeployment = await deploy('1.0.0');
    expect(atDeployment.map((a) => [a.evidence['rule'], a.evidence['basis'], a.source.topic]).sort()).toEqual(MONITORING_RULES.map((r) => [r, 'live configuration', 'vigil.governance']));
  });

  it('skips records it cannot apply, and silences, without re-evaluating', async () => {
    const { watch, deploy, configRecord, raised } = rig();
    await deploy('1.0.0');
    watch.goLive();
    const bad = await configRecord(4, { detectors: { 'no-such-detector': { enabled: true } } });
    expect(bad.folded).toMatchObject({ problem: expect.stringMatching(/no-such-detector/) });
    const silence = await configRecord(5, { kind: 'silence', silenceId: 's1', modelId: MODEL, matchers: {}, startsAt: 0, endsAt: 1 }, 'silence:s1');
    expect(silence.folded).toEqual({ modelId: null });
    // A record of another model re-evaluates nothing of this one.
    expect((await configRecord(6, CHI_OFF, 'fraud')).alerts).toEqual([]);
    expect(raised).toEqual([]);
    // The watch still works afterwards.
    expect((await configRecord(7, CHI_OFF)).alerts).toHaveLength(3);
  });
});
