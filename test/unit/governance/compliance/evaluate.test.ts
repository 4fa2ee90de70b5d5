import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../../src/governance/compliance/evaluate.js';
import { builtinPackNames, loadPacks, parsePack } from '../../../../src/governance/compliance/packs.js';
import type { EvaluationContext, RulePack } from '../../../../src/governance/compliance/types.js';
import { makeManifest } from '../helpers.js';

const approved: EvaluationContext = {
  submitter: 'alice',
  approvals: [
    { actor: 'bob', at: 1 },
    { actor: 'carol', at: 2 },
  ],
  approvedEarlier: ['1.0.0'],
};

function pack(check: object, extra: object = {}): RulePack {
  return parsePack(JSON.stringify({ pack: 'p', framework: 'F', title: 't', version: '1', rules: [{ id: 'R1', title: 'r', clause: { ref: 'C.1', title: 'c' }, severity: 'error', check, ...extra }] }), 'inline');
}

describe('the shipped rule packs', () => {
  const packs = loadPacks();

  it('are the EU AI Act, NIST AI RMF and ISO/IEC 42001 packs', () => {
    expect(builtinPackNames()).toEqual(['eu-ai-act', 'iso-42001', 'nist-ai-rmf']);
    expect(packs.map((p) => p.framework).sort()).toEqual(['EU AI Act', 'ISO/IEC 42001', 'NIST AI RMF']);
  });

  it('cover EU AI Act Articles 9 to 15 and 17, the four NIST functions and ISO Annex A controls', () => {
    const refs = (name: string) => (packs.find((p) => p.pack === name) as RulePack).rules.map((r) => r.clause.ref);
    const eu = refs('eu-ai-act').join(' ');
    for (const art of [9, 10, 11, 12, 13, 14, 15, 17]) expect(eu).toMatch(new RegExp(`Art\\. ${art}\\b`));
    const nist = refs('nist-ai-rmf').join(' ');
    for (const fn of ['GOVERN', 'MAP', 'MEASURE', 'MANAGE']) expect(nist).toContain(fn);
    expect(refs('iso-42001').every((r) => /^A\.\d+(\.\d+)*$/.test(r))).toBe(true);
  });

  it('pass a complete, approved manifest with no finding', () => {
    const report = evaluate(makeManifest(), approved, packs);
    expect(report.findings).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.counts.fail).toBe(0);
  });

  it('cite the clause of every finding', () => {
    const report = evaluate(makeManifest((m) => { delete m.owner; }), approved, packs);
    expect(report.findings.map((f) => `${f.clause.framework} ${f.clause.ref}`).sort()).toEqual(['EU AI Act Art. 11(1)', 'EU AI Act Art. 17(1)(m)', 'ISO/IEC 42001 A.3.2', 'NIST AI RMF GOVERN 2.1']);
    expect(report.findings.every((f) => f.path === 'owner')).toBe(true);
    expect(report.passed).toBe(false);
  });

  it('report approvals as not applicable when no approval data is given (as in CI)', () => {
    const report = evaluate(makeManifest(), {}, packs);
    const approvals = report.outcomes.filter((o) => o.rule.check.kind === 'approvals');
    expect(approvals).toHaveLength(3);
    expect(approvals.every((o) => o.status === 'not-applicable' && /no approvals are known/.test(o.note ?? ''))).toBe(true);
  });

  it('refuse the unacceptable risk class (Art. 5)', () => {
    const report = evaluate(makeManifest((m) => { m.riskClass = 'unacceptable'; }), approved, loadPacks(['eu-ai-act']));
    expect(report.findings.find((f) => f.ruleId === 'EUAIA-5-PROHIBITED')).toMatchObject({ path: 'riskClass', clause: { ref: 'Art. 5' } });
  });

  it('ask a high-risk system for its data-protection assessment, and not a minimal-risk one', () => {
    const high = evaluate(makeManifest((m) => { m.documents = { modelCard: { uri: 'x', sha256: null } }; }), approved, loadPacks(['eu-ai-act']));
    expect(high.findings.map((f) => f.path)).toEqual(expect.arrayContaining(['documents.dataProtectionAssessment', 'documents.riskAssessment']));
    const minimal = evaluate(makeManifest((m) => { m.riskClass = 'minimal'; m.documents = { modelCard: { uri: 'x', sha256: null } }; }), approved, loadPacks(['eu-ai-act']));
    expect(minimal.findings).toEqual([]);
    expect(minimal.outcomes.find((o) => o.rule.id === 'EUAIA-10-DATA-GOVERNANCE')?.status).toBe('not-applicable');
  });
});

