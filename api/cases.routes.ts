import { Router, type RequestHandler } from 'express';
import { principalOf, requireRole } from './auth';
import { assertAudience, CASE_COMMANDS } from './case-commands';
import { claimedFactProblems, idempotencyKeySchema, listCasesQuerySchema, openCaseBodySchema } from './cases.schemas';
import type { CaseService } from './cases.service';
import { parseOrThrow, validationFailed, zodDetails } from './errors';

/** Routes of /v1/cases: open, read, list, and one POST per command of the contract. */
export function casesRouter(service: CaseService, guard: RequestHandler[]): Router {
  const router = Router();

  router.post('/v1/cases', ...guard, requireRole('customer', 'agent', 'supervisor', 'admin'), async (req, res) => {
    // Header and body are checked together so that one answer names every offending field. A fact
    // the order system holds (price, units bought, category, dates, payment, buyer) is refused by
    // name before the schema's generic "unknown field".
    const key = idempotencyKeySchema.safeParse(req.get('Idempotency-Key'));
    const claimedFacts = claimedFactProblems(req.body);
    const body = openCaseBodySchema.safeParse(req.body ?? {});
    if (claimedFacts.length > 0) {
      throw validationFailed(
        [...claimedFacts, ...(key.success ? [] : zodDetails(key.error, 'Idempotency-Key'))],
        'facts that decide money come from the order system, not from the request: send the order id, the lines and units claimed, the reason and evidence',
      );
    }
    if (!key.success || !body.success) {
      throw validationFailed([...(key.success ? [] : zodDetails(key.error, 'Idempotency-Key')), ...(body.success ? [] : zodDetails(body.error))]);
    }
    const { created, snapshot } = await service.open(body.data, key.data, principalOf(res));
    res.locals.caseId = snapshot.id;
    res.status(created ? 201 : 200).location(`/v1/cases/${snapshot.id}`).json(snapshot);
  });

  router.get('/v1/cases', ...guard, async (req, res) => {
    const query = parseOrThrow(listCasesQuerySchema, req.query);
    res.json(await service.list(query, principalOf(res)));
  });

  router.get('/v1/cases/:id', ...guard, async (req, res) => {
    const caseId = String(req.params.id);
    res.locals.caseId = caseId;
    res.json(await service.get(caseId, principalOf(res)));
  });

  for (const command of CASE_COMMANDS) {
    router.post(`/v1/cases/:id/${command.path}`, ...guard, async (req, res) => {
      const caseId = String(req.params.id);
      res.locals.caseId = caseId;
      assertAudience(command, principalOf(res));
      const key = parseOrThrow(idempotencyKeySchema, req.get('Idempotency-Key'), 'Idempotency-Key');
      const body = parseOrThrow(command.schema, req.body ?? {}) as object;
      res.json(await service.command(command, caseId, body, principalOf(res), key));
    });
  }

  return router;
}
