import type express from 'express';
import type { ApolloServerPlugin } from '@apollo/server';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { QueryScope } from '../database/query-counter';
import { HUB_TRACER } from '../database/sql-instrumentation';

/**
 * OpenTelemetry with only the parts the hub uses: W3C trace context in and out, a span per HTTP
 * request, per GraphQL operation and per SQL statement (database/sql-instrumentation.ts), exported over
 * OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set (the exporter reads the standard OTEL_* variables).
 * Off, @opentelemetry/api is a no-op and nothing here runs.
 */
export async function startTracing(options: { serviceName: string; otlpEndpoint: string | null; spanProcessors?: SpanProcessor[] }): Promise<() => Promise<void>> {
  const processors = [...(options.spanProcessors ?? [])];
  if (options.otlpEndpoint) {
    // Loaded only when used: the exporter pulls in protobuf serialisation.
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter()));
  }
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': options.serviceName }), spanProcessors: processors });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  return async () => {
    await provider.shutdown();
    trace.disable();
    propagation.disable();
    context.disable();
  };
}

const tracer = () => trace.getTracer(HUB_TRACER);

/**
 * A server span per HTTP request, child of the caller's `traceparent` when it sends one; the answer
 * carries the server span's own `traceparent`, so a client can find its request in the traces.
 */
export function traceRequests(): express.RequestHandler {
  return (req, res, next) => {
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer().startSpan(`${req.method} ${req.path.slice(0, 100)}`, {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': req.method, 'url.path': req.path.slice(0, 200) },
    }, parent);
    const active = trace.setSpan(parent, span);
    const carrier: Record<string, string> = {};
    propagation.inject(active, carrier);
    if (carrier.traceparent) res.setHeader('traceparent', carrier.traceparent);
    res.once('close', () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(active, next);
  };
}

/** A span per GraphQL operation; the request's SQL spans become its children through the query scope. */
export function tracingPlugin<C extends { queryScope: QueryScope }>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart({ contextValue }) {
      const span = tracer().startSpan('graphql', { kind: SpanKind.INTERNAL }, context.active());
      if (contextValue?.queryScope) contextValue.queryScope.traceContext = trace.setSpan(context.active(), span);
      return {
        async didResolveOperation({ operationName, operation }) {
          const type = operation?.operation ?? 'unknown';
          span.updateName(`${type} ${operationName ?? 'anonymous'}`);
          span.setAttributes({ 'graphql.operation.type': type, 'graphql.operation.name': (operationName ?? '').slice(0, 100) });
        },
        async willSendResponse({ response }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          if (errors?.length) span.setStatus({ code: SpanStatusCode.ERROR, message: String(errors[0].extensions?.code ?? 'error') });
          span.end();
        },
      };
    },
  };
}
