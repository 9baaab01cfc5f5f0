import { CircuitBreaker, CircuitOpenError } from '../../integrations/circuit-breaker';
import { ProviderError } from '../../integrations/http-client';

// The circuit breaker of the order-source adapter (integrations/circuit-breaker.ts), on a clock of its own.

const down = () => Promise.reject(new ProviderError('orders GET /v1/orders/o-1 failed: 503', { provider: 'orders', status: 503, retryable: true }));
const refused = () => Promise.reject(new ProviderError('orders GET /v1/orders/o-1 failed: 401', { provider: 'orders', status: 401, retryable: false }));
const up = () => Promise.resolve('order');

function breaker(threshold = 3, openMs = 1000) {
  const clock = { now: 0 };
  const cb = new CircuitBreaker('orders', { failureThreshold: threshold, openMs, now: () => clock.now });
  return { cb, clock };
}

/** What a call through the breaker came to: its value, or the error's code (`circuit_open`) or status. */
async function outcome(cb: CircuitBreaker, call: () => Promise<string>): Promise<string> {
  try {
    return await cb.run(call);
  } catch (error) {
    if (error instanceof CircuitOpenError) return 'circuit_open';
    if (error instanceof ProviderError) return `failed ${error.status}`;
    throw error;
  }
}

describe('the circuit breaker', () => {
  test('opens after N consecutive failures, then refuses at once without calling, saying how long until the next try', async () => {
    const { cb, clock } = breaker(3, 1000);
    let calls = 0;
    const counted = () => {
      calls++;
      return down();
    };
    expect([await outcome(cb, counted), await outcome(cb, counted), cb.state(), await outcome(cb, counted)]).toEqual(['failed 503', 'failed 503', 'closed', 'failed 503']);
    expect(cb.state()).toBe('open');
    clock.now = 400;
    const refusal = await cb.run(counted).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(CircuitOpenError);
    expect(refusal).toMatchObject({ code: 'circuit_open', retryable: true, retryAfterMs: 600, provider: 'orders' });
    expect(calls).toBe(3);
  });

  test('a success in between resets the count: only consecutive failures open it', async () => {
    const { cb } = breaker(2);
    expect([await outcome(cb, down), await outcome(cb, up), await outcome(cb, down), cb.state()]).toEqual(['failed 503', 'order', 'failed 503', 'closed']);
  });

  test('an answer that is a refusal (401, 404) is not the provider failing, and resets the count', async () => {
    const { cb } = breaker(2);
    expect([await outcome(cb, down), await outcome(cb, refused), await outcome(cb, down), cb.state()]).toEqual(['failed 503', 'failed 401', 'failed 503', 'closed']);
  });

  test('half-opens after the delay: a successful trial closes it', async () => {
    const { cb, clock } = breaker(1, 1000);
    await outcome(cb, down);
    expect(cb.state()).toBe('open');
    clock.now = 1000;
    expect(cb.state()).toBe('half_open');
    expect(await outcome(cb, up)).toBe('order');
    expect(cb.state()).toBe('closed');
  });

  test('a failed trial opens it again for another full delay', async () => {
    const { cb, clock } = breaker(3, 1000);
    for (let i = 0; i < 3; i++) await outcome(cb, down);
    clock.now = 1500;
    expect(await outcome(cb, down)).toBe('failed 503');
    expect(cb.state()).toBe('open');
    clock.now = 2400;
    expect(await outcome(cb, up)).toBe('circuit_open');
    clock.now = 2500;
    expect(await outcome(cb, up)).toBe('order');
  });

  test('while the trial runs, other calls are refused at once; one trial at a time', async () => {
    const { cb, clock } = breaker(1, 1000);
    await outcome(cb, down);
    clock.now = 1000;
    let release!: (value: string) => void;
    const trial = cb.run(() => new Promise<string>((resolve) => (release = resolve)));
    expect(await outcome(cb, up)).toBe('circuit_open');
    release('order');
    expect(await trial).toBe('order');
    expect(await outcome(cb, up)).toBe('order');
  });

  test('refuses a threshold below 1', () => {
    expect(() => new CircuitBreaker('orders', { failureThreshold: 0, openMs: 1 })).toThrow('failureThreshold');
  });
});
