/** Bounded reads of the small JSON and JSON-lines files governance commands take as input. */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { findPackageRoot } from '../../contracts/schemas.js';
import { VigilError, describeError } from '../../errors.js';

export function readBounded(file: string, maxBytes: number, what: string): string {
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new Error('not a regular file');
    size = stat.size;
  } catch (error) {
    throw new VigilError('VIGIL_INPUT_INVALID', `cannot read ${what} ${file}: ${describeError(error)}`, { cause: error, details: { file } });
  }
  if (size > maxBytes) throw new VigilError('VIGIL_INPUT_INVALID', `${what} ${file} is ${size} bytes; at most ${maxBytes} are read`, { details: { file } });
  return readFileSync(file, 'utf8');
}

export function readJsonFile(file: string, maxBytes: number, what: string): unknown {
  const text = readBounded(file, maxBytes, what);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new VigilError('VIGIL_INPUT_INVALID', `${what} ${file} is not JSON: ${describeError(error)}`, { cause: error, details: { file } });
  }
}

/** Each non-blank line parsed as JSON; a bad line is VIGIL_INPUT_INVALID naming file and line. */
export function readJsonLines(file: string, maxBytes: number, what: string): unknown[] {
  const text = readBounded(file, maxBytes, what);
  const out: unknown[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line.length === 0) continue;
    try {
      out.push(JSON.parse(line));
    } catch (error) {
      throw new VigilError('VIGIL_INPUT_INVALID', `${what} ${file} line ${i + 1} is not JSON: ${describeError(error)}`, { cause: error, details: { file, line: i + 1 } });
    }
  }
  return out;
}

let version: string | undefined;
export function vigilVersion(): string {
  if (version === undefined) {
    const pkg = JSON.parse(readFileSync(join(findPackageRoot(), 'package.json'), 'utf8')) as { version?: unknown };
    version = typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  }
  return version;
}
