import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { caseStartOptions, caseWorkflowInput } from '../../api/case-start-options';
import { checkEligibility } from '../../domain/eligibility';
import { caseWorkflowId } from '../../domain/ids';
import { defaultPolicy } from '../../domain/policy';
import { courierEventSignal, FEATURE_LEVEL_OUTBOX, getCaseQuery, inspectionUpdate, receiveUpdate, returnShipmentUpdate, reviewUpdate, WORKFLOW_TYPE_BY_CASE_TYPE } from '../../domain/workflow-contract';
import { Features } from '../../workflows/features';
import { actors, caseRequest, clock, events, FakeWorld, refusal, startCase, waitForCase, waitForStatus, worldRunner, type CaseHandle } from './support/workflow-harness';
import { patchMarkers } from './support/history-markers';

// The returned parcel is the one the shop knows (issue 23): it goes on the shop's label, whose
// number the case already holds; a customer's own courier is received only on the warehouse's
// scan-in; "received" is one recorded moment, where the processing clock starts.

const { agent, customer, warehouse } = actors;

let env: TestWorkflowEnvironment;
let world: FakeWorld;
const withWorker = worldRunner((context) => ({ env, world } = context));

/** An approved return waiting for its parcel; the label the stand-in courier issued is `RL-<case id>`. */
async function awaitingParcel(): Promise<{ handle: CaseHandle; label: string }> {
  const handle = await startCase(env, world, caseRequest(await env.currentTimeMs()));
  await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
  const waiting = await waitForCase(handle, 'the return label on the case', (s) => s.shipments.some((p) => p.direction === 'return'));
  return { handle, label: waiting.shipments[0].trackingNumber };
}

async function courier(handle: CaseHandle, trackingNumber: string, event: 'picked_up' | 'in_transit' | 'delivered') {
  await handle.signal(courierEventSignal, { eventId: `${trackingNumber}:${event}`, trackingNumber, event, at: new Date().toISOString() });
}

