/**
 * The policy state of one model version (alert policy and response policy) as the bytes of its
 * `vigil.state` changelog record. Decoding checks every field, so a corrupt record is refused with a
 * message saying what is wrong rather than steering alerts. A record in the format written before
 * alert semantics existed (the rollback counter alone) is read as a fresh state.
 */
import { ALERT_KIND_SYMBOLS, SEVERITY_SYMBOLS, type AlertKind, type Severity } from '../../contracts/records.js';
import type { SilenceSettings } from '../../config/types.js';
import { canonicalJson } from '../../config/canonical.js';
import { VigilError } from '../../errors.js';
import { initialAlertPolicyState, type AlertPolicyState, type Track } from './alert-policy.js';
import type { GroupState } from './grouping.js';
import { INITIAL_RESPONSE_STATE, type ResponseState, type RuleState } from './response.js';
import { silenceProblem } from './silences.js';

export const POLICY_STATE_FORMAT = 'vigil.policy-state';
export const POLICY_STATE_VERSION = 1;
const LEGACY_FORMAT = 'vigil.rollback-state';

export interface PolicyState {
  readonly alerting: AlertPolicyState;
  readonly response: ResponseState;
}

export function initialPolicyState(modelId: string, modelVersion: string): PolicyState {
  return { alerting: initialAlertPolicyState(modelId, modelVersion), response: INITIAL_RESPONSE_STATE };
}

export function encodePolicyState(state: PolicyState): Uint8Array {
  return Buffer.from(canonicalJson({ format: POLICY_STATE_FORMAT, version: POLICY_STATE_VERSION, alerting: state.alerting, response: state.response }), 'utf8');
}

type Obj = Record<string, unknown>;

class Corrupt extends Error {}

function fail(why: string): never {
  throw new Corrupt(why);
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown, at: string): string => (typeof v === 'string' ? v : fail(`${at} must be a string`));
const int = (v: unknown, at: string): number => (Number.isSafeInteger(v) ? (v as number) : fail(`${at} must be an integer`));
const num = (v: unknown, at: string): number => (typeof v === 'number' && Number.isFinite(v) ? v : fail(`${at} must be a finite number`));
const bool = (v: unknown, at: string): boolean => (typeof v === 'boolean' ? v : fail(`${at} must be a boolean`));
const list = (v: unknown, at: string, max = 100_000): unknown[] => (Array.isArray(v) && v.length <= max ? v : fail(`${at} must be a list of at most ${max} items`));
const obj = (v: unknown, at: string): Obj => (isObj(v) ? v : fail(`${at} must be an object`));
const nullable = <T>(v: unknown, read: (v: unknown) => T): T | null => (v === null ? null : read(v));
const severity = (v: unknown, at: string): Severity => ((SEVERITY_SYMBOLS as readonly unknown[]).includes(v) ? (v as Severity) : fail(`${at} must be a severity`));
const kind = (v: unknown, at: string): AlertKind => ((ALERT_KIND_SYMBOLS as readonly unknown[]).includes(v) ? (v as AlertKind) : fail(`${at} must be an alert kind`));

function track(v: unknown, at: string): Track {
  const o = obj(v, at);
  const evidence = obj(o['evidence'], `${at}.evidence`);
  const ev: Record<string, string> = {};
  for (const [k, value] of Object.entries(evidence)) ev[k] = str(value, `${at}.evidence.${k}`);
  return {
    fingerprint: str(o['fingerprint'], `${at}.fingerprint`),
    detector: str(o['detector'], `${at}.detector`),
    feature: nullable(o['feature'], (x) => str(x, `${at}.feature`)),
    kind: kind(o['kind'], `${at}.kind`),
    history: int(o['history'], `${at}.history`),
    firing: bool(o['firing'], `${at}.firing`),
    clean: int(o['clean'], `${at}.clean`),
    activeSince: nullable(o['activeSince'], (x) => int(x, `${at}.activeSince`)),
    severity: severity(o['severity'], `${at}.severity`),
    score: num(o['score'], `${at}.score`),
    threshold: num(o['threshold'], `${at}.threshold`),
    evidence: ev,
    lastBreach: int(o['lastBreach'], `${at}.lastBreach`),
    notified: nullable(o['notified'], (x) => severity(x, `${at}.notified`)),
    resolvePending: bool(o['resolvePending'], `${at}.resolvePending`),
  };
}

