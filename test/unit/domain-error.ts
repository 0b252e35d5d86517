import { expect } from 'vitest';
import { DomainError, type ErrorCode } from '../../src/domain/errors.js';

/** Runs `fn` and returns the DomainError it throws; fails the test when it returns or throws anything else. */
export function domainErrorOf(fn: () => unknown): DomainError {
  let result: unknown;
  try {
    result = fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error(`expected a DomainError, got a result: ${JSON.stringify(result)}`);
}

/** Asserts that `fn` throws a DomainError with exactly this code and field (and message, when given). */
export function expectDomainError(
  fn: () => unknown,
  expected: { code: ErrorCode; field?: string | undefined; message?: string | RegExp },
): void {
  const error = domainErrorOf(fn);
  expect({ code: error.code, field: error.field }).toEqual({ code: expected.code, field: expected.field });
  if (typeof expected.message === 'string') expect(error.message).toBe(expected.message);
  else if (expected.message) expect(error.message).toMatch(expected.message);
}

/** Shorthand for a BAD_USER_INPUT about `field`. */
export function expectBadInput(fn: () => unknown, field: string, message?: string | RegExp): void {
  expectDomainError(fn, message === undefined ? { code: 'BAD_USER_INPUT', field } : { code: 'BAD_USER_INPUT', field, message });
}
