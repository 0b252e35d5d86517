import type { DeliveryOutcome } from '../connector.js';
import { codeForStatus, failed, type FailureCode } from './failure.js';
import { retryAfterSeconds, type HttpAnswer } from './http-call.js';

/** A timeout or a refused connection: the target is unavailable, retry later. */
export function transportOutcome(answer: Extract<HttpAnswer, { kind: 'transport' }>): DeliveryOutcome {
  return failed('UNAVAILABLE', answer.message);
}

/**
 * The outcome of an HTTP error answer: `code` defaults to what the status means, `message` is the vendor's
 * own text; a RATE_LIMITED outcome carries the Retry-After wait (or `fallbackWait` seconds when the vendor
 * signals its window another way).
 */
export function errorOutcome(
  answer: Extract<HttpAnswer, { kind: 'answer' }>,
  message: string,
  now: Date,
  options: { code?: FailureCode; fallbackWait?: number } = {},
): DeliveryOutcome {
  const code = options.code ?? codeForStatus(answer.status);
  const wait = code === 'RATE_LIMITED' ? (retryAfterSeconds(answer.headers, now) ?? options.fallbackWait) : undefined;
  return failed(code, `${message} (HTTP ${answer.status})`, wait);
}
