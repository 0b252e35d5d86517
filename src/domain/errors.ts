/**
 * Expected failures a client can cause. The closed list of codes is the contract: graphql/errors.ts maps
 * each to `extensions.code`; the domain never speaks HTTP.
 */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'RATE_LIMITED'
  | 'STEP_UP_REQUIRED'
  | 'CRM_UNAVAILABLE';

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The input field the error is about, such as `attributes.birthDate`, when there is one. */
    readonly field?: string,
    /** RATE_LIMITED: seconds until the next attempt is allowed. */
    readonly retryAfterSeconds?: number,
    /** STEP_UP_REQUIRED: the methods the customer can step up with, so a frontend can prompt. */
    readonly methods?: readonly string[],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const badInput = (message: string, field?: string) => new DomainError('BAD_USER_INPUT', message, field);
export const notFound = (message: string) => new DomainError('NOT_FOUND', message);
export const conflict = (message: string, field?: string) => new DomainError('CONFLICT', message, field);
export const unauthenticated = (message: string) => new DomainError('UNAUTHENTICATED', message);
export const forbidden = (message: string) => new DomainError('FORBIDDEN', message);
export const rateLimited = (message: string, retryAfterSeconds: number) =>
  new DomainError('RATE_LIMITED', message, undefined, retryAfterSeconds);
/** The process has as many password hashes waiting as it allows: the caller should come back in a second. */
export const passwordsBusy = () => rateLimited('Too many passwords are being checked right now: try again in a second.', 1);
export const crmUnavailable = (message: string) => new DomainError('CRM_UNAVAILABLE', message);
export const stepUpRequired = (message: string, methods: readonly string[]) =>
  new DomainError('STEP_UP_REQUIRED', message, undefined, undefined, methods);

/** Compile-time proof that a switch handled every member of a union. */
export function unreachable(value: never): never {
  throw new Error(`Unreachable case: ${String(value)}`);
}
