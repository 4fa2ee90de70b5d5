/**
 * Globs over model ids, principals and endpoints: `*` matches any run of characters (also none), `?`
 * exactly one; everything else is literal. Matched by the classic two-pointer algorithm that
 * remembers only the last star, so the time is at most O(pattern × value) whatever the pattern:
 * no regular expression is built, so a pattern like `*a*a*a*b` cannot backtrack exponentially.
 * Characters are compared by UTF-16 code unit.
 */
export function globMatch(glob: string, value: string): boolean {
  let g = 0;
  let v = 0;
  let star = -1;
  let resume = 0;
  while (v < value.length) {
    const c = glob.charCodeAt(g);
    if (g < glob.length && c === 42 /* * */) {
      star = g++;
      resume = v;
    } else if (g < glob.length && (c === 63 /* ? */ || c === value.charCodeAt(v))) {
      g++;
      v++;
    } else if (star >= 0) {
      g = star + 1;
      v = ++resume;
    } else {
      return false;
    }
  }
  while (g < glob.length && glob.charCodeAt(g) === 42) g++;
  return g === glob.length;
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
