import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { z } from 'zod';
import { JsonHttpClient, ProviderError } from '../../integrations/http-client';

/** What the throwaway provider saw. */
interface Seen {
  path: string;
  authorization?: string;
  idempotencyKey?: string;
}

const seen: Seen[] = [];
const calls = (path: string) => seen.filter((s) => s.path === path).length;
let server: Server;
let baseUrl: string;
let flakyFailuresLeft = 0;

beforeAll(async () => {
  const app = express();
  app.use(express.json());
  app.use((req, _res, next) => {
    seen.push({ path: req.path, authorization: req.get('authorization'), idempotencyKey: req.get('idempotency-key') });
    next();
  });
  app.post('/flaky', (_req, res) => {
    if (flakyFailuresLeft-- > 0) return void res.status(503).json({ error: { code: 'unavailable', message: 'try later' } });
    res.status(201).json({ labelId: 'lbl_1' });
  });
  app.post('/rejects', (_req, res) => {
    res.status(400).json({ error: { code: 'validation_failed', message: 'phone 13800138000 is invalid' } });
  });
  app.post('/busy', (_req, res) => {
    res.status(429).json({ error: { code: 'rate_limited', message: 'slow down' } });
  });
  app.get('/slow', (_req, res) => {
    setTimeout(() => res.json({ ok: true }), 300).unref();
  });
  app.get('/odd-shape', (_req, res) => {
    res.json({ labelId: 42 });
  });
  app.get('/not-json', (_req, res) => {
    res.type('text/html').send('<html>gateway</html>');
  });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen.length = 0;
  flakyFailuresLeft = 0;
});

const label = z.object({ labelId: z.string() });
const client = (overrides: { timeoutMs?: number; retries?: number } = {}) =>
  new JsonHttpClient('courier', { baseUrl, apiKey: 'secret-key', timeoutMs: 1000, retryBaseDelayMs: 5, ...overrides });

/** Runs a call that must fail and returns its ProviderError. */
async function failure(call: Promise<unknown>): Promise<ProviderError> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ProviderError)) throw new Error(`expected a ProviderError, got ${err === undefined ? 'success' : JSON.stringify(err)}`);
  return err;
}

describe('the provider HTTP client', () => {
  it('sends the bearer token and the idempotency key', async () => {
    await client().request({ method: 'POST', path: '/flaky', body: { caseId: 'c-1' }, idempotencyKey: 'key-1', response: label });
    expect(seen).toEqual([{ path: '/flaky', authorization: 'Bearer secret-key', idempotencyKey: 'key-1' }]);
  });

  it('retries a 503 with the same idempotency key and returns the answer that follows', async () => {
    flakyFailuresLeft = 1;
    const result = await client().request({ method: 'POST', path: '/flaky', body: {}, idempotencyKey: 'key-2', response: label });
    expect(result).toEqual({ labelId: 'lbl_1' });
    expect(seen.map((s) => s.idempotencyKey)).toEqual(['key-2', 'key-2']);
  });

  it('gives up after the configured retries with a retryable error naming method, path and status', async () => {
    flakyFailuresLeft = 10;
    const err = await failure(client({ retries: 2 }).request({ method: 'POST', path: '/flaky', body: {}, idempotencyKey: 'k', response: label }));
    expect(calls('/flaky')).toBe(3);
    expect(err).toMatchObject({ provider: 'courier', status: 503, retryable: true, code: 'unavailable' });
    expect(err.message).toContain('courier POST /flaky failed: 503');
  });

  it('does not retry a POST without an idempotency key (it might not be safe)', async () => {
    flakyFailuresLeft = 10;
    await failure(client().request({ method: 'POST', path: '/flaky', body: {}, response: label }));
    expect(calls('/flaky')).toBe(1);
  });

  it('treats a 400 as a permanent refusal: no retries, retryable false, no body in the message', async () => {
    const err = await failure(
      client().request({ method: 'POST', path: '/rejects', body: { phone: '13800138000' }, idempotencyKey: 'k', response: label }),
    );
    expect(calls('/rejects')).toBe(1);
    expect(err).toMatchObject({ status: 400, retryable: false, code: 'validation_failed' });
    expect(err.message).toContain('POST /rejects');
    expect(err.message).not.toContain('13800138000');
  });

  it('treats a 429 as retryable', async () => {
    const err = await failure(client({ retries: 1 }).request({ method: 'POST', path: '/busy', body: {}, idempotencyKey: 'k', response: label }));
    expect(calls('/busy')).toBe(2);
    expect(err).toMatchObject({ status: 429, retryable: true });
  });

  it('times out each attempt and reports a retryable error without a status', async () => {
    const started = Date.now();
    const err = await failure(client({ timeoutMs: 50, retries: 1 }).request({ method: 'GET', path: '/slow', response: z.unknown() }));
    expect(calls('/slow')).toBe(2);
    expect(err.retryable).toBe(true);
    expect(err.status).toBeUndefined();
    expect(err.message).toContain('timed out after 50ms');
    expect(Date.now() - started).toBeLessThan(300);
  });

  it('reports a refused connection as a retryable network error', async () => {
    const closed = new JsonHttpClient('payment', { baseUrl: 'http://127.0.0.1:1', apiKey: 'k', timeoutMs: 500, retries: 0 });
    const err = await failure(closed.request({ method: 'GET', path: '/x', response: z.unknown() }));
    expect(err).toMatchObject({ provider: 'payment', retryable: true });
    expect(err.message).toContain('network error');
  });

  it('refuses an answer of an unexpected shape as a permanent error naming the field', async () => {
    const err = await failure(client().request({ method: 'GET', path: '/odd-shape', response: label }));
    expect(err).toMatchObject({ retryable: false, code: 'invalid_response' });
    expect(err.message).toContain('labelId');
  });

  it('refuses a 2xx answer that is not JSON', async () => {
    const err = await failure(client().request({ method: 'GET', path: '/not-json', response: label }));
    expect(err).toMatchObject({ status: 200, retryable: false, code: 'invalid_response' });
  });
});
