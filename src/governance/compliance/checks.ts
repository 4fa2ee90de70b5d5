/** One function per check kind: the manifest and context in, problems (path + message) out. Pure. */
import type { CycloneDxComponent, DeploymentManifest } from '../manifest/types.js';
import { parseConstraint, satisfies } from './versions.js';
import type { BannedPackage, Check, EvaluationContext } from './types.js';

export interface Problem {
  readonly path: string;
  readonly message: string;
}

/** `undefined` when the check cannot be evaluated in this context (with why), else its problems. */
export type CheckResult = { readonly problems: readonly Problem[] } | { readonly notApplicable: string };

export function runCheck(check: Check, manifest: DeploymentManifest, context: EvaluationContext): CheckResult {
  switch (check.kind) {
    case 'required':
      return { problems: check.paths.filter((p) => isEmpty(valueAt(manifest, p))).map((p) => ({ path: p, message: `${p} is missing or empty` })) };
    case 'licences':
      return { problems: licenceProblems(manifest, check.allow, check.deny, check.unknown) };
    case 'banned-packages':
      return { problems: bannedProblems(manifest, check.packages) };
    case 'approvals':
      return approvalProblems(manifest, context, check.minimum);
    case 'risk-class':
      return {
        problems: check.forbidden.includes(manifest.riskClass) ? [{ path: 'riskClass', message: `risk class ${manifest.riskClass} may not be deployed` }] : [],
      };
    case 'rollback-target':
      return { problems: rollbackProblems(manifest, context) };
    case 'io-logging': {
      const io = manifest.ioLogging;
      if (io === undefined) return { problems: [{ path: 'ioLogging', message: 'I/O logging is not declared' }] };
      const problems: Problem[] = [];
      if (!io.enabled) problems.push({ path: 'ioLogging.enabled', message: 'I/O logging is off' });
      if (check.encrypted && !io.encrypted) problems.push({ path: 'ioLogging.encrypted', message: 'I/O logs are not encrypted' });
      return { problems };
    }
    case 'monitoring':
      return { problems: monitoringProblems(manifest, check.driftPerFeature, check.hallucinationForLlm) };
    case 'retention': {
      const value = valueAt(manifest, check.path);
      if (typeof value !== 'number') return { problems: [{ path: check.path, message: `${check.path} (retention in days) is not declared` }] };
      if (check.minDays !== undefined && value < check.minDays) return { problems: [{ path: check.path, message: `${check.path} is ${value} days, below the minimum of ${check.minDays}` }] };
      if (check.maxDays !== undefined && value > check.maxDays) return { problems: [{ path: check.path, message: `${check.path} is ${value} days, above the maximum of ${check.maxDays}` }] };
      return { problems: [] };
    }
  }
}

