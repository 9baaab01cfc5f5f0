import { Router } from 'express';
import { validate } from './sandbox-http';
import { stockQuery } from './sandbox.schemas';

/** The inventory provider: every SKU is in stock except those starting with `OOS-`. */
export function inventoryRoutes(): Router {
  const router = Router();
  router.get('/stock/:sku', (req, res) => {
    const { quantity } = validate(stockQuery, req.query);
    const sku = String(req.params.sku);
    res.json({ sku, quantity, available: !sku.startsWith('OOS-') });
  });
  return router;
}
