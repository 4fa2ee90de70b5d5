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
import type { Alert, GovernanceEvent, RollbackCommand } from '../../contracts/records.js';
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
