/**
 * Schema-registry client for the Confluent REST API (`GET {baseUrl}/schemas/ids/{id}` → `{ schema }`),
 * shaped by two facts: ids are immutable, and decoding must outlive a registry outage.
 *
 * - Schemas are cached by id forever: a cached id never needs the registry again.
 * - One request per id is in flight at a time; concurrent lookups of the same id share it.
 * - All requests together are capped at `maxConcurrent`, so a batch with many new ids cannot open
 *   hundreds of sockets at once.
 * - 5xx, 429, timeouts and network errors are retried with exponential backoff, then reported as
 *   VIGIL_REGISTRY_UNAVAILABLE (retriable). Other statuses are answers, not outages, and are not retried.
 * - 404 is VIGIL_DECODE_UNKNOWN_SCHEMA and is remembered for `negativeTtlMs` in a bounded table, so a
 *   flood of records with a bad id costs one request per id per TTL, not one per record.
 */
import { VigilError } from '../../errors.js';

/** Where the decoder gets writer schemas; tests inject fakes. */
export interface SchemaLookup {
  /**
   * The writer schema text for a schema id.
   * @throws VigilError VIGIL_DECODE_UNKNOWN_SCHEMA (not retriable) or VIGIL_REGISTRY_UNAVAILABLE (retriable).
   */
  schemaFor(id: number): Promise<string>;
}

export type FetchFunction = (input: string, init: { signal: AbortSignal; headers: Record<string, string> }) => Promise<Response>;

export interface RegistryClientOptions {
  /** Confluent-compatible API base, e.g. `http://127.0.0.1:18081/apis/ccompat/v7` (no trailing slash needed). */
  baseUrl: string;
  /** Per-request timeout in ms, body included (default 5000). */
  timeoutMs?: number;
  /** Retries after the first attempt for outages (default 3). */
  retries?: number;
  /** First backoff delay in ms; doubles per retry (default 100). */
  backoffBaseMs?: number;
  /** Upper bound of one backoff delay in ms (default 2000). */
  backoffMaxMs?: number;
  /** How long a 404 is remembered, in ms (default 10000). */
  negativeTtlMs?: number;
  /** Most ids remembered as unknown; the oldest is forgotten first (default 10000). */
  negativeCapacity?: number;
  /** Most requests in flight across all ids (default 4). */
  maxConcurrent?: number;
  /** Injected for tests; defaults to the global fetch. */
  fetch?: FetchFunction;
  /** Injected clock for the negative cache (default Date.now). */
  now?: () => number;
  /** Injected delay for the backoff (default a timer). */
  sleep?: (ms: number) => Promise<void>;
}

const DEFAULTS = {
  timeoutMs: 5_000,
  retries: 3,
  backoffBaseMs: 100,
  backoffMaxMs: 2_000,
  negativeTtlMs: 10_000,
  negativeCapacity: 10_000,
  maxConcurrent: 4,
} as const;

type Settings = { -readonly [K in keyof typeof DEFAULTS]: number };

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function validated(options: RegistryClientOptions): Settings {
  const out = { ...DEFAULTS } as Settings;
  for (const key of Object.keys(DEFAULTS) as (keyof Settings)[]) {
    const value = options[key];
    if (value === undefined) continue;
    const min = key === 'maxConcurrent' || key === 'negativeCapacity' || key === 'timeoutMs' ? 1 : 0;
    if (!Number.isInteger(value) || value < min) {
      throw new VigilError('VIGIL_CONFIG_INVALID', `registry option ${key} must be an integer >= ${min}, got ${String(value)}`, {
        details: { option: key },
      });
    }
    out[key] = value;
  }
  return out;
}

/** A failed attempt that another attempt may fix (5xx, 429, timeout, network). */
class TransientFailure {
  constructor(
    readonly reason: string,
    readonly cause?: unknown,
  ) {}
}

