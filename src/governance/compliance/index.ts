export * from './types.js';
export { evaluate, checkFailedError } from './evaluate.js';
export { loadPacks, parsePack, checkPack, readPackFile, builtinPackNames, builtinPackDir } from './packs.js';
export { formatReport, toSarif, toJunit, formatText, CHECK_FORMATS, type CheckFormat } from './formats.js';
