/**
 * The redactor: runs every scanner over a text, keeps the non-overlapping spans (earliest first,
 * then longest, then by type priority), replaces each by its typed placeholder and counts them per
 * type. Every scanner is linear in the text, so redaction is too; nothing here allocates more than a
 * small constant times the input.
 */
import { VigilError } from '../../errors.js';
import { compilePattern, scanCustom, type CompiledPattern, type CustomPattern } from './custom.js';
import { scanEmails, scanIbans, scanIpv6, scanNinos } from './identifiers.js';
import { scanNumbers } from './numbers.js';
import { scanCredentials, scanKeyTokens, scanPrivateKeys, scanUrlCredentials } from './secrets.js';
import { placeholder, type Span } from './types.js';

export interface RedactionSettings {
  /** Field names whose values are always replaced (compared ignoring case, "_", "-" and "."). */
  readonly fields?: readonly string[];
  /** Extra patterns (see ./custom.ts for the rules they must follow). */
  readonly patterns?: readonly CustomPattern[];
}

/** Field names redacted whatever the configuration says: they name secrets. */
export const DEFAULT_SENSITIVE_FIELDS = ['password', 'passwd', 'secret', 'token', 'apikey', 'accesskey', 'authorization', 'cookie', 'ssn', 'cardnumber', 'iban'];

const PRIORITY: Record<string, number> = {
  private_key: 0,
  credential: 1,
  custom: 2,
  email: 3,
  iban: 4,
  card: 5,
  national_id: 6,
  ip: 7,
  phone: 8,
};

/** Counts of redactions per type, as written to IoLogRecord.redactions. */
export type RedactionCounts = Record<string, number>;

export function normalizeFieldName(name: string): string {
  return name.toLowerCase().replace(/[-_.\s]/g, '');
}

export class Redactor {
  readonly #patterns: readonly CompiledPattern[];
  readonly #fields: ReadonlySet<string>;
  readonly #keys = new Map<string, { readonly text: string; readonly sensitive: boolean; readonly counts: readonly [string, number][] }>();

  constructor(settings: RedactionSettings = {}, path = 'iolog.redaction') {
    const patterns = settings.patterns ?? [];
    if (patterns.length > 32) throw new VigilError('VIGIL_CONFIG_INVALID', `${path}.patterns has ${patterns.length} entries; at most 32 are allowed`);
    this.#patterns = patterns.map((p, i) => compilePattern(p, `${path}.patterns[${i}]`));
    this.#fields = new Set([...DEFAULT_SENSITIVE_FIELDS, ...(settings.fields ?? []).map(normalizeFieldName)]);
  }

  /** True when values under this field name are replaced whole. */
  isSensitiveField(name: string): boolean {
    return this.#fields.has(normalizeFieldName(name));
  }

  /** All spans the scanners find, overlapping ones removed. */
  spans(text: string): Span[] {
    const found: Span[] = [];
    scanPrivateKeys(text, found, PRIORITY.private_key as number);
    scanCredentials(text, found, PRIORITY.credential as number);
    scanKeyTokens(text, found, PRIORITY.credential as number);
    if (text.includes('://')) scanUrlCredentials(text, found, PRIORITY.credential as number);
    if (this.#patterns.length > 0) scanCustom(text, this.#patterns, found, PRIORITY.custom as number);
    if (text.includes('@')) scanEmails(text, found, PRIORITY.email as number);
    scanIbans(text, found, PRIORITY.iban as number);
    scanNinos(text, found, PRIORITY.national_id as number);
    scanNumbers(text, found, PRIORITY);
    if (text.includes(':')) scanIpv6(text, found, PRIORITY.ip as number);
    if (found.length <= 1) return found;
    found.sort((a, b) => a.start - b.start || b.end - a.end || a.priority - b.priority);
    const kept: Span[] = [];
    let until = -1;
    for (const span of found) {
      if (span.start >= until) {
        kept.push(span);
        until = span.end;
      }
    }
    return kept;
  }

  /**
   * Like redactText for map keys (feature, attribute names), which repeat from event to event: the
   * outcome per key is remembered (at most 4096 keys), counts and whether the field name is
   * sensitive included, so a key is scanned once.
   */
  redactKey(key: string, counts: RedactionCounts): { readonly text: string; readonly sensitive: boolean } {
    let known = this.#keys.get(key);
    if (known === undefined) {
      const found: RedactionCounts = {};
      known = { text: this.redactText(key, found), sensitive: this.isSensitiveField(key), counts: Object.entries(found) };
      if (this.#keys.size >= 4096) this.#keys.clear();
      this.#keys.set(key, known);
    }
    for (const [type, n] of known.counts) counts[type] = (counts[type] ?? 0) + n;
    return known;
  }

  /** The text with every finding replaced by its placeholder; adds to `counts`. */
  redactText(text: string, counts: RedactionCounts): string {
    if (text.length === 0) return text;
    const spans = this.spans(text);
    if (spans.length === 0) return text;
    const parts: string[] = [];
    let at = 0;
    for (const span of spans) {
      parts.push(text.slice(at, span.start), placeholder(span.type));
      counts[span.type] = (counts[span.type] ?? 0) + 1;
      at = span.end;
    }
    parts.push(text.slice(at));
    return parts.join('');
  }
}
