/**
 * Reads `vigil.yaml` once at start-up: finds it (`--config`, else `VIGIL_CONFIG`, else `vigil.yaml` in
 * the working directory if present, else defaults only), parses the YAML, validates it against the
 * schema, applies defaults, checks the rules a schema cannot express, deep-freezes the result and
 * hashes it. Every failure is a VIGIL_CONFIG_INVALID naming the file, the key path and what it must be.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { VigilError, describeError } from '../errors.js';
import { canonicalHash } from './canonical.js';
import { CONFIG_DEFAULTS, deepFreeze, deepMerge } from './defaults.js';
import { resolveAlerting } from './alerting.js';
import { checkDetectors } from './models.js';
import type { LoadedConfig, VigilConfig } from './types.js';
import { configError, problemsOf, validators } from './validate.js';
import type { ConfigProblem } from './validate.js';

/** A configuration file larger than this is refused rather than parsed. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

export interface LoadConfigOptions {
  /** From `--config PATH`; wins over the environment. */
  readonly path?: string;
  /** Environment, for `VIGIL_CONFIG`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Directory for relative paths and the default `vigil.yaml`; defaults to process.cwd(). */
  readonly cwd?: string;
}

export function loadConfig(options: LoadConfigOptions): LoadedConfig {
  const cwd = options.cwd ?? process.cwd();
  const fromEnv = options.env['VIGIL_CONFIG'];
  const explicit = options.path ?? (fromEnv !== undefined && fromEnv.length > 0 ? fromEnv : undefined);
  let file: string;
  if (explicit !== undefined) {
    file = resolve(cwd, explicit);
  } else {
    file = resolve(cwd, 'vigil.yaml');
    if (!existsSync(file)) return buildConfig({}, 'the built-in defaults', null);
  }
  return parseConfigText(readConfigFile(file), file);
}

/** Parses and validates YAML text; `origin` names the file in messages. */
export function parseConfigText(text: string, origin: string, source: string | null = origin): LoadedConfig {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax !== undefined) {
    const at = syntax.linePos?.[0];
    const where = at === undefined ? '' : ` at line ${at.line}, column ${at.col}`;
    const reason = syntax.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? syntax.code;
    throw new VigilError('VIGIL_CONFIG_INVALID', `invalid YAML in ${origin}${where}: ${reason}`, {
      cause: syntax,
      details: { file: origin, line: at?.line ?? 0, column: at?.col ?? 0 },
    });
  }
  let document: unknown;
  try {
    document = doc.toJS({ maxAliasCount: 100 });
  } catch (cause) {
    throw new VigilError('VIGIL_CONFIG_INVALID', `invalid YAML in ${origin}: ${describeError(cause)}`, { cause, details: { file: origin } });
  }
  // An empty file (or one holding only comments) means "all defaults".
  return buildConfig(document ?? {}, origin, source);
}

/** Validates a parsed document, applies defaults, checks cross-field rules, freezes and hashes. */
export function buildConfig(document: unknown, origin: string, source: string | null = null): LoadedConfig {
  const problems = problemsOf(validators.config, document);
  if (problems.length > 0) throw configError(origin, problems);
  const config = deepMerge(CONFIG_DEFAULTS, document) as VigilConfig;
  const ruleProblems: ConfigProblem[] = [
    ...checkDetectors(config.detectors, ['detectors']),
    ...resolveAlerting(config.alerting, [], [{ silences: config.alerting.silences, path: ['alerting', 'silences'], createdBy: 'config' }], ['alerting']).problems,
  ];
  for (const [modelId, override] of Object.entries(config.models)) {
    const detectors = deepMerge(config.detectors, override.detectors) as VigilConfig['detectors'];
    ruleProblems.push(...checkDetectors(detectors, ['models', modelId, 'detectors']));
    const path = ['models', modelId, 'alerting'];
    ruleProblems.push(...resolveAlerting(config.alerting, [override.alerting], [{ silences: override.alerting?.silences, path: [...path, 'silences'], createdBy: 'config' }], path).problems);
  }
  if (ruleProblems.length > 0) throw configError(origin, ruleProblems);
  deepFreeze(config);
  return Object.freeze({ config, configHash: canonicalHash(config), source });
}

function readConfigFile(file: string): string {
  try {
    const size = statSync(file).size;
    if (size > MAX_CONFIG_BYTES) {
      throw new VigilError('VIGIL_CONFIG_INVALID', `configuration file ${file} is ${size} bytes; at most ${MAX_CONFIG_BYTES} are read`, {
        details: { file },
      });
    }
    return readFileSync(file, 'utf8');
  } catch (cause) {
    if (cause instanceof VigilError) throw cause;
    throw new VigilError('VIGIL_CONFIG_INVALID', `cannot read configuration file ${file}: ${describeError(cause)}`, {
      cause,
      details: { file },
    });
  }
}
