import type { DeliveryOutcome } from '../connector.js';

/**
 * The coded failures every connector reports (STYLE habit 7). The outcome's `error` starts with the code,
 * then the target's own message, so an administrator sees both (`UNAUTHORIZED: Session expired or invalid`).
 */
export type FailureCode =
  /** 429 or a vendor's request-limit error: retry, after Retry-After when the target gives it. */
  | 'RATE_LIMITED'
  /** 5xx, a timeout or a network error: retry with backoff. */
  | 'UNAVAILABLE'
  /** 401: the credentials are wrong or expired; retrying will not help until an administrator fixes them. */
  | 'UNAUTHORIZED'
  /** 403: the credentials lack a permission or scope. */
  | 'FORBIDDEN'
  /** The target refused this record (4xx validation error): retrying the same data will not help. */
  | 'REJECTED'
  /** The target answered something the connector cannot read (not the documented shape). */
  | 'INVALID_RESPONSE';

/** Whether a code is worth retrying. */
export function isRetryable(code: FailureCode): boolean {
  switch (code) {
    case 'RATE_LIMITED':
    case 'UNAVAILABLE':
    case 'INVALID_RESPONSE':
      return true;
    case 'UNAUTHORIZED':
    case 'FORBIDDEN':
    case 'REJECTED':
      return false;
    default: {
      const unreachable: never = code;
      throw new Error(`unknown failure code ${String(unreachable)}`);
    }
  }
}

export const succeeded: DeliveryOutcome = Object.freeze({ ok: true });

/** A failed outcome with its code, message and (for RATE_LIMITED) the wait the target asked for. */
export function failed(code: FailureCode, message: string, retryAfterSeconds?: number): DeliveryOutcome {
  const error = `${code}: ${message}`.slice(0, 1000);
  return retryAfterSeconds === undefined
    ? { ok: false, retryable: isRetryable(code), error }
    : { ok: false, retryable: isRetryable(code), retryAfterSeconds, error };
}

/** The code an HTTP status means when the vendor's body says nothing more specific. */
export function codeForStatus(status: number): FailureCode {
  if (status === 429) return 'RATE_LIMITED';
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 408 || status >= 500) return 'UNAVAILABLE';
  return 'REJECTED';
}

/** Every delivery of a request that failed as a whole gets the same outcome. */
export function sameOutcome<T>(items: readonly T[], outcome: DeliveryOutcome): DeliveryOutcome[] {
  return items.map(() => outcome);
}
