/** The live facts of a model's running configuration, and the rule packs over the manifest overlaid with them. */
import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../../../src/config/index.js';
import { evaluate } from '../../../../src/governance/compliance/evaluate.js';
import { evaluateLive, LIVE_PATH_PREFIX, LiveConfiguration, overlayLive, PER_FEATURE_DRIFT } from '../../../../src/governance/compliance/live.js';
import { loadPacks } from '../../../../src/governance/compliance/packs.js';
import type { EvaluationContext } from '../../../../src/governance/compliance/types.js';
import { detectorRegistry } from '../../../../workers/detectors/registry.js';
import { makeManifest } from '../helpers.js';

const packs = loadPacks();
const approved: EvaluationContext = { submitter: 'alice', approvals: [{ actor: 'bob', at: 1 }, { actor: 'carol', at: 2 }], approvedEarlier: ['1.0.0'] };
/** I/O logging on, encrypted (always, when on) and kept a year: no live I/O logging finding. */
const logging = { iolog: { enabled: true, retentionDays: 365 } };
/** Three features; the manifest assigns `region` to chi-square and the numeric ones to psi. */
const manifest = makeManifest((m) => {
  m.monitoring = {
    features: ['age', 'income', 'region'],
    detectors: [
      { name: 'psi', kind: 'drift', features: ['age', 'income'] },
      { name: 'chi-square', kind: 'drift', features: ['region'] },
    ],
  };
});

function live(document: object, records: readonly [string, object | null][] = []): LiveConfiguration {
  const config = new LiveConfiguration(buildConfig(document, 'test').config);
  for (const [key, value] of records) expect(config.fold(key, value === null ? null : JSON.stringify(value))).toEqual({ modelId: key });
  return config;
}

describe('live facts', () => {
  it('name every per-feature drift detector by a registered drift detector id', () => {
    for (const id of PER_FEATURE_DRIFT) expect(detectorRegistry.get(id)?.kind, id).toBe('DRIFT');
  });

  it('come from vigil.yaml and the vigil.config records folded on top, as the engine applies them', () => {
    const config = live({ ...logging, detectors: { 'chi-square': { enabled: true }, mmd: { enabled: true } } });
    const before = config.facts('credit-risk');
    expect(before.detectors).toEqual([
      { id: 'chi-square', kind: 'drift', perFeature: true },
      { id: 'mmd', kind: 'drift', perFeature: false },
      { id: 'psi', kind: 'drift', perFeature: true },
    ]);
    expect(before.ioLogging).toEqual({ enabled: true, encrypted: true, retentionDays: 365 });
    expect(config.fold('credit-risk', JSON.stringify({ detectors: { 'chi-square': { enabled: false } } }))).toEqual({ modelId: 'credit-risk' });
    const after = config.facts('credit-risk');
    expect(after.detectors.map((d) => d.id)).toEqual(['mmd', 'psi']);
    expect(after.configHash).not.toBe(before.configHash);
    // Another model is untouched; a tombstone restores the file's settings.
    expect(config.facts('other').detectors.map((d) => d.id)).toEqual(['chi-square', 'mmd', 'psi']);
    expect(config.fold('credit-risk', null)).toEqual({ modelId: 'credit-risk' });
    expect(config.facts('credit-risk')).toEqual(before);
  });

  it('refuse a record the engine would refuse, naming it, and keep the settings in force', () => {
    const config = live({ ...logging, detectors: { 'chi-square': { enabled: true } } });
    const before = config.facts('credit-risk');
    const notJson = config.fold('credit-risk', '{not json');
    expect(notJson).toMatchObject({ problem: expect.stringMatching(/vigil\.config record of model "credit-risk".*does not parse/) });
    const unknown = config.fold('credit-risk', JSON.stringify({ detectors: { nonsense: { enabled: true } } }));
    expect(unknown).toMatchObject({ problem: expect.stringMatching(/detectors\.nonsense.*not a registered detector/) });
    expect(config.fold('', '{}')).toEqual({ problem: 'a vigil.config record without a key' });
    expect(config.facts('credit-risk')).toEqual(before);
    // Silences change nothing that is monitored: no model to re-evaluate.
    const silence = { modelId: 'credit-risk', matchers: {}, startsAt: 0, endsAt: 10, expiredAt: null, comment: '', createdBy: 'ops' };
    expect(config.fold('silence:s1', JSON.stringify(silence))).toEqual({ modelId: null });
    expect(config.fold('silence:s2', 'nope')).toEqual({ problem: 'silence record silence:s2: not JSON' });
  });

  it('count I/O logging as off when it writes nothing (no sampling, nothing on alerts)', () => {
    const config = live({ iolog: { enabled: true, sampleRate: 0, alwaysOnAlert: false, retentionDays: 365 } });
    expect(config.facts('credit-risk').ioLogging).toEqual({ enabled: false, encrypted: false, retentionDays: 365 });
  });
});

