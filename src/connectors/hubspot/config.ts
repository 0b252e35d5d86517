import { baseUrl, configObject, oneOf, patternString, requiredString } from '../transport/config-guard.js';

/** Non-secret settings of a HubSpot connector. */
export interface HubspotSettings {
  /** The API origin; https://api.hubapi.com unless a proxy or a test peer stands in. */
  readonly baseUrl: string;
  /**
   * The contact property an unsubscribe sets to "true" (a single checkbox property the administrator creates
   * in HubSpot, such as `kith_marketing_opt_out`, used in lists and workflows to stop marketing). HubSpot's
   * own subscription statuses (`hs_email_optout`) are read-only over the CRM API.
   */
  readonly optOutProperty: string;
  /**
   * How a deleted account leaves HubSpot: `archive` (batch archive, restorable for 90 days) or `gdpr`
   * (`POST /crm/v3/objects/contacts/gdpr-delete` by email: permanent, and HubSpot blocklists the email).
   */
  readonly deleteMode: 'archive' | 'gdpr';
}

/** Secrets of a HubSpot connector. */
export interface HubspotSecrets {
  /** A private app's access token (scopes crm.objects.contacts.read and .write), sent as `Authorization: Bearer`. */
  readonly accessToken: string;
}

export const DEFAULT_HUBSPOT_URL = 'https://api.hubapi.com';
export const DEFAULT_OPT_OUT_PROPERTY = 'kith_marketing_opt_out';

/** HubSpot internal property names: lowercase letters, digits and underscores, starting with a letter. */
const PROPERTY_NAME = /^[a-z][a-z0-9_]{0,99}$/;

export function parseHubspotSettings(raw: unknown): HubspotSettings {
  const obj = configObject(raw, 'settings');
  return {
    baseUrl: baseUrl(obj, 'settings', 'baseUrl', DEFAULT_HUBSPOT_URL),
    optOutProperty: patternString(obj, 'settings', 'optOutProperty', PROPERTY_NAME, 'a HubSpot internal property name (a-z, 0-9, _)', DEFAULT_OPT_OUT_PROPERTY),
    deleteMode: oneOf(obj, 'settings', 'deleteMode', ['archive', 'gdpr'] as const, 'archive'),
  };
}

export function parseHubspotSecrets(raw: unknown): HubspotSecrets {
  const obj = configObject(raw, 'secrets');
  return { accessToken: requiredString(obj, 'secrets', 'accessToken') };
}
