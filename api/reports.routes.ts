import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { requireRole } from './auth';
import { isoDateTime } from './cases.schemas';
import { parseOrThrow, validationFailed } from './errors';
import type { StoreAccess } from './store-access';

const DAY_MS = 86_400_000;

/** Query of `GET /v1/reports/sla`: `[from, to)`, default the last 30 days. */
export const slaReportQuerySchema = z.object({ from: isoDateTime.optional(), to: isoDateTime.optional() }).strict();

/** The SLA/KPI report of domain.md over a time range (supervisors and admins). */
export function reportsRouter(store: StoreAccess, guard: RequestHandler[], now: () => number = Date.now): Router {
  const router = Router();
  router.get('/v1/reports/sla', ...guard, requireRole('supervisor', 'admin'), async (req, res) => {
    const query = parseOrThrow(slaReportQuerySchema, req.query);
    const to = query.to ? new Date(query.to) : new Date(now());
    const from = query.from ? new Date(query.from) : new Date(to.getTime() - 30 * DAY_MS);
    if (!(from.getTime() < to.getTime())) throw validationFailed([{ field: 'from', message: 'must be before to' }]);
    res.json(await store.get().slaReport({ from, to }));
  });
  return router;
}
