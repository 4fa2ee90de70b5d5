/**
 * Helpers shared by detectors for their Summary values: element-wise merge, transfer lists, and the
 * byte layout of the state changelog.
 *
 * Byte layout (little-endian), the same for every detector:
 *   u32 magic "VGS1" | u16 stateVersion | u16 sectionCount | u32 length × sectionCount
 *   | zero padding to a multiple of 8 | float64 × Σ length, sections in the detector's order.
 * Decoding checks every declared length against the bytes actually present before allocating, so a
 * corrupt or hostile record costs at most its own size.
 */
import type { Summary } from './types.js';

const MAGIC = 0x31534756; // "VGS1" read as a little-endian u32

/** The distinct ArrayBuffers behind a summary's sections, for a transfer list. */
export function summaryBuffers(summary: Summary): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const section of Object.values(summary)) {
    if (section.buffer instanceof ArrayBuffer) buffers.add(section.buffer);
  }
  return [...buffers];
}

/** New sections holding `a[s] + b[s]` for each named section; the shapes must agree. */
export function sumSections(detector: string, names: readonly string[], a: Summary, b: Summary): Record<string, Float64Array> {
  const out: Record<string, Float64Array> = {};
  for (const name of names) {
    const x = a[name];
    const y = b[name];
    if (x === undefined || y === undefined || x.length !== y.length) {
      throw new RangeError(`${detector}: cannot merge summaries of different shapes (section "${name}": ${x?.length ?? 'missing'} vs ${y?.length ?? 'missing'})`);
    }
    const z = new Float64Array(x.length);
    for (let i = 0; i < z.length; i++) z[i] = x[i]! + y[i]!;
    out[name] = z;
  }
  return out;
}

/** Encodes the named sections of a summary in the layout above. */
export function encodeSections(detector: string, stateVersion: number, names: readonly string[], summary: Summary): Uint8Array {
  const sections = names.map((name) => {
    const section = summary[name];
    if (section === undefined) throw new RangeError(`${detector}: summary has no section "${name}"`);
    return section;
  });
  const header = 8 + 4 * sections.length;
  const dataStart = Math.ceil(header / 8) * 8;
  const total = sections.reduce((sum, s) => sum + s.length, 0);
  const bytes = new Uint8Array(dataStart + 8 * total);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint16(4, stateVersion, true);
  view.setUint16(6, sections.length, true);
  let at = dataStart;
  sections.forEach((section, i) => {
    view.setUint32(8 + 4 * i, section.length, true);
    for (let j = 0; j < section.length; j++, at += 8) view.setFloat64(at, section[j]!, true);
  });
  return bytes;
}

/** Decodes bytes written by `encodeSections` with the same names and version; throws a RangeError otherwise. */
export function decodeSections(detector: string, stateVersion: number, names: readonly string[], bytes: Uint8Array): Record<string, Float64Array> {
  const fail = (why: string): never => {
    throw new RangeError(`${detector}: invalid summary bytes (${why})`);
  };
  if (bytes.byteLength < 8) fail(`${bytes.byteLength} bytes, shorter than the 8-byte header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) fail('bad magic');
  const version = view.getUint16(4, true);
  if (version !== stateVersion) fail(`state version ${version}, expected ${stateVersion}`);
  const count = view.getUint16(6, true);
  if (count !== names.length) fail(`${count} sections, expected ${names.length}`);
  const header = 8 + 4 * count;
  const dataStart = Math.ceil(header / 8) * 8;
  if (bytes.byteLength < dataStart) fail('truncated header');
  let total = 0;
  for (let i = 0; i < count; i++) total += view.getUint32(8 + 4 * i, true);
  if (bytes.byteLength !== dataStart + 8 * total) fail(`${bytes.byteLength} bytes, the header declares ${dataStart + 8 * total}`);
  const out: Record<string, Float64Array> = {};
  let at = dataStart;
  names.forEach((name, i) => {
    const section = new Float64Array(view.getUint32(8 + 4 * i, true));
    for (let j = 0; j < section.length; j++, at += 8) section[j] = view.getFloat64(at, true);
    out[name] = section;
  });
  return out;
}
