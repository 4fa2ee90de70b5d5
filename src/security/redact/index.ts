/** Redaction of personal data and secrets before anything leaves the process. */
export { compilePattern, MAX_BACKTRACK, MAX_PATTERN_LENGTH, MAX_REPEAT } from './custom.js';
export type { CustomPattern } from './custom.js';
export { DEFAULT_MAX_TEXT_CHARS, redactEvent } from './event.js';
export type { RedactedEvent, RedactedPayload } from './event.js';
export { DEFAULT_SENSITIVE_FIELDS, Redactor, normalizeFieldName } from './redactor.js';
export type { RedactionCounts, RedactionSettings } from './redactor.js';
export { luhn, classifyNumber } from './numbers.js';
export { BUILTIN_TYPES, placeholder } from './types.js';
