import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { ApiMetrics } from './metrics';
import type { StoreAccess } from './store-access';
import { withinDeadline } from './temporal-calls';

const CHECK_TIMEOUT_MS = 2500;

/** Liveness, readiness (Temporal and MongoDB both answer) and Prometheus metrics; no auth. */
export function healthRouter(deps: { client: Client; store: StoreAccess; metrics: ApiMetrics }): Router {
  const router = Router();

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    const [temporal, mongodb] = await Promise.all([
      check(() => withinDeadline(deps.client, () => deps.client.connection.workflowService.getSystemInfo({}), CHECK_TIMEOUT_MS)),
      check(() => deps.store.get().ping()),
    ]);
    const ready = temporal === 'ok' && mongodb === 'ok';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', checks: { temporal, mongodb } });
  });

  router.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  return router;
}

async function check(probe: () => Promise<unknown>): Promise<'ok' | 'down'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.resolve().then(probe),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS);
      }),
    ]);
    return 'ok';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}
