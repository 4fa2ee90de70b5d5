/** The input/output log: sampling, redaction, encryption, and the decrypting reader. */
export { IOLOG_READ_ROLE, IoLogService } from './access.js';
export type { IoLogAccessEvent, IoLogAccessLog, IoLogReadResult, IoLogServiceOptions } from './access.js';
export { ioLogContext } from './binding.js';
export { IoLogBuilder } from './builder.js';
export type { IoLogBuilderOptions } from './builder.js';
export { matches, readIoLog } from './reader.js';
export type { IoLogEntry, IoLogFilter } from './reader.js';
export { ioLogSettingsFor, isSampled, retentionMs, sampleFraction, topicRetentionMs } from './settings.js';
export { decodeIoLogValue, encodeIoLogBody } from './wire.js';
export { protectionFromConfig } from './protection.js';
export type { Protection } from './protection.js';
