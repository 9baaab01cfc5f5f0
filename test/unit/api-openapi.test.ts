import { z } from 'zod';
import { CASE_COMMANDS } from '../../api/case-commands';
import { openCaseBodySchema } from '../../api/cases.schemas';
import { buildOpenApiDocument } from '../../api/openapi';
import { CASE_EXAMPLE, OPEN_CASE_EXAMPLES } from '../../api/openapi.examples';
import { CASE_STATUSES, CASE_TYPES, ClockNames } from '../../domain/case.types';
import { computeSlaReport } from '../../store/sla-report.metrics';

// The OpenAPI document must say exactly what the API does: a client generated from it, or a
// contract tester such as schemathesis, must find neither an undeclared field nor an undeclared answer.

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const document = buildOpenApiDocument() as Json;
const schemas = document.components.schemas as Record<string, Json>;

/** Validates a value against a schema of the document (JSON Schema, read back as zod: extra properties forbidden as declared). */
function conforms(schema: Json, value: unknown): string[] {
  const result = z.fromJSONSchema(schema).safeParse(value);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
}

/** Every operation of the document with its path and method. */
const operations = Object.entries(document.paths as Record<string, Record<string, Json>>).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
);
const guarded = operations.filter(({ operation }) => !(Array.isArray(operation.security) && operation.security.length === 0));
const caseCopy = (): Json => structuredClone(CASE_EXAMPLE);

describe('the Case schema of the document', () => {
  it('accepts a replacement shipment with its purpose, and refuses an undeclared field', () => {
    expect(CASE_EXAMPLE.shipments.some((s) => 'purpose' in s && s.purpose === 'replacement')).toBe(true);
    expect(conforms(schemas.Case, CASE_EXAMPLE)).toEqual([]);
    const undeclared = caseCopy();
    undeclared.shipments[1].carrierNote = 'left at the door';
    expect(conforms(schemas.Case, undeclared)).not.toEqual([]);
  });

  it('declares every SLA clock a case can show, including the payment clock', () => {
    const clockNames = schemas.Case.properties.sla.items.properties.name.enum as string[];
    expect([...clockNames].sort()).toEqual(Object.values(ClockNames).sort());
    const paying = caseCopy();
    paying.sla[1].name = 'payment';
    expect(conforms(schemas.Case, paying)).toEqual([]);
  });

  it('declares the refund fields the ledger cap and the money kind add', () => {
    const refunded = caseCopy();
    refunded.refund = { amount: 30000, requested: 45900, kind: 'refund', currency: 'CNY', status: 'requested', idempotencyKey: 'k', method: 'original_path' };
    expect(conforms(schemas.Case, refunded)).toEqual([]);
  });
});

describe('examples', () => {
  it('gives examples of the POST /v1/cases body, each valid for the API and for the document', () => {
    const media = document.paths['/v1/cases'].post.requestBody.content['application/json'];
    expect(Object.keys(media.examples).length).toBeGreaterThanOrEqual(3);
    for (const [name, example] of Object.entries(media.examples as Record<string, { value: unknown }>)) {
      expect({ name, accepted: openCaseBodySchema.safeParse(example.value).success }).toEqual({ name, accepted: true });
      expect({ name, problems: conforms(schemas.OpenCaseRequest, example.value) }).toEqual({ name, problems: [] });
    }
    expect(Object.keys(OPEN_CASE_EXAMPLES)).toEqual(Object.keys(media.examples));
  });

  it('gives a Case example on every answer that carries a case', () => {
    const caseAnswers = operations.flatMap(({ path, method, operation }) =>
      Object.entries(operation.responses as Record<string, Json>)
        .filter(([, response]) => response.content?.['application/json']?.schema?.$ref === '#/components/schemas/Case')
        .map(([status, response]) => ({ at: `${method} ${path} ${status}`, examples: Object.keys(response.content['application/json'].examples ?? {}) })),
    );
    expect(caseAnswers.length).toBeGreaterThan(CASE_COMMANDS.length);
    expect(caseAnswers.filter((answer) => answer.examples.length === 0)).toEqual([]);
    expect(schemas.Case.examples).toEqual([CASE_EXAMPLE]);
  });
});