describe('each kind of check', () => {
  it('required: names every missing or empty path', () => {
    const report = evaluate(makeManifest((m) => { m.intendedUse = '   '; }), {}, [pack({ kind: 'required', paths: ['intendedUse', 'documents.modelCard', 'documents.nope', 'environment.envVarNames'] })]);
    expect(report.findings.map((f) => f.path)).toEqual(['intendedUse', 'documents.nope']);
  });

  it('required: does not find inherited properties such as constructor or __proto__', () => {
    const report = evaluate(makeManifest(), {}, [pack({ kind: 'required', paths: ['constructor', 'owner.length'] })]);
    expect(report.findings.map((f) => f.path)).toEqual(['constructor', 'owner.length']);
  });

  it('licences: deny list, allow list, expressions and components without a licence', () => {
    const m = makeManifest((x) => {
      x.sbom = {
        bomFormat: 'CycloneDX',
        specVersion: '1.6',
        components: [
          { type: 'library', name: 'ok', version: '1', licenses: [{ license: { id: 'MIT' } }] },
          { type: 'library', name: 'copyleft', version: '1', licenses: [{ license: { id: 'AGPL-3.0-only' } }] },
          { type: 'library', name: 'dual', version: '1', licenses: [{ expression: '(MIT OR GPL-2.0-only)' }] },
          { type: 'library', name: 'bare', version: '1' },
        ],
      };
    });
    const deny = evaluate(m, {}, [pack({ kind: 'licences', deny: ['AGPL-3.0-only'], unknown: 'pass' })]);
    expect(deny.findings.map((f) => [f.path, f.message])).toEqual([['sbom.components.1', 'copyleft@1 is licensed AGPL-3.0-only, which is denied']]);
    const allow = evaluate(m, {}, [pack({ kind: 'licences', allow: ['MIT'], unknown: 'fail' })]);
    expect(allow.findings.map((f) => f.path)).toEqual(['sbom.components.1', 'sbom.components.2', 'sbom.components.3']);
  });

  it('banned packages: by name, by exact version and by range', () => {
    const m = makeManifest((x) => {
      x.sbom = {
        bomFormat: 'CycloneDX',
        specVersion: '1.6',
        components: [
          { type: 'library', name: 'lodash', version: '4.17.20' },
          { type: 'library', name: 'lodash', version: '4.17.21' },
          { type: 'library', name: 'lodash', version: '4.9.0' },
          { type: 'library', name: 'Left-Pad', version: '1.3.0' },
          { type: 'library', group: '@evil', name: 'x', version: '2.0.0-rc.1' },
        ],
      };
    });
    const report = evaluate(m, {}, [
      pack({
        kind: 'banned-packages',
        packages: [
          { name: 'lodash', versions: ['<4.17.21'], reason: 'CVE' },
          { name: 'left-pad', reason: 'unpublished' },
          { name: '@evil/x', versions: ['>=2.0.0-alpha <2.0.0'], reason: 'malware' },
        ],
      }),
    ]);
    expect(report.findings.map((f) => f.path)).toEqual(['sbom.components.0', 'sbom.components.2', 'sbom.components.3', 'sbom.components.4']);
    expect(report.findings[0]?.message).toBe('lodash@4.17.20 is banned: CVE');
  });

  it('approvals: distinct approvers other than the submitter, by risk class', () => {
    const check = pack({ kind: 'approvals', minimum: { high: 2, limited: 1 } });
    const count = (approvals: string[], riskClass: 'high' | 'limited' | 'minimal' = 'high') =>
      evaluate(makeManifest((m) => { m.riskClass = riskClass; }), { submitter: 'alice', approvals: approvals.map((actor, at) => ({ actor, at })) }, [check]).outcomes[0];
    expect(count(['bob', 'carol'])?.status).toBe('pass');
    expect(count(['bob', 'bob'])?.findings[0]?.message).toMatch(/needs 2 distinct approvers other than the submitter; it has 1/);
    expect(count(['alice', 'bob'])?.status).toBe('fail');
    expect(count(['bob'], 'limited')?.status).toBe('pass');
    expect(count([], 'minimal')).toMatchObject({ status: 'not-applicable', note: expect.stringMatching(/no approval minimum/) });
  });

  it('rollback target: present, or a reason; approved earlier when the registry is known', () => {
    const check = pack({ kind: 'rollback-target' });
    const run = (rollback: object | undefined, context: EvaluationContext = {}) =>
      evaluate(makeManifest((m) => { if (rollback === undefined) delete m.rollback; else m.rollback = rollback as never; }), context, [check]).findings.map((f) => `${f.path}: ${f.message}`);
    expect(run({ targetVersion: '1.0.0' })).toEqual([]);
    expect(run(undefined)).toEqual(['rollback: no rollback plan: name a rollback target or say why there is none']);
    expect(run({ targetVersion: null })).toEqual(['rollback.noTargetReason: no rollback target and no reason why there is none']);
    expect(run({ targetVersion: null, noTargetReason: 'first version of the model' })).toEqual([]);
    expect(run({ targetVersion: '1.1.0' })).toEqual(['rollback.targetVersion: the rollback target is the version itself']);
    expect(run({ targetVersion: '0.9.0' }, { approvedEarlier: ['1.0.0'] })).toEqual(['rollback.targetVersion: rollback target 0.9.0 is not an approved earlier version of credit-risk']);
  });

  it('I/O logging: on, and encrypted when required', () => {
    const run = (io: object | undefined, encrypted: boolean) =>
      evaluate(makeManifest((m) => { if (io === undefined) delete m.ioLogging; else m.ioLogging = io as never; }), {}, [pack({ kind: 'io-logging', encrypted })]).findings.map((f) => f.path);
    expect(run(undefined, false)).toEqual(['ioLogging']);
    expect(run({ enabled: false, encrypted: false, retentionDays: 1 }, true)).toEqual(['ioLogging.enabled', 'ioLogging.encrypted']);
    expect(run({ enabled: true, encrypted: false, retentionDays: 1 }, false)).toEqual([]);
  });

  it('monitoring: every feature has a drift detector, every LLM a hallucination detector', () => {
    const check = pack({ kind: 'monitoring', driftPerFeature: true, hallucinationForLlm: true });
    const run = (patch: (m: Record<string, unknown>) => void) => evaluate(makeManifest(patch), {}, [check]).findings.map((f) => f.message);
    expect(run(() => undefined)).toEqual([]);
    expect(run((m) => { m.monitoring = { features: ['a', 'b', 'c'], detectors: [{ name: 'ks', kind: 'drift', features: ['a'] }] }; })).toEqual(['feature(s) without a drift detector: b, c']);
    expect(run((m) => { m.modelKind = 'llm'; })).toEqual(['an LLM without a hallucination detector']);
    expect(run((m) => { m.modelKind = 'llm'; m.monitoring = { features: [], detectors: [{ name: 'nli', kind: 'hallucination' }] }; })).toEqual([]);
    expect(run((m) => { delete m.monitoring; })).toEqual(['monitoring is not declared']);
  });

  it('retention: within bounds, and declared', () => {
    const check = pack({ kind: 'retention', path: 'ioLogging.retentionDays', minDays: 30, maxDays: 400 });
    const run = (days: number | null) =>
      evaluate(makeManifest((m) => { if (days === null) delete m.ioLogging; else m.ioLogging = { enabled: true, encrypted: true, retentionDays: days }; }), {}, [check]).findings.map((f) => f.message);
    expect(run(30)).toEqual([]);
    expect(run(29)).toEqual(['ioLogging.retentionDays is 29 days, below the minimum of 30']);
    expect(run(401)).toEqual(['ioLogging.retentionDays is 401 days, above the maximum of 400']);
    expect(run(null)).toEqual(['ioLogging.retentionDays (retention in days) is not declared']);
  });
});

describe('checkFailedError', () => {
  it('is null for a passing report and VIGIL_CHECK_FAILED (exit 1) naming rules and clauses otherwise', async () => {
    const { checkFailedError } = await import('../../../../src/governance/compliance/evaluate.js');
    expect(checkFailedError(evaluate(makeManifest(), approved, loadPacks()))).toBeNull();
    const error = checkFailedError(evaluate(makeManifest((m) => { delete m.owner; }), approved, loadPacks(['eu-ai-act'])));
    expect(error).toMatchObject({ code: 'VIGIL_CHECK_FAILED', exitCode: 1, message: expect.stringMatching(/credit-risk@1\.1\.0 fails 2 compliance rule\(s\): EUAIA-11-TECHNICAL-DOCUMENTATION \[EU AI Act Art\. 11\(1\)\] owner/) });
  });
});
