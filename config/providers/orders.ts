import { z } from 'zod';
import { choiceOf, requiredWhen, url, withDefaultChoice } from './common';

/** The sandbox's order service (the default of ORDER_SOURCE_BASE_URL with ORDER_SOURCE=sandbox). */
const SANDBOX_ORDER_SOURCE_BASE_URL = 'http://127.0.0.1:4010/order-source';

const needed = requiredWhen('ORDER_SOURCE=http');

/** The order source's variables; which are required, and the defaults, depend on ORDER_SOURCE. */
const orderVars = {
  ORDER_SOURCE_BASE_URL: url,
  ORDER_SOURCE_TOKEN: z.string().min(1),
  // A shared secret signs every request; short ones are guessable from a captured signature.
  ORDER_SOURCE_HMAC_SECRET: z.string().min(16),
  // The order is read while the caller waits (opening a case): shorter than PROVIDER_TIMEOUT_MS.
  ORDER_SOURCE_TIMEOUT_MS: z.coerce.number().int().min(100).default(2000),
};

/**
 * The order-source section: where the shop's orders are read (docs/order-source.md). `sandbox`
 * reads the sandbox's order service at its default address with the sandbox's key; `http` reads
 * the shop's order system, which needs its base URL and exactly one way to authenticate: a bearer
 * token or an HMAC secret. Both speak the same contract (docs/order-source.openapi.json).
 */
export const ordersSection = z
  .preprocess(
    withDefaultChoice('ORDER_SOURCE', 'sandbox'),
    z.discriminatedUnion(
      'ORDER_SOURCE',
      [
        z.object({
          ORDER_SOURCE: z.literal('sandbox'),
          ...orderVars,
          ORDER_SOURCE_BASE_URL: orderVars.ORDER_SOURCE_BASE_URL.default(SANDBOX_ORDER_SOURCE_BASE_URL),
          ORDER_SOURCE_TOKEN: orderVars.ORDER_SOURCE_TOKEN.default('dev-sandbox-key'),
          ORDER_SOURCE_HMAC_SECRET: orderVars.ORDER_SOURCE_HMAC_SECRET.optional(),
        }),
        z.object({
          ORDER_SOURCE: z.literal('http'),
          ...orderVars,
          ORDER_SOURCE_BASE_URL: z.string(needed).url(),
          ORDER_SOURCE_TOKEN: orderVars.ORDER_SOURCE_TOKEN.optional(),
          ORDER_SOURCE_HMAC_SECRET: orderVars.ORDER_SOURCE_HMAC_SECRET.optional(),
        }),
      ],
      choiceOf(['sandbox', 'http']),
    ),
  )
  .superRefine((vars, ctx) => {
    if (vars.ORDER_SOURCE !== 'http') return;
    if (vars.ORDER_SOURCE_TOKEN === undefined && vars.ORDER_SOURCE_HMAC_SECRET === undefined) {
      ctx.addIssue({ code: 'custom', path: ['ORDER_SOURCE_TOKEN'], message: 'required when ORDER_SOURCE=http (or ORDER_SOURCE_HMAC_SECRET)' });
    }
    if (vars.ORDER_SOURCE_TOKEN !== undefined && vars.ORDER_SOURCE_HMAC_SECRET !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['ORDER_SOURCE_HMAC_SECRET'], message: 'set only one of ORDER_SOURCE_TOKEN and ORDER_SOURCE_HMAC_SECRET' });
    }
  })
  .transform(
    (vars): OrderSourceConfig => ({
      provider: vars.ORDER_SOURCE,
      baseUrl: vars.ORDER_SOURCE_BASE_URL,
      // With the sandbox a secret that is set wins (to try signed requests against the sandbox, which takes both).
      auth: vars.ORDER_SOURCE_HMAC_SECRET !== undefined ? { kind: 'hmac', secret: vars.ORDER_SOURCE_HMAC_SECRET } : { kind: 'bearer', token: vars.ORDER_SOURCE_TOKEN! },
      timeoutMs: vars.ORDER_SOURCE_TIMEOUT_MS,
    }),
  );

/** How requests to the order source are authenticated: a bearer token, or an HMAC signature of each request. */
export type OrderSourceAuth = { kind: 'bearer'; token: string } | { kind: 'hmac'; secret: string };

/** The order-source section of the configuration. */
export interface OrderSourceConfig {
  /** `sandbox` (the sandbox's order service, the default) or `http` (the shop's order system). */
  provider: 'sandbox' | 'http';
  /** Base URL below which the contract's `/v1/…` paths are served. */
  baseUrl: string;
  auth: OrderSourceAuth;
  /** Timeout of one attempt, in milliseconds. */
  timeoutMs: number;
}