describe('the returned parcel', () => {
  test("goes on the shop's label: the case shows its number before anything is typed, and the courier's delivery receives it at one recorded moment", () =>
    withWorker(async () => {
      const { handle, label } = await awaitingParcel();
      expect(label).toMatch(/^RL-/);
      const shipped = await handle.executeUpdate(returnShipmentUpdate, { args: [{ actor: customer }] });
      expect(shipped.status).toBe('return_in_transit');
      expect(shipped.shipments).toEqual([expect.objectContaining({ direction: 'return', via: 'label', trackingNumber: label, carrier: 'SF', status: 'shipped' })]);
      await courier(handle, label, 'delivered');
      const inspecting = await waitForStatus(handle, 'inspecting');
      expect(world.subscriptions).toContain(label);
      expect(inspecting.outcome.goodsReceived).toEqual({ at: expect.any(String), trackingNumber: label, by: 'courier_delivery' });
      expect(clock(inspecting, 'processing').startedAt).toBe(inspecting.outcome.goodsReceived?.at);
    }));

  test('a case opened at the current feature level goes on the label without a patch marker; one opened at the level before asks, and records it', () =>
    withWorker(async () => {
      const { handle } = await awaitingParcel();
      await handle.executeUpdate(returnShipmentUpdate, { args: [{ actor: customer }] });
      expect(await patchMarkers(handle)).not.toContain(Features.returnOnLabel);

      const nowMs = await env.currentTimeMs();
      const request = caseRequest(nowMs);
      const verdict = checkEligibility(request, defaultPolicy(), nowMs);
      if (!verdict.eligible) throw new Error(`the request is not eligible: ${verdict.message}`);
      const input = { ...caseWorkflowInput(`level3-${nowMs}`, request, defaultPolicy(), customer, verdict, nowMs), featureLevel: FEATURE_LEVEL_OUTBOX };
      const { typedSearchAttributes } = caseStartOptions(input, world.taskQueue, { role: 'customer', customerId: request.customerId });
      world.deliveries.set(request.orderId, request.order.deliveredAt ?? null);
      const older = await env.client.workflow.start(WORKFLOW_TYPE_BY_CASE_TYPE.return, { taskQueue: world.taskQueue, workflowId: caseWorkflowId(input.caseId), args: [input], typedSearchAttributes });
      world.started.push(older);
      await older.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
      const shipped = await older.executeUpdate(returnShipmentUpdate, { args: [{ actor: customer }] });
      expect(shipped.shipments[0].via).toBe('label');
      expect(await patchMarkers(older)).toContain(Features.returnOnLabel);
    }));

  test("refuses a number that is not the label's (a neighbour's delivered parcel) and changes nothing", () =>
    withWorker(async () => {
      const { handle, label } = await awaitingParcel();
      const refused = await refusal(handle.executeUpdate(returnShipmentUpdate, { args: [{ actor: customer, carrier: 'SF', trackingNumber: 'SF-NEIGHBOUR-1' }] }));
      expect(refused.type).toBe('InvalidCaseState');
      expect(refused.message).toContain(`not the one on the shop's return label (${label})`);
      // The neighbour's parcel, delivered, reaches no case: the case still waits for its own.
      await courier(handle, 'SF-NEIGHBOUR-1', 'delivered');
      const still = await handle.query(getCaseQuery);
      expect(still).toMatchObject({ status: 'awaiting_return_shipment' });
      expect(events(still)).not.toContain('return.shipped');
    }));

  test("by the customer's own courier: the courier's delivered does not receive it; only the scan-in of that very parcel does", () =>
    withWorker(async () => {
      const { handle } = await awaitingParcel();
      const shipped = await handle.executeUpdate(returnShipmentUpdate, { args: [{ actor: customer, via: 'own_courier', carrier: 'YTO', trackingNumber: 'YT0001' }] });
      expect(shipped.shipments).toEqual([expect.objectContaining({ via: 'own_courier', carrier: 'YTO', trackingNumber: 'YT0001', status: 'shipped' })]);
      expect(shipped.shipments[0].labelId).toBeUndefined();

      await courier(handle, 'YT0001', 'delivered');
      const delivered = await waitForCase(handle, 'the delivered scan on the parcel', (s) => s.shipments[0].status === 'delivered');
      expect(delivered.status).toBe('return_in_transit');
      expect(delivered.outcome.goodsReceived).toBeUndefined();

      const wrong = await refusal(handle.executeUpdate(receiveUpdate, { args: [{ actor: warehouse, trackingNumber: 'SF999' }] }));
      expect(wrong.type).toBe('InvalidCaseState');
      expect(wrong.message).toBe("the parcel in hand (SF999) is not the one this case waits for: expected YT0001, the customer's own courier parcel");

      const received = await handle.executeUpdate(receiveUpdate, { args: [{ actor: warehouse, trackingNumber: 'yt0001' }] });
      expect(received.status).toBe('inspecting');
      expect(received.outcome.goodsReceived).toEqual({ at: expect.any(String), trackingNumber: 'YT0001', by: 'scan_in' });
      expect(received.timeline.find((e) => e.event === 'return.received')?.actor).toEqual(warehouse);
      expect(clock(received, 'processing').state).toBe('running');
    }));

  test('a change-of-mind return sent by its own courier is not charged the label it did not use; on the label it is', () =>
    withWorker(async () => {
      const policy = defaultPolicy();
      const claimed = 25_900;
      const own = await awaitingParcel();
      await own.handle.executeUpdate(returnShipmentUpdate, { args: [{ actor: customer, via: 'own_courier', carrier: 'YTO', trackingNumber: 'YT0002' }] });
      await own.handle.executeUpdate(receiveUpdate, { args: [{ actor: warehouse, trackingNumber: 'YT0002' }] });
      const ownPassed = await own.handle.executeUpdate(inspectionUpdate, { args: [{ actor: warehouse, result: 'pass' }] });
      expect(ownPassed.timeline.find((e) => e.event === 'inspection.passed')?.data).toMatchObject({ amount: claimed, deduction: 0 });

      const onLabel = await awaitingParcel();
      await onLabel.handle.executeUpdate(receiveUpdate, { args: [{ actor: warehouse, trackingNumber: onLabel.label }] });
      const labelPassed = await onLabel.handle.executeUpdate(inspectionUpdate, { args: [{ actor: warehouse, result: 'pass' }] });
      expect(labelPassed.timeline.find((e) => e.event === 'inspection.passed')?.data).toMatchObject({ amount: claimed - policy.shipping.returnShippingFee, deduction: policy.shipping.returnShippingFee });
    }));

  test('a label parcel scanned in before the customer said it left is received then; a late report is answered and changes nothing', () =>
    withWorker(async () => {
      const { handle, label } = await awaitingParcel();
      const received = await handle.executeUpdate(receiveUpdate, { args: [{ actor: warehouse, trackingNumber: label }] });
      expect(received.status).toBe('inspecting');
      expect(received.outcome.goodsReceived).toMatchObject({ trackingNumber: label, by: 'scan_in' });
      expect(clock(received, 'return_shipment').state).toBe('met');

      const late = await refusal(handle.executeUpdate(returnShipmentUpdate, { args: [{ actor: customer }] }));
      expect(late.type).toBe('InvalidCaseState');
      const again = await refusal(handle.executeUpdate(receiveUpdate, { args: [{ actor: warehouse, trackingNumber: label }] }));
      expect(again.message).toContain('receive is not allowed while the return case is inspecting');
    }));
});
