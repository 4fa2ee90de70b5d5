/** The one compliance engine: every rule of every pack over one manifest, in pack and rule order. Pure. */
import { VigilError } from '../../errors.js';
import type { DeploymentManifest } from '../manifest/types.js';
import { runCheck } from './checks.js';
import type { CheckReport, Clause, EvaluationContext, Finding, RuleOutcome, RulePack } from './types.js';

export function evaluate(manifest: DeploymentManifest, context: EvaluationContext, packs: readonly RulePack[]): CheckReport {
  const outcomes: RuleOutcome[] = [];
  for (const pack of packs) {
    for (const rule of pack.rules) {
      const clause: Clause = { framework: pack.framework, ref: rule.clause.ref, title: rule.clause.title };
      const base = { pack: pack.pack, rule, clause };
      if (rule.riskClasses !== undefined && !rule.riskClasses.includes(manifest.riskClass)) {
        outcomes.push({ ...base, status: 'not-applicable', findings: [], note: `applies to risk classes ${rule.riskClasses.join(', ')}` });
        continue;
      }
      const result = runCheck(rule.check, manifest, context);
      if ('notApplicable' in result) {
        outcomes.push({ ...base, status: 'not-applicable', findings: [], note: result.notApplicable });
        continue;
      }
      const findings: Finding[] = result.problems.map((p) => ({ pack: pack.pack, ruleId: rule.id, clause, severity: rule.severity, message: p.message, path: p.path }));
      outcomes.push({ ...base, status: findings.length === 0 ? 'pass' : 'fail', findings });
    }
  }
  const findings = outcomes.flatMap((o) => o.findings);
  const errors = findings.filter((f) => f.severity === 'error').length;
  return {
    modelId: manifest.modelId,
    modelVersion: manifest.modelVersion,
    riskClass: manifest.riskClass,
    packs: packs.map((p) => ({ pack: p.pack, framework: p.framework, version: p.version })),
    outcomes,
    findings,
    passed: errors === 0,
    counts: {
      pass: outcomes.filter((o) => o.status === 'pass').length,
      fail: outcomes.filter((o) => o.status === 'fail').length,
      notApplicable: outcomes.filter((o) => o.status === 'not-applicable').length,
      errors,
      warnings: findings.filter((f) => f.severity === 'warning').length,
    },
  };
}

/** For callers that gate on compliance (a deployment API): VIGIL_CHECK_FAILED naming the first error findings. */
export function checkFailedError(report: CheckReport): VigilError | null {
  if (report.passed) return null;
  const errors = report.findings.filter((f) => f.severity === 'error');
  const shown = errors.slice(0, 5).map((f) => `${f.ruleId} [${f.clause.framework} ${f.clause.ref}] ${f.path}: ${f.message}`);
  return new VigilError('VIGIL_CHECK_FAILED', `${report.modelId}@${report.modelVersion} fails ${errors.length} compliance rule(s): ${shown.join('; ')}${errors.length > 5 ? '; ...' : ''}`, {
    details: { modelId: report.modelId, modelVersion: report.modelVersion, errors: errors.length },
  });
}