export class RegistryClient implements SchemaLookup {
  readonly #base: string;
  readonly #settings: Settings;
  readonly #fetch: FetchFunction;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  // Unbounded on purpose: only ids the registry actually holds get in, and ids never change.
  readonly #cache = new Map<number, string>();
  readonly #inFlight = new Map<number, Promise<string>>();
  /** id → time the 404 stops being trusted; insertion order is age order, for eviction. */
  readonly #unknown = new Map<number, number>();
  #active = 0;
  readonly #waiting: (() => void)[] = [];
  #requests = 0;

  constructor(options: RegistryClientOptions) {
    if (typeof options.baseUrl !== 'string' || !/^https?:\/\//.test(options.baseUrl)) {
      throw new VigilError('VIGIL_CONFIG_INVALID', `registry option baseUrl must be an http(s) URL, got ${String(options.baseUrl)}`, {
        details: { option: 'baseUrl' },
      });
    }
    this.#base = options.baseUrl.replace(/\/+$/, '');
    this.#settings = validated(options);
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? defaultSleep;
  }

  /** The schema if it is already cached: the synchronous fast path. */
  cached(id: number): string | undefined {
    return this.#cache.get(id);
  }

  /** HTTP requests sent so far (attempts, retries included); for tests and metrics. */
  get requestCount(): number {
    return this.#requests;
  }

