import { createHash } from 'node:crypto';
import { Router } from 'express';
import { sendError } from './sandbox-http';

/** Customer ids ending with this have no phone in the sandbox's directory (to exercise the no-phone path). */
export const SANDBOX_NO_PHONE_SUFFIX = '-nophone';
/** Customer ids ending with this are unknown to the sandbox's directory (404 unknown_customer). */
export const SANDBOX_UNKNOWN_CUSTOMER_SUFFIX = '-unknown';

/** Mainland mobile prefixes the fake numbers start with (China Mobile, Unicom and Telecom ranges). */
const PREFIXES = ['134', '135', '136', '137', '138', '139', '150', '151', '152', '157', '158', '159', '186', '187', '188', '189'];

/**
 * A deterministic fake mainland mobile number for a customer id: the same id always gets the same
 * eleven digits, so tests can predict where a message went without the case holding a number.
 */
export function sandboxPhoneOf(customerId: string): string {
  const digest = createHash('sha256').update(customerId).digest();
  const prefix = PREFIXES[digest[0] % PREFIXES.length];
  const rest = (digest.readUInt32BE(1) % 100_000_000).toString().padStart(8, '0');
  return `${prefix}${rest}`;
}

/** The shop's customer directory: `GET /customers/:id/contact` → `{phone}` (behind the sandbox's bearer key). */
export function customerDirectoryRoutes(): Router {
  const router = Router();
  router.get('/customers/:customerId/contact', (req, res) => {
    const customerId = String(req.params.customerId);
    if (customerId.endsWith(SANDBOX_UNKNOWN_CUSTOMER_SUFFIX)) return sendError(res, 404, 'unknown_customer', 'no such customer');
    res.json({ phone: customerId.endsWith(SANDBOX_NO_PHONE_SUFFIX) ? null : sandboxPhoneOf(customerId) });
  });
  return router;
}
