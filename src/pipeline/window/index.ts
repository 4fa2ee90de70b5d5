/** Per-model-version windows: reference collection, tumbling windows, summaries, snapshot/restore. */
export { ModelWindows, decodeReference, encodeReference } from './window.js';
export { ReferenceBuilder, parseReferenceLines, referenceFromColumns, referenceFromRows } from './reference.js';
export type { ReferenceColumns, ReferenceRow } from './reference.js';
export { WINDOW_SNAPSHOT_FORMAT, decodeWindowState, encodeWindowState } from './snapshot.js';
export type { WindowStateImage } from './snapshot.js';
export type * from './types.js';
