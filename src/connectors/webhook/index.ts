import type { ConnectorKind } from '../connector.js';
import { createWebhookClient } from './client.js';
import { parseWebhookSecrets, parseWebhookSettings, type WebhookSecrets, type WebhookSettings } from './config.js';

/** A JSON POST per change to any HTTPS endpoint, signed with HMAC-SHA256 (see signature.ts). */
export const webhookKind: ConnectorKind<WebhookSettings, WebhookSecrets> = {
  kind: 'WEBHOOK',
  maxBatch: 10,
  parseSettings: parseWebhookSettings,
  parseSecrets: parseWebhookSecrets,
  create: createWebhookClient,
};
