import type { ConnectorKind } from '../connector.js';
import { createScimClient } from './client.js';
import { parseScimSecrets, parseScimSettings, type ScimSecrets, type ScimSettings } from './config.js';

import { SCIM_DEFAULT_FIELD_MAPPING } from './mapping.js';

export { SCIM_DEFAULT_FIELD_MAPPING };
export type { ScimSecrets, ScimSettings } from './config.js';

/** Users in another SCIM 2.0 service provider, found by externalId (the Kith customer id) or userName (the email). */
export const scimKind: ConnectorKind<ScimSettings, ScimSecrets> = {
  kind: 'SCIM',
  maxBatch: 1,
  defaultFieldMapping: SCIM_DEFAULT_FIELD_MAPPING,
  parseSettings: parseScimSettings,
  parseSecrets: parseScimSecrets,
  create: (deps) => createScimClient(deps),
};
