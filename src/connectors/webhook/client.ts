import type { ConnectorClient, Delivery, DeliveryOutcome } from '../connector.js';
import type { WebhookSecrets, WebhookSettings } from './config.js';
import { signWebhook } from './signature.js';

/** Retry-After in seconds: delta-seconds or an HTTP date (RFC 9110 section 10.2.3); undefined when absent or bad. */
export function retryAfterSeconds(header: string | null, now: Date): number | undefined {
  if (header === null) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

/** What a target's HTTP status means for a delivery: 2xx done; 429 and 5xx later; any other 4xx never. */
export function outcomeOfStatus(response: Response, now: Date): DeliveryOutcome {
  if (response.ok) return { ok: true };
  const error = `HTTP ${response.status}`;
  if (response.status === 429) {
    const after = retryAfterSeconds(response.headers.get('retry-after'), now);
    return { ok: false, retryable: true, error, ...(after !== undefined ? { retryAfterSeconds: after } : {}) };
  }
  return { ok: false, retryable: response.status >= 500 || response.status === 408, error };
}

/** A network failure or timeout: worth another try. */
export function outcomeOfFailure(error: unknown): DeliveryOutcome {
  const name = error instanceof Error ? error.name : '';
  const message = name === 'TimeoutError' ? 'timed out' : error instanceof Error ? error.message : String(error);
  return { ok: false, retryable: true, error: `request failed: ${message}` };
}

/** One signed JSON POST per delivery; those of one call go out concurrently. */
export function createWebhookClient(deps: {
  settings: WebhookSettings;
  secrets: WebhookSecrets;
  fetch: typeof fetch;
  now: () => Date;
  timeoutMs: number;
}): ConnectorClient {
  async function post(idempotencyKey: string, payload: Record<string, unknown>): Promise<DeliveryOutcome> {
    const body = JSON.stringify(payload);
    const at = deps.now();
    try {
      const response = await deps.fetch(deps.settings.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': idempotencyKey,
          'kith-signature': signWebhook(deps.secrets.signingSecret, body, at),
        },
        body,
        signal: AbortSignal.timeout(deps.timeoutMs),
        // A redirect is refused, never followed: it could steer a signed delivery to another host.
        redirect: 'manual',
      });
      // Drain the body so the connection can be reused.
      await response.arrayBuffer().catch(() => undefined);
      return outcomeOfStatus(response, deps.now());
    } catch (error) {
      return outcomeOfFailure(error);
    }
  }

  return {
    // The engine hands over at most one delivery per customer at a time, so they may go out together.
    deliver: (deliveries: readonly Delivery[]) =>
      Promise.all(
        deliveries.map((d) =>
          post(d.idempotencyKey, { id: d.idempotencyKey, type: d.action, customerId: d.customerId, occurredAt: d.occurredAt.toISOString(), fields: d.fields }),
        ),
      ),
    // A `ping` event the receiver acknowledges like any other; it carries no customer.
    test: () => post(`test:${deps.now().getTime()}`, { id: `test:${deps.now().getTime()}`, type: 'ping', occurredAt: deps.now().toISOString() }),
  };
}
