import fs from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import express from 'express';
import { ORDER_PAYMENT_CHANNELS, ORDER_PAYMENT_METHODS, ORDER_STATUSES, orderProblems, type SourceOrder } from '../../domain/order-source';
import { OrderSourceClient } from '../../integrations/order-source.client';
import { orderSchema } from '../../integrations/order-source.protocol';
import { createSandboxApp, type Sandbox } from '../../sandbox/app';
import { close, listen, providerErrorOf } from './support/provider-test-kit';

// The contract test of the order source: docs/order-source.openapi.json is the contract the shop's
// order system implements. Both sides are held to the document itself: the sandbox's order service
// (its answers validated against the document's schemas, strictly: no field the document does not
// declare), and our client (it reads what the document allows, including a later minor's extra
// fields, and refuses what the document does not).
//
// The validator is Ajv 8 (JSON Schema 2020-12, OpenAPI 3.1's dialect), present through
// @temporalio/worker's bundler (schema-utils); no package was added for it.

const DOC_PATH = path.resolve(__dirname, '../../docs/order-source.openapi.json');
const doc = JSON.parse(fs.readFileSync(DOC_PATH, 'utf8')) as OpenApiDoc;
const API_KEY = 'order-source-contract-key';

interface OpenApiDoc {
  openapi: string;
  paths: Record<string, { get: { parameters: { name: string; in: string; schema: Record<string, unknown> }[]; responses: Record<string, unknown> } }>;
  components: { schemas: Record<string, JsonSchema>; responses: Record<string, unknown> };
}
type JsonSchema = Record<string, unknown>;

/** A copy of the schemas where every object refuses undeclared fields (the sandbox must send only what the document declares). */
function strict(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strict);
  if (typeof schema !== 'object' || schema === null) return schema;
  const copy = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, strict(v)]));
  if (copy.type === 'object' && 'properties' in copy) copy.additionalProperties = false;
  return copy;
}

/** Validators of the document's component schemas by name (`strict`: no undeclared field anywhere). */
function validators(strictMode: boolean): (name: string) => ValidateFunction {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const id = `https://aftersales.invalid/order-source${strictMode ? '-strict' : ''}`;
  const schemas = strictMode ? (strict(doc.components.schemas) as Record<string, JsonSchema>) : doc.components.schemas;
  ajv.addSchema({ $id: id, components: { schemas } });
  return (name) => {
    const validate = ajv.getSchema(`${id}#/components/schemas/${name}`);
    if (!validate) throw new Error(`the document has no schema ${name}`);
    return validate;
  };
}
const strictSchema = validators(true);
const looseSchema = validators(false);

