import { z } from 'zod';
import { choiceOf, httpServiceOf, httpServiceVars, providerTimeoutMs, requiredWhen, url, withDefaultChoice, type HttpServiceConfig } from './common';

/** Kuaidi100's production host (the default of KUAIDI100_BASE_URL). */
const KUAIDI100_DEFAULT_BASE_URL = 'https://poll.kuaidi100.com';

const needed = requiredWhen('COURIER_TRACKING_PROVIDER=kuaidi100');

/** The Kuaidi100 variables, each required when COURIER_TRACKING_PROVIDER=kuaidi100 but the base URL. */
const kuaidi100Vars = z.object({
  KUAIDI100_KEY: z.string(needed).min(1),
  KUAIDI100_CUSTOMER: z.string(needed).min(1),
  KUAIDI100_SALT: z.string(needed).min(8),
  KUAIDI100_CALLBACK_URL: z.string(needed).url(),
  KUAIDI100_BASE_URL: url.default(KUAIDI100_DEFAULT_BASE_URL),
});

const courierVars = { ...httpServiceVars('COURIER', 'courier'), ...providerTimeoutMs };

/**
 * The courier section: labels, shipments and investigations always through the courier service
 * (HTTP); tracking through it too (`sandbox`, which pushes) or through Kuaidi100. With the sandbox,
 * a KUAIDI100_* that is set must still be well-formed (a typo stops the start either way).
 */
export const courierSection = z
  .preprocess(
    withDefaultChoice('COURIER_TRACKING_PROVIDER', 'sandbox'),
    z.discriminatedUnion(
      'COURIER_TRACKING_PROVIDER',
      [
        z.object({ COURIER_TRACKING_PROVIDER: z.literal('sandbox'), ...courierVars, ...kuaidi100Vars.partial().shape }),
        z.object({ COURIER_TRACKING_PROVIDER: z.literal('kuaidi100'), ...courierVars, ...kuaidi100Vars.shape }),
      ],
      choiceOf(['sandbox', 'kuaidi100']),
    ),
  )
  .transform((vars): CourierConfig => ({
    service: httpServiceOf('COURIER', vars),
    tracking:
      vars.COURIER_TRACKING_PROVIDER === 'sandbox'
        ? { provider: 'sandbox' }
        : {
            provider: 'kuaidi100',
            key: vars.KUAIDI100_KEY,
            customer: vars.KUAIDI100_CUSTOMER,
            salt: vars.KUAIDI100_SALT,
            callbackUrl: vars.KUAIDI100_CALLBACK_URL,
            baseUrl: vars.KUAIDI100_BASE_URL,
            timeoutMs: vars.PROVIDER_TIMEOUT_MS,
          },
  }));

/** Kuaidi100 tracking, as COURIER_TRACKING_PROVIDER=kuaidi100 configures it. */
export interface Kuaidi100Config {
  provider: 'kuaidi100';
  /** Authorization key (授权key) of the enterprise account. */
  key: string;
  /** Customer id of the enterprise account, which signs the real-time query. */
  customer: string;
  /** Secret Kuaidi100 signs every callback with; given at subscription, never sent otherwise. */
  salt: string;
  /** Our `POST /v1/webhooks/kuaidi100`, as Kuaidi100 reaches it. */
  callbackUrl: string;
  /** `https://poll.kuaidi100.com`, or the sandbox's `/kuaidi100` prefix. */
  baseUrl: string;
  timeoutMs: number;
}

/** Who tracks parcels: the courier service itself (the sandbox pushes its events) or Kuaidi100. */
export type CourierTrackingConfig = { provider: 'sandbox' } | Kuaidi100Config;

/** The courier section of the configuration. */
export interface CourierConfig {
  /** Labels, shipments, investigations (and tracking with the sandbox). */
  service: HttpServiceConfig;
  tracking: CourierTrackingConfig;
}
