import { GraphQLError, GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { ArgumentValidationError } from 'type-graphql';

/**
 * The stable error codes of the API (docs/errors.md lists them). Services throw HubError with one of
 * these; formatError below is the one place that turns anything into what a client sees.
 */
export enum ErrorCode {
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  NOT_FOUND = 'NOT_FOUND',
  CONFLICT = 'CONFLICT',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX',
  RATE_LIMITED = 'RATE_LIMITED',
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
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

export function formatError(formatted: GraphQLFormattedError, raw: unknown): GraphQLFormattedError {
  const error = unwrapResolverError(raw);
  const base = { locations: formatted.locations, path: formatted.path };

  if (error instanceof HubError) {
    return { ...base, message: error.message, extensions: { code: error.code, ...error.details } };
  }
  // Raised while building the context (no or bad token): Apollo prefixes the message; keep it plain.
  if (formatted.extensions?.code === ErrorCode.UNAUTHENTICATED) {
    return { message: formatted.message.replace(/^Context creation failed: /, ''), extensions: { code: ErrorCode.UNAUTHENTICATED } };
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
  if (typeof code === 'string' && PASS_THROUGH.has(code)) {
    const { depth, maxDepth, complexity, maxComplexity } = (formatted.extensions ?? {}) as Record<string, unknown>;
    const limits = code === ErrorCode.QUERY_TOO_COMPLEX ? JSON.parse(JSON.stringify({ depth, maxDepth, complexity, maxComplexity })) : {};
    return { ...base, message: formatted.message, extensions: { code, ...limits } };
  }
  // Anything else is a bug or an infrastructure failure: log it here, tell the client nothing internal.
  console.error('[graphql] unexpected error', error instanceof GraphQLError ? error.originalError ?? error : error);
  return { ...base, message: 'Internal server error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
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
