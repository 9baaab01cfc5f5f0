import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { OpenCaseRequest } from '../../domain/case.types';
import { cancelUpdate, confirmReceiptUpdate, getCaseQuery, reviewUpdate, surveyUpdate } from '../../domain/workflow-contract';
import {
  about,
  caseRequest,
  clock,
  events,
  FakeWorld,
  messagesWith,
  parcelsOf,
  refusal,
  startCase,
  waitFor,
  waitForCase,
  waitForStatus,
  worldRunner,
  type CaseHandle,
  actors,
  expectAssignedAndSurveyRefused,
} from './support/workflow-harness';

const { agent, customer, supervisor } = actors;

const HOUR = 3_600_000;

let env: TestWorkflowEnvironment;
let world: FakeWorld;

const withWorker = worldRunner((context) => ({ env, world } = context));

/** A parcel that arrived crushed, with a photo of it. */
async function damagedInTransit(evidence = ['https://img.example/crushed-box.jpg']): Promise<OpenCaseRequest> {
  const now = await env.currentTimeMs();
  return caseRequest(now, { type: 'reship', reason: { code: 'damaged_in_transit', description: 'box crushed, vase broken' }, evidence }, 1);
}

async function openReship(): Promise<CaseHandle> {
  return startCase(env, world, await damagedInTransit());
}

describe('reship case', () => {
  test('a reship cannot be opened without photo or video evidence', () =>
    withWorker(async () => {
      const request = await damagedInTransit([]);
      await expect(startCase(env, world, request)).rejects.toThrow('evidence_required');
      expect(world.started).toEqual([]);
    }));

  test('an approved reship ships the items again at the platform’s cost within the reship clock, and completes when the customer confirms receipt', () =>
    withWorker(async () => {
      const handle = await openReship();
      const opened = await waitForStatus(handle, 'awaiting_review');
      about(opened, () => expect(opened.outcome.shippingPaidBy).toBe('platform'));
      await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
      const shipped = await waitForStatus(handle, 'awaiting_customer_confirmation');
      const parcel = parcelsOf(world, shipped.id)[0];
      about(shipped, () => {
        expect(events(shipped)).toEqual(expect.arrayContaining(['review.approved', 'shipment.preparing', 'shipment.handed_to_courier', 'confirmation.requested']));
        expect(parcelsOf(world, shipped.id).map((p) => [p.purpose, p.items])).toEqual([['reship', [{ sku: 'SKU-1', quantity: 1, unitPrice: 25_900 }]]]);
        const reship = clock(shipped, 'reship');
        expect(reship.state).toBe('met');
        expect(Date.parse(reship.stoppedAt!)).toBeLessThanOrEqual(Date.parse(reship.deadline));
        expect(Date.parse(reship.deadline) - Date.parse(reship.startedAt)).toBe(24 * HOUR);
        expect(shipped.shipments).toEqual([expect.objectContaining({ direction: 'outbound', purpose: 'reship', trackingNumber: parcel.trackingNumber })]);
        expect(world.labels).toEqual([]);
        expect(world.refunds).toEqual([]);
      });
      expect(messagesWith(world, 'reship_shipped')[0]?.params.trackingNumber).toBe(parcel.trackingNumber);

      await handle.executeUpdate(confirmReceiptUpdate, { args: [{ actor: customer }] });
      const done = await waitForStatus(handle, 'completed');
      about(done, () => {
        expect(events(done)).toContain('receipt.confirmed');
        expect(done.outcome.shippingPaidBy).toBe('platform');
      });
      await waitFor(() => world.templatesTo('c-1').includes('case_completed'), 'the closing message');
      const surveyed = await handle.executeUpdate(surveyUpdate, { args: [{ actor: customer, score: 5 }] });
      expect(surveyed.survey?.score).toBe(5);
    }));

  test('a supervisor who cancels while the parcel is being handed to the courier leaves the case cancelled', () =>
    withWorker(async () => {
      let release = () => {};
      world.holdShipments = new Promise<void>((resolve) => (release = resolve));
      try {
        const handle = await openReship();
        await waitForStatus(handle, 'awaiting_review');
        await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
        await waitForStatus(handle, 'shipping_replacement');
        const cancelled = await handle.executeUpdate(cancelUpdate, { args: [{ actor: supervisor, note: 'customer found the parcel' }] });
        about(cancelled, () => expect(cancelled.status).toBe('cancelled'));
        release();
        await waitFor(() => world.shipments.length === 1, 'the courier to take the parcel');
        await waitForCase(handle, 'the workflow to move past the shipment', (c) => events(c).includes('shipment.handed_to_courier'));
        await new Promise((r) => setTimeout(r, 500));
        const after = await handle.query(getCaseQuery);
        about(after, () => {
          // A closed case never moves again: the late parcel is on record, the status stays terminal.
          expect(after.status).toBe('cancelled');
          expect(events(after).slice(events(after).indexOf('case.cancelled'))).not.toContain('confirmation.requested');
        });
      } finally {
        release();
      }
    }));

  test('a rejected reship ships nothing', () =>
    withWorker(async () => {
      const handle = await openReship();
      await waitForStatus(handle, 'awaiting_review');
      await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'reject', note: 'the photo shows an intact box' }] });
      const rejected = await waitForStatus(handle, 'rejected');
      about(rejected, () => expect(parcelsOf(world, rejected.id)).toEqual([]));
    }));

  test('a confirmation of receipt before the parcel has shipped is refused as an invalid state', () =>
    withWorker(async () => {
      const handle = await openReship();
      await waitForStatus(handle, 'awaiting_review');
      const refused = await refusal(handle.executeUpdate(confirmReceiptUpdate, { args: [{ actor: customer }] }));
      expect(refused.type).toBe('InvalidCaseState');
    }));

  test('a supervisor assigns the case, and the survey is refused until the case is closed', () =>
    withWorker(async () => {
      const handle = await openReship();
      await waitForStatus(handle, 'awaiting_review');
      await expectAssignedAndSurveyRefused(handle);
    }));
});
