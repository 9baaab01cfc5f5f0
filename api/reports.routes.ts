import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { requireRole } from './auth';
import { isoDateTime } from './cases.schemas';
import { parseOrThrow, validationFailed } from './errors';
import { REPORT_MAX_DAYS } from '../store/sla-report.metrics';
import type { StoreAccess } from './store-access';

const DAY_MS = 86_400_000;

/** A count of orders as the shop passes it: decimal digits only (no sign, exponent or blank), at most 15 so it stays an exact number. */
const orderCount = z
  .string({ message: 'must be given once, as a non-negative whole number' })
  .regex(/^\d{1,15}$/, 'must be a non-negative whole number of at most 15 digits')
  .transform(Number)
  .meta({ description: 'orders delivered in [from, to), the base of the no-reason return and exchange rate; without it the base is unknown' });

/** Query of `GET /v1/reports/sla`: `[from, to)`, default the last 30 days, at most REPORT_MAX_DAYS, and the shop's delivered-order count. */
export const slaReportQuerySchema = z
  .object({ from: isoDateTime.optional(), to: isoDateTime.optional(), deliveredOrders: orderCount.optional() })
  .strict();

/** The SLA/KPI report (docs/api.md "SLA report") over a time range (supervisors and admins). */
export function reportsRouter(store: StoreAccess, guard: RequestHandler[], now: () => number = Date.now): Router {
  const router = Router();
  router.get('/v1/reports/sla', ...guard, requireRole('supervisor', 'admin'), async (req, res) => {
    const query = parseOrThrow(slaReportQuerySchema, req.query);
    const to = query.to ? new Date(query.to) : new Date(now());
    const from = query.from ? new Date(query.from) : new Date(to.getTime() - 30 * DAY_MS);
    if (!(from.getTime() < to.getTime())) throw validationFailed([{ field: 'from', message: 'must be before to' }]);
    // The report lists every day of its range (breachesByDay): the range is bounded so the answer is.
    if (to.getTime() - from.getTime() > REPORT_MAX_DAYS * DAY_MS) throw validationFailed([{ field: 'from', message: `must be at most ${REPORT_MAX_DAYS} days before to` }]);
    res.json(await store.get().slaReport(query.deliveredOrders === undefined ? { from, to } : { from, to, deliveredOrders: query.deliveredOrders }));
  });
  return router;
}
