/**
 * Abuse resistance, in memory and with an injected clock:
 *
 * - `RateLimiter`: a token bucket per key (principal or client address): `requests` per `perSeconds`,
 *   refilled continuously; a refused call learns how many seconds until one request is allowed again
 *   (the 429's Retry-After).
 * - `FailureLockout`: failed authentications per key (account or address) in a sliding window; at
 *   `max` failures the key is locked until the oldest failure leaves the window. ASVS V2.2.1 asks for
 *   at most 100 failed attempts per hour per account; the schema caps `max` at 100.
 *
 * Both keep at most `maxKeys` keys and drop the least recently used beyond that, so a flood of
 * distinct addresses or names cannot grow memory without bound.
 */
export interface RateDecision {
  readonly allowed: boolean;
  /** Whole seconds until a request would be allowed (0 when allowed). */
  readonly retryAfterSec: number;
}

class Lru<V> {
  readonly #map = new Map<string, V>();
  readonly #max: number;
  constructor(max: number) {
    this.#max = max;
  }
  get(key: string): V | undefined {
    const value = this.#map.get(key);
    if (value !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, value);
    }
    return value;
  }
  set(key: string, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.#max) {
      const oldest = this.#map.keys().next().value;
      if (oldest !== undefined) this.#map.delete(oldest);
    }
  }
  delete(key: string): void {
    this.#map.delete(key);
  }
  get size(): number {
    return this.#map.size;
  }
}

export class RateLimiter {
  readonly #capacity: number;
  readonly #perMs: number;
  readonly #buckets: Lru<{ tokens: number; at: number }>;

  constructor(options: { requests: number; perSeconds: number; maxKeys?: number }) {
    this.#capacity = options.requests;
    this.#perMs = options.requests / (options.perSeconds * 1000);
    this.#buckets = new Lru(options.maxKeys ?? 50_000);
  }

  take(key: string, now: number): RateDecision {
    const bucket = this.#buckets.get(key) ?? { tokens: this.#capacity, at: now };
    const tokens = Math.min(this.#capacity, bucket.tokens + Math.max(0, now - bucket.at) * this.#perMs);
    if (tokens >= 1) {
      this.#buckets.set(key, { tokens: tokens - 1, at: now });
      return { allowed: true, retryAfterSec: 0 };
    }
    this.#buckets.set(key, { tokens, at: now });
    return { allowed: false, retryAfterSec: Math.max(1, Math.ceil((1 - tokens) / this.#perMs / 1000)) };
  }

  get keys(): number {
    return this.#buckets.size;
  }
}

export class FailureLockout {
  readonly #max: number;
  readonly #windowMs: number;
  readonly #failures: Lru<number[]>;

  constructor(options: { max: number; windowSec: number; maxKeys?: number }) {
    this.#max = options.max;
    this.#windowMs = options.windowSec * 1000;
    this.#failures = new Lru(options.maxKeys ?? 50_000);
  }

  /** Whether `key` is locked now, and for how long. */
  check(key: string, now: number): RateDecision {
    const recent = this.#recent(key, now);
    if (recent.length < this.#max) return { allowed: true, retryAfterSec: 0 };
    const oldest = recent[recent.length - this.#max] ?? now;
    return { allowed: false, retryAfterSec: Math.max(1, Math.ceil((oldest + this.#windowMs - now) / 1000)) };
  }

  fail(key: string, now: number): void {
    const recent = this.#recent(key, now);
    recent.push(now);
    // Only the last `max` failures matter for the decision: memory per key stays bounded.
    this.#failures.set(key, recent.length > this.#max ? recent.slice(-this.#max) : recent);
  }

  /** A successful login does not erase failures: an attacker with one valid account cannot reset another's count. */
  #recent(key: string, now: number): number[] {
    const list = this.#failures.get(key) ?? [];
    return list.filter((t) => now - t < this.#windowMs);
  }
}
