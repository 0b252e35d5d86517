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

/** `{ url }`: an absolute http or https URL without credentials. */
export function parseWebhookSettings(raw: unknown): WebhookSettings {
  const { url } = object(raw, 'settings');
  if (typeof url !== 'string' || !URL.canParse(url)) throw new ConnectorConfigError('settings.url must be an absolute URL.', 'settings.url');
  const parsed = new URL(url);
  if (!/^https?:$/.test(parsed.protocol)) throw new ConnectorConfigError('settings.url must be http or https.', 'settings.url');
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
