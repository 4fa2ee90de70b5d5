/**
 * What kind of answer a response is, before asking whether it is grounded: empty, a refusal, cut off,
 * or an ordinary answer. Refusals and empty answers are not hallucinations (there is no claim to check);
 * truncated answers may still make claims and are scored, with the truncation in their evidence.
 *
 * Heuristics (English): a refusal opens, within its first 160 characters, with one of REFUSALS; a
 * truncated answer ends on a letter, digit, comma, colon, semicolon, hyphen or an ellipsis instead of
 * closing punctuation.
 */

export type AnswerState = 'empty' | 'refusal' | 'truncated' | 'answer';

const REFUSALS = [
  "i'm sorry",
  'i am sorry',
  'i apologize',
  'i cannot',
  "i can't",
  'i can not',
  "i'm unable",
  'i am unable',
  "i'm not able",
  'i am not able',
  "i don't have",
  'i do not have',
  "i don't know",
  'i do not know',
  "i won't",
  'i will not',
  'as an ai',
  'as a language model',
  'unfortunately, i',
  'the provided context does not',
  'the context does not',
  'the documents do not',
  'there is no information',
  'no information is available',
];

const CLOSERS = new Set(['.', '!', '?', '"', "'", ')', ']', '}', '`', '*', '>', '”', '’', '»', '」', '。', '！', '？']);

export function answerState(answer: string): AnswerState {
  const trimmed = answer.trim();
  if (trimmed.length === 0) return 'empty';
  const head = trimmed.slice(0, 160).toLowerCase().replace(/\u2019/g, "'");
  for (const phrase of REFUSALS) {
    const at = head.indexOf(phrase);
    if (at >= 0 && at < 40) return 'refusal';
  }
  if (trimmed.endsWith('...') || trimmed.endsWith('…')) return 'truncated';
  const last = trimmed[trimmed.length - 1]!;
  if (CLOSERS.has(last)) return 'answer';
  return /[\p{L}\p{N},:;-]/u.test(last) ? 'truncated' : 'answer';
}

/** Characters read from each end of a long response (the heuristics look only at its start and end). */
const ENDS_CHARS = 4_000;

/** answerState of a trace's response, whatever its length or type (a non-string is empty). */
export function responseState(response: unknown): AnswerState {
  if (typeof response !== 'string') return 'empty';
  return answerState(response.length > 2 * ENDS_CHARS ? `${response.slice(0, ENDS_CHARS)}${response.slice(-ENDS_CHARS)}` : response);
}
