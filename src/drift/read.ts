/**
 * Reading the tables `vigil drift` compares: CSV (RFC 4180: a header row, commas, double-quoted fields
 * with "" for a quote, line breaks allowed inside quotes) or JSON lines (one flat object per line).
 * Bad files fail with VIGIL_INPUT_INVALID and a message naming the file, the line, the column and
 * the value at fault: binary content, invalid UTF-8, a line over the length limit, a ragged row, an
 * empty file, a duplicate or empty column name, a nested JSON value (but an array in a column listed in
 * `arrayColumns`, kept as its JSON text for the embedding reader). Nothing is guessed silently.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { VigilError } from '../errors.js';

export interface ReadLimits {
  /** Largest file read, in bytes. */
  readonly maxBytes: number;
  /** Longest line (CSV record or JSON line), in characters. */
  readonly maxLineChars: number;
  /** Most columns in a header. */
  readonly maxColumns: number;
}

export const DEFAULT_LIMITS: ReadLimits = Object.freeze({ maxBytes: 512 * 1024 * 1024, maxLineChars: 1024 * 1024, maxColumns: 10_000 });

/** One value as read: text, or null when absent (empty CSV field, JSON null, key missing). */
export type Cell = string | null;

export interface Table {
  readonly file: string;
  readonly format: 'csv' | 'jsonl';
  readonly columns: readonly string[];
  /** Column-major values: `cells[c][r]`. */
  readonly cells: readonly Cell[][];
  /** The file line each row starts on (1-based), for messages. */
  readonly lines: readonly number[];
  /** JSON lines only: which cells held a JSON number (so "12" as a string stays categorical). */
  readonly numericCells?: readonly Uint8Array[];
}

function invalid(file: string, message: string, details: Record<string, string | number> = {}): VigilError {
  return new VigilError('VIGIL_INPUT_INVALID', `${file}: ${message}`, { details: { file, ...details } });
}

