import { WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { z } from 'zod';
import { ApiError, fieldPath, isMongoUnavailable, mapError, zodDetails } from '../../api/errors';
import { CommandErrorTypes } from '../../domain/workflow-contract';

const updateFailure = (type: string, message: string, details: unknown[] = []) =>
  new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.create({ message, type, nonRetryable: true, details }));

describe('error mapping', () => {
  it('answers a typed ApiError with its own status, code, details and headers', () => {
    const mapped = mapError(new ApiError(422, 'outside_return_window', 'too late', [], { 'X-Test': '1' }));
    expect(mapped).toEqual({
      status: 422,
      body: { error: { code: 'outside_return_window', message: 'too late', details: [] } },
      headers: { 'X-Test': '1' },
      expose: true,
    });
  });

  it('maps the update validator failures of the workflow contract to 409, 403 and 400, with the fields they name', () => {
    expect(mapError(updateFailure(CommandErrorTypes.invalidState, 'the case is completed')).status).toBe(409);
    expect(mapError(updateFailure(CommandErrorTypes.invalidState, 'the case is completed')).body.error).toEqual({
      code: 'invalid_state',
      message: 'the case is completed',
      details: [],
    });
    const needsField = mapError(updateFailure(CommandErrorTypes.invalidState, 'closing a complaint needs its resolution', [[{ field: 'resolution', message: 'required to close a complaint' }]]));
    expect({ status: needsField.status, error: needsField.body.error }).toEqual({
      status: 409,
      error: { code: 'invalid_state', message: 'closing a complaint needs its resolution', details: [{ field: 'resolution', message: 'required to close a complaint' }] },
    });
    expect(mapError(updateFailure(CommandErrorTypes.forbidden, 'not yours')).body.error.code).toBe('forbidden');
    expect(mapError(updateFailure(CommandErrorTypes.forbidden, 'not yours')).status).toBe(403);
    const invalid = mapError(updateFailure(CommandErrorTypes.invalidInput, 'bad sku', [[{ field: 'sku', message: 'unknown sku' }]]));
    expect(invalid.status).toBe(400);
    expect(invalid.body.error).toEqual({ code: 'invalid_input', message: 'bad sku', details: [{ field: 'sku', message: 'unknown sku' }] });
  });

  it('treats an update failure of an unknown type as our fault: 500 without the message', () => {
    const mapped = mapError(updateFailure('TypeError', 'cannot read properties of undefined'));
    expect(mapped.status).toBe(500);
    expect(mapped.expose).toBe(false);
    expect(JSON.stringify(mapped.body)).not.toContain('undefined');
  });

  it('answers 404 for a workflow that does not exist and 503 when an update call times out', () => {
    expect(mapError(new WorkflowNotFoundError('not found', 'case-x', undefined)).status).toBe(404);
    const timeout = mapError(new WorkflowUpdateRPCTimeoutOrCancelledError('timeout'));
    expect(timeout.status).toBe(503);
    expect(timeout.headers['Retry-After']).toBe('5');
  });

  it('answers 400 invalid_path for a path the router cannot decode (/v1/cases/%), never 500', () => {
    let thrown: unknown;
    try {
      decodeURIComponent('%');
    } catch (error) {
      thrown = error;
    }
    expect(mapError(thrown)).toMatchObject({ status: 400, body: { error: { code: 'invalid_path' } } });
  });

  it('maps body-parser failures: malformed JSON is 400 invalid_json, an oversized body 413', () => {
    expect(mapError(Object.assign(new SyntaxError('Unexpected token'), { type: 'entity.parse.failed', status: 400 })).body.error.code).toBe('invalid_json');
    expect(mapError(Object.assign(new Error('too large'), { type: 'entity.too.large', status: 413 })).status).toBe(413);
  });

  it('answers 503 read_model_unavailable for network-level MongoDB errors', () => {
    const down = Object.assign(new Error('connect ECONNREFUSED'), { name: 'MongoServerSelectionError' });
    expect(isMongoUnavailable(down)).toBe(true);
    expect(mapError(down)).toMatchObject({ status: 503, body: { error: { code: 'read_model_unavailable' } } });
    expect(isMongoUnavailable(Object.assign(new Error('E11000'), { name: 'MongoServerError' }))).toBe(false);
  });

  it('never leaks a stack trace or message of an unexpected error', () => {
    const mapped = mapError(new Error('secret internals at /srv/app.js:12'));
    expect(mapped.status).toBe(500);
    expect(mapped.body).toEqual({ error: { code: 'internal_error', message: 'something went wrong on our side', details: [] } });
  });
});

describe('validation details', () => {
  const schema = z
    .object({ name: z.string(), items: z.array(z.object({ sku: z.string(), quantity: z.number().int().min(1) })).min(1) })
    .strict();

  it('names every offending field with its path, array indexes in brackets', () => {
    const result = schema.safeParse({ items: [{ sku: 'A', quantity: 0 }, { quantity: 1.5 }], extra: 1, more: 2 });
    expect(result.success).toBe(false);
    const fields = zodDetails(result.error!).map((d) => d.field).sort();
    expect(fields).toEqual(['extra', 'items[0].quantity', 'items[1].quantity', 'items[1].sku', 'more', 'name']);
  });

  it('prefixes fields of a header and names the body itself when it is not an object', () => {
    expect(fieldPath([], 'Idempotency-Key')).toBe('Idempotency-Key');
    expect(fieldPath([])).toBe('(body)');
    expect(fieldPath(['order', 'paidAt'])).toBe('order.paidAt');
  });
});