/** The value at a dotted path; own properties only, so `__proto__` or `constructor` find nothing. */
export function valueAt(root: unknown, path: string): unknown {
  let node: unknown = root;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value.trim().length === 0;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

function components(manifest: DeploymentManifest): readonly CycloneDxComponent[] {
  return manifest.sbom.components ?? [];
}

export function componentName(c: CycloneDxComponent): string {
  return c.group ? `${c.group}/${c.name}` : c.name;
}

/** Licence ids a component declares: SPDX ids, names, and the ids named in expressions. */
export function licenceIds(c: CycloneDxComponent): string[] {
  const ids: string[] = [];
  for (const entry of c.licenses ?? []) {
    if ('expression' in entry) {
      for (const token of entry.expression.split(/[\s()]+/)) if (token.length > 0 && !/^(AND|OR|WITH)$/.test(token)) ids.push(token);
    } else {
      const id = entry.license.id ?? entry.license.name;
      if (id !== undefined && id.length > 0) ids.push(id);
    }
  }
  return ids;
}

function licenceProblems(manifest: DeploymentManifest, allow: readonly string[] | undefined, deny: readonly string[] | undefined, unknown: 'fail' | 'pass'): Problem[] {
  const allowed = allow === undefined ? null : new Set(allow.map((l) => l.toLowerCase()));
  const denied = new Set((deny ?? []).map((l) => l.toLowerCase()));
  const problems: Problem[] = [];
  components(manifest).forEach((c, i) => {
    const path = `sbom.components.${i}`;
    const ids = licenceIds(c);
    const label = `${componentName(c)}@${c.version ?? '?'}`;
    if (ids.length === 0) {
      if (unknown === 'fail') problems.push({ path, message: `${label} declares no licence` });
      return;
    }
    // Conservative on purpose: an expression passes only when every licence it names passes.
    const bad = ids.filter((id) => denied.has(id.toLowerCase()) || (allowed !== null && !allowed.has(id.toLowerCase())));
    if (bad.length > 0) problems.push({ path, message: `${label} is licensed ${bad.join(', ')}, which ${denied.has((bad[0] as string).toLowerCase()) ? 'is denied' : 'is not on the allow list'}` });
  });
  return problems;
}

function bannedProblems(manifest: DeploymentManifest, banned: readonly BannedPackage[]): Problem[] {
  const rules = banned.map((b) => ({ ...b, constraints: (b.versions ?? []).map((v) => parseConstraint(v, `banned ${b.name}`)) }));
  const problems: Problem[] = [];
  components(manifest).forEach((c, i) => {
    const name = componentName(c).toLowerCase();
    for (const rule of rules) {
      if (rule.name.toLowerCase() !== name) continue;
      const version = c.version ?? '';
      const hit = rule.constraints.length === 0 || (version !== '' && rule.constraints.some((k) => satisfies(version, k)));
      if (hit) problems.push({ path: `sbom.components.${i}`, message: `${componentName(c)}@${version || '?'} is banned: ${rule.reason}` });
    }
  });
  return problems;
}

function approvalProblems(manifest: DeploymentManifest, context: EvaluationContext, minimum: Partial<Record<string, number>>): CheckResult {
  const required = minimum[manifest.riskClass];
  if (required === undefined) return { notApplicable: `no approval minimum is set for risk class ${manifest.riskClass}` };
  if (context.approvals === undefined) return { notApplicable: 'no approvals are known here (evaluated by the registry once the version is submitted)' };
  const approvers = new Set(context.approvals.map((a) => a.actor).filter((a) => a !== context.submitter));
  if (approvers.size >= required) return { problems: [] };
  return { problems: [{ path: 'riskClass', message: `risk class ${manifest.riskClass} needs ${required} distinct approvers other than the submitter; it has ${approvers.size}` }] };
}

function rollbackProblems(manifest: DeploymentManifest, context: EvaluationContext): Problem[] {
  const rollback = manifest.rollback;
  if (rollback === undefined) return [{ path: 'rollback', message: 'no rollback plan: name a rollback target or say why there is none' }];
  if (rollback.targetVersion === null) {
    const why = rollback.noTargetReason ?? '';
    return why.trim().length > 0 ? [] : [{ path: 'rollback.noTargetReason', message: 'no rollback target and no reason why there is none' }];
  }
  if (rollback.targetVersion === manifest.modelVersion) return [{ path: 'rollback.targetVersion', message: 'the rollback target is the version itself' }];
  if (context.approvedEarlier !== undefined && !context.approvedEarlier.includes(rollback.targetVersion)) {
    return [{ path: 'rollback.targetVersion', message: `rollback target ${rollback.targetVersion} is not an approved earlier version of ${manifest.modelId}` }];
  }
  return [];
}

function monitoringProblems(manifest: DeploymentManifest, driftPerFeature: boolean, hallucinationForLlm: boolean): Problem[] {
  const monitoring = manifest.monitoring;
  if (monitoring === undefined) return [{ path: 'monitoring', message: 'monitoring is not declared' }];
  const problems: Problem[] = [];
  if (driftPerFeature) {
    const drift = monitoring.detectors.filter((d) => d.kind === 'drift');
    // A drift detector without a feature list watches every feature.
    const covered = (f: string) => drift.some((d) => d.features === undefined || d.features.includes(f));
    const uncovered = monitoring.features.filter((f) => !covered(f));
    if (uncovered.length > 0) {
      const shown = uncovered.slice(0, 10).join(', ') + (uncovered.length > 10 ? ` and ${uncovered.length - 10} more` : '');
      problems.push({ path: 'monitoring.detectors', message: `feature(s) without a drift detector: ${shown}` });
    }
  }
  if (hallucinationForLlm && manifest.modelKind === 'llm' && !monitoring.detectors.some((d) => d.kind === 'hallucination')) {
    problems.push({ path: 'monitoring.detectors', message: 'an LLM without a hallucination detector' });
  }
  return problems;
}
