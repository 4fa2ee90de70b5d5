/**
 * Dependencies from lock files: npm's package-lock.json (lockfile versions 1 to 3), pip's
 * requirements.txt or `pip freeze` output, and poetry.lock. Each parser is pure (text in, packages
 * out) and says which line or key it could not read; the kind is told by the file name.
 */
import { basename } from 'node:path';
import { VigilError, describeError } from '../../errors.js';

export type Ecosystem = 'npm' | 'pypi';

export interface LockedPackage {
  readonly ecosystem: Ecosystem;
  readonly name: string;
  /** Exact version; null when the file pins none (a range or a URL in requirements.txt). */
  readonly version: string | null;
  /** SPDX id, expression or licence name, when the lock file records one. */
  readonly license: string | null;
  readonly dev: boolean;
}

export type LockKind = 'package-lock' | 'requirements' | 'poetry-lock';

export function lockKindOf(file: string): LockKind {
  const name = basename(file).toLowerCase();
  if (name === 'package-lock.json' || name === 'npm-shrinkwrap.json') return 'package-lock';
  if (name === 'poetry.lock') return 'poetry-lock';
  if (name.endsWith('.txt') || name.includes('requirements') || name.includes('freeze')) return 'requirements';
  throw new VigilError('VIGIL_USAGE', `cannot tell the kind of lock file ${file}: expected package-lock.json, npm-shrinkwrap.json, poetry.lock, or requirements*.txt / pip freeze output (*.txt)`);
}

export function parseLockFile(kind: LockKind, text: string, origin: string): LockedPackage[] {
  switch (kind) {
    case 'package-lock':
      return parsePackageLock(text, origin);
    case 'requirements':
      return parseRequirements(text, origin);
    case 'poetry-lock':
      return parsePoetryLock(text, origin);
  }
}

function invalid(origin: string, where: string, why: string): VigilError {
  return new VigilError('VIGIL_INPUT_INVALID', `${origin} ${where}: ${why}`, { details: { file: origin, path: where } });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parsePackageLock(text: string, origin: string): LockedPackage[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw invalid(origin, '(root)', `not JSON: ${describeError(error)}`);
  }
  if (!isObject(doc)) throw invalid(origin, '(root)', 'not a package-lock object');
  const out = new Map<string, LockedPackage>();
  const add = (name: string, entry: Record<string, unknown>, where: string): void => {
    if (typeof entry.version !== 'string' || entry.version.length === 0) throw invalid(origin, where, 'has no version');
    if (entry.link === true) return;
    const license = typeof entry.license === 'string' ? entry.license : null;
    const key = `${name}@${entry.version}`;
    if (!out.has(key)) out.set(key, { ecosystem: 'npm', name, version: entry.version, license, dev: entry.dev === true });
  };
  if (isObject(doc.packages)) {
    for (const [path, entry] of Object.entries(doc.packages)) {
      if (path === '') continue;
      if (!isObject(entry)) throw invalid(origin, `packages[${JSON.stringify(path)}]`, 'is not an object');
      if (entry.link === true) continue;
      const at = path.lastIndexOf('node_modules/');
      const name = typeof entry.name === 'string' ? entry.name : at >= 0 ? path.slice(at + 'node_modules/'.length) : path;
      if (name.length === 0) throw invalid(origin, `packages[${JSON.stringify(path)}]`, 'names no package');
      add(name, entry, `packages[${JSON.stringify(path)}]`);
    }
  } else if (isObject(doc.dependencies)) {
    // Lockfile version 1: nested `dependencies`, walked with an explicit stack (no recursion depth limit to hit).
    const stack: [Record<string, unknown>, string][] = [[doc.dependencies, 'dependencies']];
    while (stack.length > 0) {
      const [deps, where] = stack.pop() as [Record<string, unknown>, string];
      for (const [name, entry] of Object.entries(deps)) {
        const here = `${where}[${JSON.stringify(name)}]`;
        if (!isObject(entry)) throw invalid(origin, here, 'is not an object');
        add(name, entry, here);
        if (isObject(entry.dependencies)) stack.push([entry.dependencies, `${here}.dependencies`]);
      }
    }
  } else {
    throw invalid(origin, '(root)', 'has neither "packages" nor "dependencies"');
  }
  return [...out.values()].sort(byName);
}

const REQUIREMENT = /^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[A-Za-z0-9._,\s-]*\])?\s*(.*)$/;

export function parseRequirements(text: string, origin: string): LockedPackage[] {
  const out = new Map<string, LockedPackage>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    // Strip comments, environment markers and per-requirement options (--hash=...).
    const line = (lines[i] as string).replace(/(^|\s)#.*$/, '').trim();
    if (line.length === 0 || line.startsWith('-')) continue;
    const spec = line.split(';')[0]?.split(/\s--/)[0]?.trim() ?? '';
    const m = REQUIREMENT.exec(spec);
    if (m === null) throw invalid(origin, `line ${i + 1}`, `${JSON.stringify(line.slice(0, 80))} is not a requirement`);
    const name = m[1] as string;
    const rest = (m[3] ?? '').trim();
    let version: string | null = null;
    const pinned = /^===?\s*([A-Za-z0-9.+!_-]+)$/.exec(rest);
    if (pinned !== null) version = pinned[1] as string;
    else if (rest.length > 0 && !/^(@\s*\S+|[<>=!~,\s0-9A-Za-z.*+!_-]+)$/.test(rest)) {
      throw invalid(origin, `line ${i + 1}`, `${JSON.stringify(rest.slice(0, 80))} is not a version specifier`);
    }
    const key = normalisePypiName(name);
    out.set(key, { ecosystem: 'pypi', name: key, version, license: null, dev: false });
  }
  return [...out.values()].sort(byName);
}

/** poetry.lock is TOML; only `[[package]]` tables' `name` and `version` are read. */
export function parsePoetryLock(text: string, origin: string): LockedPackage[] {
  const out = new Map<string, LockedPackage>();
  let current: { name?: string; version?: string; category?: string; line: number } | null = null;
  const flush = (): void => {
    if (current === null) return;
    if (current.name === undefined || current.version === undefined) throw invalid(origin, `line ${current.line}`, '[[package]] has no name or no version');
    const name = normalisePypiName(current.name);
    out.set(`${name}@${current.version}`, { ecosystem: 'pypi', name, version: current.version, license: null, dev: current.category === 'dev' });
    current = null;
  };
  const lines = text.split(/\r?\n/);
  let inPackage = false;
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line.startsWith('[')) {
      if (line === '[[package]]') {
        flush();
        current = { line: i + 1 };
        inPackage = true;
      } else {
        // A sub-table ([package.dependencies], [package.extras]) or another table: its keys are not the package's.
        inPackage = false;
      }
      continue;
    }
    if (!inPackage || current === null) continue;
    const kv = /^(name|version|category)\s*=\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(line);
    if (kv !== null) current[kv[1] as 'name' | 'version' | 'category'] = kv[2] as string;
  }
  flush();
  if (out.size === 0 && /\S/.test(text) && !text.includes('[metadata]')) throw invalid(origin, '(root)', 'holds no [[package]] table');
  return [...out.values()].sort(byName);
}

/** PEP 503 normalised name: lower case, runs of `-`, `_` and `.` as one `-`. */
export function normalisePypiName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

function byName(a: LockedPackage, b: LockedPackage): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : (a.version ?? '') < (b.version ?? '') ? -1 : 1;
}
