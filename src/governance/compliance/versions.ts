/**
 * Version constraints for banned packages: space-separated comparisons (`>=2.0.0 <2.3.1`), all of
 * which must hold. Versions compare by dot-separated parts, numerically where both parts are numbers
 * (`1.10.0` > `1.9.2`), as text otherwise; a pre-release tail (`1.0.0-rc.1`) sorts before its release.
 */
import { VigilError } from '../../errors.js';

const COMPARISON = /^(<=|>=|<|>|=|==)?([0-9A-Za-z][0-9A-Za-z.+_-]{0,63})$/;

export interface Comparison {
  readonly op: '<' | '<=' | '>' | '>=' | '=';
  readonly version: string;
}

/** Parses one constraint; VIGIL_POLICY_INVALID names `where` when it is not one. */
export function parseConstraint(text: string, where: string): Comparison[] {
  const parts = text.trim().split(/\s+/).filter((p) => p.length > 0);
  if (parts.length === 0 || parts.length > 4) {
    throw new VigilError('VIGIL_POLICY_INVALID', `${where}: ${JSON.stringify(text)} is not a version constraint (one to four comparisons such as ">=1.2.0 <1.4.0")`, { details: { path: where } });
  }
  return parts.map((part) => {
    const m = COMPARISON.exec(part);
    if (m === null) {
      throw new VigilError('VIGIL_POLICY_INVALID', `${where}: ${JSON.stringify(part)} is not a comparison (<, <=, >, >=, = and a version)`, { details: { path: where } });
    }
    const op = (m[1] === undefined || m[1] === '==' ? '=' : m[1]) as Comparison['op'];
    return { op, version: m[2] as string };
  });
}

export function compareVersions(a: string, b: string): number {
  const [aMain, aPre] = splitPre(a);
  const [bMain, bPre] = splitPre(b);
  const main = compareDotted(aMain, bMain);
  if (main !== 0) return main;
  if (aPre === null && bPre === null) return 0;
  if (aPre === null) return 1;
  if (bPre === null) return -1;
  return compareDotted(aPre, bPre);
}

export function satisfies(version: string, constraint: readonly Comparison[]): boolean {
  return constraint.every(({ op, version: bound }) => {
    const c = compareVersions(version, bound);
    switch (op) {
      case '<':
        return c < 0;
      case '<=':
        return c <= 0;
      case '>':
        return c > 0;
      case '>=':
        return c >= 0;
      case '=':
        return c === 0;
    }
  });
}

function splitPre(version: string): [string, string | null] {
  const v = version.replace(/^v/, '').split('+')[0] as string;
  const dash = v.indexOf('-');
  return dash < 0 ? [v, null] : [v.slice(0, dash), v.slice(dash + 1)];
}

function compareDotted(a: string, b: string): number {
  const as = a.split('.');
  const bs = b.split('.');
  for (let i = 0; i < Math.max(as.length, bs.length); i++) {
    const x = as[i] ?? '0';
    const y = bs[i] ?? '0';
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    if (xn && yn) {
      const d = Number(x) - Number(y);
      if (d !== 0) return d < 0 ? -1 : 1;
    } else if (x !== y) {
      if (xn !== yn) return xn ? -1 : 1;
      return x < y ? -1 : 1;
    }
  }
  return 0;
}
