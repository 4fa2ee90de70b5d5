/** Assembling the evidence report from plain data: filter to the model and period, fold the registry, summarise. Pure. */
import { sbomSummary } from '../manifest/sbom.js';
import { fold } from '../registry/queries.js';
import type { DriftPoint, EvidenceInput, EvidenceReport, ManifestSummary, VersionSummary } from './types.js';

export function assembleEvidence(input: EvidenceInput): EvidenceReport {
  const inPeriod = (at: number) => (input.from === null || at >= input.from) && (input.to === null || at <= input.to);
  const model = input.modelId;
  // The registry is folded over the whole history (state needs it), then reported for the period.
  const events = input.governance.filter((e) => e.modelId === model).slice().sort((a, b) => a.timestamp - b.timestamp);
  const { state, refusals } = fold(events);
  const record = state.models[model];
  const versions: VersionSummary[] = (record?.order ?? []).map((v) => {
    const r = record?.versions[v];
    return {
      version: v,
      status: r?.status ?? 'unknown',
      riskClass: r?.riskClass ?? null,
      submitter: r?.submitter ?? null,
      submittedAt: r?.submittedAt ?? null,
      approvals: (r?.approvals ?? []).map((a) => ({ actor: a.actor, at: a.at })),
      rejection: r?.rejection ?? null,
      deployment: r?.deployment ?? null,
    };
  });
  const manifests: ManifestSummary[] = input.manifests
    .filter((m) => m.modelId === model)
    .map((m) => ({
      version: m.modelVersion,
      capturedAt: m.capturedAt,
      owner: m.owner ?? null,
      intendedUse: m.intendedUse ?? null,
      riskClass: m.riskClass,
      artifactSha256: m.artifact.sha256,
      environmentHash: m.environmentHash,
      runtimes: m.environment.runtimes,
      platform: `${m.environment.os.type} ${m.environment.os.release} ${m.environment.arch}`,
      containerImageDigest: m.environment.containerImageDigest,
      gitCommit: m.environment.gitCommit,
      sbom: sbomSummary(m.sbom),
      documents: Object.keys(m.documents ?? {}).sort(),
    }));
  const alerts = input.alerts
    .filter((a) => a.modelId === model && inPeriod(a.windowEnd))
    .sort((a, b) => a.windowEnd - b.windowEnd)
    .map((a) => ({ at: a.windowEnd, severity: a.severity, kind: a.kind, version: a.modelVersion, detector: a.detector, feature: a.feature, score: a.score, threshold: a.threshold, alertId: a.alertId }));
  const alertCounts: Record<string, number> = {};
  for (const a of alerts) alertCounts[`${a.kind}/${a.severity}`] = (alertCounts[`${a.kind}/${a.severity}`] ?? 0) + 1;
  const drift: Record<string, DriftPoint[]> = {};
  const points: DriftPoint[] = [
    ...input.drift.filter((d) => inPeriod(d.at)),
    ...alerts.filter((a) => a.kind === 'DRIFT' && a.feature !== null).map((a) => ({ at: a.at, feature: a.feature as string, score: a.score, threshold: a.threshold, version: a.version })),
  ];
  for (const p of points) (drift[p.feature] ??= []).push(p);
  for (const list of Object.values(drift)) list.sort((a, b) => a.at - b.at);
  return {
    modelId: model,
    period: { from: input.from, to: input.to },
    generatedAt: input.generatedAt,
    manifests,
    checks: input.checks.filter((c) => c.modelId === model).map((c) => ({ version: c.modelVersion, passed: c.passed, counts: c.counts, packs: c.packs, findings: c.findings })),
    versions,
    timeline: events.filter((e) => inPeriod(e.timestamp)).map((e) => ({ at: e.timestamp, type: e.type, version: e.modelVersion, actor: e.actor, reason: e.reason })),
    refusedEvents: refusals,
    deployments: versions
      .flatMap((v) => (v.deployment === null ? [] : [{ version: v.version, ...v.deployment }]))
      .filter((d) => inPeriod(d.at))
      .sort((a, b) => a.at - b.at),
    alerts,
    alertCounts,
    rollbacks: input.rollbacks
      .filter((r) => r.modelId === model && inPeriod(r.issuedAt))
      .sort((a, b) => a.issuedAt - b.issuedAt)
      .map((r) => ({ at: r.issuedAt, from: r.fromVersion, to: r.toVersion, action: r.action, by: r.issuedBy, reason: r.reason, alertIds: r.alertIds })),
    drift,
    audit: input.audit === null ? null : { verified: input.audit.every((c) => c.ok), chains: input.audit },
    unreadable: input.unreadable ?? [],
  };
}
