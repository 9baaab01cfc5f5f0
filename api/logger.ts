import pino, { type Logger } from 'pino';
import type { RequestHandler } from 'express';

/**
 * The API's JSON logger. Request bodies are never logged (they carry customer text and
 * evidence); the redaction is a second line of defence for headers that reach a log by accident.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'api' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'authorization',
          '*.authorization',
          '*.headers.authorization',
          'req.headers.authorization',
          'headers["x-signature"]',
          '*.headers["x-signature"]',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

/**
 * The route pattern of a request (`/v1/cases/:id`), never the raw path, so that logs and
 * metric labels carry no ids from the URL and keep a bounded cardinality.
 */
export function routeOf(req: Parameters<RequestHandler>[0]): string {
  const pattern = (req.route as { path?: unknown } | undefined)?.path;
  return typeof pattern === 'string' ? `${req.baseUrl}${pattern}` : 'unmatched';
}

/** One log line per request: method, route, status, ms, caseId — nothing from the body. */
export function requestLog(logger: Logger, observe?: (route: string, method: string, status: number, seconds: number) => void): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeOf(req);
      observe?.(route, req.method, res.statusCode, seconds);
      const line = {
        method: req.method,
        route,
        status: res.statusCode,
        ms: Math.round(seconds * 1000),
        caseId: res.locals.caseId as string | undefined,
        error: res.locals.errorCode as string | undefined,
      };
      if (res.statusCode >= 500) logger.error(line, 'request');
      else logger.info(line, 'request');
    });
    next();
  };
}
