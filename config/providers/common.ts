import { z } from 'zod';

/** A URL variable (http or https). */
export const url = z.string().url();

/**
 * A variable the chosen provider cannot run without: unset, the message says which choice needs it
 * (`ALIPAY_APP_ID: required when PAYMENT_PROVIDER_ONLINE=alipay`); set, the schema's own checks apply.
 */
export function requiredWhen(choice: string): { error: (issue: { input?: unknown }) => string | undefined } {
  return { error: (issue) => (issue.input === undefined ? `required when ${choice}` : undefined) };
}

/** The message of a provider choice that names none of the providers (as zod words a bad enum). */
export function choiceOf(choices: readonly string[]): { error: (issue: { code?: string }) => string | undefined } {
  return { error: (issue) => (issue.code === 'invalid_union' ? `Invalid option: expected one of ${choices.map((c) => `"${c}"`).join('|')}` : undefined) };
}

/** A provider choice variable unset means its default (the sandbox); the union then reads it like any other value. */
export function withDefaultChoice(variable: string, choice: string): (env: unknown) => unknown {
  return (env) => (typeof env === 'object' && env !== null && !(variable in env) ? { ...env, [variable]: choice } : env);
}

/** PROVIDER_TIMEOUT_MS: every section's adapters share it, so each section carries it as `timeoutMs`. */
export const providerTimeoutMs = { PROVIDER_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000) };

/**
 * A provider reached over our own JSON HTTP contract (integrations/http-client.ts): the sandbox
 * locally, the shop's own service in production.
 */
export interface HttpServiceConfig {
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
}

/** The base URL and secret variables of one HTTP service, with the sandbox's address and key as defaults. */
export function httpServiceVars<P extends string>(prefix: P, sandboxPath: string) {
  return {
    [`${prefix}_BASE_URL`]: url.default(`http://127.0.0.1:4010/${sandboxPath}`),
    [`${prefix}_API_KEY`]: z.string().min(1).default('dev-sandbox-key'),
  } as Record<`${P}_BASE_URL` | `${P}_API_KEY`, z.ZodDefault<z.ZodString>>;
}

/** The HttpServiceConfig of `prefix`'s parsed variables. */
export function httpServiceOf<P extends string>(prefix: P, vars: Record<`${P}_BASE_URL` | `${P}_API_KEY`, string> & { PROVIDER_TIMEOUT_MS: number }): HttpServiceConfig {
  const named = vars as Record<string, string>;
  return { baseUrl: named[`${prefix}_BASE_URL`], apiKey: named[`${prefix}_API_KEY`], timeoutMs: vars.PROVIDER_TIMEOUT_MS };
}
