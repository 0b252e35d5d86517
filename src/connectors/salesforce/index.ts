import type { ConnectorKind } from '../connector.js';
import { createSalesforceClient, SALESFORCE_MAX_BATCH } from './client.js';
import { parseSalesforceSecrets, parseSalesforceSettings, type SalesforceSecrets, type SalesforceSettings } from './config.js';

import { SALESFORCE_DEFAULT_FIELD_MAPPING } from './mapping.js';

export { SALESFORCE_DEFAULT_FIELD_MAPPING };
export type { SalesforceSecrets, SalesforceSettings } from './config.js';

/** Salesforce Leads or Contacts, upserted by an external ID field holding the Kith customer id. */
export const salesforceKind: ConnectorKind<SalesforceSettings, SalesforceSecrets> = {
  kind: 'SALESFORCE',
  maxBatch: SALESFORCE_MAX_BATCH,
  defaultFieldMapping: SALESFORCE_DEFAULT_FIELD_MAPPING,
  parseSettings: parseSalesforceSettings,
  parseSecrets: parseSalesforceSecrets,
  create: (deps) => createSalesforceClient(deps),
};
