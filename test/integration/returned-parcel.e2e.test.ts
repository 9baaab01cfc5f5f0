import { randomUUID } from 'node:crypto';
import type { CaseSnapshot } from '../../domain/case.types';
import { SIGNATURE_HEADER, signWebhook } from '../../integrations/webhook-signature';
import { STACK_ENV } from './stack/stack-file';
import { daysAgo } from './support/fixtures';
import { CasesApi, describeCase, requiredEnv, SandboxClient, sleep, stackTokens, timelineEvents, type OpenCaseBody } from './support/http-client';

// Issue 23, part 2, on the running stack (API, worker, Temporal, FerretDB, the sandbox courier and
// payment provider): the returned parcel is the one the shop knows. A return goes on the shop's
// label, whose number the case holds from the start; a number typed that is not the label's is
// refused; a parcel of the customer's own courier is received only when the warehouse scans it in;
// and the courier's own trace text (a signer, a depot's note) never reaches the customer.

const apiUrl = requiredEnv(STACK_ENV.apiUrl);
const sandboxUrl = requiredEnv(STACK_ENV.sandboxUrl);
const courierSecret = requiredEnv(STACK_ENV.courierWebhookSecret);
const tokens = stackTokens();
const cases = new CasesApi(apiUrl, tokens.agent);
const sandbox = new SandboxClient(sandboxUrl);
const CALLBACKS_MS = 20_000;

/** A no-reason return of one item of `sku`, delivered two days ago. */
function returnOf(sku: string, unitPrice: number): OpenCaseBody {
  return {
    type: 'return',
    orderId: `IT-PARCEL-${randomUUID()}`,
    customerId: 'c-1',
    items: [{ sku, quantity: 1, unitPrice }],
    reason: { code: 'no_reason', description: 'changed my mind' },
    packagingIntact: true,
    order: { paidAt: daysAgo(4), deliveredAt: daysAgo(2), paymentMethod: 'online', total: unitPrice, currency: 'CNY' },
  };
}

/** An approved return whose label the courier has issued: the case and the label's number. */
async function awaitingParcel(sku = 'SKU-MUG-1', unitPrice = 4200): Promise<{ id: string; label: string }> {
  const opened = await cases.opened(tokens.customer, returnOf(sku, unitPrice));
  await cases.accepted(tokens.agent, opened.id, 'review', { decision: 'approve' });
  const waiting = await cases.waitFor(opened.id, 'the return label on the case', (c) => c.shipments.some((s) => s.direction === 'return'), CALLBACKS_MS);
  return { id: opened.id, label: waiting.shipments[0].trackingNumber };
}

/** A courier callback, signed with the courier's own secret, as the courier would send it. */
async function courierCallback(event: Record<string, unknown>): Promise<number> {
  const body = JSON.stringify(event);
  const response = await fetch(`${apiUrl}/v1/webhooks/courier`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signWebhook(body, courierSecret) },
    body,
  });
  return response.status;
}

/** What of a case a refused command must leave as it was. */
const essentials = (c: CaseSnapshot) => ({ status: c.status, version: c.version, shipments: c.shipments, events: timelineEvents(c) });

