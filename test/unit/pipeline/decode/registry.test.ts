import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isVigilError } from '../../../../src/errors.js';
import type { VigilError } from '../../../../src/errors.js';
import { schemaSource } from '../../../../src/contracts/schemas.js';
import { RegistryClient } from '../../../../src/pipeline/decode/registry.js';
import type { RegistryClientOptions } from '../../../../src/pipeline/decode/registry.js';
import { DecodeStage } from '../../../reference/decode/stage.js';
import { EVENT_ID, NOW, encode, makeEvent, rec } from './helpers.js';

type Handler = (id: number, req: IncomingMessage, res: ServerResponse) => void;

const SCHEMA = schemaSource('InferenceEvent');

/** A Confluent-like registry on 127.0.0.1:0 whose answers each test scripts. */
class FakeRegistry {
  readonly server: Server;
  readonly hits: number[] = [];
  inFlight = 0;
  maxInFlight = 0;
  handler: Handler = (id, _req, res) => this.json(res, 200, { schema: SCHEMA, id });
  /** Answers GET subjects/<subject>/versions/latest (the subject as the path gave it, undecoded). */
  latest: (subject: string, res: ServerResponse) => void = (_subject, res) => this.json(res, 404, { error_code: 40401, message: 'subject not found' });
  readonly subjects: string[] = [];

  constructor() {
    this.server = createServer((req, res) => {
      const latest = /^\/apis\/ccompat\/v7\/subjects\/([^/]+)\/versions\/latest$/.exec(req.url ?? '');
      if (latest !== null) {
        this.subjects.push(latest[1]!);
        return this.latest(latest[1]!, res);
      }
      const match = /^\/apis\/ccompat\/v7\/schemas\/ids\/(\d+)$/.exec(req.url ?? '');
      if (match === null) return this.json(res, 404, { error_code: 404, message: 'no such path' });
      const id = Number(match[1]);
      this.hits.push(id);
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      res.on('close', () => this.inFlight--);
      this.handler(id, req, res);
    });
  }

  json(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/vnd.schemaregistry.v1+json' }).end(JSON.stringify(body));
  }

