import type { ConnectorKind } from './connector.js';
import { hubspotKind } from './hubspot/index.js';
import { mixpanelKind } from './mixpanel/index.js';
import { salesforceKind } from './salesforce/index.js';
import { scimKind } from './scim/index.js';
import { webhookKind } from './webhook/index.js';

/** Every connector kind the engine can deliver through, by its `kind` name. Add a kind here. */
export const connectorKinds: ReadonlyMap<string, ConnectorKind> = new Map<string, ConnectorKind>(
  ([webhookKind, hubspotKind, salesforceKind, mixpanelKind, scimKind] as ConnectorKind[]).map((kind) => [kind.kind, kind]),
);
