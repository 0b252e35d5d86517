import type { ConnectorKind } from '../connector.js';
import { createHubspotClient, HUBSPOT_MAX_BATCH } from './client.js';
import { parseHubspotSecrets, parseHubspotSettings, type HubspotSecrets, type HubspotSettings } from './config.js';

import { HUBSPOT_DEFAULT_FIELD_MAPPING } from './mapping.js';

export { HUBSPOT_DEFAULT_FIELD_MAPPING };
export type { HubspotSecrets, HubspotSettings } from './config.js';

/** HubSpot CRM v3 contacts, upserted by email with a private app's token. */
export const hubspotKind: ConnectorKind<HubspotSettings, HubspotSecrets> = {
  kind: 'HUBSPOT',
  maxBatch: HUBSPOT_MAX_BATCH,
  defaultFieldMapping: HUBSPOT_DEFAULT_FIELD_MAPPING,
  parseSettings: parseHubspotSettings,
  parseSecrets: parseHubspotSecrets,
  create: (deps) => createHubspotClient(deps),
};