/** Fails naming every place `value` departs from the document's schema `name`. */
function expectConforms(schemaOf: (name: string) => ValidateFunction, name: string, value: unknown): void {
  const validate = schemaOf(name);
  const ok = validate(value);
  expect({ schema: name, errors: ok ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`) }).toEqual({ schema: name, errors: [] });
}

/** The document's example of a path's 200 answer. */
function example200(pathName: string): unknown {
  return (doc.paths[pathName].get.responses['200'] as { content: { 'application/json': { example: unknown } } }).content['application/json'].example;
}

/** The schema name a path's response refers to (from the document, so a renamed schema fails here). */
function responseSchemaOf(pathName: string, status: string): string {
  const response = doc.paths[pathName].get.responses[status] as { $ref?: string; content?: { 'application/json': { schema: { $ref: string } } } };
  const resolved = (response.$ref ? doc.components.responses[response.$ref.split('/').pop()!] : response) as { content: { 'application/json': { schema: { $ref: string } } } };
  return resolved.content['application/json'].schema.$ref.split('/').pop()!;
}

describe('the document', () => {
  test('is OpenAPI 3.1 with the two reads, their answers and errors, bearer and signature authentication', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(['/v1/customers/{customerId}/orders', '/v1/orders/{orderId}']);
    expect(responseSchemaOf('/v1/orders/{orderId}', '200')).toBe('OrderResponse');
    expect(responseSchemaOf('/v1/orders/{orderId}', '404')).toBe('Error');
    expect(responseSchemaOf('/v1/orders/{orderId}', '401')).toBe('Error');
    expect(responseSchemaOf('/v1/customers/{customerId}/orders', '200')).toBe('OrderPage');
    expect(responseSchemaOf('/v1/customers/{customerId}/orders', '400')).toBe('Error');
    expect(Object.keys((doc.components as unknown as { securitySchemes: object }).securitySchemes).sort()).toEqual(['bearer', 'signature']);
  });

  test("its examples conform to its own schemas, and its enums are the domain's", () => {
    for (const [pathName, item] of Object.entries(doc.paths)) {
      const ok = item.get.responses['200'] as { content: { 'application/json': { example: unknown } } };
      expectConforms(strictSchema, responseSchemaOf(pathName, '200'), ok.content['application/json'].example);
    }
    // The strict check is real: a field the document does not declare, at any depth, fails it (and only it).
    const withExtra = structuredClone(example200('/v1/orders/{orderId}')) as { order: { lines: Record<string, unknown>[] } };
    withExtra.order.lines[0].internalCost = 1;
    expect([strictSchema('OrderResponse')(withExtra), looseSchema('OrderResponse')(withExtra)]).toEqual([false, true]);
    const { schemas } = doc.components;
    expect((schemas.OrderStatus as { enum: string[] }).enum).toEqual([...ORDER_STATUSES]);
    const payment = schemas.Payment.properties as Record<string, { enum: unknown[] }>;
    expect(payment.method.enum).toEqual([...ORDER_PAYMENT_METHODS]);
    expect(payment.channel.enum).toEqual([...ORDER_PAYMENT_CHANNELS, null]);
  });

  test("our client's schema reads exactly the fields the document requires of an order, a line, a payment, a parcel and a refund", () => {
    const required = (name: string) => [...(doc.components.schemas[name].required as string[])].sort();
    const shape = orderSchema.shape;
    expect(Object.keys(shape).sort()).toEqual(required('Order'));
    expect(Object.keys(shape.payment.shape).sort()).toEqual(required('Payment'));
    expect(Object.keys(shape.lines.element.shape).sort()).toEqual(required('OrderLine'));
    expect(Object.keys(shape.shipments.element.shape).sort()).toEqual(required('Shipment'));
    expect(Object.keys(shape.refunds.element.shape).sort()).toEqual(required('Refund'));
  });
});

describe('the sandbox against the document', () => {
  let sandbox: Sandbox;
  let server: Server;
  let base: string;
  let client: OrderSourceClient;

  beforeAll(async () => {
    sandbox = createSandboxApp({ apiKey: API_KEY, callbackBaseUrl: 'http://127.0.0.1:9/unused', webhookSecret: 'contract-webhook-secret', trackingStepMs: 1000, settleMs: 1000 });
    ({ server, base } = await listen(sandbox.app));
    client = new OrderSourceClient({ baseUrl: `${base}/order-source`, auth: { kind: 'bearer', token: API_KEY }, timeoutMs: 2000, retryBaseDelayMs: 1 });
  });
  afterAll(async () => {
    sandbox.close();
    await close(server);
  });
  afterEach(async () => {
    await fetch(`${base}/faults`, { method: 'DELETE' });
  });

  const get = async (target: string, auth = true) => {
    const res = await fetch(`${base}/order-source${target}`, { headers: auth ? { authorization: `Bearer ${API_KEY}` } : {} });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const seededIds = ['o-c1-1001', 'o-c1-1002', 'o-c1-1003', 'o-c1-1004', 'o-c2-2001', 'o-c2-2002'];

  test('every seeded order answers the OrderResponse schema, strictly, and is consistent as data', async () => {
    for (const orderId of seededIds) {
      const { status, body } = await get(`/v1/orders/${orderId}`);
      expect({ orderId, status }).toEqual({ orderId, status: 200 });
      expectConforms(strictSchema, 'OrderResponse', body);
      expect({ orderId, problems: orderProblems(body.order as SourceOrder) }).toEqual({ orderId, problems: [] });
    }
  });

  test('a created order with a discount over two lines of one sku answers the schema too', async () => {
    const res = await fetch(`${base}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        orderId: 'o-contract-1',
        customerId: 'c-contract',
        payment: { method: 'online', channel: 'wechatpay' },
        discount: 333,
        freightInsurance: true,
        lines: [
          { sku: 'SKU-1', unitsBought: 2, unitListPrice: 5900, imageUrl: 'https://img.example.com/sku-1.jpg' },
          { sku: 'SKU-1', unitsBought: 1, unitListPrice: 4900 },
        ],
        shipments: [{ carrier: 'SF', shippedAt: '2026-12-01T00:00:00.000Z', deliveredAt: '2026-12-02T00:00:00.000Z' }],
        refunds: [{ lineId: 'o-contract-1-L2', amount: 100, refundedAt: '2026-12-03T00:00:00.000Z' }],
      }),
    });
    expect(res.status).toBe(201);
    const { body } = await get('/v1/orders/o-contract-1');
    expectConforms(strictSchema, 'OrderResponse', body);
  });

  test("a customer's pages answer the OrderPage schema, newest first, each order once; an unknown customer has an empty page", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const { status, body }: { status: number; body: Record<string, unknown> } = await get(`/v1/customers/c-1/orders?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(status).toBe(200);
      expectConforms(strictSchema, 'OrderPage', body);
      seen.push(...(body.orders as SourceOrder[]).map((o) => o.orderId));
      cursor = body.nextCursor as string | null;
    } while (cursor !== null);
    expect(seen).toEqual(['o-c1-1004', 'o-c1-1003', 'o-c1-1001', 'o-c1-1002']);
    const unknown = await get('/v1/customers/c-nobody/orders');
    expect(unknown.status).toBe(200);
    expectConforms(strictSchema, 'OrderPage', unknown.body);
    expect(unknown.body).toMatchObject({ orders: [], nextCursor: null });
  });

  test('its errors answer the Error schema: 404 order_not_found, 401, 400 for a limit out of range or a foreign cursor, 503 when faulted', async () => {
    const cases: [string, boolean, number, string][] = [
      ['/v1/orders/o-nobody', true, 404, 'order_not_found'],
      ['/v1/orders/o-c1-1001', false, 401, 'unauthorized'],
      ['/v1/customers/c-1/orders?limit=0', true, 400, 'validation_failed'],
      ['/v1/customers/c-1/orders?limit=101', true, 400, 'validation_failed'],
      ['/v1/customers/c-1/orders?cursor=bm90LWEtY3Vyc29y', true, 400, 'invalid_cursor'],
    ];
    for (const [target, auth, status, code] of cases) {
      const answer = await get(target, auth);
      expect({ target, status: answer.status, code: (answer.body.error as { code: string }).code }).toEqual({ target, status, code });
      expectConforms(strictSchema, 'Error', answer.body);
    }
    await fetch(`${base}/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ provider: 'orders', errorRate: 1 }) });
    const faulted = await get('/v1/orders/o-c1-1001');
    expect(faulted.status).toBe(503);
    expectConforms(strictSchema, 'Error', faulted.body);
  });

  test('our client reads every seeded order as the sandbox sent it, dropping nothing the document declares', async () => {
    for (const orderId of seededIds) {
      const raw = await get(`/v1/orders/${orderId}`);
      expect(await client.order(orderId)).toEqual(raw.body);
    }
    const page = await client.customerOrders('c-2', { limit: 1 });
    expect(page.orders.map((o) => o.orderId)).toEqual(['o-c2-2002']);
    expect(await client.customerOrders('c-2', { cursor: page.nextCursor!, limit: 1 })).toMatchObject({ orders: [{ orderId: 'o-c2-2001' }], nextCursor: null });
    expect(await client.order('o-nobody')).toBeNull();
  });
});

