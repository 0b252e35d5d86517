import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { DomainError } from '../domain/errors.js';

/** Codes a client can cause and may see as they are: GraphQL's own, Apollo's, and the domain's. */
const clientCodes = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
]);

export function findCause(error: unknown, test: (e: Record<string, unknown>) => boolean): Record<string, unknown> | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth += 1) {
    const candidate = current as Record<string, unknown>;
    if (test(candidate)) return candidate;
    current = candidate.cause;
  }
  return null;
}

/**
 * What may be logged of an unexpected error. A failed query's message and params carry customer data
 * (emails, password hashes), so only its SQL text and the driver's code and message go to the log.
 */
export function describeForLog(error: unknown): unknown {
  if (!(error instanceof Error)) return { message: 'non-error thrown', type: typeof error };
  const failed = error as Error & { query?: unknown; params?: unknown; cause?: unknown };
  if (typeof failed.query !== 'string') return error;
  const cause = failed.cause as { code?: unknown; message?: unknown; severity?: unknown } | undefined;
  return {
    type: error.name,
    query: failed.query,
    cause: cause ? { code: cause.code, severity: cause.severity, message: cause.message } : undefined,
  };
}

/**
 * The stack trace a development response may show. A failed query's message lists its params, which carry
 * customer data, so for one only its stack frames and the driver's code are shown (the log has the rest).
 */
function shownStacktrace(error: unknown, stacktrace: unknown): unknown {
  const failed = error as Error & { query?: unknown; cause?: { code?: unknown } };
  if (!(error instanceof Error) || typeof failed.query !== 'string') return stacktrace;
  // The frames follow the message, which holds the parameters (any of which may contain a line that looks
  // like a frame): cut the message off by its length, never by its lines.
  const header = `${error.name}: ${error.message}`;
  const stack = error.stack ?? '';
  const frames = stack.startsWith(header) ? stack.slice(header.length).split('\n').filter((line) => line.trimStart().startsWith('at ')) : [];
  return [`${error.name}: a query failed (code ${String(failed.cause?.code ?? 'unknown')}; its text is in the log)`, ...frames];
}

/**
 * A client error as it was, minus any stack trace: a refusal (FORBIDDEN, UNAUTHENTICATED...) is the
 * caller's business, and its stack only shows the server's files, in development too.
 */
function withoutStacktrace(formatted: GraphQLFormattedError): GraphQLFormattedError {
  if (formatted.extensions?.stacktrace === undefined) return formatted;
  const { stacktrace: _omitted, ...extensions } = formatted.extensions;
  return { ...formatted, extensions };
}

/**
 * The one place errors become what clients see: domain errors keep their code, message and field; a unique
 * violation (PostgreSQL 23505) that slipped past a check is CONFLICT; anything else is masked as
 * INTERNAL_SERVER_ERROR and reported to `logUnexpected`.
 */
export function createErrorFormatter(options: { production: boolean; logUnexpected: (error: unknown) => void }) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };
    if (original instanceof DomainError) {
      const extensions = {
        code: original.code,
        ...(original.field ? { field: original.field } : {}),
        ...(original.retryAfterSeconds !== undefined ? { retryAfter: original.retryAfterSeconds } : {}),
        ...(original.methods ? { methods: original.methods } : {}),
      };
      return { ...base, message: original.message, extensions };
    }
    if (findCause(original, (e) => e.code === '23505')) {
      return { ...base, message: 'This conflicts with an existing record.', extensions: { code: 'CONFLICT' } };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && clientCodes.has(code)) return withoutStacktrace(formatted);
    options.logUnexpected(describeForLog(original));
    const stacktrace = options.production ? undefined : shownStacktrace(original, formatted.extensions?.stacktrace);
    return {
      ...base,
      message: 'Internal server error.',
      extensions: { code: 'INTERNAL_SERVER_ERROR', ...(stacktrace ? { stacktrace } : {}) },
    };
  };
}
