import { createTraceState } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  type OpenTelemetrySinks,
  type SerializableSpan,
} from '@temporalio/interceptors-opentelemetry';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';
import type { WorkflowInfo } from '@temporalio/workflow';
import type { Tracing } from './tracing';

/**
 * Temporal's OpenTelemetry workflow interceptors (RunWorkflow, HandleUpdate, StartActivity spans,
 * the trace context passed to activities in a header). Deterministic: span ids come from the
 * workflow's seeded random, and spans leave the workflow through a sink, never during a replay.
 * The worker loads them only while tracing is on, because they bring the OpenTelemetry SDK into
 * every cached workflow; the workflow tests and the replay test always load them.
 */
export const TRACING_WORKFLOW_INTERCEPTOR_MODULES = [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')];

/** The workflow interceptor modules of a worker: `base` (codec/data-converter.ts), plus tracing's when it is on. */
export function workflowInterceptorModules(base: readonly string[], tracing: Pick<Tracing, 'enabled'>): string[] {
  return tracing.enabled ? [...base, ...TRACING_WORKFLOW_INTERCEPTOR_MODULES] : [...base];
}

/** The activity interceptors of a worker: a RunActivity span per attempt, child of the workflow's StartActivity span. */
export function activityInterceptors(tracing: Tracing): ActivityInterceptorsFactory[] {
  if (!tracing.enabled) return [];
  return [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) })];
}

/**
 * The sink through which the workflow interceptors hand their ended spans to this process's
 * processor (privacy scrubbing, then the exporter). Every worker that may run the interceptors
 * registers it, tracing on or off (off, or no `tracing` given: the spans are dropped). Unlike the SDK's own sink, it adds
 * only the workflow's ids, type, task queue and namespace to a span, never its memo or search attributes.
 */
export function tracingSinks(tracing?: Pick<Tracing, 'processor' | 'resource'>): InjectedSinks<OpenTelemetrySinks> {
  const processor = tracing?.processor ?? null;
  const resource = tracing?.resource;
  return {
    exporter: {
      export: {
        fn: (info: WorkflowInfo, spans: SerializableSpan[]) => {
          if (!processor || !resource) return;
          const facts = { workflowId: info.workflowId, runId: info.runId, workflowType: info.workflowType, taskQueue: info.taskQueue, namespace: info.namespace };
          for (const span of spans) processor.onEnd(readableSpan(span, facts, resource));
        },
      },
    },
  };
}

/** A span the workflow serialized, as the processor reads it. */
function readableSpan(serialized: SerializableSpan, facts: Record<string, string>, resource: ReadableSpan['resource']): ReadableSpan {
  const { spanContext, ...rest } = serialized;
  // The trace state crosses the isolate boundary as its string form.
  const context = { ...spanContext, traceState: spanContext.traceState ? createTraceState(spanContext.traceState) : undefined };
  return { ...rest, attributes: { ...serialized.attributes, ...facts }, spanContext: () => context, resource };
}
