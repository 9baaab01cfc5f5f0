import type { Client } from '@temporalio/client';

/** Deadline of one Temporal call made while answering a request (start, describe, signal). */
export const TEMPORAL_CALL_TIMEOUT_MS = 10_000;

/**
 * Runs Temporal calls under a deadline. The SDK sets none by default, so without one a request
 * to an unreachable server (or an update to a case whose worker is away) would hang; with one it
 * fails with a deadline error that the error handler answers as 503.
 */
export function withinDeadline<T>(client: Client, fn: () => Promise<T>, timeoutMs = TEMPORAL_CALL_TIMEOUT_MS): Promise<T> {
  return client.withDeadline(Date.now() + timeoutMs, fn);
}
