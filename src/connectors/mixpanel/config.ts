import { baseUrl, configObject, patternString } from '../transport/config-guard.js';

/** Non-secret settings of a Mixpanel connector. */
export interface MixpanelSettings {
  /** The ingestion origin: https://api.mixpanel.com, or api-eu / api-in for EU or India data residency. */
  readonly baseUrl: string;
  /**
   * The profile property an unsubscribe sets to true (Mixpanel has no standard opt-out property for
   * profiles; cohorts and messaging tools filter on this one). kith_marketing_opt_out unless given.
   */
  readonly optOutProperty: string;
}

/** Secrets of a Mixpanel connector. */
export interface MixpanelSecrets {
  /** The project token, sent as `$token` in every profile update (Mixpanel's /engage has no auth header). */
  readonly projectToken: string;
}

export const DEFAULT_MIXPANEL_URL = 'https://api.mixpanel.com';

/** A property name: anything but empty, at most 255 characters. */
const PROPERTY_NAME = /^.{1,255}$/;

export function parseMixpanelSettings(raw: unknown): MixpanelSettings {
  const obj = configObject(raw, 'settings');
  return {
    baseUrl: baseUrl(obj, 'settings', 'baseUrl', DEFAULT_MIXPANEL_URL),
    optOutProperty: patternString(obj, 'settings', 'optOutProperty', PROPERTY_NAME, 'a property name of at most 255 characters', 'kith_marketing_opt_out'),
  };
}

export function parseMixpanelSecrets(raw: unknown): MixpanelSecrets {
  const obj = configObject(raw, 'secrets');
  return { projectToken: patternString(obj, 'secrets', 'projectToken', /^[A-Za-z0-9]{8,64}$/, 'a project token (letters and digits)') };
}