  schemaFor(id: number): Promise<string> {
    const hit = this.#cache.get(id);
    if (hit !== undefined) return Promise.resolve(hit);
    const until = this.#unknown.get(id);
    if (until !== undefined) {
      if (this.#now() < until) return Promise.reject(unknownSchema(id, true));
      this.#unknown.delete(id);
    }
    let pending = this.#inFlight.get(id);
    if (pending === undefined) {
      pending = this.#load(id).finally(() => this.#inFlight.delete(id));
      this.#inFlight.set(id, pending);
    }
    return pending;
  }

  /**
   * Loads the latest schema registered under `subject` into the cache and returns its id, or
   * undefined when the subject has none. The engine preloads its input topics' subjects at the start,
   * so its first batch does not wait on the registry. One attempt: what is not preloaded is looked up
   * when a record needs it.
   *
   * @throws VigilError VIGIL_REGISTRY_UNAVAILABLE when the registry cannot answer or answers wrongly.
   */
  async preload(subject: string): Promise<number | undefined> {
    const { status, body } = await this.#limited(() => this.#get(`/subjects/${encodeURIComponent(subject)}/versions/latest`)).catch((err: unknown) => {
      throw new VigilError('VIGIL_REGISTRY_UNAVAILABLE', `schema registry ${this.#base} did not answer for subject ${subject}: ${err instanceof Error ? err.name : 'error'}`, { cause: err });
    });
    if (status === 404) return undefined;
    if (status !== 200) throw new VigilError('VIGIL_REGISTRY_UNAVAILABLE', `schema registry ${this.#base} answered HTTP ${status} for subject ${subject}`, { details: { subject, status } });
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (err) {
      throw new VigilError('VIGIL_REGISTRY_UNAVAILABLE', `schema registry ${this.#base} answered subject ${subject} with a body that is not JSON`, { retriable: false, cause: err });
    }
    const { id, schema } = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as { id?: unknown; schema?: unknown };
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0 || typeof schema !== 'string') {
      throw new VigilError('VIGIL_REGISTRY_UNAVAILABLE', `schema registry ${this.#base} answered subject ${subject} without a numeric "id" and a "schema" string`, { retriable: false });
    }
    this.#cache.set(id, schema);
    this.#unknown.delete(id);
    return id;
  }

  async #load(id: number): Promise<string> {
    const { retries, backoffBaseMs, backoffMaxMs } = this.#settings;
    let last: TransientFailure | undefined;
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await this.#sleep(Math.min(backoffMaxMs, backoffBaseMs * 2 ** (attempt - 1)));
      const result = await this.#limited(() => this.#attempt(id));
      if (!(result instanceof TransientFailure)) {
        this.#cache.set(id, result);
        return result;
      }
      last = result;
    }
    throw new VigilError('VIGIL_REGISTRY_UNAVAILABLE', `schema registry ${this.#base} unavailable for schema id ${id} after ${retries + 1} attempts: ${last?.reason ?? 'no attempt'}`, {
      cause: last?.cause,
      details: { schemaId: id, attempts: retries + 1 },
    });
  }

  /** One HTTP request. Returns the schema or a transient failure; throws answers that retrying cannot change. */
  async #attempt(id: number): Promise<string | TransientFailure> {
    let status: number;
    let body: string;
    try {
      ({ status, body } = await this.#get(`/schemas/ids/${id}`));
    } catch (err) {
      // fetch rejects only for transport problems (refused, reset, DNS) and for the timeout abort.
      return new TransientFailure(`request failed (${err instanceof Error ? err.name : 'error'})`, err);
    }
    if (status === 404) {
      this.#rememberUnknown(id);
      throw unknownSchema(id, false);
    }
    if (status >= 500 || status === 429 || status === 408) return new TransientFailure(`HTTP ${status}`);
    if (status !== 200) {
      // 401/403/400...: a configuration problem that no retry fixes; the engine must stop, not dead-letter.
      throw new VigilError('VIGIL_REGISTRY_UNAVAILABLE', `schema registry ${this.#base} answered HTTP ${status} for schema id ${id}`, {
        retriable: false,
        details: { schemaId: id, status },
      });
    }
    return parseSchemaBody(body, id, this.#base);
  }

  /** One GET of `path` under the registry's base URL: its status and body (rejects on transport problems and the timeout). */
  async #get(path: string): Promise<{ status: number; body: string }> {
    this.#requests++;
    const response = await this.#fetch(`${this.#base}${path}`, {
      signal: AbortSignal.timeout(this.#settings.timeoutMs),
      headers: { accept: 'application/vnd.schemaregistry.v1+json, application/json' },
    });
    // Always read the body, also on errors, so the connection goes back to the pool.
    return { status: response.status, body: await response.text() };
  }

  #rememberUnknown(id: number): void {
    this.#unknown.delete(id);
    this.#unknown.set(id, this.#now() + this.#settings.negativeTtlMs);
    if (this.#unknown.size > this.#settings.negativeCapacity) {
      const oldest = this.#unknown.keys().next();
      if (!oldest.done) this.#unknown.delete(oldest.value);
    }
  }

  async #limited<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.#settings.maxConcurrent) {
      // Woken with the finishing request's slot handed over, so a newcomer cannot slip in between.
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#active++;
    }
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      if (next !== undefined) next();
      else this.#active--;
    }
  }
}

function unknownSchema(id: number, cached: boolean): VigilError {
  return new VigilError('VIGIL_DECODE_UNKNOWN_SCHEMA', `schema id ${id} is unknown to the registry${cached ? ' (remembered 404)' : ''}`, {
    details: { schemaId: id },
  });
}

function parseSchemaBody(body: string, id: number, base: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (err) {
    throw malformedAnswer(id, base, 'a body that is not JSON', err);
  }
  const schema = typeof parsed === 'object' && parsed !== null ? (parsed as { schema?: unknown }).schema : undefined;
  if (typeof schema !== 'string') throw malformedAnswer(id, base, 'JSON without a "schema" string', undefined);
  return schema;
}

// A 200 that is not a registry answer means the URL points somewhere else: stop, do not retry.
function malformedAnswer(id: number, base: string, what: string, cause: unknown): VigilError {
  return new VigilError('VIGIL_REGISTRY_UNAVAILABLE', `schema registry ${base} answered schema id ${id} with ${what}; is the URL a Confluent-compatible API?`, {
    retriable: false,
    cause,
    details: { schemaId: id },
  });
}