describe('declared answers', () => {
  it('declares 413 and 415 on every operation that reads a JSON body, and 413 on the webhooks', () => {
    const posts = operations.filter(({ method }) => method === 'post');
    expect(posts.length).toBeGreaterThan(CASE_COMMANDS.length);
    for (const { path, operation } of posts) {
      const statuses = Object.keys(operation.responses);
      const expected = path.startsWith('/v1/webhooks/') ? ['413'] : ['413', '415'];
      expect({ path, declared: expected.filter((status) => statuses.includes(status)) }).toEqual({ path, declared: expected });
    }
  });

  it('lets cancel and confirm-receipt be sent without a body, and requires the body of commands that have required fields', () => {
    const required = (command: string) => document.paths[`/v1/cases/{id}/${command}`].post.requestBody.required as boolean;
    expect(required('cancel')).toBe(false);
    expect(required('confirm-receipt')).toBe(false);
    for (const command of CASE_COMMANDS) {
      expect({ command: command.path, required: required(command.path) }).toEqual({ command: command.path, required: !command.schema.safeParse({}).success });
    }
  });

  it('declares the list filters the API reads as enums as arrays of those enums', () => {
    const parameters = document.paths['/v1/cases'].get.parameters as Json[];
    const schemaOf = (name: string) => parameters.find((p) => p.name === name)?.schema;
    expect(schemaOf('status')).toMatchObject({ type: 'array', items: { type: 'string', enum: [...CASE_STATUSES] } });
    expect(schemaOf('type')).toMatchObject({ type: 'array', items: { type: 'string', enum: [...CASE_TYPES] } });
    expect(schemaOf('sort')).toMatchObject({ enum: ['nextDeadline', 'createdAt'] });
    expect(schemaOf('order')).toMatchObject({ enum: ['asc', 'desc'] });
    expect(schemaOf('breached')).toMatchObject({ enum: ['true', 'false'] });
  });

  it('declares the rate-limit headers on the answers of guarded operations, WWW-Authenticate on their 401 and Retry-After on 429 and 503', () => {
    expect(guarded.length).toBeGreaterThan(CASE_COMMANDS.length);
    for (const { path, method, operation } of guarded) {
      const responses = operation.responses as Record<string, Json>;
      const at = `${method} ${path}`;
      for (const status of Object.keys(responses).filter((s) => !['413', '415'].includes(s))) {
        expect({ at, status, headers: Object.keys(responses[status].headers ?? {}) }).toEqual({
          at,
          status,
          headers: expect.arrayContaining(['RateLimit-Limit', 'RateLimit-Remaining']),
        });
      }
      expect(responses['401'].headers['WWW-Authenticate']).toMatchObject({ required: true, schema: { const: 'Bearer' } });
      expect(responses['429'].headers['Retry-After']).toMatchObject({ required: true });
      expect(responses['503'].headers['Retry-After']).toMatchObject({ required: true });
    }
  });

  it('refuses in the document what the API refuses: a review rejected without note, a blank note, a cursor or key out of their alphabets', () => {
    // zod reads anyOf beside properties loosely, so the rule is checked as written (JSON Schema: approve, or a note).
    expect(schemas.ReviewCommand.anyOf).toEqual([{ properties: { decision: { const: 'approve' } } }, { required: ['note'] }]);
    expect(conforms(schemas.ReviewCommand, { decision: 'reject', note: '   ' })).not.toEqual([]);
    expect(conforms(schemas.ReviewCommand, { decision: 'reject', note: 'scratched' })).toEqual([]);
    expect(conforms(schemas.ReviewCommand, { decision: 'approve' })).toEqual([]);
    const cursor = (document.paths['/v1/cases'].get.parameters as Json[]).find((p) => p.name === 'cursor')?.schema as Json;
    expect(conforms(cursor, 'eyJ2Ijox')).toEqual([]);
    expect(conforms(cursor, 'not base64url!')).not.toEqual([]);
    const key = (document.paths['/v1/cases'].post.parameters as Json[]).find((p) => p.name === 'Idempotency-Key')?.schema as Json;
    expect(conforms(key, 'retry-1')).toEqual([]);
    expect(conforms(key, 'has spaces')).not.toEqual([]);
    expect(conforms(key, '')).not.toEqual([]);
  });

  it('says that a future-dated webhook signature is refused', () => {
    const signature = (document.paths['/v1/webhooks/courier'].post.parameters as Json[]).find((p) => p.name === 'X-Signature');
    expect(signature?.description).toMatch(/raw body bytes/);
    expect(signature?.description).toMatch(/in the future/);
  });
});

describe('the SlaReport schema of the document', () => {
  const range = { from: new Date('2026-03-01T00:00:00.000Z'), to: new Date('2026-03-08T00:00:00.000Z') };
  const report = (): Json =>
    computeSlaReport(
      range,
      [
        {
          id: 'cs_1', type: 'return', status: 'completed', reason: { code: 'no_reason' }, createdAt: '2026-03-02T00:00:00.000Z', closedAt: '2026-03-03T00:00:00.000Z',
          sla: [{ name: 'review', party: 'staff', budget: { workingDays: 1 }, startedAt: '2026-03-02T00:00:00.000Z', deadline: '2026-03-03T00:00:00.000Z', state: 'breached', pausedMs: 0, stoppedAt: '2026-03-03T01:00:00.000Z', breachedAt: '2026-03-03T00:00:00.000Z' }],
          survey: { score: 4, at: '2026-03-03T02:00:00.000Z' },
          timeline: [],
        },
      ],
      [{ clock: 'review', level: 1, reason: 'breach', at: '2026-03-02T17:30:00.000Z', assignee: 'li.wei' }],
      { deliveredOrders: 10 },
    );

  it('accepts the report as the store computes it, breaches per day included', () => {
    expect(conforms(schemas.SlaReport, report())).toEqual([]);
  });

  it('refuses an undeclared field, a day that is not a date and a day without its counts', () => {
    expect(conforms(schemas.SlaReport, { ...report(), extra: 1 })).not.toEqual([]);
    const badDay = report();
    badDay.breachesByDay[0].day = '2026-03-01T00:00:00Z';
    expect(conforms(schemas.SlaReport, badDay)).not.toEqual([]);
    const noCounts = report();
    delete noCounts.breachesByDay[1].byClock;
    expect(conforms(schemas.SlaReport, noCounts)).not.toEqual([]);
  });
});
