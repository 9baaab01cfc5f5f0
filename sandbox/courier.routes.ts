import { Router } from 'express';
import { sendOutcome } from './idempotent-table';
import { requireIdempotencyKey, validate } from './sandbox-http';
import { investigationRequest, labelRequest, shipmentRequest, subscriptionRequest } from './sandbox.schemas';
import { newId, newTrackingNumber, nowIso, type SandboxState } from './sandbox-state';
import type { TrackingSimulator } from './tracking-simulator';

const CARRIER = 'SF';
const RETURNS_WAREHOUSE = 'WH-SZ-RETURNS';

/** The courier provider: labels, shipments, tracking subscriptions, investigations. */
export function courierRoutes(state: SandboxState, tracking: TrackingSimulator): Router {
  const router = Router();

  router.post('/labels', (req, res) => {
    const key = requireIdempotencyKey(req);
    const input = validate(labelRequest, req.body);
    const outcome = state.labels.execute(key, input, () => {
      const label = { labelId: newId('lbl'), carrier: CARRIER, trackingNumber: newTrackingNumber(input.items), warehouseCode: RETURNS_WAREHOUSE };
      return { status: 201, response: label, record: { ...label, caseId: input.caseId, items: input.items, createdAt: nowIso() } };
    });
    sendOutcome(res, outcome);
  });

  router.post('/shipments', (req, res) => {
    const key = requireIdempotencyKey(req);
    const input = validate(shipmentRequest, req.body);
    const outcome = state.shipments.execute(key, input, () => {
      const shipment = { shipmentId: newId('shp'), carrier: CARRIER, trackingNumber: newTrackingNumber(input.items) };
      const record = { ...shipment, caseId: input.caseId, purpose: input.purpose, items: input.items, createdAt: nowIso() };
      return { status: 201, response: shipment, record };
    });
    // A shipment we create is tracked without an explicit subscription, as real couriers do for their
    // own parcels (subscribed once recorded, so the simulator knows the number as ours).
    if (outcome.kind === 'created') tracking.subscribe({ caseId: input.caseId, trackingNumber: outcome.record.trackingNumber, carrier: CARRIER });
    sendOutcome(res, outcome);
  });

  router.post('/subscriptions', (req, res) => {
    const input = validate(subscriptionRequest, req.body);
    const status = tracking.subscribe(input);
    res.status(202).json({ trackingNumber: input.trackingNumber, status });
  });

  router.post('/investigations', (req, res) => {
    const key = requireIdempotencyKey(req);
    const input = validate(investigationRequest, req.body);
    const outcome = state.investigations.execute(key, input, () => {
      const investigationId = newId('inv');
      return { status: 201, response: { investigationId }, record: { investigationId, ...input, createdAt: nowIso() } };
    });
    sendOutcome(res, outcome);
  });

  return router;
}
