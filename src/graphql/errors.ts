import { GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { ArgumentValidationError } from 'type-graphql';
import { TEXT_LIMITS, literalPathAt, variablePathOf } from './input-bounds';

/**
 * The stable error codes of the API (docs/errors.md lists them). Services throw HubError with one of
 * these; formatError below is the one place that turns anything into what a client sees.
 */
export enum ErrorCode {
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  NOT_FOUND = 'NOT_FOUND',
  /** `after` names no event the organization still has (unknown, another organization's, or pruned): events may have been missed. */
  EVENT_NOT_FOUND = 'EVENT_NOT_FOUND',
  CONFLICT = 'CONFLICT',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX',
  RATE_LIMITED = 'RATE_LIMITED',
  /** A connection already has HUB_MAX_SUBSCRIPTIONS_PER_CONNECTION subscriptions open. */
  TOO_MANY_SUBSCRIPTIONS = 'TOO_MANY_SUBSCRIPTIONS',
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
  SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE',
  TIMEOUT = 'TIMEOUT',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
}

export class HubError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'HubError';
  }
}

export const notFound = (message: string, details: Record<string, unknown> = {}) =>
  new HubError(ErrorCode.NOT_FOUND, message, details);

export const badInput = (field: string, message: string, details: Record<string, unknown> = {}) =>
  new HubError(ErrorCode.BAD_USER_INPUT, message, { field, ...details });

