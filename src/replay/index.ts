/** `vigil replay`: the engine's scoring and policy over recorded events, without Kafka. */
export { readEvents, MAX_AVRO_FILE_BYTES, MAX_BLOCK_BYTES, MAX_LINE_BYTES } from './events.js';
export type { RecordedEvent, ReadProgress } from './events.js';
export { LocalSchemaSource } from './local-schemas.js';
export { ProgressBar } from './progress.js';
export type { ProgressStream } from './progress.js';
export { REPLAY_BATCH, countByDetector, replay } from './replay.js';
export type { DetectorCounts, ReplayOptions, ReplayResult } from './replay.js';
export { jsonReport, textReport } from './report.js';
export { checkEvent } from './validate-event.js';
export type { EventCheck } from './validate-event.js';
