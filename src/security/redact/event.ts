/**
 * Redaction of an InferenceEvent's inputs and outputs: the texts (prompt, response, contexts,
 * samples, categorical and attribute values, endpoint) through every scanner; map keys too (a key
 * can carry an address); values under sensitive field names replaced whole; integral numbers of 7 or
 * more digits checked as text (a card or phone number sent as a number). Texts longer than
 * `maxTextChars` are cut after redaction, so a cut never exposes half of something found.
 */
import type { InferenceEvent } from '../../contracts/records.js';
import type { RedactionCounts, Redactor } from './redactor.js';
import { placeholder } from './types.js';

/** What an IoLogRecord's ciphertext holds, before encryption. */
export interface RedactedPayload {
  readonly endpoint: string | null;
  readonly features: Record<string, number | string>;
  readonly categorical: Record<string, string>;
  readonly attributes: Record<string, string>;
  readonly prompt: string | null;
  readonly response: string | null;
  readonly contexts: string[];
  readonly samples: string[];
  readonly outputs: {
    readonly status: string;
    readonly score: number | null;
    readonly predictedClass: string | null;
    readonly classProbabilities: Record<string, number> | null;
    readonly latencyMs: number;
  };
}

export interface RedactedEvent {
  readonly payload: RedactedPayload;
  readonly counts: RedactionCounts;
}

export const DEFAULT_MAX_TEXT_CHARS = 65_536;
const TRUNCATED = '…[TRUNCATED]';

export function redactEvent(redactor: Redactor, event: InferenceEvent, maxTextChars = DEFAULT_MAX_TEXT_CHARS): RedactedEvent {
  const counts: RedactionCounts = {};
  const text = (value: string): string => {
    const out = redactor.redactText(value, counts);
    return out.length > maxTextChars ? out.slice(0, maxTextChars) + TRUNCATED : out;
  };
  /** The redacted key (kept apart from any other key it now equals) and whether its value goes whole. */
  const keyOf = (key: string, seen: Set<string>): [string, boolean] => {
    const known = redactor.redactKey(key, counts);
    let out = known.text.length > maxTextChars ? known.text.slice(0, maxTextChars) + TRUNCATED : known.text;
    if (seen.has(out)) {
      let n = 2;
      while (seen.has(`${out} #${n}`)) n++;
      out = `${out} #${n}`;
    }
    seen.add(out);
    return [out, known.sensitive];
  };
  const field = (): string => {
    counts.field = (counts.field ?? 0) + 1;
    return placeholder('field');
  };
  const strings = (map: Record<string, string>): Record<string, string> => {
    const seen = new Set<string>();
    return Object.fromEntries(
      Object.entries(map).map(([k, v]) => {
        const [key, sensitive] = keyOf(k, seen);
        return [key, sensitive ? field() : text(v)];
      }),
    );
  };
  const seenFeatures = new Set<string>();
  const features = Object.fromEntries(
    Object.entries(event.features).map(([k, v]): [string, number | string] => {
      const [key, sensitive] = keyOf(k, seenFeatures);
      if (sensitive) return [key, field()];
      if (Number.isInteger(v) && Math.abs(v) >= 1e6 && Math.abs(v) < 1e20) {
        const asText = redactor.redactText(String(v), counts);
        if (asText !== String(v)) return [key, asText];
      }
      return [key, v];
    }),
  );
  const llm = event.llm;
  return {
    counts,
    payload: {
      endpoint: event.endpoint === null ? null : text(event.endpoint),
      features,
      categorical: strings(event.categorical),
      attributes: strings(event.attributes),
      prompt: llm?.prompt == null ? null : text(llm.prompt),
      response: llm === null ? null : text(llm.response),
      contexts: llm === null ? [] : llm.contexts.map(text),
      samples: llm === null ? [] : llm.samples.map(text),
      outputs: {
        status: event.status,
        score: event.score,
        predictedClass: event.predictedClass === null ? null : text(event.predictedClass),
        classProbabilities: event.classProbabilities,
        latencyMs: event.latencyMs,
      },
    },
  };
}
