/**
 * Everything data protection needs, built once at start-up from the validated configuration: the
 * key provider, the envelope, the I/O log builder and which stores are sealed. Keys are required only
 * when something is switched on (I/O logging, sealed state or sealed references); a bad key file or
 * an unsafe redaction pattern fails here, before the engine consumes anything.
 *
 * Engine wiring (done in the engine, not here):
 *
 *   const protection = protectionFromConfig(config, infra.topicPrefix, process.env);
 *   // per batch:    protection.provider?.reloadIfChanged();          // KEK rotation without restart
 *   // per event:    const record = await protection.iolog?.build(event, { alerted });
 *   // state write:  if (protection.sealState) record = await sealStateRecord(protection.envelope, record, stateTopic);
 *   // state read:   const body = await openStateRecord(protection.envelope, record, stateTopic);
 */
import type { VigilConfig } from '../config/types.js';
import { Envelope } from '../security/crypto/envelope.js';
import type { LocalKeyProvider } from '../security/crypto/keyring.js';
import { resolveKeyProvider } from '../security/crypto/resolve.js';
import { IoLogBuilder } from './builder.js';

export interface Protection {
  /** Null when nothing is encrypted. */
  readonly provider: LocalKeyProvider | null;
  readonly envelope: Envelope | null;
  /** Null when I/O logging is off for every model. */
  readonly iolog: IoLogBuilder | null;
  readonly sealState: boolean;
  readonly sealReferences: boolean;
}

export function protectionFromConfig(
  config: Pick<VigilConfig, 'iolog' | 'encryption'>,
  topicPrefix: string,
  env: Readonly<Record<string, string | undefined>>,
  cwd?: string,
): Protection {
  const { iolog, encryption } = config;
  const logging = iolog.enabled || Object.values(iolog.models).some((m) => m.enabled === true);
  if (!logging && !encryption.state && !encryption.references) {
    return { provider: null, envelope: null, iolog: null, sealState: false, sealReferences: false };
  }
  const provider = resolveKeyProvider({ file: encryption.keyFile, envName: encryption.keyEnv, env, ...(cwd !== undefined ? { cwd } : {}) });
  const envelope = new Envelope(provider, { maxUsesPerDataKey: encryption.maxUsesPerDataKey });
  return {
    provider,
    envelope,
    iolog: logging ? new IoLogBuilder({ settings: iolog, envelope, topic: `${topicPrefix}iolog` }) : null,
    sealState: encryption.state,
    sealReferences: encryption.references,
  };
}
