import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner.js';
import { currentQueryScope } from './query-counter';

export const HUB_TRACER = 'control-mapping-hub';
let installed = false;

/**
 * Times every statement into its request's scope (the SQL time per request metric) and, when tracing
 * is on, makes a client span per statement. Without a tracer provider the span is a no-op.
 */
export function installSqlInstrumentation(): void {
  if (installed) return;
  installed = true;
  const original = PostgresQueryRunner.prototype.query;
  PostgresQueryRunner.prototype.query = async function (this: PostgresQueryRunner, ...args: Parameters<typeof original>) {
    const scope = currentQueryScope();
    const span = trace.getTracer(HUB_TRACER).startSpan('sql', { kind: SpanKind.CLIENT }, scope?.traceContext ?? context.active());
    // SQL text only: parameters can hold anything a caller sent.
    if (span.isRecording()) span.setAttributes({ 'db.system.name': 'postgresql', 'db.query.text': String(args[0]).slice(0, 1000) });
    const started = performance.now();
    try {
      return await original.apply(this, args);
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as { code?: string })?.code ?? 'error' });
      throw err;
    } finally {
      if (scope) scope.sqlMs = (scope.sqlMs ?? 0) + (performance.now() - started);
      span.end();
    }
  } as typeof original;
}
