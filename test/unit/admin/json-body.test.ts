import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, jsonDepth, parseJsonBody } from '../../../src/admin/json-body.js';

describe('the JSON body parser', () => {
  it('counts nesting outside strings only', () => {
    expect(jsonDepth('{"a":[1,{"b":[]}]}', 100)).toBe(4);
    expect(jsonDepth('{"a":"[[[[{{{{\\"[["}', 100)).toBe(1);
    expect(jsonDepth('1', 100)).toBe(0);
  });

  it('parses ordinary documents and refuses deep, prototype-polluting, empty or broken ones with a reason', () => {
    expect(parseJsonBody('{"config":{"windows":{"count":5}}}')).toEqual({ config: { windows: { count: 5 } } });
    expect(parseJsonBody(`${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`)).toBeDefined();
    const refused: [string, RegExp][] = [
      [`${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`, /nests deeper than 32/],
      ['['.repeat(1_000_000), /nests deeper/],
      ['{"a":{"__proto__":{"x":1}}}', /__proto__/],
      ['{"constructor":{"prototype":{}}}', /constructor\.prototype/],
      ['', /empty/],
      ['{"a":', /not valid JSON/],
      ['{"a":1}}', /not valid JSON/],
    ];
    for (const [text, message] of refused) expect(() => parseJsonBody(text)).toThrow(message);
    expect(parseJsonBody('{"constructor":"fine"}')).toEqual({ constructor: 'fine' });
  });
});