describe('the rule packs over the manifest overlaid with the live facts', () => {
  it('find nothing when the running configuration does what the manifest declares', () => {
    const facts = live({ ...logging, detectors: { 'chi-square': { enabled: true } } }).facts('credit-risk');
    expect(evaluate(manifest, approved, packs).findings).toEqual([]);
    expect(evaluateLive(manifest, approved, packs, facts)).toEqual([]);
  });

  it('name a feature that lost its drift detector, once per monitoring rule, citing its clause and the live configuration', () => {
    const facts = live({ ...logging, detectors: { 'chi-square': { enabled: true } } }, [['credit-risk', { detectors: { 'chi-square': { enabled: false } } }]]).facts('credit-risk');
    const findings = evaluateLive(manifest, approved, packs, facts);
    const monitoringRules = packs.flatMap((p) => p.rules.filter((r) => r.check.kind === 'monitoring' && (r.riskClasses ?? ['high']).includes('high')).map((r) => r.id));
    expect(findings.map((f) => f.ruleId).sort()).toEqual([...monitoringRules].sort());
    expect(monitoringRules.length).toBe(3);
    for (const f of findings) {
      expect(f.path).toBe(`${LIVE_PATH_PREFIX}monitoring.detectors`);
      expect(f.message).toMatch(/^live configuration of credit-risk \(config [0-9a-f]{12}\): feature\(s\) without a drift detector: region$/);
      expect(f.clause.ref.length).toBeGreaterThan(0);
      expect(f.severity).toBe('error');
    }
    // The manifest alone still passes: the finding is about the running system.
    expect(evaluate(manifest, approved, packs).findings).toEqual([]);
  });

  it('let a per-feature drift detector the manifest assigns no features cover every feature, and a model-level one none', () => {
    const everything = makeManifest((m) => {
      m.monitoring = { features: ['age', 'income', 'region'], detectors: [{ name: 'psi', kind: 'drift' }] };
    });
    const psiOnly = live(logging).facts('credit-risk');
    expect(overlayLive(everything, psiOnly).monitoring).toEqual({ features: ['age', 'income', 'region'], detectors: [{ name: 'psi', kind: 'drift' }] });
    expect(evaluateLive(everything, approved, packs, psiOnly)).toEqual([]);
    const mmdOnly = live({ ...logging, detectors: { psi: { enabled: false }, mmd: { enabled: true } } }).facts('credit-risk');
    expect(overlayLive(everything, mmdOnly).monitoring?.detectors).toEqual([{ name: 'mmd', kind: 'drift', features: [] }]);
    const messages = evaluateLive(everything, approved, packs, mmdOnly).map((f) => f.message);
    expect(messages.length).toBe(3);
    for (const m of messages) expect(m).toMatch(/without a drift detector: age, income, region$/);
  });

  it('ask an LLM for an enabled hallucination detector', () => {
    const llm = makeManifest((m) => {
      m.modelKind = 'llm';
      m.monitoring = { features: [], detectors: [{ name: 'hallucination', kind: 'hallucination' }] };
    });
    const on = live({ ...logging, detectors: { hallucination: { enabled: true } } }).facts('credit-risk');
    expect(evaluateLive(llm, approved, packs, on)).toEqual([]);
    const off = live(logging).facts('credit-risk');
    const findings = evaluateLive(llm, approved, packs, off);
    expect(findings.length).toBe(3);
    for (const f of findings) expect(f.message).toMatch(/an LLM without a hallucination detector$/);
  });

  it('check I/O logging and its retention against the engine settings, not the manifest', () => {
    const facts = live({ iolog: { enabled: false, retentionDays: 30 }, detectors: { 'chi-square': { enabled: true } } }).facts('credit-risk');
    const findings = evaluateLive(manifest, approved, packs, facts);
    const byRule = Object.fromEntries(findings.map((f) => [f.ruleId, f]));
    expect(byRule['EUAIA-12-LOGGING']).toMatchObject({ path: `${LIVE_PATH_PREFIX}ioLogging.enabled`, clause: { framework: 'EU AI Act', ref: 'Art. 12(1)' } });
    expect(byRule['NIST-MEASURE-2.7-SECURITY']?.message).toMatch(/I\/O logs are not encrypted$/);
    expect(byRule['EUAIA-12-RETENTION']).toMatchObject({ path: `${LIVE_PATH_PREFIX}ioLogging.retentionDays` });
    expect(byRule['EUAIA-12-RETENTION']?.message).toMatch(/is 30 days, below the minimum of 183$/);
    // Only the overlaid fields: the manifest's own findings (here none) are not repeated.
    expect(findings.every((f) => f.path.startsWith(`${LIVE_PATH_PREFIX}ioLogging.`))).toBe(true);
  });

  it('leave the manifest own fields to the manifest evaluation', () => {
    const undocumented = makeManifest((m) => {
      delete (m as { documents?: Record<string, unknown> }).documents?.['modelCard'];
    });
    const facts = live({ ...logging, detectors: { 'chi-square': { enabled: true } } }).facts('credit-risk');
    expect(evaluate(undocumented, approved, packs).findings.length).toBeGreaterThan(0);
    expect(evaluateLive(undocumented, approved, packs, facts)).toEqual([]);
  });
});
