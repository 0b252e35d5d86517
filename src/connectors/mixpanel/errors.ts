import type { DeliveryOutcome } from '../connector.js';
import { errorOutcome, transportOutcome } from '../transport/answer-outcome.js';
import { failed } from '../transport/failure.js';
import { excerpt, type HttpAnswer } from '../transport/http-call.js';

/**
 * What Mixpanel's /engage said. It answers 200 even when it refuses the data: with `verbose=1` the body is
 * `{ status: 1, error: null }` on success and `{ status: 0, error: "..." }` when the batch was refused
 * (without verbose, `1` or `0`). Errors such as 401, 413 and 429 (`{ code, error, status }`) come as
 * HTTP statuses.
 */
export type EngageVerdict =
  | { readonly kind: 'accepted' }
  | { readonly kind: 'refused'; readonly error: string }
  | { readonly kind: 'failed'; readonly outcome: DeliveryOutcome };

export function engageVerdict(answer: HttpAnswer, now: Date): EngageVerdict {
  if (answer.kind === 'transport') return { kind: 'failed', outcome: transportOutcome(answer) };
  const body = answer.body as { status?: unknown; error?: unknown } | number | undefined;
  if (answer.status !== 200) {
    const message = typeof body === 'object' && typeof body.error === 'string' ? body.error : excerpt(answer.text);
    return { kind: 'failed', outcome: errorOutcome(answer, message, now) };
  }
  if (body === 1 || (typeof body === 'object' && body.status === 1)) return { kind: 'accepted' };
  if (body === 0 || (typeof body === 'object' && body.status === 0)) {
    const error = typeof body === 'object' && typeof body.error === 'string' ? body.error : 'Mixpanel refused the update';
    return { kind: 'refused', error };
  }
  return { kind: 'failed', outcome: failed('INVALID_RESPONSE', `unexpected /engage answer: ${excerpt(answer.text)}`) };
}

/** A refusal of one delivery's updates: a token problem is UNAUTHORIZED, anything else REJECTED. */
export function refusalOutcome(error: string): DeliveryOutcome {
  return failed(/token/i.test(error) ? 'UNAUTHORIZED' : 'REJECTED', error);
}