  async start(port = 0): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    const address = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}/apis/ccompat/v7/`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

let registry: FakeRegistry;
let baseUrl: string;
let delays: number[];
let clock: number;

function client(options: Partial<RegistryClientOptions> = {}): RegistryClient {
  return new RegistryClient({
    baseUrl,
    backoffBaseMs: 10,
    backoffMaxMs: 40,
    now: () => clock,
    sleep: async (ms) => {
      delays.push(ms);
    },
    ...options,
  });
}

async function failure(promise: Promise<unknown>): Promise<VigilError> {
  try {
    await promise;
  } catch (err) {
    if (isVigilError(err)) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

beforeEach(async () => {
  registry = new FakeRegistry();
  baseUrl = await registry.start();
  delays = [];
  clock = 1_000_000;
});

afterEach(async () => {
  await registry.stop();
});

describe('RegistryClient', () => {
  it('fetches a schema by id once and then serves it from the cache', async () => {
    const c = client();
    expect(c.cached(EVENT_ID)).toBeUndefined();
    expect(await c.schemaFor(EVENT_ID)).toBe(SCHEMA);
    expect(await c.schemaFor(EVENT_ID)).toBe(SCHEMA);
    expect(c.cached(EVENT_ID)).toBe(SCHEMA);
    expect(registry.hits).toEqual([EVENT_ID]);
  });

  it('sends one request for concurrent lookups of the same id', async () => {
    registry.handler = (id, _req, res) => setTimeout(() => registry.json(res, 200, { schema: SCHEMA, id }), 30);
    const c = client();
    const results = await Promise.all([c.schemaFor(3), c.schemaFor(3), c.schemaFor(3), c.schemaFor(4)]);
    expect(results).toEqual([SCHEMA, SCHEMA, SCHEMA, SCHEMA]);
    expect([...registry.hits].sort()).toEqual([3, 4]);
  });

  it('bounds the requests in flight across ids', async () => {
    registry.handler = (id, _req, res) => setTimeout(() => registry.json(res, 200, { schema: SCHEMA, id }), 20);
    const c = client({ maxConcurrent: 2 });
    await Promise.all([1, 2, 3, 4, 5, 6].map((id) => c.schemaFor(id)));
    expect(registry.hits).toHaveLength(6);
    expect(registry.maxInFlight).toBeLessThanOrEqual(2);
  });

  it('keeps serving cached ids when the registry goes away', async () => {
    const c = client({ retries: 1 });
    await c.schemaFor(EVENT_ID);
    await registry.stop();
    expect(await c.schemaFor(EVENT_ID)).toBe(SCHEMA);
    const err = await failure(c.schemaFor(99));
    expect(err.code).toBe('VIGIL_REGISTRY_UNAVAILABLE');
    expect(err.retriable).toBe(true);
    registry = new FakeRegistry(); // so afterEach has something to stop
    await registry.start();
  });

  it('retries 5xx with exponential backoff and then succeeds', async () => {
    let calls = 0;
    registry.handler = (id, _req, res) => (++calls <= 2 ? registry.json(res, 503, { message: 'busy' }) : registry.json(res, 200, { schema: SCHEMA, id }));
    expect(await client({ retries: 3 }).schemaFor(5)).toBe(SCHEMA);
    expect(registry.hits).toEqual([5, 5, 5]);
    expect(delays).toEqual([10, 20]);
  });

  it('gives up after the retries with a retriable VIGIL_REGISTRY_UNAVAILABLE; backoff is capped', async () => {
    registry.handler = (_id, _req, res) => registry.json(res, 500, { message: 'down' });
    const err = await failure(client({ retries: 4 }).schemaFor(5));
    expect(err.code).toBe('VIGIL_REGISTRY_UNAVAILABLE');
    expect(err.retriable).toBe(true);
    expect(err.message).toMatch(/after 5 attempts: HTTP 500/);
    expect(registry.hits).toHaveLength(5);
    expect(delays).toEqual([10, 20, 40, 40]);
  });

  it('times out a request that hangs, and retries it', async () => {
    registry.handler = () => {
      /* never answers */
    };
    const started = performance.now();
    const err = await failure(client({ timeoutMs: 50, retries: 1 }).schemaFor(5));
    expect(err.code).toBe('VIGIL_REGISTRY_UNAVAILABLE');
    expect(err.retriable).toBe(true);
    expect(registry.hits).toEqual([5, 5]);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('maps 404 to a non-retriable VIGIL_DECODE_UNKNOWN_SCHEMA without retrying', async () => {
    registry.handler = (_id, _req, res) => registry.json(res, 404, { error_code: 40403, message: 'Schema not found' });
    const err = await failure(client().schemaFor(42));
    expect(err.code).toBe('VIGIL_DECODE_UNKNOWN_SCHEMA');
    expect(err.retriable).toBe(false);
    expect(registry.hits).toEqual([42]);
    expect(delays).toEqual([]);
  });

  it('remembers a 404 for the negative TTL, then asks again', async () => {
    registry.handler = (_id, _req, res) => registry.json(res, 404, { error_code: 40403, message: 'Schema not found' });
    const c = client({ negativeTtlMs: 1_000 });
    for (let i = 0; i < 50; i++) expect((await failure(c.schemaFor(42))).code).toBe('VIGIL_DECODE_UNKNOWN_SCHEMA');
    expect(registry.hits).toEqual([42]);
    clock += 999;
    await failure(c.schemaFor(42));
    expect(registry.hits).toEqual([42]);
    clock += 1;
    registry.handler = (id, _req, res) => registry.json(res, 200, { schema: SCHEMA, id });
    expect(await c.schemaFor(42)).toBe(SCHEMA); // registered in the meantime
    expect(registry.hits).toEqual([42, 42]);
  });

  it('bounds the negative cache, forgetting the oldest id first', async () => {
    registry.handler = (_id, _req, res) => registry.json(res, 404, {});
    const c = client({ negativeCapacity: 2 });
    for (const id of [1, 2, 3]) await failure(c.schemaFor(id));
    await failure(c.schemaFor(3));
    await failure(c.schemaFor(2));
    expect(registry.hits).toEqual([1, 2, 3]);
    await failure(c.schemaFor(1));
    expect(registry.hits).toEqual([1, 2, 3, 1]);
  });

  it('treats other 4xx and non-registry answers as configuration errors: not retried, not retriable', async () => {
    registry.handler = (_id, _req, res) => registry.json(res, 401, { message: 'unauthorized' });
    let err = await failure(client().schemaFor(1));
    expect([err.code, err.retriable]).toEqual(['VIGIL_REGISTRY_UNAVAILABLE', false]);
    expect(registry.hits).toEqual([1]);

    registry.handler = (_id, _req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hello</html>');
    err = await failure(client().schemaFor(2));
    expect([err.code, err.retriable]).toEqual(['VIGIL_REGISTRY_UNAVAILABLE', false]);
    expect(err.message).toMatch(/not JSON/);

    registry.handler = (_id, _req, res) => registry.json(res, 200, { subject: 'x' });
    err = await failure(client().schemaFor(3));
    expect(err.message).toMatch(/without a "schema" string/);
  });

  it('validates its options, naming the one at fault', () => {
    expect(() => new RegistryClient({ baseUrl: 'ftp://x' })).toThrow(/baseUrl/);
    expect(() => new RegistryClient({ baseUrl, retries: -1 })).toThrow(/retries/);
    expect(() => new RegistryClient({ baseUrl, maxConcurrent: 0 })).toThrow(/maxConcurrent/);
  });

  it('works with an injected fetch', async () => {
    const urls: string[] = [];
    const c = new RegistryClient({
      baseUrl: 'http://registry.invalid/api',
      fetch: async (url) => {
        urls.push(url);
        return new Response(JSON.stringify({ schema: SCHEMA }), { status: 200 });
      },
    });
    expect(await c.schemaFor(12)).toBe(SCHEMA);
    expect(urls).toEqual(['http://registry.invalid/api/schemas/ids/12']);
    expect(c.requestCount).toBe(1);
  });
});

describe('RegistryClient.preload', () => {
  it("caches the latest schema of a subject under its id, so the first lookup of that id asks nothing", async () => {
    registry.latest = (subject, res) => registry.json(res, 200, { subject, version: 3, id: 7, schema: SCHEMA });
    const c = client();
    expect(await c.preload('vigil.inference-value')).toBe(7);
    expect(registry.subjects).toEqual(['vigil.inference-value']);
    expect(c.cached(7)).toBe(SCHEMA);
    expect(await c.schemaFor(7)).toBe(SCHEMA);
    expect(registry.hits).toEqual([]);
  });

  it('gives undefined for a subject the registry does not have, and caches nothing', async () => {
    const c = client();
    expect(await c.preload('nobody-value')).toBeUndefined();
    expect(c.cached(7)).toBeUndefined();
  });

  it('keeps a subject name one path segment, however it is spelt', async () => {
    const c = client();
    await c.preload('../schemas/ids/1?x=#');
    expect(registry.subjects).toEqual([encodeURIComponent('../schemas/ids/1?x=#')]);
    expect(registry.hits).toEqual([]);
  });

  it('fails with VIGIL_REGISTRY_UNAVAILABLE, once and naming the subject, on an error status, a wrong answer or no registry', async () => {
    const c = client();
    registry.latest = (_subject, res) => registry.json(res, 503, { message: 'down' });
    const down = await failure(c.preload('a-value'));
    expect([down.code, down.message]).toEqual(['VIGIL_REGISTRY_UNAVAILABLE', expect.stringContaining('HTTP 503 for subject a-value')]);
    expect(registry.subjects).toHaveLength(1);
    expect(delays).toEqual([]);
    for (const body of [{ schema: SCHEMA }, { id: '7', schema: SCHEMA }, { id: 7 }, { id: -1, schema: SCHEMA }, 'not an object']) {
      registry.latest = (_subject, res) => registry.json(res, 200, body);
      const wrong = await failure(c.preload('b-value'));
      expect([wrong.code, wrong.retriable, wrong.message]).toEqual(['VIGIL_REGISTRY_UNAVAILABLE', false, expect.stringContaining('subject b-value')]);
    }
    registry.latest = (_subject, res) => res.writeHead(200).end('{not json');
    expect((await failure(c.preload('c-value'))).message).toContain('not JSON');
    await registry.stop();
    const gone = await failure(c.preload('d-value'));
    expect([gone.code, gone.message]).toEqual(['VIGIL_REGISTRY_UNAVAILABLE', expect.stringContaining('did not answer for subject d-value')]);
    registry = new FakeRegistry();
    await registry.start();
    expect(c.cached(7)).toBeUndefined();
  });
});

describe('decode stage over a real HTTP registry', () => {
  it('keeps decoding known ids through an outage; a new id fails the batch retriably without changing state', async () => {
    const stage = new DecodeStage({ lookup: client({ retries: 1 }), now: () => NOW });
    const first = await stage.decodeRecords([rec(encode(makeEvent()), 0)]);
    expect(first.decoded).toBe(1);
    await registry.stop();

    const known = makeEvent();
    const again = await stage.decodeRecords([rec(encode(known), 1)]);
    expect([again.decoded, again.deadLetters]).toEqual([1, []]);

    const next = makeEvent();
    const mixed = [rec(encode(next), 2), rec(encode(makeEvent(), 77), 3)];
    const err = await failure(stage.decodeRecords(mixed));
    expect([err.code, err.retriable]).toEqual(['VIGIL_REGISTRY_UNAVAILABLE', true]);
    expect(stage.dedup.size).toBe(2); // the failed batch remembered nothing

    // The registry comes back on the same address; the same batch is retried and fully decoded.
    registry = new FakeRegistry();
    await registry.start(Number(new URL(baseUrl).port));
    const retried = await stage.decodeRecords(mixed);
    expect([retried.decoded, retried.deadLetters]).toEqual([2, []]);
  });
});
