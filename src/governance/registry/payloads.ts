/**
 * The payload of each GovernanceEvent type (canonical JSON in the record), parsed and checked. A
 * payload that does not fit its type is an INVALID_EVENT refusal naming the field, never a crash.
 */
import type { GovernanceEvent, GovernanceEventType } from '../../contracts/records.js';
import { RISK_CLASSES, type RiskClass } from '../manifest/types.js';

export interface SubmittedPayload {
  readonly manifestHash: string;
  readonly riskClass: RiskClass;
  readonly environmentHash: string | null;
}
export interface CheckPayload {
  readonly passed: boolean;
  readonly errors: number;
  readonly warnings: number;
}
export interface RolesPayload {
  readonly roles: readonly string[];
}
export interface DeployPayload extends RolesPayload {
  readonly rollbackTarget: string | null;
  readonly noTargetReason: string | null;
}
export interface RollbackPayload extends RolesPayload {
  readonly toVersion: string;
}
export const COMMAND_ACTIONS = ['ROLLBACK', 'FALLBACK', 'SHUTDOWN'] as const;
/** The response command an APPROVED event approves (instead of the version itself). */
export interface ApprovedCommand {
  readonly commandId: string;
  readonly action: (typeof COMMAND_ACTIONS)[number];
  readonly toVersion: string;
}
export interface ApprovalPayload extends RolesPayload {
  /** Present when the approval is of a response command on vigil.rollback, not of the version. */
  readonly command?: ApprovedCommand;
}

/**
 * The event id of the approval of response command `commandId`: fixed, so a second approval of the
 * same command is a DUPLICATE_EVENT of the first, in the log and after any restart.
 */
export function commandApprovalId(commandId: string): string {
  return `approval.${commandId}`;
}

export interface PayloadByType {
  MANIFEST_SUBMITTED: SubmittedPayload;
  CHECK_COMPLETED: CheckPayload;
  APPROVED: ApprovalPayload;
  REJECTED: RolesPayload;
  DEPLOYED: DeployPayload;
  ROLLED_BACK: RollbackPayload;
  RETIRED: RolesPayload;
}

export const MAX_PAYLOAD_CHARS = 1024 * 1024;

type Parsed<T> = { ok: true; value: T } | { ok: false; field: string; why: string };

export function parsePayload<K extends GovernanceEventType>(event: GovernanceEvent & { type: K }): Parsed<PayloadByType[K]> {
  if (typeof event.payload !== 'string' || event.payload.length > MAX_PAYLOAD_CHARS) return { ok: false, field: 'payload', why: `must be JSON text of at most ${MAX_PAYLOAD_CHARS} characters` };
  let doc: unknown;
  try {
    doc = JSON.parse(event.payload);
  } catch {
    return { ok: false, field: 'payload', why: 'is not JSON' };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { ok: false, field: 'payload', why: 'must be a JSON object' };
  const p = doc as Record<string, unknown>;
  const bad = (field: string, why: string) => ({ ok: false as const, field: `payload.${field}`, why });
  const str = (v: unknown, max = 256) => typeof v === 'string' && v.length > 0 && v.length <= max;
  const roles = (): Parsed<RolesPayload> => {
    const r = p.roles ?? [];
    if (!Array.isArray(r) || r.length > 64 || !r.every((x) => str(x, 64))) return bad('roles', 'must be a list of role names');
    return { ok: true, value: { roles: r as string[] } };
  };
  let result: Parsed<unknown>;
  switch (event.type) {
    case 'MANIFEST_SUBMITTED': {
      if (typeof p.manifestHash !== 'string' || !/^[0-9a-f]{64}$/.test(p.manifestHash)) return bad('manifestHash', 'must be 64 lower-case hex digits');
      if (!(RISK_CLASSES as readonly unknown[]).includes(p.riskClass)) return bad('riskClass', `must be one of ${RISK_CLASSES.join(', ')}`);
      const env = p.environmentHash ?? null;
      if (env !== null && (typeof env !== 'string' || !/^[0-9a-f]{64}$/.test(env))) return bad('environmentHash', 'must be 64 lower-case hex digits or null');
      result = { ok: true, value: { manifestHash: p.manifestHash, riskClass: p.riskClass as RiskClass, environmentHash: env } };
      break;
    }
    case 'CHECK_COMPLETED': {
      if (typeof p.passed !== 'boolean') return bad('passed', 'must be true or false');
      const errors = p.errors ?? 0;
      const warnings = p.warnings ?? 0;
      if (!Number.isSafeInteger(errors) || (errors as number) < 0) return bad('errors', 'must be a count');
      if (!Number.isSafeInteger(warnings) || (warnings as number) < 0) return bad('warnings', 'must be a count');
      if (p.passed && (errors as number) > 0) return bad('passed', 'cannot be true with error findings');
      result = { ok: true, value: { passed: p.passed, errors, warnings } };
      break;
    }
    case 'DEPLOYED': {
      const r = roles();
      if (!r.ok) return r as Parsed<PayloadByType[K]>;
      const target = p.rollbackTarget ?? null;
      const why = p.noTargetReason ?? null;
      if (target !== null && !str(target, 64)) return bad('rollbackTarget', 'must be a version or null');
      if (why !== null && !str(why, 2048)) return bad('noTargetReason', 'must be a non-empty text or null');
      result = { ok: true, value: { ...r.value, rollbackTarget: target as string | null, noTargetReason: why as string | null } };
      break;
    }
    case 'ROLLED_BACK': {
      const r = roles();
      if (!r.ok) return r as Parsed<PayloadByType[K]>;
      if (!str(p.toVersion, 64)) return bad('toVersion', 'must name the version to go back to');
      result = { ok: true, value: { ...r.value, toVersion: p.toVersion as string } };
      break;
    }
    case 'APPROVED': {
      const r = roles();
      if (!r.ok || p.command === undefined) return r as Parsed<PayloadByType[K]>;
      const c = p.command as Record<string, unknown> | null;
      if (typeof c !== 'object' || c === null || Array.isArray(c)) return bad('command', 'must be an object');
      if (!str(c.commandId, 128)) return bad('command.commandId', 'must be the id of the approved command');
      if (!(COMMAND_ACTIONS as readonly unknown[]).includes(c.action)) return bad('command.action', `must be one of ${COMMAND_ACTIONS.join(', ')}`);
      if (typeof c.toVersion !== 'string' || c.toVersion.length > 256) return bad('command.toVersion', 'must be a version (empty for SHUTDOWN)');
      result = { ok: true, value: { ...r.value, command: { commandId: c.commandId as string, action: c.action as ApprovedCommand['action'], toVersion: c.toVersion } } };
      break;
    }
    default:
      result = roles();
  }
  return result as Parsed<PayloadByType[K]>;
}
