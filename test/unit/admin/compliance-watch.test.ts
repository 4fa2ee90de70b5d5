/** The running system re-evaluates the rule packs when a version's standing changes. */
import { describe, expect, it } from 'vitest';
import type { Alert, GovernanceEvent, GovernanceEventType } from '../../../src/contracts/records.js';
import { ComplianceWatch } from '../../../src/admin/compliance-watch.js';
import { canonicalHash } from '../../../src/config/canonical.js';
import { loadPacks } from '../../../src/governance/compliance/packs.js';
import { evaluate } from '../../../src/governance/compliance/evaluate.js';
import { apply, complianceContext, emptyRegistry, type RegistryState } from '../../../src/governance/registry/index.js';
import { makeManifest } from '../governance/helpers.js';

let seq = 0;
let clock = Date.UTC(2026, 5, 1);
function ev(type: GovernanceEventType, actor: string, payload: object): GovernanceEvent {
  clock += 1000;
  return { eventId: `e${++seq}`, type, modelId: 'credit-risk', modelVersion: '2.0.0', actor, timestamp: clock, reason: null, payload: JSON.stringify(payload) };
}

describe('compliance re-evaluation', () => {
  it('alerts on findings that appear after start-up, once each, citing their clause; history alerts nothing', async () => {
    const packs = loadPacks();
    // A high-risk manifest without a data-protection assessment: at least one error finding.
    const manifest = makeManifest((m) => {
      m.riskClass = 'high';
      delete (m as { documents?: Record<string, unknown> }).documents?.['dataProtectionAssessment'];
    });
    expect(evaluate(manifest, complianceContext(emptyRegistry(), 'credit-risk', '2.0.0'), packs).findings.length).toBeGreaterThan(0);
    let state: RegistryState = emptyRegistry();
    const raised: Alert[] = [];
    const watch = new ComplianceWatch({ packs, registry: () => state, governanceTopic: 'vigil.governance', raise: async (a) => void raised.push(a) });
    const feed = async (event: GovernanceEvent, offset: number) => {
      const r = apply(state, event);
      if (r.ok) state = r.state;
      return watch.onEvent(event, { partition: 1, offset: String(offset) });
    };
    const submit = (version: string) =>
      ({ ...ev('MANIFEST_SUBMITTED', 'alice', { manifestHash: canonicalHash(manifest), riskClass: 'high', environmentHash: manifest.environmentHash, manifest: { ...manifest, modelVersion: version } }), modelVersion: version });
    const life = (version: string): GovernanceEvent[] => [
      submit(version),
      { ...ev('CHECK_COMPLETED', 'ci', { passed: true, errors: 0, warnings: 0 }), modelVersion: version },
      { ...ev('APPROVED', 'bob', { roles: ['approver'] }), modelVersion: version },
      { ...ev('APPROVED', 'carol', { roles: ['approver'] }), modelVersion: version },
      { ...ev('DEPLOYED', 'ops', { roles: ['operator'], rollbackTarget: null, noTargetReason: 'first' }), modelVersion: version },
    ];
    // History read at start-up, up to the deployment of 2.0.0: no alert.
    let offset = 0;
    for (const event of life('2.0.0')) expect(await feed(event, offset++)).toEqual([]);
    watch.goLive();
    expect(raised).toEqual([]);

    // Live: another version goes through the same life. Nothing is raised before its deployment; at
    // deployment, each of its findings.
    const events = life('3.0.0');
    for (const event of events.slice(0, -1)) expect(await feed(event, offset++)).toEqual([]);
    const deployedAt = offset;
    const alerts = await feed(events.at(-1)!, offset++);
    expect(alerts.length).toBeGreaterThan(0);
    for (const a of alerts) {
      expect(a).toMatchObject({ kind: 'GOVERNANCE', detector: 'compliance', modelVersion: '3.0.0', status: 'FIRING', source: { topic: 'vigil.governance', partition: 1, firstOffset: deployedAt, lastOffset: deployedAt } });
      expect(a.evidence['clause']!.length).toBeGreaterThan(0);
      expect(['CRITICAL', 'WARNING']).toContain(a.severity);
    }
    expect(alerts.some((a) => a.severity === 'CRITICAL')).toBe(true);
    expect(raised).toEqual(alerts);
    expect(new Set(alerts.map((a) => a.alertId)).size).toBe(alerts.length);
    // The same standing again: nothing new.
    expect(await feed({ ...ev('APPROVED', 'dave', { roles: ['approver'] }), modelVersion: '3.0.0' }, offset++)).toEqual([]);
  });

  it('ignores a submission whose manifest does not parse, saying so', async () => {
    const errors: unknown[] = [];
    const watch = new ComplianceWatch({ packs: loadPacks(), registry: () => emptyRegistry(), governanceTopic: 't', raise: async () => undefined, onError: (e) => errors.push(e) });
    watch.goLive();
    const bad = ev('MANIFEST_SUBMITTED', 'alice', { manifestHash: 'x', riskClass: 'high', environmentHash: null, manifest: { nope: true } });
    expect(await watch.onEvent(bad, { partition: 0, offset: '0' })).toEqual([]);
    expect(errors).toHaveLength(1);
  });
});