function group(v: unknown, at: string): GroupState {
  const o = obj(v, at);
  return { kind: kind(o['kind'], `${at}.kind`), since: int(o['since'], `${at}.since`), lastFlushAt: nullable(o['lastFlushAt'], (x) => int(x, `${at}.lastFlushAt`)) };
}

function silence(v: unknown, at: string): SilenceSettings {
  const o = obj(v, at);
  const s: SilenceSettings = {
    id: str(o['id'], `${at}.id`),
    matchers: list(o['matchers'], `${at}.matchers`, 20).map((m, i) => {
      const mo = obj(m, `${at}.matchers[${i}]`);
      return { label: str(mo['label'], `${at}.matchers[${i}].label`), op: str(mo['op'], `${at}.matchers[${i}].op`) as SilenceSettings['matchers'][number]['op'], value: str(mo['value'], `${at}.matchers[${i}].value`) };
    }),
    startsAt: int(o['startsAt'], `${at}.startsAt`),
    endsAt: int(o['endsAt'], `${at}.endsAt`),
    comment: str(o['comment'], `${at}.comment`),
    createdBy: str(o['createdBy'], `${at}.createdBy`),
  };
  const problem = silenceProblem(s);
  return problem === null ? s : fail(`${at}: ${problem}`);
}

function ruleState(v: unknown, at: string): RuleState {
  const o = obj(v, at);
  return {
    rule: str(o['rule'], `${at}.rule`),
    count: int(o['count'], `${at}.count`),
    runStart: nullable(o['runStart'], (x) => int(x, `${at}.runStart`)),
    runAlertIds: list(o['runAlertIds'], `${at}.runAlertIds`, 1000).map((ids, i) => list(ids, `${at}.runAlertIds[${i}]`).map((id, j) => str(id, `${at}.runAlertIds[${i}][${j}]`))),
  };
}

/** Reads a policy state of `modelId@modelVersion`; throws VIGIL_INPUT_INVALID naming the problem. */
export function decodePolicyState(bytes: Uint8Array, modelId: string, modelVersion: string): PolicyState {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (cause) {
    throw new VigilError('VIGIL_INPUT_INVALID', `policy state of ${modelId}@${modelVersion} is corrupt: not JSON`, { cause });
  }
  try {
    const o = obj(value, 'state');
    if (o['format'] === LEGACY_FORMAT) return initialPolicyState(modelId, modelVersion);
    if (o['format'] !== POLICY_STATE_FORMAT || o['version'] !== POLICY_STATE_VERSION) fail(`unknown format ${String(o['format'])} v${String(o['version'])}`);
    const a = obj(o['alerting'], 'alerting');
    const r = obj(o['response'], 'response');
    if (a['modelId'] !== modelId || a['modelVersion'] !== modelVersion) fail(`it belongs to ${String(a['modelId'])}@${String(a['modelVersion'])}`);
    const alerting: AlertPolicyState = {
      modelId,
      modelVersion,
      tracks: list(a['tracks'], 'alerting.tracks').map((t, i) => track(t, `alerting.tracks[${i}]`)),
      groups: list(a['groups'], 'alerting.groups', ALERT_KIND_SYMBOLS.length).map((g, i) => group(g, `alerting.groups[${i}]`)),
      sent: list(a['sent'], 'alerting.sent').map((t, i) => int(t, `alerting.sent[${i}]`)),
      silences: list(a['silences'], 'alerting.silences', 1000).map((s, i) => silence(s, `alerting.silences[${i}]`)),
    };
    const response: ResponseState = {
      rules: list(r['rules'], 'response.rules', 20).map((x, i) => ruleState(x, `response.rules[${i}]`)),
      causes: list(r['causes'], 'response.causes', 10_000).map((c, i) => str(c, `response.causes[${i}]`)),
    };
    return { alerting, response };
  } catch (error) {
    if (error instanceof Corrupt) throw new VigilError('VIGIL_INPUT_INVALID', `policy state of ${modelId}@${modelVersion} is corrupt: ${error.message}`, { cause: error });
    throw error;
  }
}
