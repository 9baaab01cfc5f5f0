import { Router } from 'express';
import { sendError, validate } from './sandbox-http';
import { stockQuery } from './sandbox.schemas';
import type { SandboxState } from './sandbox-state';

/**
 * The inventory provider: stock (every SKU is in stock except those starting with `OOS-`) and the
 * shop's catalog (price and category per SKU, 404 `unknown_sku` for a SKU the shop does not sell).
 */
export function inventoryRoutes(state: SandboxState): Router {
  const router = Router();
  router.get('/stock/:sku', (req, res) => {
    const { quantity } = validate(stockQuery, req.query);
    const sku = String(req.params.sku);
    res.json({ sku, quantity, available: !sku.startsWith('OOS-') });
  });
  router.get('/catalog/:sku', (req, res) => {
    const item = state.catalog.get(String(req.params.sku));
    if (!item) return sendError(res, 404, 'unknown_sku', 'the shop does not sell this sku');
    res.json(item);
  });
  return router;
}
