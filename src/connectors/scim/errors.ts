import type { DeliveryOutcome } from '../connector.js';
import { errorOutcome, transportOutcome } from '../transport/answer-outcome.js';
import { excerpt, type HttpAnswer } from '../transport/http-call.js';

/** RFC 7644 section 3.12: `{ schemas: [...Error], status: "400", scimType?: "invalidFilter", detail? }`. */
export function scimMessage(answer: Extract<HttpAnswer, { kind: 'answer' }>): string {
  const body = answer.body as { scimType?: unknown; detail?: unknown } | undefined;
  if (body && (typeof body.detail === 'string' || typeof body.scimType === 'string')) {
    const detail = typeof body.detail === 'string' ? body.detail : '';
    return typeof body.scimType === 'string' ? `${body.scimType}: ${detail}` : detail;
  }
  return excerpt(answer.text);
}

/** 401/403 are not retryable, 429 (with Retry-After) and 5xx are; other 4xx (scimType and detail) are REJECTED. */
export function scimFailure(answer: HttpAnswer, now: Date): DeliveryOutcome {
  if (answer.kind === 'transport') return transportOutcome(answer);
  return errorOutcome(answer, scimMessage(answer), now);
}