/** Codes produced by Apollo / graphql-js for malformed requests; safe to pass through as they are. */
const PASS_THROUGH = new Set([
  'UNAUTHENTICATED',
  'QUERY_TOO_COMPLEX',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/** Unique constraints whose violation a client can cause, in words it understands. */
const UNIQUE_MESSAGES: Record<string, string> = {
  uq_evidence_external: 'Evidence with this sourceSystem and externalId already exists',
  uq_evidence_link_active: 'This evidence is already linked to this requirement',
  uq_ai_system_name: 'An AI system with this name already exists',
  uq_oversight_point_name: 'An oversight point with this name already exists for this system',
  uq_mapping_source_key: 'A mapping set with this key already exists',
  uq_applicability_decision_current: 'A decision for this requirement was made at the same moment; retry',
  uq_impact_assessment_version: 'A version with this number was started at the same moment; retry',
};

/**
 * PostgreSQL errors by SQLSTATE (and constraint name): what a client can cause or retry gets a code;
 * anything else is internal. Never the SQL, never the driver's message.
 */
export function fromDatabaseError(input: unknown): HubError | null {
  // graphql-js wraps non-Error throws (a bare socket error object) as NonErrorThrown with thrownValue.
  const error = (input as { thrownValue?: unknown })?.thrownValue ?? input;
  const e = error as { code?: unknown; constraint?: unknown; driverError?: { code?: unknown; constraint?: unknown } };
  const code = String(e?.driverError?.code ?? e?.code ?? '');
  const constraint = String(e?.driverError?.constraint ?? e?.constraint ?? '');
  if (code === '23505') return new HubError(ErrorCode.CONFLICT, UNIQUE_MESSAGES[constraint] ?? 'A record with these values already exists', { constraint });
  if (code === '40001' || code === '40P01') return new HubError(ErrorCode.CONFLICT, 'The write collided with another one; retry', {});
  const message = String((error as Error)?.message ?? '');
  // An id that is not a UUID reaching a statement: it names no object (src/graphql/ids.ts).
  if (code === '22P02' && /type uuid/.test(message)) return new HubError(ErrorCode.NOT_FOUND, 'No object has this id', {});
  // Text the database cannot hold (NUL, lone surrogates, bad encodings) reaching a statement.
  if (['22P02', '22P05', '22021', '22023', '2202E'].includes(code)) {
    return new HubError(ErrorCode.BAD_USER_INPUT, 'A value contains characters the database cannot store (NUL or an unpaired surrogate)', {});
  }
  // ck_<table>_<column>_length (migrations/1764979200000-text-limits.ts): the GraphQL check refuses such
  // text first; this catches a write path that skipped it.
  const length = code === '23514' ? /^ck_([a-z_]+)_length$/.exec(constraint) : null;
  if (length) {
    const field = fieldOfColumn(length[1]);
    // No number: a limit can differ by type (docs/limits.md), and the constraint name does not say which input it was.
    return new HubError(ErrorCode.BAD_USER_INPUT, `${field} is longer than its limit (docs/limits.md)`, { field, constraint });
  }
  // statement_timeout (or a cancel when the client went away).
  if (code === '57014') return new HubError(ErrorCode.TIMEOUT, 'The request ran past its time limit and was stopped; nothing it was writing was kept', {});
  if (code === '23503') return new HubError(ErrorCode.NOT_FOUND, 'A record this write refers to does not exist (any more)', {});
  // pg-pool: no connection became free within connectionTimeoutMillis.
  if (/timeout exceeded when trying to connect/i.test(message)) {
    return new HubError(ErrorCode.SERVICE_UNAVAILABLE, 'The server is busy: no database connection became free in time; nothing was written by the failed call; retry', {});
  }
  // A transaction whose connection died: TypeORM releases the runner, and the next statement says so.
  const released = /QueryRunner(Provider)?AlreadyReleasedError/.test(String((error as Error)?.name ?? (error as object)?.constructor?.name ?? ''));
  // Class 08 is the connection, except 08P01 (protocol violation, e.g. a wrong number of bind parameters): a bug, not an outage.
  if (released || (/^(08|57P)/.test(code) && code !== '08P01') || ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOENT'].includes(code) ||
      /Connection terminated|connection.*(closed|ended)|not queryable|terminating connection|database system is (starting up|shutting down|in recovery)|connect ECONNREFUSED|ENOENT.*\.s\.PGSQL/i.test(message)) {
    return new HubError(ErrorCode.SERVICE_UNAVAILABLE, 'The database is unavailable; nothing was written by the failed call; retry', {});
  }
  return null;
}

const FIELD_BY_FLAT_NAME = new Map(Object.keys(TEXT_LIMITS).map((k) => [k.toLowerCase(), k]));

/** `ai_system_annex_iii_area` (table and column) -> `annexIIIArea`: the longest column suffix that is an input field. */
function fieldOfColumn(tableAndColumn: string): string {
  const parts = tableAndColumn.split('_');
  for (let i = 1; i < parts.length; i++) {
    const known = FIELD_BY_FLAT_NAME.get(parts.slice(i).join(''));
    if (known) return known;
  }
  return parts.slice(-1)[0];
}

/** Apollo's own refusals of a malformed request that carry an HTTP 4xx but no code (an unsupported persisted-query version, a sha that does not match). */
function isMalformedRequest(raw: unknown): boolean {
  const e = raw as { extensions?: { code?: unknown; http?: { status?: unknown } } };
  const status = Number(e?.extensions?.http?.status);
  return e?.extensions?.code === undefined && status >= 400 && status < 500;
}

/** True for errors the API answers as INTERNAL_SERVER_ERROR: the ones worth a log line. */
export function isUnexpected(raw: unknown): boolean {
  const error = unwrapResolverError(raw);
  if (error instanceof HubError || error instanceof ArgumentValidationError || fromDatabaseError(error) || isMalformedRequest(raw)) return false;
  const code = (raw as { extensions?: { code?: unknown } })?.extensions?.code;
  return !(typeof code === 'string' && (PASS_THROUGH.has(code) || code === ErrorCode.UNAUTHENTICATED || code === ErrorCode.SERVICE_UNAVAILABLE));
}

export function formatError(formatted: GraphQLFormattedError, raw: unknown): GraphQLFormattedError {
  const unwrapped = unwrapResolverError(raw);
  const error = fromDatabaseError(unwrapped) ?? unwrapped;
  const base = { locations: formatted.locations, path: formatted.path };

  if (error instanceof HubError) {
    return { ...base, message: error.message, extensions: { code: error.code, ...error.details } };
  }
  // Raised while building the context (no or bad token, database down): Apollo prefixes the message; keep it plain.
  const contextCode = formatted.extensions?.code;
  if (contextCode === ErrorCode.UNAUTHENTICATED || contextCode === ErrorCode.SERVICE_UNAVAILABLE) {
    return { message: formatted.message.replace(/^Context creation failed: /, ''), extensions: { code: contextCode } };
  }
  if (error instanceof ArgumentValidationError) {
    const problems = error.extensions.validationErrors.flatMap((v) => flattenValidation(v));
    return {
      ...base,
      message: problems.map((p) => p.message).join('; ') || 'Invalid argument',
      extensions: { code: ErrorCode.BAD_USER_INPUT, field: problems[0]?.field, problems },
    };
  }
  const code = formatted.extensions?.code;
  const field = inputField(formatted, raw);
  if (field !== undefined) return { ...base, message: formatted.message, extensions: { code: ErrorCode.BAD_USER_INPUT, field } };
  if (typeof code === 'string' && PASS_THROUGH.has(code)) {
    const { depth, maxDepth, complexity, maxComplexity, rootFields, maxRootFields, aliases, maxAliases } = (formatted.extensions ?? {}) as Record<string, unknown>;
    const limits = code === ErrorCode.QUERY_TOO_COMPLEX
      ? JSON.parse(JSON.stringify({ depth, maxDepth, complexity, maxComplexity, rootFields, maxRootFields, aliases, maxAliases }))
      : {};
    return { ...base, message: formatted.message, extensions: { code, ...limits } };
  }
  if (isMalformedRequest(raw)) return { ...base, message: formatted.message, extensions: { code: 'BAD_REQUEST' } };
  // Anything else is a bug or an infrastructure failure: logged (with the request id) by the server's
  // error plugin; the client learns nothing internal.
  return { ...base, message: 'Internal server error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
}

/**
 * The field an input error from graphql-js or the input-bounds check is about, or undefined when the
 * error is not one: variables that do not coerce (`Variable "$asOf" got invalid value ...`, named by the
 * variable or the path inside it), and literals a bounded scalar refused (a validation error, answered
 * as BAD_USER_INPUT naming the argument path).
 */
function inputField(formatted: GraphQLFormattedError, raw: unknown): string | null | undefined {
  const code = formatted.extensions?.code;
  if (code === ErrorCode.BAD_USER_INPUT) {
    const given = formatted.extensions?.field;
    return typeof given === 'string' ? given : variablePathOf(formatted.message);
  }
  const e = raw as { originalError?: { inputBounds?: unknown }; source?: { body?: string }; nodes?: readonly { loc?: { start: number } }[] };
  if (code === 'GRAPHQL_VALIDATION_FAILED' && e?.originalError?.inputBounds === true && e.source?.body !== undefined) {
    const start = e.nodes?.[0]?.loc?.start;
    return start === undefined ? null : literalPathAt(e.source.body, start);
  }
  return undefined;
}

interface ValidationLike {
  property: string;
  constraints?: Record<string, string>;
  children?: ValidationLike[];
}

function flattenValidation(v: ValidationLike, prefix = ''): { field: string; message: string }[] {
  const field = prefix ? `${prefix}.${v.property}` : v.property;
  const own = Object.values(v.constraints ?? {}).map((m) => ({ field, message: m.replace(v.property, field) }));
  return [...own, ...(v.children ?? []).flatMap((c) => flattenValidation(c, field))];
}
