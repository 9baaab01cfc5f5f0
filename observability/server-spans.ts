import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Request, RequestHandler } from 'express';

/** Requests that are not worth a trace: probes and metric scrapes, several a minute. */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * A SERVER span per API request, opened by the app itself rather than by patching node:http (a
 * patch depends on the order modules load, and misses servers created before it). It continues a
 * trace the caller sent (W3C traceparent), is named `<METHOD> <route pattern>` once routed, and is
 * the active span while the request runs, so the Temporal client's start or Update joins it. With
 * tracing off, OpenTelemetry's no-op tracer makes this a pass-through.
 */
export function serverSpans(): RequestHandler {
  const tracer = trace.getTracer('aftersales-api');
  return (req, res, next) => {
    if (UNTRACED_PATHS.has(req.path)) {
      next();
      return;
    }
    const parent = propagation.extract(context.active(), req.headers);
    const span = tracer.startSpan(req.method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method } }, parent);
    res.once('finish', () => {
      const route = routePatternOf(req);
      if (route) span.setAttribute('http.route', route).updateName(`${req.method} ${route}`);
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), next);
  };
}

/** The route pattern express matched (`/v1/cases/:id`), never the raw path with its ids and query. */
function routePatternOf(req: Request): string | undefined {
  const route = (req as { route?: { path?: unknown } }).route;
  return typeof route?.path === 'string' ? `${req.baseUrl ?? ''}${route.path}` : undefined;
}
