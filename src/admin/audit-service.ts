/**
 * The auditor's routes: verification of the audit chains, and the evidence report of one model, from
 * what the topics hold (read to their ends at each call). Manifests come from the MANIFEST_SUBMITTED
 * events themselves (the gate writes the submitted manifest into the event's payload beside its hash);
 * one whose hash does not match, or that breaks the manifest schema, is listed as unreadable evidence.
 */
import { canonicalHash } from '../config/canonical.js';
import type { GovernanceEvent } from '../contracts/records.js';
import { VigilError } from '../errors.js';
import type { Keyring } from '../governance/audit/keys.js';
import { groupByChain } from '../governance/audit/read.js';
import { verifyAuditTrail, type AuditVerification } from '../governance/audit/verify.js';
import { evaluate } from '../governance/compliance/evaluate.js';
import type { RulePack } from '../governance/compliance/types.js';
import type { DeploymentManifest } from '../governance/manifest/types.js';
import { manifestProblems } from '../governance/manifest/validate.js';
import { complianceContext, fold } from '../governance/registry/queries.js';
import { assembleEvidence, renderHtml, renderMarkdown, type LoadedEvidence } from '../governance/report/index.js';
import type { AuditChainResult, AuditService, AuditVerifyReport, RenderedReport, ReportRequest } from './ports.js';

/** At most this many findings per chain in a verification answer (the verdict counts them all). */
export const MAX_CHAIN_FINDINGS = 100;

export interface AuditSources {
  /** Every record of the audit topic (unreadable ones as markers), in order. */
  auditRecords(): Promise<unknown[]>;
  /** Governance events, alerts, rollback commands and audit records for the evidence report. */
  evidence(): Promise<LoadedEvidence & { readonly auditRecords: unknown[]; readonly unreadable: string[] }>;
}

export interface EvidenceAuditServiceOptions {
  readonly sources: AuditSources;
  readonly keyring: Keyring;
  readonly packs: readonly RulePack[];
  readonly clock?: () => number;
}

export function chainResult(v: AuditVerification): AuditChainResult {
  const first = v.findings[0];
  return {
    chainId: v.chainId ?? '(unknown chain)',
    ok: v.ok,
    count: v.records,
    seq: v.head?.seq ?? null,
    checkpoints: v.checkpoints,
    ...(first !== undefined ? { reason: first.message } : {}),
    findings: v.findings.slice(0, MAX_CHAIN_FINDINGS).map((f) => ({ kind: f.kind, index: f.index, seq: f.seq, message: f.message })),
  };
}

/** Manifests carried by MANIFEST_SUBMITTED events, checked against the hash beside them. */
export function manifestsOf(events: readonly GovernanceEvent[]): { manifests: DeploymentManifest[]; problems: string[] } {
  const manifests = new Map<string, DeploymentManifest>();
  const problems: string[] = [];
  for (const e of events) {
    if (e.type !== 'MANIFEST_SUBMITTED') continue;
    let payload: { manifest?: unknown; manifestHash?: unknown };
    try {
      payload = JSON.parse(e.payload) as typeof payload;
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      continue; // the registry's fold reports it as a refused event
    }
    if (payload?.manifest === undefined) continue;
    const where = `the manifest in governance event ${e.eventId}`;
    if (canonicalHash(payload.manifest) !== payload.manifestHash) {
      problems.push(`${where} does not match its manifestHash`);
      continue;
    }
    const invalid = manifestProblems(payload.manifest);
    if (invalid.length > 0) {
      problems.push(`${where}: ${invalid[0]?.path ?? '(root)'} ${invalid[0]?.message ?? 'invalid'}`);
      continue;
    }
    const m = payload.manifest as DeploymentManifest;
    // A resubmission replaces the earlier manifest of the same version.
    manifests.set(`${m.modelId}\u0000${m.modelVersion}`, m);
  }
  return { manifests: [...manifests.values()], problems };
}

export class EvidenceAuditService implements AuditService {
  readonly #options: EvidenceAuditServiceOptions;

  constructor(options: EvidenceAuditServiceOptions) {
    this.#options = options;
  }

  async verify(chainId: string | undefined): Promise<AuditVerifyReport> {
    const chains = groupByChain(await this.#options.sources.auditRecords());
    if (chainId !== undefined && !chains.has(chainId)) {
      throw new VigilError('VIGIL_NOT_FOUND', `the audit topic holds no chain ${JSON.stringify(chainId)} (chains: ${[...chains.keys()].join(', ') || 'none'})`);
    }
    const results = [...chains].filter(([id]) => chainId === undefined || id === chainId).map(([id, records]) => chainResult(verifyAuditTrail(records, this.#options.keyring, { chainId: id })));
    return { ok: results.every((r) => r.ok), chains: results };
  }

  async report(request: ReportRequest): Promise<RenderedReport> {
    const { modelId, format } = request;
    const loaded = await this.#options.sources.evidence();
    const audit = [...groupByChain(loaded.auditRecords)].map(([chainId, records]) => verifyAuditTrail(records, this.#options.keyring, { chainId }));
    const governance = loaded.governance.filter((e) => e.modelId === modelId).sort((a, b) => a.timestamp - b.timestamp);
    const { manifests, problems } = manifestsOf(governance);
    const { state } = fold(governance);
    const checks = manifests.map((m) => evaluate(m, complianceContext(state, m.modelId, m.modelVersion), this.#options.packs));
    const evidence = assembleEvidence({
      modelId,
      from: request.from,
      to: request.to,
      generatedAt: (this.#options.clock ?? Date.now)(),
      manifests: [...loaded.manifests, ...manifests],
      checks,
      governance: loaded.governance,
      alerts: loaded.alerts,
      rollbacks: loaded.rollbacks,
      drift: loaded.drift,
      audit,
      unreadable: [...loaded.unreadable, ...problems],
    });
    if (format === 'html') return { format, contentType: 'text/html; charset=utf-8', body: renderHtml(evidence) };
    if (format === 'md') return { format, contentType: 'text/markdown; charset=utf-8', body: renderMarkdown(evidence) };
    return { format, body: JSON.parse(JSON.stringify(evidence)) as { generatedAt: number } & Record<string, unknown> };
  }
}
