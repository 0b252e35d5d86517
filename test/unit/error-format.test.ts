import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import { createErrorFormatter, describeForLog } from '../../src/graphql/errors.js';

/** A located resolver error as graphql-js hands it to Apollo's formatError. */
const located = (original: Error) => new GraphQLError(original.message, { path: ['customer'], originalError: original });

function format(original: Error, production = true) {
  const logged: unknown[] = [];
  const formatter = createErrorFormatter({ production, logUnexpected: (e) => logged.push(e) });
  const error = located(original);
  const formatted = formatter({ message: error.message, path: error.path, extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['at x'] } }, error);
  return { formatted, logged };
}

/** What drizzle throws for a failed query: SQL and params in the message, the driver's error as cause. */
function failedQuery(cause: Record<string, unknown>) {
  const error = new Error('Failed query: insert into credentials ...\nparams: ada@example.com,$argon2id$v=19$secret');
  return Object.assign(error, { query: 'insert into credentials values ($1, $2)', params: ['ada@example.com', '$argon2id$v=19$secret'], cause });
}

describe('createErrorFormatter', () => {
  it('keeps a domain error: its code, message and field', () => {
    const { formatted, logged } = format(new DomainError('CONFLICT', 'Already registered.', 'email'));
    expect(formatted).toMatchObject({ message: 'Already registered.', extensions: { code: 'CONFLICT', field: 'email' } });
    expect(logged).toEqual([]);
  });

  it('maps a unique violation that slipped past the checks to CONFLICT, without the driver message', () => {
    const { formatted } = format(failedQuery({ code: '23505', message: 'duplicate key value violates unique constraint "customers_email_lower_key"' }));
    expect(formatted).toEqual({ message: 'This conflicts with an existing record.', path: ['customer'], locations: undefined, extensions: { code: 'CONFLICT' } });
  });

  it('masks anything else, and logs it without the query parameters', () => {
    const { formatted, logged } = format(failedQuery({ code: '57014', severity: 'ERROR', message: 'canceling statement' }));
    expect(formatted.message).toBe('Internal server error.');
    expect(formatted.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    expect(logged).toEqual([{ type: 'Error', query: 'insert into credentials values ($1, $2)', cause: { code: '57014', severity: 'ERROR', message: 'canceling statement' } }]);
    expect(JSON.stringify(logged)).not.toMatch(/ada@example\.com|argon2id/);
  });

  it('keeps the stack trace outside production only', () => {
    expect(format(new Error('boom'), false).formatted.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', stacktrace: ['at x'] });
    expect(format(new Error('boom'), true).formatted.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
  });

  it('shows a failed query outside production by its stack frames and code, never its parameters', () => {
    const shown = format(failedQuery({ code: 'P0001', message: 'injected failure' }), false).formatted.extensions;
    expect(shown?.code).toBe('INTERNAL_SERVER_ERROR');
    const stacktrace = shown?.stacktrace as string[];
    expect(stacktrace[0]).toBe('Error: a query failed (code P0001; its text is in the log)');
    expect(stacktrace.length).toBeGreaterThan(1);
    expect(stacktrace.slice(1).every((line) => line.trimStart().startsWith('at '))).toBe(true);
    expect(JSON.stringify(shown)).not.toMatch(/ada@example\.com|argon2id|params/);
  });

  it('keeps a parameter that looks like a stack frame out of a failed query\'s development stack trace', () => {
    const error = failedQuery({ code: 'P0001' });
    const message = 'Failed query: insert into customers ...\nparams: Ada\n    at secret ada@example.com';
    Object.assign(error, { message, stack: `Error: ${message}\n    at insertWithStep (customer-store.ts:1:1)` });
    const stacktrace = format(error, false).formatted.extensions?.stacktrace as string[];
    expect(stacktrace.slice(1)).toEqual(['    at insertWithStep (customer-store.ts:1:1)']);
    expect(JSON.stringify(stacktrace)).not.toMatch(/ada@example\.com|secret/);
  });

  it('passes client errors GraphQL itself raised', () => {
    const formatter = createErrorFormatter({ production: true, logUnexpected: () => {} });
    const validation = { message: 'Cannot query field "x".', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } };
    expect(formatter(validation, new GraphQLError(validation.message))).toBe(validation);
  });

  it('shows no stack trace with a client error, outside production too', () => {
    const formatter = createErrorFormatter({ production: false, logUnexpected: () => {} });
    for (const code of ['FORBIDDEN', 'UNAUTHENTICATED']) {
      const refused = { message: 'Not allowed.', path: ['customer'], extensions: { code, stacktrace: ['Error: Not allowed.', '    at rules.ts:30:1'] } };
      expect(formatter(refused, new GraphQLError(refused.message))).toEqual({ message: 'Not allowed.', path: ['customer'], extensions: { code } });
    }
  });
});

describe('describeForLog', () => {
  it('keeps ordinary errors as they are and describes non-errors by type', () => {
    const error = new Error('plain');
    expect(describeForLog(error)).toBe(error);
    expect(describeForLog('a string')).toEqual({ message: 'non-error thrown', type: 'string' });
  });
});