describe('the returned parcel is the one the shop knows', () => {
  test("a tracking number that is not the label's (a neighbour's delivered parcel) is refused, changes nothing, and the label's parcel completes the return", async () => {
    const neighbour = await awaitingParcel();
    const { id, label } = await awaitingParcel();
    const before = await cases.get(id);

    // The neighbour's label parcel goes and is delivered to the warehouse; its number is typed on this case.
    await cases.accepted(tokens.customer, neighbour.id, 'return-shipment', {});
    await cases.waitForStatus(neighbour.id, 'inspecting', CALLBACKS_MS);
    const typed = await cases.command(tokens.customer, id, 'return-shipment', { carrier: 'SF', trackingNumber: neighbour.label });
    expect({ status: typed.status, code: typed.body.error?.code, fields: typed.body.error?.details?.map((d) => d.field) }).toEqual({ status: 409, code: 'invalid_state', fields: ['trackingNumber'] });
    expect(typed.body.error?.message).toContain(`not the one on the shop's return label (${label})`);
    expect(essentials(await cases.get(id))).toEqual(essentials(before));

    // The honest report: nothing typed; the courier carries the label's parcel to the warehouse.
    const shipped = await cases.accepted(tokens.customer, id, 'return-shipment', {});
    expect(shipped.shipments).toEqual([expect.objectContaining({ via: 'label', trackingNumber: label, status: 'shipped' })]);
    const inspecting = await cases.waitForStatus(id, 'inspecting', CALLBACKS_MS);
    expect(inspecting.outcome).toMatchObject({ goodsReceived: { trackingNumber: label, by: 'courier_delivery' } });
    expect(await sandbox.refundsOf(id)).toEqual([]);
  });

  test("a parcel of the customer's own courier waits for the warehouse's scan-in: a delivered callback does not receive it, a customer cannot scan it, another parcel's number is refused", async () => {
    const { id, label } = await awaitingParcel('SKU-MUG-1', 4300);
    const ownNumber = `YT${Date.now()}${randomUUID().slice(0, 4).toUpperCase()}`;
    const shipped = await cases.accepted(tokens.customer, id, 'return-shipment', { via: 'own_courier', carrier: 'YTO', trackingNumber: ownNumber });
    expect(shipped.shipments).toEqual([expect.objectContaining({ via: 'own_courier', carrier: 'YTO', trackingNumber: ownNumber, status: 'shipped' })]);

    // The sandbox courier follows a number it never issued only as far as in_transit.
    const inTransit = await cases.waitFor(id, 'the in_transit scan of the own-courier parcel', (c) => c.shipments[0].status === 'in_transit', CALLBACKS_MS);
    expect(inTransit.status).toBe('return_in_transit');
    // Even a genuine-looking delivered callback for that number leaves the case waiting for the scan-in.
    expect(await courierCallback({ eventId: `evt-${randomUUID()}`, trackingNumber: ownNumber, event: 'delivered', at: new Date().toISOString() })).toBe(202);
    const delivered = await cases.waitFor(id, 'the delivered scan recorded', (c) => c.shipments[0].status === 'delivered', CALLBACKS_MS);
    await sleep(1000);
    const stillWaiting = await cases.get(id);
    if (stillWaiting.status !== 'return_in_transit' || stillWaiting.outcome.goodsReceived) throw new Error(`the courier's word received an own-courier parcel: ${describeCase(stillWaiting)}`);
    expect(delivered.shipments[0].trackingNumber).toBe(ownNumber);
    const asWarehouse = (await cases.read(id, tokens.warehouse)).body as unknown as { allowedCommands: string[] };
    expect(asWarehouse.allowedCommands).toContain('receive');

    const byCustomer = await cases.command(tokens.customer, id, 'receive', { trackingNumber: ownNumber });
    expect(byCustomer.status).toBe(403);
    const wrongParcel = await cases.command(tokens.warehouse, id, 'receive', { trackingNumber: label });
    expect({ status: wrongParcel.status, message: wrongParcel.body.error?.message }).toEqual({
      status: 409,
      message: `the parcel in hand (${label}) is not the one this case waits for: expected ${ownNumber}, the customer's own courier parcel`,
    });
    expect(essentials(await cases.get(id))).toEqual(essentials(stillWaiting));

    const received = await cases.accepted(tokens.warehouse, id, 'receive', { trackingNumber: ownNumber.toLowerCase() });
    expect(received.status).toBe('inspecting');
    expect(received.outcome).toMatchObject({ goodsReceived: { trackingNumber: ownNumber, by: 'scan_in' } });
    const processing = received.sla.find((clock) => clock.name === 'processing');
    expect(processing?.startedAt).toBe((received.outcome.goodsReceived as { at: string }).at);

    // The honest path pays once: the refund of the claim less the customer's return shipping.
    await cases.accepted(tokens.warehouse, id, 'inspection', { result: 'pass', note: 'unused' });
    const completed = await cases.waitForStatus(id, 'completed', CALLBACKS_MS);
    const refunds = await sandbox.refundsOf(id);
    expect(refunds.map((r) => ({ amount: r.amount, status: r.status }))).toEqual([{ amount: completed.refund?.amount, status: 'succeeded' }]);
  });

  test("a customer never reads the courier's trace text: a lost parcel's exception reaches them in our words, staff keep the courier's note", async () => {
    // The sandbox courier loses the label parcel of an item whose sku starts LOST-.
    const { id, label } = await awaitingParcel('LOST-MUG-1', 4400);
    expect(label).toMatch(/LOST$/);
    await cases.accepted(tokens.customer, id, 'return-shipment', {});
    const staffView = await cases.waitFor(id, 'the exception scan', (c) => c.shipments[0].status === 'exception', CALLBACKS_MS);
    const staffEntry = staffView.timeline.find((e) => e.event === 'shipment.exception');
    expect(staffEntry?.data).toMatchObject({ trackingNumber: label, detail: 'parcel lost in transit' });

    const asCustomer = await cases.read(id, tokens.customer);
    expect(asCustomer.status).toBe(200);
    const customerEntry = asCustomer.body.timeline.find((e) => e.event === 'shipment.exception');
    expect(customerEntry?.data).toEqual({ direction: 'return', trackingNumber: label });
    expect(JSON.stringify(asCustomer.body)).not.toContain('parcel lost in transit');
    const listed = await cases.list(tokens.customer, { status: 'return_in_transit' });
    expect(JSON.stringify(listed.body)).not.toContain('parcel lost in transit');
  });
});
