/**
 * Loading the evidence from JSON-lines exports in one folder (what `vigil audit report --input DIR`
 * reads until a loader from the topics exists):
 *
 *   manifests/*.json   deployment manifests (as written by `vigil capture`)
 *   governance.jsonl   GovernanceEvent records        alerts.jsonl     Alert records
 *   rollback.jsonl     RollbackCommand records        drift.jsonl      {"at","feature","score","threshold"?,"version"?}
 *   audit.jsonl        AuditRecord records (verified with the keyring given)
 *
 * Every file is optional; a malformed line is VIGIL_INPUT_INVALID naming the file, line and field.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import type { Alert, GovernanceEvent, RollbackCommand } from '../../contracts/records.js';
import type { SchemaName } from '../../contracts/schemas.js';
import { topicName } from '../../contracts/topics.js';
import { readTopicRecords, type Unreadable } from '../audit/read.js';
import { VigilError } from '../../errors.js';
import { readManifest } from '../manifest/validate.js';
import type { DeploymentManifest } from '../manifest/types.js';
import { readJsonLines } from '../shared/files.js';
import type { DriftPoint } from './types.js';

export const MAX_EXPORT_BYTES = 512 * 1024 * 1024;

export interface LoadedEvidence {
  readonly manifests: DeploymentManifest[];
  readonly governance: GovernanceEvent[];
  readonly alerts: Alert[];
  readonly rollbacks: RollbackCommand[];
  readonly drift: DriftPoint[];
  /** Path of audit.jsonl when present. */
  readonly auditFile: string | null;
}

type Shape = Record<string, 'string' | 'number' | 'string?' | 'number?' | 'array' | 'object'>;

function typed<T>(file: string, shape: Shape): T[] {
  if (!existsSync(file)) return [];
  return readJsonLines(file, MAX_EXPORT_BYTES, 'export').map((row, i) => {
    const r = row as Record<string, unknown> | null;
    for (const [key, kind] of Object.entries(shape)) {
      const v = r?.[key];
      const ok =
        kind === 'string' ? typeof v === 'string'
        : kind === 'number' ? typeof v === 'number' && Number.isFinite(v)
        : kind === 'string?' ? v === undefined || v === null || typeof v === 'string'
        : kind === 'number?' ? v === undefined || v === null || (typeof v === 'number' && Number.isFinite(v))
        : kind === 'array' ? Array.isArray(v)
        : typeof v === 'object' && v !== null && !Array.isArray(v);
      if (!ok) throw new VigilError('VIGIL_INPUT_INVALID', `${file} record ${i + 1}: ${key} must be ${kind.replace('?', ' or null')}`, { details: { file, path: key, line: i + 1 } });
    }
    return r as T;
  });
}

export function loadEvidenceDir(dir: string): LoadedEvidence {
  if (!existsSync(dir)) throw new VigilError('VIGIL_INPUT_INVALID', `evidence folder ${dir} does not exist`, { details: { file: dir } });
  const manifestDir = join(dir, 'manifests');
  const manifests = existsSync(manifestDir)
    ? readdirSync(manifestDir)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => readManifest(join(manifestDir, f)))
    : [];
  const drift = typed<{ at: number; feature: string; score: number; threshold?: number | null; version?: string | null }>(join(dir, 'drift.jsonl'), { at: 'number', feature: 'string', score: 'number', threshold: 'number?', version: 'string?' });
  const auditFile = join(dir, 'audit.jsonl');
  return {
    manifests,
    governance: typed<GovernanceEvent>(join(dir, 'governance.jsonl'), { eventId: 'string', type: 'string', modelId: 'string', modelVersion: 'string', actor: 'string', timestamp: 'number', reason: 'string?', payload: 'string' }),
    alerts: typed<Alert>(join(dir, 'alerts.jsonl'), { alertId: 'string', modelId: 'string', modelVersion: 'string', kind: 'string', severity: 'string', detector: 'string', feature: 'string?', score: 'number', threshold: 'number', windowEnd: 'number' }),
    rollbacks: typed<RollbackCommand>(join(dir, 'rollback.jsonl'), { commandId: 'string', modelId: 'string', fromVersion: 'string', toVersion: 'string', action: 'string', reason: 'string', alertIds: 'array', issuedAt: 'number', issuedBy: 'string' }),
    drift: drift.map((d) => ({ at: d.at, feature: d.feature, score: d.score, threshold: d.threshold ?? null, version: d.version ?? null })),
    auditFile: existsSync(auditFile) ? auditFile : null,
  };
}

/**
 * The same evidence read from the topics (read_committed, up to their ends): governance, alerts,
 * rollback and audit under `topicPrefix`; manifests from `manifestDir` when given (manifests travel in
 * files, the governance topic carries their hashes). Drift comes from the DRIFT alerts' scores.
 */
export async function loadEvidenceTopics(
  kafka: Kafka,
  options: { readonly topicPrefix: string; readonly registryUrl: string; readonly manifestDir: string | null; readonly timeoutMs?: number },
): Promise<LoadedEvidence & { readonly auditRecords: unknown[]; readonly unreadable: string[] }> {
  const read = (name: 'governance' | 'alerts' | 'rollback' | 'audit', schema: SchemaName) => readTopicRecords(kafka, topicName(options.topicPrefix, name), options.registryUrl, schema, options.timeoutMs);
  const [governance, alerts, rollbacks, audit] = await Promise.all([read('governance', 'GovernanceEvent'), read('alerts', 'Alert'), read('rollback', 'RollbackCommand'), read('audit', 'AuditRecord')]);
  const unreadable: string[] = [];
  const readable = <T>(items: unknown[]): T[] =>
    items.filter((item) => {
      const why = (item as Partial<Unreadable>).unreadable;
      if (typeof why === 'string') unreadable.push(why);
      return typeof why !== 'string';
    }) as T[];
  const manifests =
    options.manifestDir !== null && existsSync(options.manifestDir)
      ? readdirSync(options.manifestDir)
          .filter((f) => f.endsWith('.json'))
          .sort()
          .map((f) => readManifest(join(options.manifestDir as string, f)))
      : [];
  return {
    manifests,
    governance: readable<GovernanceEvent>(governance),
    alerts: readable<Alert>(alerts),
    rollbacks: readable<RollbackCommand>(rollbacks),
    drift: [],
    auditFile: null,
    // Unreadable audit records stay in: the verifier reports them by position.
    auditRecords: audit,
    unreadable,
  };
}