describe('our client against the document', () => {
  let server: Server;
  let base: string;
  /** What the stub order system answers next, and the targets it was asked for. */
  let answer: { status: number; body: unknown };
  const asked: string[] = [];

  beforeAll(async () => {
    const app = express();
    app.use((req, res) => {
      asked.push(req.url);
      res.status(answer.status).json(answer.body);
    });
    ({ server, base } = await listen(app));
  });
  afterAll(() => close(server));
  beforeEach(() => {
    asked.length = 0;
  });

  const client = () => new OrderSourceClient({ baseUrl: base, auth: { kind: 'bearer', token: 'stub' }, timeoutMs: 1000, retries: 0 });
  const example = (pathName: string) => (doc.paths[pathName].get.responses['200'] as { content: { 'application/json': { example: Record<string, unknown> } } }).content['application/json'].example;
  const orderExample = () => structuredClone(example('/v1/orders/{orderId}')) as { version: string; order: Record<string, unknown> & { lines: Record<string, unknown>[] } };

  test("reads the document's own examples, on the paths the document names", async () => {
    answer = { status: 200, body: example('/v1/orders/{orderId}') };
    expect(await client().order('o-c1-1001')).toEqual(example('/v1/orders/{orderId}'));
    answer = { status: 200, body: example('/v1/customers/{customerId}/orders') };
    expect(await client().customerOrders('c-1', { cursor: 'abc', limit: 5 })).toEqual(example('/v1/customers/{customerId}/orders'));
    expect(asked).toEqual(['/v1/orders/o-c1-1001', '/v1/customers/c-1/orders?cursor=abc&limit=5']);
  });

  test('reads a later minor version with fields it does not know (which the document allows), and drops them', async () => {
    const later = orderExample();
    later.version = '1.7';
    later.order.giftWrap = true;
    later.order.lines[0].warrantyMonths = 12;
    expectConforms(looseSchema, 'OrderResponse', later);
    answer = { status: 200, body: later };
    const read = await client().order('o-c1-1001');
    expect(read?.version).toBe('1.7');
    expect(read?.order).not.toHaveProperty('giftWrap');
    expect(read?.order.lines[0]).not.toHaveProperty('warrantyMonths');
  });

  test('refuses, as a final invalid_response, answers the document does not allow: another major, a missing field, a fraction of a fen', async () => {
    const breakers: [string, (o: ReturnType<typeof orderExample>) => void][] = [
      ['version 2.0', (o) => void (o.version = '2.0')],
      ['no customerId', (o) => void delete o.order.customerId],
      ['amountPaid 1.5', (o) => void (o.order.lines[0].amountPaid = 1.5)],
      ['an unknown status', (o) => void (o.order.status = 'lost')],
    ];
    for (const [what, breakIt] of breakers) {
      const body = orderExample();
      breakIt(body);
      expect({ what, conforms: looseSchema('OrderResponse')(body) }).toEqual({ what, conforms: false });
      answer = { status: 200, body };
      const error = await providerErrorOf(client().order('o-c1-1001'), what);
      expect({ what, code: error.code, retryable: error.retryable }).toEqual({ what, code: 'invalid_response', retryable: false });
    }
  });

  test("a 404 is an unknown order only with the document's order_not_found; any other 404 is an error", async () => {
    answer = { status: 404, body: { error: { code: 'order_not_found', message: 'no such order' } } };
    expect(await client().order('o-x')).toBeNull();
    answer = { status: 404, body: { error: { code: 'not_found', message: 'no route' } } };
    const error = await providerErrorOf(client().order('o-x'), 'a 404 of a wrong base URL');
    expect({ status: error.status, retryable: error.retryable }).toEqual({ status: 404, retryable: false });
  });
});
