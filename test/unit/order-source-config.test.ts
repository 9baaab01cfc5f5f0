import { loadConfig } from '../../config/env';
import { configRefusal as refusal } from './support/config-refusal';
import { OrderSourceClient, orderSourceFromConfig } from '../../integrations/order-source.client';

// The orders section of the configuration (config/providers/orders.ts): ORDER_SOURCE picks the
// sandbox's order service or the shop's order system; what each needs, its defaults, and what it refuses.



const HTTP = { ORDER_SOURCE: 'http', ORDER_SOURCE_BASE_URL: 'https://orders.shop.example/api' };

describe('the orders section', () => {
  test('unset: the sandbox order service at its default address, with the sandbox key and a 2 s timeout', () => {
    expect(loadConfig({}).orders).toEqual({ provider: 'sandbox', baseUrl: 'http://127.0.0.1:4010/order-source', auth: { kind: 'bearer', token: 'dev-sandbox-key' }, timeoutMs: 2000 });
  });

  test('http with a bearer token, or with an HMAC secret, and its own timeout', () => {
    expect(loadConfig({ ...HTTP, ORDER_SOURCE_TOKEN: 'tok', ORDER_SOURCE_TIMEOUT_MS: '800' }).orders).toEqual({
      provider: 'http',
      baseUrl: 'https://orders.shop.example/api',
      auth: { kind: 'bearer', token: 'tok' },
      timeoutMs: 800,
    });
    expect(loadConfig({ ...HTTP, ORDER_SOURCE_HMAC_SECRET: '0123456789abcdef' }).orders.auth).toEqual({ kind: 'hmac', secret: '0123456789abcdef' });
  });

  test('http refuses, naming the variable: no base URL, no way to authenticate, both ways at once', () => {
    expect(refusal({ ORDER_SOURCE: 'http', ORDER_SOURCE_TOKEN: 'tok' })).toBe('invalid configuration: ORDER_SOURCE_BASE_URL: required when ORDER_SOURCE=http');
    expect(refusal(HTTP)).toBe('invalid configuration: ORDER_SOURCE_TOKEN: required when ORDER_SOURCE=http (or ORDER_SOURCE_HMAC_SECRET)');
    expect(refusal({ ...HTTP, ORDER_SOURCE_TOKEN: 'tok', ORDER_SOURCE_HMAC_SECRET: '0123456789abcdef' })).toBe(
      'invalid configuration: ORDER_SOURCE_HMAC_SECRET: set only one of ORDER_SOURCE_TOKEN and ORDER_SOURCE_HMAC_SECRET',
    );
  });

  test('an unknown choice, and malformed variables even with the sandbox', () => {
    expect(refusal({ ORDER_SOURCE: 'shopify' })).toBe('invalid configuration: ORDER_SOURCE: Invalid option: expected one of "sandbox"|"http"');
    expect(refusal({ ORDER_SOURCE_BASE_URL: 'orders.local', ORDER_SOURCE_HMAC_SECRET: 'short', ORDER_SOURCE_TIMEOUT_MS: '10' })).toBe(
      'invalid configuration: ORDER_SOURCE_BASE_URL: Invalid URL; ORDER_SOURCE_HMAC_SECRET: Too small: expected string to have >=16 characters; ORDER_SOURCE_TIMEOUT_MS: Too small: expected number to be >=100',
    );
  });

  test('the factory takes the section whole', () => {
    const source = orderSourceFromConfig(loadConfig({ ...HTTP, ORDER_SOURCE_HMAC_SECRET: '0123456789abcdef' }).orders);
    expect(source).toBeInstanceOf(OrderSourceClient);
    expect(source.breaker.state()).toBe('closed');
  });
});
