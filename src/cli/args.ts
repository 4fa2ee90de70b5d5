/**
 * A small, strict argument parser: flags are declared per command; an unknown flag, a missing value
 * or a stray positional argument is a usage error (exit 2) naming the flag.
 */
import { parseArgs } from 'node:util';
import { VigilError } from '../errors.js';

export type FlagSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

export interface Parsed {
  readonly values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  readonly positionals: string[];
}

export function parseFlags(argv: readonly string[], flags: FlagSpec, maxPositionals: number, command: string): Parsed {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options: { ...flags, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    if (positionals.length > maxPositionals) {
      throw new VigilError('VIGIL_USAGE', `unexpected argument ${JSON.stringify(positionals[maxPositionals])}; see \`vigil ${command} --help\``);
    }
    return { values, positionals };
  } catch (error) {
    if (error instanceof VigilError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new VigilError('VIGIL_USAGE', `${message}; see \`vigil ${command} --help\``, { cause: error });
  }
}

export function intFlag(value: unknown, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  const text = String(value);
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) {
    throw new VigilError('VIGIL_USAGE', `--${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`);
  }
  return n;
}
