/**
 * OpenTelemetry traces of one process (API or worker): one trace follows a request from the API
 * through Temporal (start or Update), the workflow and its activities to the provider's HTTP call.
 * Off unless OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_TRACES_EXPORTER=console is set: then no tracer
 * provider is registered and every tracer is OpenTelemetry's no-op. docs/observability.md, "Traces".
 */
import { context, trace } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import { ConfigError } from '../config/env';
import { PrivacySpanProcessor } from './span-privacy';

/** The configuration variables of tracing (config/env.ts). */
export interface TracingConfig {
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  OTEL_TRACES_EXPORTER?: 'otlp' | 'console' | 'none';
}

/** Where a process sends its spans, or null when tracing is off. */
export function exporterFromConfig(config: TracingConfig): { exporter: SpanExporter; batch: boolean } | null {
  const kind = config.OTEL_TRACES_EXPORTER ?? (config.OTEL_EXPORTER_OTLP_ENDPOINT ? 'otlp' : 'none');
  if (kind === 'none') return null;
  // One line per span as it ends: for a developer watching a terminal, not for production.
  if (kind === 'console') return { exporter: new ConsoleSpanExporter(), batch: false };
  if (!config.OTEL_EXPORTER_OTLP_ENDPOINT) throw new ConfigError('invalid configuration: OTEL_TRACES_EXPORTER=otlp needs OTEL_EXPORTER_OTLP_ENDPOINT');
  // The base endpoint of the OTLP/HTTP protocol; traces go to its /v1/traces, as the specification says.
  return { exporter: new OTLPTraceExporter({ url: `${config.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces` }), batch: true };
}

/** The tracing of this process. */
export interface Tracing {
  /** False: nothing is recorded (no provider, no instrumentation). */
  readonly enabled: boolean;
  /** The processor every span goes through (privacy scrubbing first); the worker's workflow spans join it through a sink. */
  readonly processor: SpanProcessor | null;
  readonly resource: Resource;
  /** The Temporal client interceptors that start a span per start, Update, signal or query and pass its context on. */
  clientInterceptors(): WorkflowClientInterceptor[];
  /** Exports what is still buffered, then stops. */
  shutdown(): Promise<void>;
}


/**
 * Sets up tracing for the process `service` ("aftersales-api", "aftersales-worker"): a tracer
 * provider with the exporter, and the HTTP instrumentations (incoming requests of node:http, so
 * express; outgoing fetch calls, so the provider adapters). Call it before the process serves or
 * polls anything; `exporter` null leaves tracing off.
 */
export function startTracing(service: string, exporter: { exporter: SpanExporter; batch: boolean } | null): Tracing {
  const resource = new Resource({ 'service.name': service });
  if (!exporter) {
    return { enabled: false, processor: null, resource, clientInterceptors: () => [], shutdown: async () => undefined };
  }
  const inner = exporter.batch ? new BatchSpanProcessor(exporter.exporter) : new SimpleSpanProcessor(exporter.exporter);
  const processor = new PrivacySpanProcessor(inner);
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  // The global provider, the AsyncLocalStorage context manager (a span follows its request across awaits) and W3C propagation.
  provider.register();
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      // Outgoing node:http calls only, inside a trace: incoming requests get their span from the app
      // itself (observability/server-spans.ts), which does not depend on when node:http was loaded.
      new HttpInstrumentation({ ignoreIncomingRequestHook: () => true, requireParentforOutgoingSpans: true }),
      // fetch (undici) publishes its requests on diagnostics channels: the provider adapters need no change.
      new UndiciInstrumentation({ requireParentforSpans: true }),
    ],
  });
  return {
    enabled: true,
    processor,
    resource,
    clientInterceptors: () => [new OpenTelemetryWorkflowClientInterceptor({ tracer: provider.getTracer('@temporalio/interceptor-client') })],
    async shutdown() {
      unregister();
      await provider.shutdown();
      trace.disable();
      context.disable();
    },
  };
}

