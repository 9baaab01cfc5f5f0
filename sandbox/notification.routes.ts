import { Router } from 'express';
import { sendOutcome } from './idempotent-table';
import { requireIdempotencyKey, validate } from './sandbox-http';
import { messageRequest } from './sandbox.schemas';
import { newId, nowIso, type SandboxState } from './sandbox-state';

/** The notification provider: every message lands in the outbox, once per idempotency key. */
export function notificationRoutes(state: SandboxState): Router {
  const router = Router();
  router.post('/messages', (req, res) => {
    const key = requireIdempotencyKey(req);
    const input = validate(messageRequest, req.body);
    const outcome = state.messages.execute(key, input, () => {
      const messageId = newId('msg');
      return { status: 202, response: { messageId }, record: { messageId, ...input, at: nowIso() } };
    });
    sendOutcome(res, outcome);
  });
  return router;
}
