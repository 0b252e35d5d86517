import type { DeliveryOutcome } from '../connector.js';
import { errorOutcome, transportOutcome } from '../transport/answer-outcome.js';
import { excerpt, type HttpAnswer } from '../transport/http-call.js';

/**
 * HubSpot's error body: `{ status: "error", message, category, correlationId, errors?, context? }`
 * (categories such as VALIDATION_ERROR, INVALID_AUTHENTICATION, MISSING_SCOPES, RATE_LIMITS).
 */
export function hubspotMessage(answer: Extract<HttpAnswer, { kind: 'answer' }>): string {
  const body = answer.body as { message?: unknown; category?: unknown } | undefined;
  if (body && typeof body.message === 'string') {
    return typeof body.category === 'string' ? `${body.category}: ${body.message}` : body.message;
  }
  return excerpt(answer.text);
}

/**
 * The outcome of a failed HubSpot answer. On 429 HubSpot sends its X-HubSpot-RateLimit-* headers and
 * often no Retry-After: when the window's remaining count is 0, wait for the window's length.
 */
export function hubspotFailure(answer: HttpAnswer, now: Date): DeliveryOutcome {
  if (answer.kind === 'transport') return transportOutcome(answer);
  return errorOutcome(answer, hubspotMessage(answer), now, { fallbackWait: rateWindowSeconds(answer.headers) });
}

function rateWindowSeconds(headers: Headers): number | undefined {
  const interval = Number(headers.get('x-hubspot-ratelimit-interval-milliseconds'));
  const remaining = headers.get('x-hubspot-ratelimit-remaining');
  if (!Number.isFinite(interval) || interval <= 0 || remaining === null || Number(remaining) > 0) return undefined;
  return Math.ceil(interval / 1000);
}

