/**
 * Globs over model ids, principals and endpoints: `*` matches any run of characters (also none), `?`
 * exactly one; everything else is literal. Compiled to anchored regular expressions with every other
 * character escaped, so a pattern cannot smuggle regex syntax in; patterns are bounded by the schema
 * (200 characters), and consecutive stars collapse so matching stays linear in practice.
 */
const cache = new Map<string, RegExp>();
const CACHE_LIMIT = 10_000;

export function globToRegExp(glob: string): RegExp {
  let re = cache.get(glob);
  if (re !== undefined) return re;
  let source = '^';
  let previousStar = false;
  for (const ch of glob) {
    if (ch === '*') {
      if (!previousStar) source += '[\\s\\S]*';
      previousStar = true;
      continue;
    }
    previousStar = false;
    source += ch === '?' ? '[\\s\\S]' : ch.replace(/[\\^$.|+()[\]{}/-]/g, '\\$&');
  }
  re = new RegExp(`${source}$`, 'u');
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(glob, re);
  return re;
}

export function globMatch(glob: string, value: string): boolean {
  return globToRegExp(glob).test(value);
}

/** True when any of `globs` matches `value`; `undefined` globs mean "everything". */
export function anyGlobMatch(globs: readonly string[] | undefined, value: string): boolean {
  if (globs === undefined) return true;
  return globs.some((g) => globMatch(g, value));
}

/** True when the globs cover every possible value (one of them is all stars). */
export function coversEverything(globs: readonly string[] | undefined): boolean {
  return globs === undefined || globs.some((g) => g.length > 0 && /^\*+$/.test(g));
}
