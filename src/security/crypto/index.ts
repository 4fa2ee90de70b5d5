/** Envelope encryption, key providers, sealed sections and protected artifacts (node:crypto only). */
export { ALGORITHM, KEY_BYTES, NONCE_BYTES, TAG_BYTES, encodeAad, open, seal } from './aead.js';
export { DEFAULT_MAX_USES_PER_DATA_KEY, Envelope, recordAad, rewrapRecord } from './envelope.js';
export type { EnvelopeOptions, SealContext, SealedRecord } from './envelope.js';
export {
  KEYRING_FORMAT,
  LocalKeyProvider,
  keyringFromText,
  keyringToJson,
  newKek,
  readKeyringFile,
  rotateKeyring,
  writeKeyringFile,
} from './keyring.js';
export type { KekEntry, KeyProvider, Keyring, WrappedDataKey } from './keyring.js';
export { resolveKeyProvider } from './resolve.js';
export { decryptSection, encryptSection, isSealedSection, parseSection, rewrapSection, serializeSection } from './section.js';
export { decryptArtifact, encryptArtifact, inspectArtifact, rewrapArtifact, verifyArtifact } from './artifact.js';
export type { ArtifactSummary, EncryptOptions } from './artifact.js';
export { DEFAULT_SEGMENT_SIZE } from './artifact-format.js';
export { openStateRecord, sealStateRecord } from './state.js';
