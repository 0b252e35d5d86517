import { ConnectorConfigError } from '../connector.js';

export interface WebhookSettings {
  /** Where deliveries are POSTed. */
  readonly url: string;
}

export interface WebhookSecrets {
  /** The HMAC-SHA256 key of the Kith-Signature header; the receiver holds the same. */
  readonly signingSecret: string;
}

const object = (raw: unknown, field: string): Record<string, unknown> => {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConnectorConfigError(`${field} must be an object.`, field);
  return raw as Record<string, unknown>;
};

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * `{ url }`: an absolute https URL without credentials; plain http only to this host (loopback), since a
 * delivery carries personal data and its signature.
 */
export function parseWebhookSettings(raw: unknown): WebhookSettings {
  const { url } = object(raw, 'settings');
  if (typeof url !== 'string' || !URL.canParse(url)) throw new ConnectorConfigError('settings.url must be an absolute URL.', 'settings.url');
  const parsed = new URL(url);
  const secure = parsed.protocol === 'https:' || (parsed.protocol === 'http:' && LOOPBACK.has(parsed.hostname));
  if (!secure) throw new ConnectorConfigError('settings.url must be https (http only to localhost).', 'settings.url');
  if (parsed.username || parsed.password) throw new ConnectorConfigError('settings.url must not carry credentials: put them in secrets.', 'settings.url');
  return { url: parsed.toString() };
}

/** `{ signingSecret }`: at least 16 characters (a receiver verifies with it, so it must not be guessable). */
export function parseWebhookSecrets(raw: unknown): WebhookSecrets {
  const { signingSecret } = object(raw, 'secrets');
  if (typeof signingSecret !== 'string' || signingSecret.length < 16 || signingSecret.length > 512) {
    throw new ConnectorConfigError('secrets.signingSecret must be 16 to 512 characters.', 'secrets.signingSecret');
  }
  return { signingSecret };
}
