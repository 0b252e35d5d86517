import { baseUrl, configObject, requiredString } from '../transport/config-guard.js';

/** Non-secret settings of a SCIM connector. */
export interface ScimSettings {
  /** The service provider's SCIM base, ending in /scim/v2 or its like (Users and ServiceProviderConfig live under it). */
  readonly baseUrl: string;
}

/** Secrets of a SCIM connector. */
export interface ScimSecrets {
  /** The bearer token the service provider issued (for another Kith: a service client's token with provisioning:write). */
  readonly bearerToken: string;
}

export function parseScimSettings(raw: unknown): ScimSettings {
  return { baseUrl: baseUrl(configObject(raw, 'settings'), 'settings', 'baseUrl') };
}

export function parseScimSecrets(raw: unknown): ScimSecrets {
  return { bearerToken: requiredString(configObject(raw, 'secrets'), 'secrets', 'bearerToken') };
}
