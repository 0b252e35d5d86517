import type { DeliveryOutcome } from '../connector.js';
import { errorOutcome, transportOutcome } from '../transport/answer-outcome.js';
import { codeForStatus, failed, type FailureCode } from '../transport/failure.js';
import { excerpt, type HttpAnswer } from '../transport/http-call.js';

/**
 * Salesforce answers errors as a JSON array of `{ message, errorCode, fields? }`; the per-record errors of an
 * sObject Collections answer name the code `statusCode`.
 */
export interface SalesforceError {
  readonly message?: string;
  readonly errorCode?: string;
  readonly statusCode?: string;
  readonly fields?: readonly string[];
}

/** Error codes that say "later" rather than "never", whatever the status. */
const TRANSIENT: Readonly<Record<string, FailureCode>> = {
  REQUEST_LIMIT_EXCEEDED: 'RATE_LIMITED',
  SERVER_UNAVAILABLE: 'UNAVAILABLE',
  UNABLE_TO_LOCK_ROW: 'UNAVAILABLE',
};

/** The first error of the answer, or undefined when the body is not Salesforce's error array. */
export function firstError(answer: Extract<HttpAnswer, { kind: 'answer' }>): SalesforceError | undefined {
  const body = answer.body;
  return Array.isArray(body) && typeof body[0] === 'object' && body[0] !== null ? (body[0] as SalesforceError) : undefined;
}

/**
 * 401 INVALID_SESSION_ID is UNAUTHORIZED; REQUEST_LIMIT_EXCEEDED (403, the org's API limit) is
 * RATE_LIMITED; 500, 503 SERVER_UNAVAILABLE, UNABLE_TO_LOCK_ROW and timeouts are UNAVAILABLE; a 300
 * (the external id matches several records) and 400s are REJECTED with Salesforce's message.
 */
export function salesforceFailure(answer: HttpAnswer, now: Date): DeliveryOutcome {
  if (answer.kind === 'transport') return transportOutcome(answer);
  const error = firstError(answer);
  const code = (error?.errorCode && TRANSIENT[error.errorCode]) || codeForStatus(answer.status === 300 ? 409 : answer.status);
  return errorOutcome(answer, error ? describe(error) : excerpt(answer.text), now, { code });
}

/** The outcome of one record refused inside a 200 sObject Collections answer. */
export function recordFailure(errors: readonly SalesforceError[] | undefined): DeliveryOutcome {
  const error = errors?.[0] ?? { message: 'Salesforce refused the record without saying why' };
  const code = error.statusCode ?? error.errorCode;
  return failed((code && TRANSIENT[code]) || 'REJECTED', describe(error));
}

/** `CODE: message`, with the fields at fault when the message does not already name them. */
function describe(error: SalesforceError): string {
  const fields = error.fields?.join(', ') ?? '';
  const text = `${error.errorCode ?? error.statusCode ?? 'ERROR'}: ${error.message ?? ''}`;
  return fields === '' || text.includes(fields) ? text : `${text} [${fields}]`;
}
