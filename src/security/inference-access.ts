/**
 * Access control for the models themselves: which principals may call which model on which endpoint.
 * The inference stream is the endpoint's access log (every event names its `principal`), so the
 * engine checks each event against this policy; an event outside it raises an ACCESS alert and is
 * counted per model. Principal ids go into alert evidence and access records, never into metric
 * labels (unbounded cardinality).
 *
 * Rules are allow rules: an event is allowed when some rule's principal, model and endpoint globs all
 * match it (a null endpoint matches only rules without endpoints or with a `*` endpoint glob). With the
 * policy disabled everything is allowed; with it enabled and no rule matching, the event is denied.
 */
import type { Alert } from '../contracts/records.js';
import { buildAlert, type WindowContext } from '../pipeline/policy/alerts.js';
import { anyGlobMatch, coversEverything } from './glob.js';
import type { AccessSettings, InferenceAccessRule } from '../config/types.js';

export type InferencePolicy = AccessSettings['inference'];

export type InferenceDecision =
  | { readonly allowed: true; readonly rule: number | null }
  | { readonly allowed: false; readonly reason: string };

export function checkInferenceAccess(policy: InferencePolicy, principal: string, modelId: string, endpoint: string | null): InferenceDecision {
  if (!policy.enabled) return { allowed: true, rule: null };
  const index = policy.rules.findIndex((rule) => ruleMatches(rule, principal, modelId, endpoint));
  if (index >= 0) return { allowed: true, rule: index };
  const where = endpoint === null ? 'without an endpoint' : `on endpoint ${JSON.stringify(endpoint)}`;
  return { allowed: false, reason: `principal ${JSON.stringify(principal)} may not call model ${JSON.stringify(modelId)} ${where}` };
}

function ruleMatches(rule: InferenceAccessRule, principal: string, modelId: string, endpoint: string | null): boolean {
  if (!anyGlobMatch(rule.principals, principal) || !anyGlobMatch(rule.models, modelId)) return false;
  if (endpoint === null) return coversEverything(rule.endpoints);
  return anyGlobMatch(rule.endpoints, endpoint);
}

/**
 * Counting denied calls: per model (bounded by the caller's model-label cap), with the last few
 * offending principals kept for the ACCESS alert's evidence rather than as labels. `take` hands over
 * and resets what accumulated, once per window, so one alert sums up a window's violations.
 */
export class InferenceAccessCounter {
  readonly #maxModels: number;
  readonly #maxPrincipals: number;
  readonly #byModel = new Map<string, { denied: number; principals: Map<string, number> }>();

  constructor(options: { maxModels?: number; maxPrincipalsPerModel?: number } = {}) {
    this.#maxModels = options.maxModels ?? 500;
    this.#maxPrincipals = options.maxPrincipalsPerModel ?? 20;
  }

  deny(modelId: string, principal: string): void {
    const key = this.#byModel.has(modelId) || this.#byModel.size < this.#maxModels ? modelId : '_other';
    let entry = this.#byModel.get(key);
    if (entry === undefined) {
      entry = { denied: 0, principals: new Map() };
      this.#byModel.set(key, entry);
    }
    entry.denied++;
    if (entry.principals.has(principal) || entry.principals.size < this.#maxPrincipals) {
      entry.principals.set(principal, (entry.principals.get(principal) ?? 0) + 1);
    }
  }

  /** Denials so far for `modelId`, and the principals seen (up to the cap), then resets them. */
  take(modelId: string): { denied: number; principals: Record<string, number> } {
    const entry = this.#byModel.get(modelId);
    this.#byModel.delete(modelId);
    if (entry === undefined) return { denied: 0, principals: {} };
    return { denied: entry.denied, principals: Object.fromEntries([...entry.principals].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) };
  }

  peek(modelId: string): number {
    return this.#byModel.get(modelId)?.denied ?? 0;
  }
}

/** The detector name ACCESS alerts carry. */
export const ACCESS_DETECTOR = 'access-policy';

/**
 * The ACCESS alert of a window in which `denied` calls broke the policy (null when none did): one
 * CRITICAL alert per model version and window, its id a hash of fingerprint and window like every
 * other alert, the offending principals (as counted, capped) in its evidence.
 */
export function accessAlert(window: WindowContext, counts: { denied: number; principals: Readonly<Record<string, number>> }): Alert | null {
  if (counts.denied <= 0) return null;
  const evidence: Record<string, string> = { denied: String(counts.denied) };
  for (const [principal, n] of Object.entries(counts.principals)) evidence[`principal:${principal}`] = String(n);
  return buildAlert(window, { detector: ACCESS_DETECTOR, feature: null, score: counts.denied, evidence }, 'CRITICAL', 1, { kind: 'ACCESS' });
}
