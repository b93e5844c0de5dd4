import pino from 'pino';
import { trace } from '@opentelemetry/api';

/** Longest string a log line keeps (SQL text gets more); longer ones keep their start and length. */
const MAX_LOGGED_STRING = 300;
const MAX_LOGGED_SQL = 2_000;
const MAX_LOGGED_ITEMS = 20;
/** An API token anywhere in logged text (a parameter, a message) is replaced. */
const TOKEN = /cmh_[A-Za-z0-9_-]{20,}/g; // a whole token; the 8-character prefixes that name tokens stay readable

function bound(value: unknown, key: string, depth: number): unknown {
  if (typeof value === 'string') {
    const max = key === 'query' ? MAX_LOGGED_SQL : key === 'stack' ? MAX_LOGGED_SQL : MAX_LOGGED_STRING;
    const clean = value.replace(TOKEN, 'cmh_[redacted]');
    return clean.length > max ? `${clean.slice(0, max)}… [${clean.length} characters]` : clean;
  }
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const kept = value.slice(0, MAX_LOGGED_ITEMS).map((v) => bound(v, key, depth + 1));
    return value.length > MAX_LOGGED_ITEMS ? [...kept, `… ${value.length - MAX_LOGGED_ITEMS} more`] : kept;
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, bound(v, k, depth + 1)]));
}

/**
 * Errors are logged with their SQL parameters truncated and tokens redacted: a 1 MB name or a token
 * sent as a value must not reach the log whole.
 */
export function boundedError(err: unknown): unknown {
  return bound(err instanceof Error ? pino.stdSerializers.err(err) : err, 'err', 0);
}

/**
 * Structured JSON logs. Tokens never reach them: the Authorization header is redacted wherever a
 * request is logged, and token values are never passed to the logger.
 */
export const logger = pino({
  level: process.env.LOG_LEVEL && ['error', 'warn', 'info', 'debug'].includes(process.env.LOG_LEVEL) ? process.env.LOG_LEVEL : 'info',
  base: { service: 'control-mapping-hub' },
  redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization'], censor: '[redacted]' },
  serializers: { err: boundedError },
  // With tracing on, a line written while a request runs names its trace, to find one from the other.
  mixin() {
    const span = trace.getActiveSpan()?.spanContext();
    return span && trace.isSpanContextValid(span) ? { traceId: span.traceId, spanId: span.spanId } : {};
  },
});
