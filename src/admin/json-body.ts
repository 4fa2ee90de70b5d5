/**
 * The API's only body parser: JSON, bounded in nesting before it is parsed (a document of 5,000
 * nested arrays would otherwise exhaust the stack of recursive walkers after JSON.parse), with
 * `__proto__` keys and `constructor.prototype` refused, so no body can reach object-merging code
 * with a prototype-changing shape. Failures are VIGIL_INPUT_INVALID (400).
 */
import { VigilError } from '../errors.js';

export const MAX_JSON_DEPTH = 32;

/** The deepest nesting of objects and arrays in `text`, outside strings; stops counting past `limit`. */
export function jsonDepth(text: string, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      depth++;
      if (depth > max) max = depth;
      if (max > limit) return max;
    } else if (c === 125 || c === 93) depth--;
  }
  return max;
}

export function parseJsonBody(text: string): unknown {
  if (text.length === 0) throw new VigilError('VIGIL_INPUT_INVALID', 'the request body is empty; send a JSON document');
  if (jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) throw new VigilError('VIGIL_INPUT_INVALID', `the JSON body nests deeper than ${MAX_JSON_DEPTH} levels`);
  let forbidden: string | null = null;
  let value: unknown;
  try {
    value = JSON.parse(text, function (this: unknown, key: string, v: unknown) {
      if (key === '__proto__') forbidden ??= '__proto__';
      else if (key === 'constructor' && typeof v === 'object' && v !== null && Object.hasOwn(v, 'prototype')) forbidden ??= 'constructor.prototype';
      return v;
    });
  } catch (error) {
    if (error instanceof SyntaxError) throw new VigilError('VIGIL_INPUT_INVALID', `the request body is not valid JSON: ${error.message}`, { cause: error });
    throw error;
  }
  if (forbidden !== null) throw new VigilError('VIGIL_INPUT_INVALID', `the JSON body may not contain the key ${forbidden}`);
  return value;
}