/** Reads and parses `file`; the format comes from the extension (.csv, .jsonl/.ndjson/.json), else from the first character. */
export async function readTable(file: string, limits: ReadLimits = DEFAULT_LIMITS, arrayColumns: ReadonlySet<string> = new Set()): Promise<Table> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (error) {
    throw new VigilError('VIGIL_INPUT_INVALID', `${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error, details: { file } });
  }
  if (size > limits.maxBytes) throw invalid(file, `${size} bytes, more than the ${limits.maxBytes}-byte limit`);
  const bytes = await readFile(file);
  return parseTable(file, bytes, limits, arrayColumns);
}

/** Parses file content (exported for tests of hostile input without touching the disk). */
export function parseTable(file: string, bytes: Uint8Array, limits: ReadLimits = DEFAULT_LIMITS, arrayColumns: ReadonlySet<string> = new Set()): Table {
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw invalid(file, `binary content (a NUL byte at offset ${nul}); expected CSV or JSON lines text`, { offset: nul });
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new VigilError('VIGIL_INPUT_INVALID', `${file}: not valid UTF-8 text; expected CSV or JSON lines`, { cause: error, details: { file } });
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim().length === 0) throw invalid(file, 'empty file: expected a header row and at least one data row');
  const ext = extname(file).toLowerCase();
  const jsonl = ext === '.jsonl' || ext === '.ndjson' || ext === '.json' || (ext !== '.csv' && text.trimStart().startsWith('{'));
  return jsonl ? parseJsonLines(file, text, limits, arrayColumns) : parseCsv(file, text, limits);
}

/** Splits CSV text into records of fields, tracking the line each record starts on. */
function* csvRecords(file: string, text: string, limits: ReadLimits): Generator<{ fields: string[]; line: number }> {
  let i = 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const start = i;
    const startLine = line;
    const fields: string[] = [];
    let field = '';
    let quoted = false;
    let atFieldStart = true;
    for (;;) {
      if (i - start > limits.maxLineChars) throw invalid(file, `line ${startLine}: longer than ${limits.maxLineChars} characters`, { line: startLine });
      if (i >= n) {
        if (quoted) throw invalid(file, `line ${startLine}: a quoted field is not closed before the end of the file`, { line: startLine });
        fields.push(field);
        break;
      }
      const c = text[i]!;
      if (quoted) {
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
          } else {
            quoted = false;
            i++;
            const next = text[i];
            if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
              throw invalid(file, `line ${line}: unexpected character ${JSON.stringify(next)} after a closing quote`, { line });
            }
          }
        } else {
          if (c === '\n') line++;
          field += c;
          i++;
        }
        continue;
      }
      if (c === '"' && atFieldStart) {
        quoted = true;
        atFieldStart = false;
        i++;
      } else if (c === ',') {
        fields.push(field);
        field = '';
        atFieldStart = true;
        i++;
      } else if (c === '\n' || c === '\r') {
        fields.push(field);
        i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
        line++;
        break;
      } else {
        field += c;
        atFieldStart = false;
        i++;
      }
    }
    // A blank line is no record.
    if (fields.length === 1 && fields[0] === '') continue;
    yield { fields, line: startLine };
  }
}

function checkHeader(file: string, names: string[], limits: ReadLimits): void {
  if (names.length > limits.maxColumns) throw invalid(file, `${names.length} columns, more than the limit of ${limits.maxColumns}`);
  const seen = new Set<string>();
  names.forEach((name, c) => {
    if (name.trim() === '') throw invalid(file, `header: column ${c + 1} has no name`, { column: c + 1 });
    if (seen.has(name)) throw invalid(file, `header: column name ${JSON.stringify(name)} appears twice`, { column: name });
    seen.add(name);
  });
}

function parseCsv(file: string, text: string, limits: ReadLimits): Table {
  const records = csvRecords(file, text, limits);
  const first = records.next();
  if (first.done) throw invalid(file, 'empty file: expected a header row and at least one data row');
  const columns = first.value.fields.map((f) => f.trim());
  checkHeader(file, columns, limits);
  const cells: Cell[][] = columns.map(() => []);
  const lines: number[] = [];
  for (const { fields, line } of records) {
    if (fields.length !== columns.length) {
      throw invalid(file, `line ${line}: ${fields.length} fields, the header has ${columns.length} (a ragged row)`, { line });
    }
    fields.forEach((value, c) => cells[c]!.push(value === '' ? null : value));
    lines.push(line);
  }
  if (lines.length === 0) throw invalid(file, 'no data rows after the header');
  return { file, format: 'csv', columns, cells, lines };
}

function parseJsonLines(file: string, text: string, limits: ReadLimits, arrayColumns: ReadonlySet<string>): Table {
  const columns: string[] = [];
  const index = new Map<string, number>();
  const cells: Cell[][] = [];
  const numeric: number[][] = [];
  const lines: number[] = [];
  let row = 0;
  let lineNo = 0;
  for (const raw of text.split('\n')) {
    lineNo++;
    if (raw.length > limits.maxLineChars) throw invalid(file, `line ${lineNo}: longer than ${limits.maxLineChars} characters`, { line: lineNo });
    const line = raw.trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new VigilError('VIGIL_INPUT_INVALID', `${file}: line ${lineNo}: not valid JSON (${(error as Error).message})`, { cause: error, details: { file, line: lineNo } });
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid(file, `line ${lineNo}: expected a JSON object, got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}`, { line: lineNo });
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      let c = index.get(key);
      if (c === undefined) {
        if (key.trim() === '') throw invalid(file, `line ${lineNo}: a key with no name`, { line: lineNo });
        if (columns.length >= limits.maxColumns) throw invalid(file, `line ${lineNo}: more than ${limits.maxColumns} distinct keys`, { line: lineNo });
        c = columns.push(key) - 1;
        index.set(key, c);
        cells.push(new Array<Cell>(row).fill(null));
        numeric.push([]);
      }
      let text: Cell;
      if (v === null) text = null;
      else if (typeof v === 'number') {
        text = String(v);
        numeric[c]!.push(row);
      } else if (typeof v === 'string') text = v;
      else if (typeof v === 'boolean') text = String(v);
      else if (Array.isArray(v) && arrayColumns.has(key)) text = JSON.stringify(v);
      else throw invalid(file, `line ${lineNo}, column ${JSON.stringify(key)}: a nested ${Array.isArray(v) ? 'array' : 'object'}; expected a number, string, boolean or null`, { line: lineNo, column: key });
      cells[c]![row] = text;
    }
    for (const column of cells) if (column.length <= row) column.push(null);
    lines.push(lineNo);
    row++;
  }
  if (row === 0) throw invalid(file, 'no data rows');
  const numericCells = numeric.map((rows) => {
    const flags = new Uint8Array(row);
    for (const r of rows) flags[r] = 1;
    return flags;
  });
  return { file, format: 'jsonl', columns, cells, lines, numericCells };
}
