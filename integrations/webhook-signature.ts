import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header that carries the provider callback signature. */
export const SIGNATURE_HEADER = 'X-Signature';

/** Default age (seconds) after which a signed callback is refused. */
export const DEFAULT_SIGNATURE_TOLERANCE_SEC = 300;

/** How far ahead of our clock a signature's timestamp may be (the provider's clock may run a little fast). */
export const DEFAULT_CLOCK_SKEW_SEC = 60;

/** Why a callback signature was refused: `expired` is too old, `future` dated ahead of our clock by more than the skew. */
export type WebhookRejection = 'missing' | 'malformed' | 'bad_signature' | 'expired' | 'future';

/** Outcome of verifying a callback signature. */
export type WebhookVerification = { ok: true } | { ok: false; reason: WebhookRejection };

/** Signs a raw callback body: returns the header value `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<rawBody>">`. */
export function signWebhook(rawBody: string | Uint8Array, secret: string, nowSec: number = currentUnixSeconds()): string {
  const t = Math.floor(nowSec);
  return `t=${t},v1=${hmacHex(secret, t, rawBody)}`;
}

/**
 * Verifies a callback signature header against the raw body: pass the exact bytes received, before any
 * decoding (a string is signed as its UTF-8 bytes). Several `v1=` entries are accepted (any may match) so
 * that a secret can be rotated without downtime. A timestamp more than `toleranceSec` in the past is
 * `expired`; one more than `clockSkewSec` in the future is `future`.
 */
export function verifyWebhook(
  header: string | undefined,
  rawBody: string | Uint8Array,
  secret: string,
  nowSec: number = currentUnixSeconds(),
  toleranceSec: number = DEFAULT_SIGNATURE_TOLERANCE_SEC,
  clockSkewSec: number = DEFAULT_CLOCK_SKEW_SEC,
): WebhookVerification {
  if (header === undefined || header.trim() === '') return { ok: false, reason: 'missing' };
  const parsed = parseHeader(header);
  if (!parsed) return { ok: false, reason: 'malformed' };

  const expected = Buffer.from(hmacHex(secret, parsed.t, rawBody), 'hex');
  // Compare every candidate (no early exit) so timing says nothing about which one matched.
  let matched = false;
  for (const candidate of parsed.signatures) {
    if (timingSafeEqual(expected, candidate)) matched = true;
  }
  if (!matched) return { ok: false, reason: 'bad_signature' };
  // Checked after the signature so that "expired" is only ever said about an authentic callback.
  const age = Math.floor(nowSec) - parsed.t;
  if (age > toleranceSec) return { ok: false, reason: 'expired' };
  if (-age > clockSkewSec) return { ok: false, reason: 'future' };
  return { ok: true };
}

function hmacHex(secret: string, t: number, rawBody: string | Uint8Array): string {
  const hmac = createHmac('sha256', secret).update(`${t}.`, 'utf8');
  return (typeof rawBody === 'string' ? hmac.update(rawBody, 'utf8') : hmac.update(rawBody)).digest('hex');
}

function currentUnixSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

const HEX_SHA256 = /^[0-9a-f]{64}$/i;

function parseHeader(header: string): { t: number; signatures: Buffer[] } | undefined {
  let t: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (!/^\d{1,12}$/.test(value) || t !== undefined) return undefined;
      t = Number(value);
    } else if (key === 'v1') {
      if (!HEX_SHA256.test(value)) return undefined;
      signatures.push(Buffer.from(value, 'hex'));
    }
    // Unknown schemes (a future v2) are ignored, as providers do.
  }
  if (t === undefined || signatures.length === 0) return undefined;
  return { t, signatures };
}
