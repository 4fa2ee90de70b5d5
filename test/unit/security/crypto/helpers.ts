import { createHash } from 'node:crypto';
import { LocalKeyProvider, newKek, rotateKeyring, type Keyring } from '../../../../src/security/crypto/keyring.js';

/** Deterministic "randomness" for tests: SHA-256 in counter mode over a seed. */
export function seededRandom(seed: string): (n: number) => Buffer {
  let counter = 0;
  return (n: number) => {
    const parts: Buffer[] = [];
    let have = 0;
    while (have < n) {
      const block = createHash('sha256').update(`${seed}:${counter++}`).digest();
      parts.push(block);
      have += block.length;
    }
    return Buffer.concat(parts).subarray(0, n);
  };
}

export function testKeyring(seed = 'kek', count = 1): Keyring {
  const random = seededRandom(seed);
  let ring: Keyring | null = null;
  for (let i = 0; i < count; i++) ring = rotateKeyring(ring, newKek(new Date(Date.UTC(2026, 0, 1 + i)), random));
  return ring as Keyring;
}

export function testProvider(seed = 'kek'): LocalKeyProvider {
  return new LocalKeyProvider(testKeyring(seed), { random: seededRandom(`${seed}-wrap`) });
}

/** Every copy of `bytes` with exactly one bit flipped. */
export function* bitFlips(bytes: Buffer): Generator<{ bit: number; flipped: Buffer }> {
  for (let bit = 0; bit < bytes.length * 8; bit++) {
    const flipped = Buffer.from(bytes);
    flipped[bit >> 3] = (flipped[bit >> 3] as number) ^ (1 << (bit & 7));
    yield { bit, flipped };
  }
}
