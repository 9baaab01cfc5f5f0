import { createHash, randomBytes } from 'node:crypto';

/** Case ids are `cs_` + 24 lowercase hex digits. */
export const CASE_ID_PATTERN = /^cs_[0-9a-f]{24}$/;

/**
 * The case id of an `Idempotency-Key`: the same customer and key always give the same id
 * (and so the same workflow id), which is what makes a repeated request find the first case.
 * Keys are scoped per customer, so two customers using the same key never collide.
 */
export function caseIdForIdempotencyKey(customerId: string, key: string): string {
  return `cs_${createHash('sha256').update(`${customerId}\n${key}`, 'utf8').digest('hex').slice(0, 24)}`;
}

/** A fresh random case id (96 bits), for requests without an Idempotency-Key. */
export function randomCaseId(): string {
  return `cs_${randomBytes(12).toString('hex')}`;
}
