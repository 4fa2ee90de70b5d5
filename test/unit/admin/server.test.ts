import { describe, expect, it } from 'vitest';
import { buildAdmin } from '../../../src/admin/server.js';
import { createMetrics } from '../../../src/telemetry/metrics.js';

function app(state: { live: boolean; ready: boolean }) {
  const metrics = createMetrics({ defaultMetrics: false });
  metrics.consumed.inc({ topic: 'vigil.inference' }, 3);
  return buildAdmin({ registry: metrics.registry, health: { live: () => state.live, ready: () => (state.ready ? { ready: true } : { ready: false, reason: 'starting' }) } });
}

describe('admin endpoints', () => {
  it('serves Prometheus metrics', async () => {
    const res = await app({ live: true, ready: true }).inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.body).toMatch(/vigil_events_consumed_total\{topic="vigil.inference"\} 3/);
  });

  it('answers liveness and readiness with 200 or 503 and a reason', async () => {
    const server = app({ live: true, ready: false });
    expect((await server.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    const ready = await server.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ status: 'not ready', reason: 'starting' });
    expect((await app({ live: false, ready: false }).inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(503);
  });

  it('answers unknown routes and oversized or malformed requests with 4xx, never 5xx', async () => {
    const server = app({ live: true, ready: true });
    expect((await server.inject({ method: 'GET', url: '/nope' })).statusCode).toBe(404);
    expect((await server.inject({ method: 'POST', url: '/metrics', payload: 'x'.repeat(2_000_000) })).statusCode).toBeLessThan(500);
    expect((await server.inject({ method: 'GET', url: '/metrics?%zz' })).statusCode).toBeLessThan(500);
    expect((await server.inject({ method: 'GET', url: '/healthz' })).headers['x-content-type-options']).toBe('nosniff');
  });
});
