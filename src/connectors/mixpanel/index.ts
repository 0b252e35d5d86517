import type { ConnectorKind } from '../connector.js';
import { createMixpanelClient, MIXPANEL_MAX_BATCH } from './client.js';
import { parseMixpanelSecrets, parseMixpanelSettings, type MixpanelSecrets, type MixpanelSettings } from './config.js';

import { MIXPANEL_DEFAULT_FIELD_MAPPING } from './mapping.js';

export { MIXPANEL_DEFAULT_FIELD_MAPPING };
export type { MixpanelSecrets, MixpanelSettings } from './config.js';

/** Mixpanel user profiles (the Engage API), keyed by the Kith customer id as distinct id. */
export const mixpanelKind: ConnectorKind<MixpanelSettings, MixpanelSecrets> = {
  kind: 'MIXPANEL',
  maxBatch: MIXPANEL_MAX_BATCH,
  defaultFieldMapping: MIXPANEL_DEFAULT_FIELD_MAPPING,
  parseSettings: parseMixpanelSettings,
  parseSecrets: parseMixpanelSecrets,
  create: (deps) => createMixpanelClient(deps),
};
