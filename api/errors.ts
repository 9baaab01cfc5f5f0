import type { ErrorRequestHandler } from 'express';
import { WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, ServiceError } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { CaseDataErasedError } from '../codec/case-data-keys';
import { CommandErrorTypes } from '../domain/workflow-contract';

/** One offending field of a request: its path (`items[0].sku`) and what is wrong with it. */
export interface ErrorDetail {
  field: string;
  message: string;
}

/** The body of every error answer. */
export interface ErrorBody {
  error: { code: string; message: string; details: ErrorDetail[] };
}

/** An error the API answers with a given status and code; everything it says is safe to show a client. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** 400: the request is malformed; `details` names every offending field. */
export const validationFailed = (details: ErrorDetail[], message = 'the request is invalid') =>
  new ApiError(400, 'validation_failed', message, details);
/** 401: no or unknown bearer token, or a bad webhook signature. */
export const unauthorized = (code: string, message: string) =>
  new ApiError(401, code, message, [], code === 'unauthorized' ? { 'WWW-Authenticate': 'Bearer' } : {});
/** 403: the caller is known but may not do this. */
export const forbidden = (message: string) => new ApiError(403, 'forbidden', message);
/** 404: no such resource (or not one the caller may see). */
export const notFound = (code: string, message: string) => new ApiError(404, code, message);
/** 409: the request conflicts with the current state of a case. */
export const conflict = (code: string, message: string, details: ErrorDetail[] = []) => new ApiError(409, code, message, details);
/** 422: the policy (or the order-line ledger) says no; `code` is the reason code, `details` the offending fields. */
export const ineligible = (code: string, message: string, details: ErrorDetail[] = []) => new ApiError(422, code, message, details);
/** 503: a dependency is down; the client may retry. */
export const unavailable = (code: 'temporal_unavailable' | 'read_model_unavailable', message: string) =>
  new ApiError(503, code, message, [], { 'Retry-After': '5' });

/** Formats a zod path as `items[0].sku`; `prefix` names the part of the request (e.g. a header). */
export function fieldPath(path: readonly PropertyKey[], prefix?: string): string {
  let out = prefix ?? '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out === '' ? '(body)' : out;
}

/** Every offending field of a zod error, one detail per field (unknown keys listed one by one). */
export function zodDetails(error: z.ZodError, prefix?: string): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) details.push({ field: fieldPath([...issue.path, key], prefix), message: 'unknown field' });
    } else {
      details.push({ field: fieldPath(issue.path, prefix), message: issue.message });
    }
  }
  return details;
}

/** Parses `value` with `schema` or throws a 400 naming every offending field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, prefix?: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationFailed(zodDetails(result.error, prefix));
  return result.data;
}

/** What a thrown error becomes on the wire. `expose` is false for errors that are our fault (logged with their stack). */
export interface MappedError {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
  expose: boolean;
}

const body = (code: string, message: string, details: ErrorDetail[] = []): ErrorBody => ({ error: { code, message, details } });

/** Maps any thrown error to a status and a body; the one place the API decides what an error means. */
export function mapError(error: unknown): MappedError {
  if (error instanceof ApiError) {
    return { status: error.status, body: body(error.code, error.message, error.details), headers: error.headers, expose: true };
  }
  const parserType = bodyParserType(error);
  if (parserType === 'entity.parse.failed') return client(400, 'invalid_json', 'the request body is not valid JSON');
  if (parserType === 'entity.too.large') return client(413, 'payload_too_large', 'the request body is too large');
  if (parserType === 'encoding.unsupported' || parserType === 'charset.unsupported') {
    return client(415, 'unsupported_media_type', 'the request body encoding is not supported');
  }
  if (parserType !== undefined) return client(400, 'invalid_body', 'the request body could not be read');
  // The router cannot decode a malformed percent-encoding in the path (`/v1/cases/%`): the client's mistake.
  if (error instanceof URIError) return client(400, 'invalid_path', 'the request path has a malformed percent-encoding');

  if (error instanceof WorkflowUpdateFailedError) {
    const cause = error.cause;
    if (cause instanceof ApplicationFailure) {
      const message = cause.message || 'the case refused the command';
      if (cause.type === CommandErrorTypes.invalidState) return client(409, 'invalid_state', message, failureDetails(cause));
      if (cause.type === CommandErrorTypes.forbidden) return client(403, 'forbidden', message);
      if (cause.type === CommandErrorTypes.invalidInput) return client(400, 'invalid_input', message, failureDetails(cause));
    }
    return serverFault();
  }
  if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
    const message = 'the case did not answer in time; the command may still take effect, so read the case before retrying';
    return { ...client(503, 'temporal_unavailable', message), headers: { 'Retry-After': '5' } };
  }
  if (error instanceof WorkflowNotFoundError) return client(404, 'case_not_found', 'no such case');
  if (error instanceof ServiceError || isGrpcUnavailable(error)) {
    return { ...client(503, 'temporal_unavailable', 'Temporal is not reachable; retry'), headers: { 'Retry-After': '5' } };
  }
  // Only a closed case is ever erased: like any command on a closed case, a conflict with its state.
  if (error instanceof CaseDataErasedError) {
    return client(409, 'case_data_erased', 'this case has closed and its personal data was erased; what is left is in the case list and reports');
  }
  if (isMongoUnavailable(error)) {
    return { ...client(503, 'read_model_unavailable', 'the case database is not reachable; retry'), headers: { 'Retry-After': '5' } };
  }
  return serverFault();
}

function client(status: number, code: string, message: string, details: ErrorDetail[] = []): MappedError {
  return { status, body: body(code, message, details), headers: {}, expose: true };
}

function serverFault(): MappedError {
  return { status: 500, body: body('internal_error', 'something went wrong on our side'), headers: {}, expose: false };
}

/** An invalidInput failure may carry `[{field, message}]` as its first detail. */
function failureDetails(failure: ApplicationFailure): ErrorDetail[] {
  const first: unknown = failure.details?.[0];
  if (!Array.isArray(first)) return [];
  return (first as unknown[]).filter((d): d is ErrorDetail => {
    const candidate = d as Partial<Record<keyof ErrorDetail, unknown>> | null;
    return typeof candidate === 'object' && candidate !== null && typeof candidate.field === 'string' && typeof candidate.message === 'string';
  });
}

function bodyParserType(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { type } = error as { type?: unknown };
  return typeof type === 'string' && (type.startsWith('entity.') || type.endsWith('.unsupported') || type === 'request.aborted')
    ? type
    : undefined;
}

function isGrpcUnavailable(error: unknown): boolean {
  // grpc status 14 UNAVAILABLE, 4 DEADLINE_EXCEEDED: the server is down or too slow.
  const code = (error as { code?: unknown } | null)?.code;
  return typeof error === 'object' && error !== null && 'details' in error && (code === 14 || code === 4);
}

/** Network-level MongoDB failures (server down, selection timed out) — not query errors. */
export function isMongoUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return /^Mongo(ServerSelection|Network|NetworkTimeout|NotConnected|TopologyClosed)Error$/.test(error.name);
}

/** The single express error handler: typed errors become their status, everything else a 500 without a stack. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const mapped = mapError(error);
    if (!mapped.expose) logger.error({ err: error, method: req.method, route: res.locals.route }, 'request failed');
    else if (mapped.status >= 500) logger.warn({ code: mapped.body.error.code, reason: errorMessage(error) }, 'dependency unavailable');
    res.locals.errorCode = mapped.body.error.code;
    res.status(mapped.status).set(mapped.headers).json(mapped.body);
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
