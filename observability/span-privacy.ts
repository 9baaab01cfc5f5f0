import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

/**
 * The span attributes a trace may carry: methods, routes, status codes, hosts, URL paths and
 * Temporal ids. Everything else (client IP addresses, user agents, query strings, termination
 * reasons, any attribute an instrumentation adds in a later version) is dropped before export,
 * so that no personal data leaves the process in a span whatever an instrumentation records.
 */
const KEPT_ATTRIBUTES = new Set([
  // HTTP, old and new semantic conventions (the server and client instrumentations use one each)
  'http.method',
  'http.request.method',
  'http.route',
  'http.status_code',
  'http.response.status_code',
  'http.scheme',
  'url.scheme',
  'http.flavor',
  'network.protocol.version',
  'http.host',
  'net.host.name',
  'net.host.port',
  'net.peer.name',
  'server.address',
  'server.port',
  'error.type',
  // Temporal's interceptors
  'temporalWorkflowId',
  'run_id',
  'temporalActivityId',
  'temporalUpdateId',
  // The workflow facts the worker adds to workflow spans (observability/worker-tracing.ts)
  'workflowId',
  'runId',
  'workflowType',
  'taskQueue',
  'namespace',
]);

/** URL attributes kept without their query string (a filter may hold a search term). */
const PATH_ATTRIBUTES = new Set(['http.target', 'url.path', 'http.url', 'url.full']);

/** Of an exception event, only its type: a message may quote what a caller sent. */
const KEPT_EVENT_ATTRIBUTES = new Set(['exception.type']);

/** The attributes of a span that may leave the process (see KEPT_ATTRIBUTES). */
export function safeAttributes(attributes: ReadableSpan['attributes']): ReadableSpan['attributes'] {
  const kept: ReadableSpan['attributes'] = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (KEPT_ATTRIBUTES.has(key)) kept[key] = value;
    else if (PATH_ATTRIBUTES.has(key) && typeof value === 'string') kept[key] = value.split('?')[0];
  }
  return kept;
}

/** The span as it is exported: safe attributes, exception events reduced to their type, no status message. */
export function scrubbedSpan(span: ReadableSpan): ReadableSpan {
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => span.spanContext(),
    parentSpanId: span.parentSpanId,
    startTime: span.startTime,
    endTime: span.endTime,
    status: { code: span.status.code },
    attributes: safeAttributes(span.attributes),
    links: span.links.map((link) => ({ context: link.context })),
    events: span.events.map((event) => ({
      name: event.name,
      time: event.time,
      attributes: Object.fromEntries(Object.entries(event.attributes ?? {}).filter(([key]) => KEPT_EVENT_ATTRIBUTES.has(key))),
    })),
    duration: span.duration,
    ended: span.ended,
    resource: span.resource,
    instrumentationLibrary: span.instrumentationLibrary,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

/** Hands every ended span to `next` scrubbed (scrubbedSpan): the one gate between the instrumentations and any exporter. */
export class PrivacySpanProcessor implements SpanProcessor {
  constructor(private readonly next: SpanProcessor) {}

  onStart(span: Span, parentContext: Context): void {
    this.next.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    this.next.onEnd(scrubbedSpan(span));
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}
