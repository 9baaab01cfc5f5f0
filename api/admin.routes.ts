import { Router, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { PolicyError } from '../domain/policy.schema';
import { requireRole } from './auth';
import { ApiError } from './errors';
import type { PolicyProvider } from './policy-provider';

/** Administration: the policy new cases start with, and its reload (admins only). */
export function adminRouter(policy: PolicyProvider, guard: RequestHandler[], logger: Logger): Router {
  const router = Router();
  router.get('/v1/admin/policy', ...guard, requireRole('admin'), (_req, res) => {
    res.json({ ...policy.status(), policy: policy.current() });
  });
  router.post('/v1/admin/policy/reload', ...guard, requireRole('admin'), (_req, res) => {
    try {
      res.json(policy.reload(logger));
    } catch (error) {
      // The file is the admin's to fix; the policy in force stays.
      if (error instanceof PolicyError) throw new ApiError(422, 'invalid_policy_file', error.message);
      throw error;
    }
  });
  return router;
}
