/**
 * The engine's audit signing key (Ed25519): read from `VIGIL_AUDIT_KEY_FILE`, or created once at
 * `.vigil/keys/audit-ed25519.pem` (mode 0600) for a local setup. The key id is derived from the public
 * key, so verifiers can tell keys apart without a registry of names.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { VigilError, describeError } from '../errors.js';

export interface AuditKey {
  readonly keyId: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

export function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return `ed25519:${createHash('sha256').update(der).digest('hex').slice(0, 16)}`;
}

export function loadAuditKey(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): AuditKey {
  const file = resolve(cwd, env.VIGIL_AUDIT_KEY_FILE ?? '.vigil/keys/audit-ed25519.pem');
  if (!existsSync(file)) {
    if (env.VIGIL_AUDIT_KEY_FILE) {
      throw new VigilError('VIGIL_CONFIG_INVALID', `VIGIL_AUDIT_KEY_FILE names ${file}, which does not exist`, { details: { file } });
    }
    const { privateKey } = generateKeyPairSync('ed25519');
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readFileSync(file));
  } catch (error) {
    throw new VigilError('VIGIL_CONFIG_INVALID', `${file} is not a PEM private key: ${describeError(error)}`, { cause: error, details: { file } });
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new VigilError('VIGIL_CONFIG_INVALID', `${file} holds a ${privateKey.asymmetricKeyType ?? 'unknown'} key; the audit trail is signed with Ed25519`, { details: { file } });
  }
  const publicKey = createPublicKey(privateKey);
  return { keyId: keyIdOf(publicKey), privateKey, publicKey };
}
