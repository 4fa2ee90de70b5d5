import { describe, expect, it } from 'vitest';
import { newClusterId } from '../../../src/stack/services.js';

describe('the KRaft cluster id', () => {
  it('is 22 URL-safe base64 characters and never starts with "-" (the storage tool would take it for an option)', () => {
    // 0xF8 as the first byte encodes to a leading "-"; the id is drawn again.
    const draws = [Buffer.alloc(16, 0xf8), Buffer.alloc(16, 0xfb), Buffer.from('0123456789abcdef')];
    let call = 0;
    const id = newClusterId(() => draws[call++]!);
    expect(call).toBe(3);
    expect(id).toBe(Buffer.from('0123456789abcdef').toString('base64url'));
    for (let i = 0; i < 2000; i++) {
      const fresh = newClusterId();
      expect(fresh).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    }
  });
});
