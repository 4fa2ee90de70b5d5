/**
 * Loading rule packs: the packs that ship with Vigil (`policies/*.yaml` in the package) by name, or
 * any YAML/JSON file by path. A pack is checked against its schema, its rule ids must be unique and
 * its version constraints must parse; any problem is VIGIL_POLICY_INVALID naming the file and field.
 */
import { Ajv } from 'ajv';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { findPackageRoot } from '../../contracts/schemas.js';
import { schemaProblems } from '../shared/schema.js';
import { VigilError, describeError } from '../../errors.js';
import { PACK_SCHEMA } from './pack-schema.js';
import { parseConstraint } from './versions.js';
import type { RulePack } from './types.js';

export const MAX_PACK_BYTES = 1024 * 1024;

const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, verbose: true, allowUnionTypes: true, discriminator: true });
const validator = ajv.compile(PACK_SCHEMA);

/** The folder of the packs that ship with Vigil. */
export function builtinPackDir(): string {
  return join(findPackageRoot(), 'policies');
}

/** Names of the shipped packs, sorted. */
export function builtinPackNames(): string[] {
  return readdirSync(builtinPackDir())
    .filter((f) => /\.ya?ml$|\.json$/.test(f))
    .map((f) => f.replace(/\.(ya?ml|json)$/, ''))
    .sort();
}

/** A pack from parsed data; `origin` names it in errors. */
export function checkPack(document: unknown, origin: string): RulePack {
  const problems = schemaProblems(validator, document);
  if (problems.length > 0) {
    const lines = problems.slice(0, 20).map((p) => `${p.path} ${p.message}`);
    throw new VigilError('VIGIL_POLICY_INVALID', `invalid rule pack ${origin}: ${lines.join('; ')}`, { details: { file: origin, path: problems[0]?.path ?? '(root)' } });
  }
  const pack = document as Omit<RulePack, 'origin'>;
  const seen = new Set<string>();
  pack.rules.forEach((rule, i) => {
    if (seen.has(rule.id)) {
      throw new VigilError('VIGIL_POLICY_INVALID', `invalid rule pack ${origin}: rules[${i}].id ${JSON.stringify(rule.id)} is used twice`, { details: { file: origin, path: `rules[${i}].id` } });
    }
    seen.add(rule.id);
    if (rule.check.kind === 'banned-packages') {
      rule.check.packages.forEach((p, j) => p.versions?.forEach((v, k) => parseConstraint(v, `${origin}: rules[${i}].check.packages[${j}].versions[${k}]`)));
    }
    if (rule.check.kind === 'retention' && rule.check.minDays !== undefined && rule.check.maxDays !== undefined && rule.check.minDays > rule.check.maxDays) {
      throw new VigilError('VIGIL_POLICY_INVALID', `invalid rule pack ${origin}: rules[${i}].check.minDays is above maxDays`, { details: { file: origin, path: `rules[${i}].check` } });
    }
  });
  return { ...pack, origin };
}

/** Parses pack text: JSON when it looks like JSON, else YAML. */
export function parsePack(text: string, origin: string): RulePack {
  let document: unknown;
  try {
    document = /^\s*[{[]/.test(text) ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 100, uniqueKeys: true });
  } catch (error) {
    throw new VigilError('VIGIL_POLICY_INVALID', `${origin} is neither valid JSON nor valid YAML: ${describeError(error)}`, { cause: error, details: { file: origin } });
  }
  return checkPack(document, origin);
}

export function readPackFile(file: string): RulePack {
  let size: number;
  try {
    size = statSync(file).size;
  } catch (error) {
    throw new VigilError('VIGIL_INPUT_INVALID', `cannot read rule pack ${file}: ${describeError(error)}`, { cause: error, details: { file } });
  }
  if (size > MAX_PACK_BYTES) throw new VigilError('VIGIL_POLICY_INVALID', `${file} is ${size} bytes; a rule pack may be at most ${MAX_PACK_BYTES}`, { details: { file } });
  return parsePack(readFileSync(file, 'utf8'), file);
}

/**
 * Packs by selector: a shipped pack's name (`eu-ai-act`) or a file path. No selector: every shipped pack.
 * Two packs with the same `pack` name are refused, since findings would be ambiguous.
 */
export function loadPacks(selectors: readonly string[] = []): RulePack[] {
  const names = selectors.length > 0 ? selectors : builtinPackNames();
  const packs = names.map((selector) => {
    if (/^[a-z0-9][a-z0-9-]*$/.test(selector)) {
      const file = ['yaml', 'yml', 'json'].map((ext) => join(builtinPackDir(), `${selector}.${ext}`)).find((f) => existsSync(f));
      if (file !== undefined) return readPackFile(file);
      if (!existsSync(selector)) {
        throw new VigilError('VIGIL_USAGE', `no rule pack named ${JSON.stringify(selector)}; shipped packs: ${builtinPackNames().join(', ')} (or give a file path)`);
      }
    }
    return readPackFile(selector);
  });
  const seen = new Map<string, string>();
  for (const pack of packs) {
    const other = seen.get(pack.pack);
    if (other !== undefined) throw new VigilError('VIGIL_POLICY_INVALID', `rule packs ${other} and ${pack.origin} are both named ${JSON.stringify(pack.pack)}`, { details: { file: pack.origin } });
    seen.set(pack.pack, pack.origin);
  }
  return packs;
}
