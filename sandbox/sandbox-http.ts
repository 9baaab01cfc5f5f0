import { createHash, timingSafeEqual } from 'node:crypto';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { z } from 'zod';

/** One offending field of a rejected request. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** An error the sandbox answers with a given status and error code (never with a stack trace). */
export class SandboxHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldProblem[] = [],
  ) {
    super(message);
  }
}

/** Writes the error envelope shared with the public API: `{error: {code, message, details}}`. */
export function sendError(res: Response, status: number, code: string, message: string, details: FieldProblem[] = []): void {
  res.status(status).json({ error: { code, message, details } });
}

/** Parses a request part with zod; throws a 400 `validation_failed` naming every offending field. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || 'body',
    message: issue.message,
  }));
  throw new SandboxHttpError(400, 'validation_failed', `invalid request: ${[...new Set(details.map((d) => d.field))].join(', ')}`, details);
}

/** The `Idempotency-Key` header; required on every call that moves money, parcels or messages. */
export function requireIdempotencyKey(req: Request): string {
  const key = req.get('idempotency-key')?.trim();
  if (!key || key.length > 255) {
    const message = key ? 'must be at most 255 characters' : 'required';
    throw new SandboxHttpError(400, 'validation_failed', `invalid request: Idempotency-Key ${message}`, [{ field: 'Idempotency-Key', message }]);
  }
  return key;
}

/** Accepts only `Authorization: Bearer <apiKey>` (compared in constant time). */
export function requireApiKey(apiKey: string): RequestHandler {
  const expected = digest(apiKey);
  return (req, res, next) => {
    const match = /^Bearer (.+)$/i.exec(req.get('authorization') ?? '');
    if (match && timingSafeEqual(digest(match[1].trim()), expected)) return next();
    res.set('WWW-Authenticate', 'Bearer');
    sendError(res, 401, 'unauthorized', 'missing or wrong bearer token');
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Unknown route: a JSON 404. */
export const notFound: RequestHandler = (req, res) => {
  sendError(res, 404, 'not_found', `no route ${req.method} ${req.path}`);
};

/** Maps errors to the envelope; unexpected ones are logged and answered 500 without internals. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    if (err instanceof SandboxHttpError) return sendError(res, err.status, err.code, err.message, err.details);
    const bodyParserType = typeof err === 'object' && err !== null && 'type' in err ? String(err.type) : '';
    if (bodyParserType === 'entity.parse.failed') {
      return sendError(res, 400, 'validation_failed', 'invalid request: body is not valid JSON', [{ field: 'body', message: 'malformed JSON' }]);
    }
    if (bodyParserType === 'entity.too.large') return sendError(res, 413, 'payload_too_large', 'request body too large');
    if (bodyParserType.startsWith('encoding.') || bodyParserType === 'charset.unsupported') {
      return sendError(res, 415, 'unsupported_media_type', 'unsupported body encoding');
    }
    logger.error({ err, method: req.method, path: req.path }, 'sandbox request failed');
    sendError(res, 500, 'internal', 'internal error');
  };
}
